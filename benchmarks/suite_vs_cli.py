"""How the suite's speed and memory compare with the floor: plain docker CLI calls.

Not a test: it prints figures. In one invocation, on one engine:

1. wall times of benchmarks/bare_cli.sh (the docker CLI doing the engine operations the suite
   does, for the claims the features cover but C14, which needs a second engine: both sides run
   without one) and of the full suite with plain `behave`; beside each, the engine operations
   it caused (docker events of its run label);
2. the runner's peak memory (VmHWM of the Python process) while a 1 GiB layer goes through
   docker save and docker export, spooled and read by docker_claims.archives.

Usage: python benchmarks/suite_vs_cli.py [--rounds 3] [--size-mib 1024] [--skip-speed]
       [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docker_claims.engine import archives, connection  # noqa: E402 - the repo root is put first
from docker_claims.engine.fixtures import FixtureSpec  # noqa: E402 - the repo root is put first
from docker_claims.engine.labels import LABEL_RUN  # noqa: E402 - the repo root is put first
from docker_claims.runner.session import Session  # noqa: E402 - the repo root is put first
from tests.engine.behave_runs import isolated_cwd  # noqa: E402 - the repo root is put first

FEATURES = ROOT / "features"
SECOND_ENGINE_CLAIM = "C14"
RUN_LINE = re.compile(r"docker-claims run ([0-9a-f]+)\b")
CLAIM_TAG = re.compile(r"^claim\.(C\d\d)$")
MIB = 1 << 20


def covered_claims() -> list[str]:
    """The claims the features have scenarios for, but C14: the bare script checks the same.
    C14 needs a second engine; both sides run without one (see `suite`)."""
    from behave.parser import parse_file

    found = set()
    for path in FEATURES.glob("*.feature"):
        feature = parse_file(str(path))
        for scenario in feature.walk_scenarios():
            for tag in (*feature.tags, *scenario.effective_tags):
                match = CLAIM_TAG.match(str(tag))
                if match and match.group(1) != SECOND_ENGINE_CLAIM:
                    found.add(match.group(1))
    return sorted(found)


class EngineEvents:
    """The engine's container and image events while a block runs, counted per run label (the
    engine keeps only its last 256 events for later queries, so they are read live)."""

    def __init__(self, client):
        self.client = client
        self.counts: dict[str, Counter] = {}

    def __enter__(self) -> EngineEvents:
        self._stream = self.client.events(decode=True,
                                          filters={"type": ["container", "image"]})
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        try:
            for event in self._stream:
                attributes = (event.get("Actor") or {}).get("Attributes") or {}
                run_id = attributes.get(LABEL_RUN)
                if run_id:
                    action = event.get("Action", "").split(":")[0]
                    self.counts.setdefault(run_id, Counter())[
                        f"{event.get('Type')} {action}"] += 1
        except Exception:  # the stream closed under us: counting is over
            pass

    def __exit__(self, *_exc) -> None:
        time.sleep(1)  # the last events of the block
        self._stream.close()

    def of(self, run_id: str) -> Counter:
        return self.counts.get(run_id, Counter())


def bare(claims: list[str]) -> dict:
    run_id = f"bare{os.urandom(4).hex()}"
    env = {**os.environ, "CLAIMS": " ".join(claims), "BARE_RUN_ID": run_id}
    started = time.time()
    done = subprocess.run(["bash", str(ROOT / "benchmarks" / "bare_cli.sh")], env=env,
                          capture_output=True, text=True)
    ended = time.time()
    if done.returncode != 0:
        raise SystemExit(f"bare_cli.sh failed:\n{done.stdout}\n{done.stderr}")
    return {"what": "bare CLI script", "wall": ended - started, "run_id": run_id}


def suite() -> dict:
    """One run of the suite (plain `behave`, no second engine) from a directory of its own."""
    with tempfile.TemporaryDirectory(prefix="suite-vs-cli-") as tmp:
        cwd = isolated_cwd(ROOT, Path(tmp))
        env = {k: v for k, v in os.environ.items() if k != "DOCKER_CLAIMS_NODE2"}
        started = time.time()
        done = subprocess.run([sys.executable, "-m", "behave", str(FEATURES)], cwd=cwd, env=env,
                              capture_output=True, text=True)
        ended = time.time()
        output = done.stdout + done.stderr
        if done.returncode != 0:
            with tempfile.NamedTemporaryFile("w", prefix="suite-vs-cli-failed-", suffix=".log",
                                             delete=False) as log:
                log.write(output)
            failing = output[output.find("Failing scenarios:"):] if "Failing scenarios:" in \
                output else output[-6000:]
            raise SystemExit(f"behave failed (its whole output: {log.name}):\n{failing[:6000]}")
        found = RUN_LINE.search(output)
        return {"what": "behave", "wall": ended - started, "run_id": found.group(1),
                "scenarios": len(scenario_times(cwd / "reports" / "junit"))}


def scenario_times(junit: Path) -> dict[str, float]:
    found = {}
    for path in junit.glob("TESTS-*.xml"):
        for case in ET.parse(path).getroot().iter("testcase"):
            if case.find("skipped") is None:
                found[case.get("name", "").strip()] = float(case.get("time") or 0)
    return found


def speed(rounds: int) -> None:
    client = connection.connect()
    claims = covered_claims()
    print(f"== speed: claims {' '.join(claims)}; {os.cpu_count()} CPUs; "
          f"{connection.fingerprint(client).summary()}")
    print(f"\n-- median of {rounds}")
    rows: dict[str, list[dict]] = {}
    for number in range(rounds):
        # Which goes first alternates: what one run leaves the engine to finish (its garbage
        # collection) is then paid by either side alike.
        order = [lambda: bare(claims), suite][::1 if number % 2 == 0 else -1]
        with EngineEvents(client) as events:
            measured = [run() for run in order]
        print(f"   round {number + 1}: " + ", ".join(f"{row['what']} {row['wall']:.1f} s"
                                                   for row in measured))
        for row in measured:
            row["ops"] = events.of(row["run_id"])
            rows.setdefault(row["what"], []).append(row)
    print(f"{'':20}{'wall':>9}{'scenarios':>11}{'containers started':>20}{'engine events':>15}")
    for what, runs in rows.items():
        wall = statistics.median(r["wall"] for r in runs)
        ops = runs[0]["ops"]
        print(f"{what:20}{wall:8.1f}s{runs[0].get('scenarios', '-'):>11}"
              f"{ops['container start']:>20}{sum(ops.values()):>15}")
    ratio = (statistics.median(r["wall"] for r in rows["behave"])
             / statistics.median(r["wall"] for r in rows["bare CLI script"]))
    print(f"behave / bare CLI script: {ratio:.2f}")
    for what in ("bare CLI script", "behave"):
        print(f"   {what}: " + ", ".join(
            f"{k} {v}" for k, v in sorted(rows[what][0]["ops"].items())))


def vm_hwm_mib() -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def reset_peak() -> bool:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so each step shows its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory_probe(size_mib: int) -> dict:
    """In this process: build a labelled image with one `size_mib` layer, then save and export
    it through archives.spool and read both back; the peak RSS of each step."""
    steps: dict[str, dict] = {"imports": {"peak_mib": vm_hwm_mib()}}
    session = Session.open()
    try:
        spec = FixtureSpec(name="big", instructions=(
            "COPY busybox /bin/busybox",
            f'RUN ["/bin/busybox", "dd", "if=/dev/urandom", "of=/big", "bs=1M", '
            f'"count={size_mib}"]'))
        started = time.monotonic()
        image = session.fixtures.image(spec)
        steps["build (engine side)"] = {"seconds": time.monotonic() - started}
        scratch = session.scratch_dir(lambda cleanup: None)  # inside the session's workdir
        steps["session open"] = {"peak_mib": vm_hwm_mib()}

        def step(name, action):
            reset_peak()
            began = time.monotonic()
            result = action()
            steps[name] = {"seconds": time.monotonic() - began, "peak_mib": vm_hwm_mib()}
            return result

        saved = step("save: spool", lambda: archives.spool(image.save(named=True), scratch))
        steps["save: spool"]["bytes"] = saved.stat().st_size
        with archives.open_save(saved) as archive:
            layers = archive.images[0].layers
            step("save: diff ids", lambda: [layer.compute_diff_id() for layer in layers])
            step("save: entries", lambda: [sum(1 for _ in layer.entries()) for layer in layers])
        saved.unlink()
        resources = session.resources(lambda cleanup: None)  # the session's sweep removes it
        container = resources.container(image.id, ["true"])
        exported = step("export: spool", lambda: archives.spool(container.export(), scratch))
        steps["export: spool"]["bytes"] = exported.stat().st_size
        step("export: paths", lambda: len(archives.open_export(exported).paths()))
        exported.unlink()
    finally:
        session.close()
    steps["overall"] = {"peak_mib": max(s.get("peak_mib", 0) for s in steps.values())}
    return steps


def memory(size_mib: int) -> None:
    print(f"\n== runner memory: a {size_mib} MiB layer through save and export (VmHWM of the "
          "Python process)")
    done = subprocess.run([sys.executable, __file__, "--memory-probe", str(size_mib)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the memory probe failed:\n{done.stdout}\n{done.stderr}")
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    for name, facts in steps.items():
        seconds = f"{facts['seconds']:7.1f} s" if "seconds" in facts else " " * 9
        peak = f"{facts['peak_mib']:7.1f} MiB" if "peak_mib" in facts else ""
        size = f"  ({facts['bytes'] / MIB:.0f} MiB tar)" if "bytes" in facts else ""
        print(f"{name:22}{seconds} {peak}{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return
    if not args.skip_speed:
        speed(args.rounds)
    if not args.skip_memory:
        memory(args.size_mib)


if __name__ == "__main__":
    main()

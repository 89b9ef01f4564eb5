"""The faults of fault_table.FAULTS, each injected for real (a real engine, a real proxy in front
of it, a dockerd of the test's own killed, a real read-only mount, a real signal), and how each
run ends: its exit status (runner/exit_status.py), what its report's top says (the phase and
what the engine answered), the last whole run's reports/claims.* left byte for byte, nothing
labelled with the run left on an engine that still answers, and what a dead engine kept swept
by the next run there. Two rows are asserted elsewhere (test_deadlines.py, test_interruption.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from behave_runs import (
    GATED_STEPS,
    BehaveRun,
    labelled,
    start,
    subjects,
    synthetic_features,
    verdicts,
    wait_for,
)
from fault_table import FAULTS
from lying_proxy import Answer, Lie, LyingProxy, Request, first_engine

from docker_claims.runner.exit_status import ExitStatus

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 300
LAST_WHOLE_RUN = ("claims.html", "claims.md", "claims.json", "junit/TESTS-image_layers.xml")
"""What a whole run that ended and measured left in reports/: no other run may touch it."""


def seed_last_whole_run(directory: Path) -> dict[str, str]:
    """reports/ in `directory` as a last whole run left it (contents of its own)."""
    reports = directory / "reports"
    (reports / "junit").mkdir(parents=True, exist_ok=True)
    seeded = {}
    for name in LAST_WHOLE_RUN:
        seeded[name] = f"the last whole run's {name}: {secrets.token_hex(8)}\n"
        (reports / name).write_text(seeded[name])
    return seeded


@dataclass
class Ended:
    """How a run under a fault ended: its exit status, its report, what it printed."""

    code: int
    report: dict
    output: str
    run_id: str


def run_under_fault(directory: Path, *args: str, env: dict | None = None,
                    features: Path | None = None) -> tuple[BehaveRun, dict[str, str]]:
    seeded = seed_last_whole_run(directory)
    extra = {"features": features} if features else {}
    return start(directory, *args, env=env, **extra), seeded


def ended(run: BehaveRun, seeded: dict[str, str], code: int | None = None) -> Ended:
    """Wait for the run (unless its exit code is given), then check what every fault must
    leave: the last whole run's reports as they were, the run's own report under runs/."""
    if code is None:
        code = run.wait(timeout=RUN_TIMEOUT)
    output = run.output()
    reports = run.cwd / "reports"
    for name, content in seeded.items():
        assert (reports / name).read_text() == content, f"the run changed reports/{name}"
    run_id = re.search(r"reports/runs/([0-9a-f]{10})/claims", output) or re.search(
        r"docker-claims-report-([0-9a-f]{10})\b", output)
    assert run_id, f"the run names no report of its own:\n{output[-3000:]}"
    path = reports / "runs" / run_id.group(1) / "claims.json"
    report = json.loads(path.read_text()) if path.is_file() else {}
    return Ended(code, report, output, run_id.group(1))


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


# -- the engine, as the run finds it -------------------------------------------------------


def test_an_address_no_engine_answers_at(tmp_path):
    run, seeded = run_under_fault(tmp_path / "run",
                                  env={"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"})
    done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert done.report["run"]["stopped_during"] == "connecting to the engine"
    assert done.report["engine"] is None
    assert last_line(done.output).startswith(
        "docker-claims: exit 3 (inconclusive): docker-claims cannot run: no Docker engine "
        f"answers (tried DOCKER_HOST=unix://{tmp_path}/no-engine.sock")
    assert done.output.count("no Docker engine answers") == 1  # said once, at the end


def _lying(upstream: str, *lies: Lie) -> LyingProxy:
    return LyingProxy(upstream, list(lies))


@pytest.fixture
def engine_address():
    address = first_engine()
    if address is None:
        pytest.skip("the engine is not reached through a plain unix or tcp address: the proxy "
                    "cannot stand in front of it")
    return address


def _old_api(request: Request, truth: Answer) -> Answer:
    return truth.with_json({**truth.json(), "ApiVersion": "1.38", "MinAPIVersion": "1.12"})


def test_an_engine_whose_api_is_too_old(session, tmp_path, engine_address):
    with _lying(engine_address, Lie("an old API", "", "GET", r"/version", _old_api)) as proxy:
        run, seeded = run_under_fault(tmp_path / "run", env={"DOCKER_HOST": proxy.url})
        done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert done.report["run"]["stopped_during"] == "connecting to the engine"
    assert "speaks API 1.38; docker-claims needs API 1.40" in done.report["run"]["stopped_because"]


def _refusing(name: str) -> Lie:
    """The engine's answer to creating a container named `*<name>*` turned into a refusal, as
    an authorization plugin gives it (the engine made the container: the run's label sweep
    removes it)."""
    def refuse(request: Request, truth: Answer) -> Answer | None:
        if name not in (request.query.get("name") or [""])[0]:
            return None
        return truth.with_json({"message": f"authorization denied by plugin faults: no {name}"},
                               403)
    return Lie(f"no {name}", "", "POST", r"/containers/create", refuse)


def test_a_fixture_build_that_fails_on_the_engine(session, tmp_path):
    failing = tmp_path / "busybox"
    source = tmp_path / "exit1.c"
    source.write_text("int main(void) { return 1; }\n")
    built = subprocess.run(["gcc", "-static", "-o", str(failing), str(source)],
                           capture_output=True, text=True, check=False)
    if built.returncode:
        pytest.skip(f"no static C toolchain to make a failing busybox: {built.stderr[-300:]}")
    run, seeded = run_under_fault(tmp_path / "run", env={"DOCKER_CLAIMS_BUSYBOX": str(failing)})
    done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert done.report["run"]["stopped_during"] == "building the fixture images"
    assert "returned a non-zero code: 1" in done.report["run"]["stopped_because"]
    assert done.report["engine"]["engine_version"], "the report says no engine was reached"
    assert labelled(session.client, done.run_id) == []


def test_an_engine_that_refuses_the_lease(session, tmp_path, engine_address):
    with _lying(engine_address, _refusing("-lease")) as proxy:
        run, seeded = run_under_fault(tmp_path / "run", env={"DOCKER_HOST": proxy.url})
        done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert done.report["run"]["stopped_during"] == "starting the run's lease container"
    assert "authorization denied by plugin faults" in done.report["run"]["stopped_because"]
    assert done.report["engine"]["engine_version"]
    wait_for(lambda: labelled(session.client, done.run_id) == [], timeout=30,
             what="nothing of the run left")


def test_an_engine_that_refuses_the_host_reader(session, tmp_path, engine_address):
    with _lying(engine_address, _refusing("-helper-")) as proxy:
        run, seeded = run_under_fault(tmp_path / "run", "--tags=@claim.C07",
                                      env={"DOCKER_HOST": proxy.url})
        done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert verdicts(done.report) == {"C07": "could_not_be_measured"}
    states = sorted(s["status"] for s in done.report["claims"][0]["scenarios"])
    assert states == ["error", "passed", "passed"]  # what needs no reader is measured
    assert "C07 could not be measured: " in last_line(done.output)
    assert "authorization denied by plugin faults" in last_line(done.output)
    assert labelled(session.client, done.run_id) == []


# -- engines that die ----------------------------------------------------------------------


class PrivateEngine:
    """A dockerd of the test's own, in a network namespace of its own (scripts/node2-up under
    another name), that the test may kill and start again; removed with its data at the end."""

    def __init__(self, name: str):
        self.name = name
        self.env = {**os.environ, "NODE2_NAME": name}
        self.url = ""

    def up(self) -> PrivateEngine:
        done = subprocess.run(["bash", str(ROOT / "scripts" / "node2-up")], env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            pytest.skip(f"no private dockerd can be started here: {done.stderr[-600:]}")
        self.url = done.stdout.strip().splitlines()[-1]
        return self

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, version="auto", timeout=60)

    def kill(self) -> None:
        """SIGKILL its dockerd: none of its own shutdown runs."""
        pid = int(Path(f"/run/{self.name}/docker.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=30,
                 what=f"dockerd {pid} gone")

    def down(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "node2-down")],
                       env={**self.env, "NODE2_PURGE": "1"}, capture_output=True, timeout=120,
                       check=False)


@pytest.fixture
def private_engines(request):
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a dockerd of the test's own needs root on Linux")

    def make(role: str) -> PrivateEngine:
        engine = PrivateEngine(f"dclaims-fault-{role}-{secrets.token_hex(3)}")
        request.addfinalizer(engine.down)
        return engine.up()

    return make


def test_an_engine_killed_mid_run(tmp_path, private_engines):
    engine = private_engines("killed")
    client = engine.client()
    run, seeded = run_under_fault(tmp_path / "run", "--tags=@claim.C05",
                                  env={"DOCKER_HOST": engine.url, "DOCKER_CONTEXT": ""})
    run_id = run.run_id(timeout=120)
    wait_for(lambda: subjects(client, run_id), timeout=120, interval=0.05,
             what="a scenario making a container")
    engine.kill()
    done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert done.report["run"]["stopped_during"].startswith(("step ", "starting scenario "))
    assert "stopped answering" in done.report["run"]["stopped_because"]

    engine.up()  # the next run on it sweeps what the dead one left there
    client = engine.client()
    assert labelled(client, run_id), "the killed engine kept nothing of the run: nothing to sweep"
    following = start(tmp_path / "next", "--tags=@claim.C05",
                      env={"DOCKER_HOST": engine.url, "DOCKER_CONTEXT": ""})
    assert following.wait(timeout=RUN_TIMEOUT) == ExitStatus.OK, following.output()
    assert f"swept leftover of a dead run: container dclaims-{run_id}-" in following.output()
    assert labelled(client, run_id) == []


def test_a_second_node_that_dies_during_c14(session, tmp_path, private_engines):
    node = private_engines("node")
    node_client = node.client()
    run, seeded = run_under_fault(tmp_path / "run", "--tags=@claim.C14",
                                  env={"DOCKER_CLAIMS_NODE2": node.url})
    run_id = run.run_id(timeout=120)
    wait_for(lambda: labelled(node_client, run_id), timeout=120, interval=0.05,
             what="C14 making something on the second engine")
    node.kill()
    done = ended(run, seeded)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    assert verdicts(done.report) == {"C14": "could_not_be_measured"}
    assert "C14 could not be measured" in last_line(done.output)
    assert labelled(session.client, run_id) == []

    node.up()
    node_client = node.client()
    assert labelled(node_client, run_id), "the dead node kept nothing of the run: nothing to sweep"
    following = start(tmp_path / "next", "--tags=@claim.C14",
                      env={"DOCKER_CLAIMS_NODE2": node.url})
    assert following.wait(timeout=RUN_TIMEOUT) == ExitStatus.OK, following.output()
    assert labelled(node_client, run_id) == []


# -- the machine running behave ------------------------------------------------------------


@contextlib.contextmanager
def read_only(directory: Path):
    """`directory` behind a read-only bind mount of itself: not even root writes there."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root on Linux")
    subprocess.run(["mount", "--bind", str(directory), str(directory)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=False)


def test_a_reports_directory_that_cannot_be_written(session, tmp_path):
    directory = tmp_path / "run"
    seeded = seed_last_whole_run(directory)
    with read_only(directory / "reports"):
        run = start(directory, "--tags=@claim.C06")
        code = run.wait(timeout=RUN_TIMEOUT)
    done = ended(run, seeded, code)
    assert done.code == ExitStatus.INCONCLUSIVE, done.output
    elsewhere = re.search(r"it is in (\S+docker-claims-report-\S+?)/? instead", done.output)
    assert elsewhere, done.output[-3000:]
    report = json.loads((Path(elsewhere.group(1)) / "claims.json").read_text())
    assert report["run"]["stopped_during"] == "writing the report"
    assert verdicts(report) == {"C06": "holds"}  # what was measured is not lost
    assert "Read-only file system" in report["run"]["stopped_because"]
    subprocess.run(["rm", "-rf", elsewhere.group(1)], check=False)
    assert labelled(session.client, done.run_id) == []


CLEANUP_FEATURE = """
Feature: A run whose cleanup is held
  Scenario: One container, then the cleanup
    Given a container of this run and a cleanup held at its start
"""

CLEANUP_STEPS = GATED_STEPS + '''

@given("a container of this run and a cleanup held at its start")
def step_held(context):
    context.session.shared("gate", lambda resources: resources.defer(gate))
    image = context.session.fixtures.image(fixtures.HELPER)
    context.state.resources.container(image.id, ["true"])
'''


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_during_the_cleanup(session, tmp_path, signal_name):
    features = synthetic_features(tmp_path / "src", CLEANUP_FEATURE, CLEANUP_STEPS)
    run, seeded = run_under_fault(tmp_path / "run", features=features)
    try:
        wait_for(lambda: (run.cwd / "cleanup-begun").exists(), timeout=120, interval=0.02,
                 what="the run's cleanup beginning")
        run.process.send_signal(getattr(signal, signal_name))
        wait_for(lambda: "still removing" in run.output(), timeout=10, interval=0.02,
                 what="the note that the cleanup goes on")
        (run.cwd / "cleanup-go").touch()
        code = run.wait(timeout=120)
    finally:
        run.kill()
    done = ended(run, seeded, code)
    assert done.code == ExitStatus.INTERRUPTED, done.output
    assert done.report["run"]["interrupted_by"] == signal_name
    assert last_line(done.output) == (f"docker-claims: exit 130 (interrupted): interrupted by "
                                      f"{signal_name}")
    assert labelled(session.client, done.run_id) == []


def test_every_fault_of_the_table_is_asserted_where_it_says():
    here = Path(__file__).parent
    for fault in FAULTS:
        module, test = fault.test.split("::")
        assert f"def {test}(" in (here / module).read_text(), fault

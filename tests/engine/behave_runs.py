"""Real `behave` runs as subprocesses, for the engine tests that prove what a whole run does.

Each run works in a directory of its own that links the project's behave configuration, so
that its JUnit and report files never land in the project's reports/. Its run id is read from
the line every run prints first on stderr (`docker-claims run <id> on ...`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from docker_claims.engine.labels import LABEL_ROLE, LABEL_RUN
from docker_claims.engine.scope import wait_until

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
RUN_LINE = re.compile(r"docker-claims run ([0-9a-f]+)\b")


class BehaveRun:
    """A behave process: its run id as soon as it says it, its output, its exit."""

    def __init__(self, cwd: Path, args: list[str], env: dict[str, str] | None = None,
                 program: tuple[str, ...] = ("-m", "behave")):
        self.cwd = cwd
        self.stdout_path = cwd / "stdout.txt"
        self.stderr_lines: list[str] = []
        self._run_id: str | None = None
        self._said_id = threading.Event()
        with open(self.stdout_path, "wb") as stdout:
            self.process = subprocess.Popen(
                [sys.executable, *program, *args], cwd=cwd, stdout=stdout,
                stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line)
            found = RUN_LINE.search(line)
            if found and self._run_id is None:
                self._run_id = found.group(1)
                self._said_id.set()
        self._said_id.set()

    def run_id(self, timeout: float = 60) -> str:
        assert self._said_id.wait(timeout), f"the run said no run id within {timeout} s"
        assert self._run_id, f"the run ended without saying its run id:\n{self.output()}"
        return self._run_id

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code

    def output(self) -> str:
        stdout = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        return stdout + "".join(self.stderr_lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


CONFIG_FILES = ("pyproject.toml", "tox.ini", "setup.cfg", "behave.ini", ".behaverc")
"""Where behave may find the project's configuration."""


def isolated_cwd(project: Path, directory: Path) -> Path:
    """A directory where behave reads the project's configuration but writes its relative
    outputs (JUnit, report files) apart from the project's: links to the config files."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        if (project / name).is_file():
            (directory / name).symlink_to((project / name).resolve())
    return directory


def start(directory: Path, *args: str, features: Path = FEATURES,
          env: dict[str, str] | None = None) -> BehaveRun:
    """`behave [args] <features>` from `directory`, with the project's configuration."""
    cwd = isolated_cwd(ROOT, directory)
    return BehaveRun(cwd, [*args, str(features)], env)


def labelled(client, run_id: str) -> list[str]:
    """Everything on the engine that carries the run's label (images too, intermediate ones)."""
    selector = {"label": f"{LABEL_RUN}={run_id}"}
    found = [f"container {(c.get('Names') or ['?'])[0]} {c.get('State')}"
             for c in client.api.containers(all=True, filters=selector)]
    found += [f"image {i['Id'][7:19]} {i.get('RepoTags')}"
              for i in client.api.images(all=True, filters=selector)]
    found += [f"volume {v['Name']}"
              for v in client.api.volumes(filters=selector).get("Volumes") or []]
    found += [f"network {n['Name']}" for n in client.api.networks(filters=selector)]
    return found


def subjects(client, run_id: str) -> list[dict]:
    """The run's scenario subjects: a scenario is under way while there are. Not its lease,
    its helpers (the host reader), nor the builder's containers of its fixtures, which carry
    the fixture's labels while the run is still starting."""
    selector = {"label": [f"{LABEL_RUN}={run_id}", f"{LABEL_ROLE}=subject"]}
    return client.api.containers(all=True, filters=selector)


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "it"):
    """Poll until `predicate()` is truthy (engine.scope.wait_until); fail the test saying `what`
    otherwise."""
    value = wait_until(predicate, timeout=timeout, interval=interval)
    if not value:
        raise AssertionError(f"{what} did not happen within {timeout} s")
    return value


ENVIRONMENT = (ROOT / "environment.py").read_text()

GATED_STEPS = '''
import time
from pathlib import Path
from behave import given, then
from docker_claims.engine import fixtures


def gate():
    """The first cleanup of the session's close: says it has begun (a file in the run's
    directory), then holds until the test says go, so that a signal is known to arrive while
    the cleanup is going on."""
    Path("cleanup-begun").touch()
    deadline = time.monotonic() + 60
    while not Path("cleanup-go").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
'''
"""The start of a synthetic step module whose steps may hold the run's cleanup: `gate`, a
cleanup that writes cleanup-begun and then waits for the test's cleanup-go (register it with
`context.session.shared("gate", lambda resources: resources.defer(gate))`)."""


def synthetic_features(directory: Path, feature: str, steps: str) -> Path:
    """A features directory of its own (one feature, its steps, the project's hooks), for
    scenarios that do what a test needs at a known moment (hold, fail in cleanup...)."""
    features = directory / "features"
    (features / "steps").mkdir(parents=True)
    (features / "environment.py").write_text(ENVIRONMENT)
    (features / "test.feature").write_text(feature)
    (features / "steps" / "test_steps.py").write_text(steps)
    return features


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def report_of(directory: Path, run_id: str, whole: bool = False) -> dict:
    path = directory / "reports" / ("" if whole else f"runs/{run_id}") / "claims.json"
    assert path.is_file(), f"no report at {path}"
    return json.loads(path.read_text())


def verdicts(report: dict) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in report["claims"]}

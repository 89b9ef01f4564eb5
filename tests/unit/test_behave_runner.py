"""docker_claims.runner.behave_runner, no engine needed: a run that can measure nothing.

A behave run that can measure nothing ends at once, non-zero, saying why in one line, and
JUnit carries it as one error."""

import os
import subprocess
import sys
from pathlib import Path

from docker_claims.runner.exit_status import ExitStatus

ROOT = Path(__file__).parents[2]
CONFIG_FILES = ("pyproject.toml", "tox.ini")


def behave(tmp_path, *args, env=None):
    """behave with the project's configuration, writing its reports under tmp_path."""
    for name in CONFIG_FILES:
        if (ROOT / name).is_file():
            (tmp_path / name).symlink_to(ROOT / name)
    return subprocess.run([sys.executable, "-m", "behave", *args, str(ROOT / "features")],
                          cwd=tmp_path, env={**os.environ, **(env or {})}, capture_output=True,
                          text=True, timeout=120)


def test_no_engine_exits_not_measured_with_the_reason_and_one_junit_error(tmp_path):
    done = behave(tmp_path, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == ExitStatus.INCONCLUSIVE, done.stdout + done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("docker-claims: exit 3 (inconclusive): docker-claims cannot run: "
                           "no Docker engine answers"), last
    assert "ABORTED" not in done.stdout + done.stderr
    assert (done.stdout + done.stderr).count("no Docker engine answers") == 1  # said once
    assert not (tmp_path / "reports" / "junit").exists()  # the last whole run's stays
    junit = sorted((tmp_path / "reports" / "runs").glob("*/junit/*.xml"))
    assert [p.name for p in junit] == ["TESTS-docker-claims.xml"]
    text = junit[0].read_text()
    assert 'errors="1"' in text and "no Docker engine answers" in text and "<skipped" not in text


def test_a_selection_of_nothing_exits_not_measured_naming_the_selection(tmp_path):
    done = behave(tmp_path, "--tags=@claim.C99",
                  env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == ExitStatus.INCONCLUSIVE, done.stdout + done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "--tags=@claim.C99 matches none of the suite's" in last
    assert "@claim.C01 to @claim.C15" in last

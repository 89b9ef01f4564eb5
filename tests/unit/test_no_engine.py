"""Without an engine, the claims run stops at once and says what was tried and what to do."""

import os
import subprocess
import sys
import time
from pathlib import Path

from docker_claims.runner.exit_status import ExitStatus

ROOT = Path(__file__).parents[2]


def test_behave_without_an_engine_stops_within_seconds_saying_why(tmp_path):
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    started = time.monotonic()
    # From a temp dir, so that the repo's config (and its report files) stay out of it.
    run = subprocess.run([sys.executable, "-m", "behave", "--no-junit", "-f", "plain",
                          str(ROOT / "features")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert run.returncode != 0
    assert elapsed < 30
    output = run.stdout + run.stderr
    assert "no Docker engine answers" in output
    assert "DOCKER_HOST=unix:///nonexistent/docker.sock" in output
    assert "scripts/engine-up" in output


def test_the_sweep_command_without_an_engine_says_so(capsys, monkeypatch):
    from docker_claims.runner.cli import main

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["sweep"]) == ExitStatus.INCONCLUSIVE
    assert "no Docker engine answers" in capsys.readouterr().err


def test_pytest_without_an_engine_says_why_once_and_skips_a_line_per_module():
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock",
           "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs",
                          "tests/engine"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    modules = len(list((ROOT / "tests" / "engine").glob("test_*.py")))
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == modules, run.stdout
    assert run.stdout.count("No such file or directory") == 1, run.stdout
    assert "engine tests: " in run.stdout and "scripts/engine-up" in run.stdout

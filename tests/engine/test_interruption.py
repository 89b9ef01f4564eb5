"""A real `behave` run, stopped however it is stopped, leaves nothing its run labelled; a killed
one is swept by the next run (or `docker-claims sweep`), and a live one never is."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from behave_runs import (
    GATED_STEPS,
    labelled,
    report_of,
    start,
    subjects,
    synthetic_features,
    verdicts,
    wait_for,
)

from docker_claims.engine.sweep import leases
from docker_claims.runner.exit_status import ExitStatus

HOLD_FEATURE = """
Feature: Hold
  Scenario: A run holds containers until it is stopped
    Given containers of this run, left to the end-of-run sweep
    Then the run holds on
"""

HOLD_STEPS = GATED_STEPS + '''

@given("containers of this run, left to the end-of-run sweep")
def step_containers(context):
    context.session.shared("gate", lambda resources: resources.defer(gate))
    image = context.session.fixtures.image(fixtures.HELPER)
    left = context.session.resources(lambda cleanup: None)  # no cleanup: the sweep's job
    for _ in range(8):
        left.container(image.id, ["true"])
    left.volume()
    context.state.resources.container(image.id, ["sleep", "600"]).start()

@then("the run holds on")
def step_hold(context):
    time.sleep(600)
'''

FAILING_CLEANUP_FEATURE = """
Feature: A cleanup fails
  Scenario: One removal fails, the others still run
    Given a container of this run and a cleanup that fails
"""

FAILING_CLEANUP_STEPS = '''
from behave import given
from docker_claims.engine import fixtures

def explode():
    raise RuntimeError("this cleanup fails on purpose")

@given("a container of this run and a cleanup that fails")
def step_failing(context):
    image = context.session.fixtures.image(fixtures.HELPER)
    context.state.resources.container(image.id, ["sleep", "600"]).start()
    context.add_cleanup(explode)
    context.state.resources.volume()
'''


def _holder(client, tmp_path, name):
    """A run that made 8 containers and a volume left to its end-of-run sweep, and holds."""
    features = synthetic_features(tmp_path / f"{name}-src", HOLD_FEATURE, HOLD_STEPS)
    run = start(tmp_path / name, features=features)
    try:
        run_id = run.run_id()
        wait_for(lambda: len(subjects(client, run_id)) == 9, timeout=60,
                 what=f"the containers of run {run_id}")
    except BaseException:
        run.kill()  # its lease ends with it: the next sweep removes what it made
        raise
    return run, run_id


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_run_stopped_in_the_middle_of_a_scenario_is_interrupted_and_leaves_nothing(
        session, tmp_path, signal_name):
    run = start(tmp_path / "run")
    run_id = run.run_id()
    try:
        wait_for(lambda: subjects(session.client, run_id), timeout=120, interval=0.02,
                 what=f"a scenario of run {run_id} making a container")
        run.process.send_signal(getattr(signal, signal_name))
        code = run.wait(timeout=120)
    finally:
        run.kill()
    output = run.output()
    assert labelled(session.client, run_id) == [], output
    assert code == ExitStatus.INTERRUPTED, output
    assert f"interrupted by {signal_name}" in output
    report = report_of(run.cwd, run_id)
    assert report["run"]["interrupted_by"] == signal_name
    assert "fails" not in verdicts(report).values(), verdicts(report)
    assert "incomplete" in verdicts(report).values()
    page = (run.cwd / "reports" / "runs" / run_id / "claims.html").read_text()
    assert page.index("data-notice='interrupted'") < page.index("id='summary'")
    assert not (run.cwd / "reports" / "claims.json").exists(), "it replaced the full report"


def _interrupted_in_the_cleanup(run) -> None:
    """Ctrl-C, then wait until the session's cleanup has begun (HOLD_STEPS' gate holds it)."""
    run.process.send_signal(signal.SIGINT)
    wait_for(lambda: (run.cwd / "cleanup-begun").exists(), timeout=60, interval=0.01,
             what="the run's cleanup beginning")


def test_a_second_interrupt_during_the_cleanup_does_not_cut_it_short(session, tmp_path):
    run, run_id = _holder(session.client, tmp_path, "run")
    try:
        _interrupted_in_the_cleanup(run)
        run.process.send_signal(signal.SIGINT)
        wait_for(lambda: "still removing" in run.output(), timeout=10, interval=0.01,
                 what="the note on the second interrupt")
        (run.cwd / "cleanup-go").touch()
        code = run.wait(timeout=120)
    finally:
        run.kill()
    assert code != 0
    assert "still removing what this run made" in run.output()
    assert labelled(session.client, run_id) == [], run.output()


def test_a_third_interrupt_quits_at_once_and_the_sweep_removes_the_rest(session, tmp_path):
    run, run_id = _holder(session.client, tmp_path, "run")
    try:
        _interrupted_in_the_cleanup(run)
        run.process.send_signal(signal.SIGINT)
        wait_for(lambda: "still removing" in run.output(), timeout=10, interval=0.01,
                 what="the note on the second interrupt")
        run.process.send_signal(signal.SIGINT)
        run.wait(timeout=10)  # at once: the gate would hold the cleanup for a minute
    finally:
        run.kill()
    assert "quitting without finishing the cleanup" in run.output()
    wait_for(lambda: leases(session.client).get(run_id) is not True, timeout=30,
             what="the lease of the run that quit stopping")
    _sweep_cli()  # or another run's sweep, before it
    _gone(session.client, run_id, "the leftovers of the run that quit")


def test_a_cleanup_that_fails_does_not_keep_the_others_from_running(session, tmp_path):
    features = synthetic_features(tmp_path / "src", FAILING_CLEANUP_FEATURE,
                                  FAILING_CLEANUP_STEPS)
    run = start(tmp_path / "run", features=features)
    run_id = run.run_id()
    run.wait(timeout=120)
    assert "this cleanup fails on purpose" in run.output()
    assert labelled(session.client, run_id) == [], run.output()


def test_after_kill_9_the_next_run_and_the_sweep_remove_the_dead_run_and_keep_a_live_one(
        session, tmp_path):
    """Each of the two holders made 9 subjects (_holder waits for them) before it is killed."""
    dead, dead_id = _holder(session.client, tmp_path, "dead")
    live, live_id = _holder(session.client, tmp_path, "live")
    try:
        dead.kill()  # SIGKILL: none of its own cleanup runs
        wait_for(lambda: leases(session.client).get(dead_id) is not True, timeout=30,
                 what="the killed run's lease stopping")

        features = synthetic_features(tmp_path / "next-src", FAILING_CLEANUP_FEATURE,
                                      FAILING_CLEANUP_STEPS)
        following = start(tmp_path / "next", features=features)
        following.wait(timeout=120)
        # The next run to open sweeps the dead run. Another run on the engine (pytest's other
        # workers start runs and sweeps too) may open first: then it took what this one would
        # have, and this one says nothing of it. Whoever it was, nothing of the dead run is left.
        swept = [line for line in following.output().splitlines()
                 if "swept leftover of a dead run" in line]
        assert not [line for line in swept if f"dclaims-{live_id}-" in line], swept
        _gone(session.client, dead_id, "the dead run's leftovers")
        assert leases(session.client).get(live_id) is True
        assert _workdirs(live_id), "the live run's temp dir is gone"
        assert len(subjects(session.client, live_id)) == 9  # 8 left to its sweep + 1 running

        live.kill()
        wait_for(lambda: leases(session.client).get(live_id) is not True, timeout=30,
                 what="the second killed run's lease stopping")
        _sweep_cli()  # or another run's sweep, before it
        _gone(session.client, live_id, "the second killed run's leftovers")
    finally:
        dead.kill()
        live.kill()


def _gone(client, run_id: str, what: str) -> None:
    """Nothing labelled with the run, nor its temp dir, is left. A sweep that found another
    one already removing a container counts it removed and goes on: so the removal may end a
    moment later."""
    def left() -> list:
        return labelled(client, run_id) + _workdirs(run_id)

    try:
        wait_for(lambda: not left(), timeout=30, what=f"{what} gone")
    except AssertionError as error:
        raise AssertionError(f"{error}: left {left()}") from None


def _workdirs(run_id: str) -> list:
    return list(Path(tempfile.gettempdir()).glob(f"dclaims-{run_id}-*"))


def _sweep_cli() -> str:
    done = subprocess.run([sys.executable, "-m", "docker_claims.runner.cli", "sweep"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout

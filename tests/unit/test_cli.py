"""`docker-claims` as a user meets it: help, version, one-line errors, distinct exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docker_claims import __version__
from docker_claims.engine import connection
from docker_claims.engine.sweep import Leftover, RunFound, SweepReport
from docker_claims.runner import cli
from docker_claims.runner.exit_status import ExitStatus

ROOT = Path(__file__).resolve().parents[2]
NO_ENGINE = "unix:///nonexistent/docker.sock"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(text: str) -> str:
    assert text.count("\n") == 1 and text.endswith("\n"), text
    assert "Traceback" not in text
    return text


def test_no_arguments_shows_the_help_with_every_command(capsys):
    status, out, _ = run(capsys)
    assert status == ExitStatus.OK
    assert out.startswith("usage: docker-claims")
    for name in ("fingerprint", "sweep"):
        assert f"    {name} " in out
    assert "exit status (as behave's, where they mean the same thing):" in out


def test_every_command_has_a_summary_and_a_description():
    commands = next(action for action in cli.parser()._actions
                    if isinstance(action, cli.argparse._SubParsersAction))
    summaries = {choice.dest: choice.help for choice in commands._choices_actions}
    assert set(summaries) == set(commands.choices)
    for name, sub in commands.choices.items():
        assert summaries[name], f"{name} has no summary in docker-claims --help"
        assert sub.description and len(sub.description) > 80, f"{name} has no description"


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"docker-claims {__version__}\n")


def test_the_installed_command_runs_as_a_module_with_the_same_help():
    done = subprocess.run([sys.executable, "-m", "docker_claims.runner.cli", "sweep", "--help"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "--dry-run" in done.stdout and "--force" in done.stdout


@pytest.mark.parametrize("argv, says", [
    (["bogus"], "invalid choice: 'bogus'"),
    (["sweep", "--nope"], "unrecognized arguments: --nope"),
    (["sweep", "--force"], "--force needs --run ID"),
])
def test_a_wrong_command_line_is_one_line_and_usage_status(capsys, monkeypatch, argv, says):
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    status, out, err = run(capsys, *argv)
    assert status == ExitStatus.USAGE
    assert says in one_line(err)
    assert "--help" in err or "--dry-run" in err
    assert out == ""


@pytest.mark.parametrize("command", [["fingerprint"], ["sweep"], ["sweep", "--dry-run"]])
def test_no_engine_is_one_line_and_not_measured(capsys, monkeypatch, command):
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    status, _, err = run(capsys, *command)
    assert status == ExitStatus.INCONCLUSIVE
    assert one_line(err).startswith("docker-claims: no Docker engine answers")
    assert "set DOCKER_HOST" in err


def test_an_invalid_address_is_said_as_such(capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "garbage")
    status, _, err = run(capsys, "fingerprint")
    assert status == ExitStatus.INCONCLUSIVE
    assert "DOCKER_HOST=garbage is not an engine address" in one_line(err)


def test_a_setting_that_cannot_be_used_is_said_before_connecting(capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_CLAIMS_TIMEOUT", "soon")
    monkeypatch.setattr(connection, "connect", lambda: pytest.fail("connected"))
    status, _, err = run(capsys, "sweep")
    assert status == ExitStatus.INCONCLUSIVE
    assert "DOCKER_CLAIMS_TIMEOUT='soon'" in one_line(err)


def test_an_unexpected_error_is_one_line_and_the_traceback_comes_with_debug(capsys, monkeypatch):
    def broken():
        raise KeyError("engine said something odd")

    monkeypatch.setattr(connection, "connect", broken)
    status, _, err = run(capsys, "fingerprint")
    assert status == ExitStatus.INCONCLUSIVE
    assert "KeyError" in one_line(err) and "--debug" in err

    for argv in (["--debug", "fingerprint"], ["fingerprint", "--debug"]):
        status, _, err = run(capsys, *argv)
        assert status == ExitStatus.INCONCLUSIVE
        assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("docker-claims:")


def test_ctrl_c_is_interrupted(capsys, monkeypatch):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(connection, "connect", interrupted)
    status, _, err = run(capsys, "sweep")
    assert status == ExitStatus.INTERRUPTED == 130
    assert one_line(err) == "docker-claims: interrupted\n"


def test_the_exit_statuses_are_distinct_and_documented():
    assert [int(status) for status in ExitStatus] == [0, 1, 2, 3, 4, 130]
    for status in ExitStatus:
        assert f"\n  {int(status):<3}  " in cli.EXIT_STATUSES
    readme = (ROOT / "README.md").read_text()
    for status in ExitStatus:
        assert f"| {int(status)} ({status.word}) |" in readme, f"README does not document {status}"


def test_the_dry_run_and_the_sweep_list_what_they_remove_under_its_run(capsys):
    dead = RunFound("8ca97abca6", "dead", "its lease has exited: the run is over", 720.0,
                    [Leftover("container", "dclaims-8ca97abca6-ctr-0", "c1"),
                     Leftover("image", "dclaims-8ca97abca6-own:saved", "sha256:0123456789ab"),
                     Leftover("container", "dclaims-8ca97abca6-lease", "c2", lease=True)])
    report = SweepReport(runs=[dead], doomed=[dead])
    cli.print_dry_run(report, [])
    assert capsys.readouterr().out.splitlines() == [
        "run 8ca97abca6 is dead, 12m old (its lease has exited: the run is over): would remove",
        "  container dclaims-8ca97abca6-ctr-0", "  image dclaims-8ca97abca6-own:saved",
        "  container dclaims-8ca97abca6-lease", "would remove 3 resources of 1 run"]
    report.removed = ["container dclaims-8ca97abca6-ctr-0", "image dclaims-8ca97abca6-own:saved"]
    report.failed = ["container dclaims-8ca97abca6-lease: conflict"]
    cli.print_sweep(report, [])
    out, err = capsys.readouterr()
    assert "  removed image dclaims-8ca97abca6-own:saved" in out
    assert out.endswith("removed 2 resources of 1 run\n")
    assert err == "  could not remove container dclaims-8ca97abca6-lease: conflict\n"

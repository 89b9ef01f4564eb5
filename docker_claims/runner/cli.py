"""`docker-claims`: the engine a run would measure, and the sweep of what runs left behind.

The claims themselves are measured by `behave`, in a clone of the repository; this command
looks at the engine around them. Errors are one line on stderr (a traceback only with
--debug), and the exit status says which outcome it was (EXIT_STATUSES, runner.exit_status).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable

from docker.errors import DockerException

from docker_claims import __version__
from docker_claims.engine import connection as engine
from docker_claims.engine.config import ConfigError, settings
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.sweep import (
    RunFound,
    SweepReport,
    dead_workdirs,
    duration,
    plan,
    sweep,
    sweep_workdirs,
)
from docker_claims.runner import matrix
from docker_claims.runner.exit_status import ExitStatus

EXIT_STATUSES = f"""exit status (as behave's, where they mean the same thing):
  {ExitStatus.OK:<3}  done (behave: at least one claim was measured, and none fails)
  {ExitStatus.FAILS:<3}  behave: a claim fails on this engine; compare: a verdict changed
  {ExitStatus.USAGE:<3}  the command line is wrong, or asks to sweep a live run without --force
  {ExitStatus.INCONCLUSIVE:<3}  could not do it: no engine answers, an address that is no engine, a
       setting that cannot be used, no such run, a removal the engine refused
  {ExitStatus.NOT_COMPARABLE:<3}  compare: the runs do not measure the same thing (a selection, an
       interrupted run, a run that reached no engine): their verdicts are not compared
  {ExitStatus.INTERRUPTED:<3}  interrupted (Ctrl-C, SIGTERM)"""

DESCRIPTION = """\
The engine a run of the claims would measure, and the sweep of what runs left behind. The
claims themselves are measured by `behave`, in a clone of the repository (see its README)."""

SWEEP_HELP = """\
Remove what runs that are over left on the engine: containers, images, volumes and networks
labelled docker-claims.run=<id> (a container also needs the run's id in its name), and this
machine's temp dirs of runs whose process is gone. A run is alive while its lease container
runs, starting while its lease is created but not started, young while it has no lease yet
and made something in the last 5 minutes, and dead otherwise: only dead runs are removed,
unless --run names a live one and --force is given. --dry-run lists every run, its state,
its age and what the sweep would remove, by the same selection, and removes nothing."""

FINGERPRINT_HELP = """\
Connect to the engine a run would measure (DOCKER_HOST, else the current docker context, else
the default socket) and print what it is, as JSON: versions, OS, storage driver, image store,
cgroup version and driver, rootless. The claims report is headed by the same fingerprint."""


class Layout(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (paragraphs, tables); each command and its summary on one line."""

    def __init__(self, prog: str):
        super().__init__(prog, max_help_position=30)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.nargs == argparse.PARSER:  # argparse measures commands without their indent
            longest = max(map(len, action.choices), default=0) + self._current_indent + 4
            self._action_max_length = max(self._action_max_length, longest)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        return text.split("\n", 1)[1] if action.nargs == argparse.PARSER else text


class Refused(Exception):
    """The command line asks for what must not be done as it stands (usage's exit status)."""


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line that says where to look."""

    def error(self, message: str):
        self.exit(ExitStatus.USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def parser() -> Parser:
    top = Parser(prog="docker-claims", description=DESCRIPTION, epilog=EXIT_STATUSES,
                 formatter_class=Layout)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = top.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    def command(name: str, summary: str, description: str,
                run: Callable[[argparse.Namespace], int]) -> Parser:
        sub = commands.add_parser(name, help=summary, description=description,
                                  epilog=EXIT_STATUSES, formatter_class=Layout)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show the traceback of an error")
        sub.set_defaults(handler=run)
        return sub

    command("fingerprint", "print what kind of engine answers, as JSON", FINGERPRINT_HELP,
            fingerprint_command)
    sweeper = command("sweep", "remove what runs that are over left on the engine", SWEEP_HELP,
                      sweep_command)
    sweeper.add_argument("--run", metavar="ID", help="only this run (its id, as in the names "
                         "dclaims-<id>-... and the label docker-claims.run=<id>)")
    sweeper.add_argument("--dry-run", action="store_true",
                         help="list runs, their state and what would be removed; remove nothing")
    sweeper.add_argument("--force", action="store_true",
                         help="with --run: remove that run's resources even if it is alive")
    matrix.add_commands(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    try:
        args = cli.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else ExitStatus.USAGE
    if args.command is None:
        cli.print_help()
        return ExitStatus.OK
    try:
        offline = matrix.run_offline(args)  # matrix, compare: files only, no engine
        if offline is not None:
            return offline
        settings()  # a DOCKER_CLAIMS_* value that cannot be used is said before anything else
        return args.handler(args)
    except Refused as refusal:
        print(f"docker-claims: {refusal}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("docker-claims: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        print(f"docker-claims: {explain(error)}", file=sys.stderr)
        return ExitStatus.INCONCLUSIVE


def explain(error: Exception) -> str:
    """One line: what went wrong, and what to do."""
    if isinstance(error, (engine.EngineUnavailable, ConfigError)):
        return str(error)
    if engine.engine_silence(error):
        return (f"the engine stopped answering ({engine.root_cause(error)}); "
                f"DOCKER_CLAIMS_TIMEOUT={settings().timeout} s is how long a call may wait")
    if isinstance(error, DockerException):
        return f"the engine refused: {engine.first_line(error)}"
    return (f"{type(error).__name__}: {engine.first_line(error)} (a bug of docker-claims: "
            "run again with --debug and report the traceback)")


def fingerprint_command(args: argparse.Namespace) -> int:
    client = engine.connect()
    print(json.dumps(engine.fingerprint(client).as_dict(), indent=2))
    return ExitStatus.OK


def sweep_command(args: argparse.Namespace) -> int:
    if args.force and not args.run:
        raise Refused("--force needs --run ID: only a run named on the command line is ever "
                      "removed while alive (see 'docker-claims sweep --dry-run' for the ids)")
    client = engine.connect()
    if args.run and not plan(client, run_id=args.run).runs:
        print(f"docker-claims: no run {args.run} on this engine: nothing is labelled "
              f"{LABEL_RUN}={args.run} there ('docker-claims sweep --dry-run' lists the runs it "
              "has)", file=sys.stderr)
        return ExitStatus.INCONCLUSIVE
    if args.dry_run:
        found = plan(client, run_id=args.run, include_alive=args.force)
        print_dry_run(found, [] if args.run else dead_workdirs())
        return ExitStatus.OK
    if args.run:
        live = [run for run in plan(client, run_id=args.run).runs if run.state != "dead"]
        for run in live:
            if not args.force:
                what = count_of(len(run.resources), "resource")
                raise Refused(f"{describe(run)}: removing its {what} would break it. Let it "
                              "end, or add --force to remove them anyway")
            print(f"docker-claims: {describe(run)}: removing its resources anyway (--force); "
                  "that run will fail", file=sys.stderr)
    report = sweep(client, run_id=args.run, include_alive=args.force)
    workdirs = [] if args.run else sweep_workdirs()
    print_sweep(report, workdirs)
    return ExitStatus.INCONCLUSIVE if report.failed else ExitStatus.OK


def describe(run: RunFound) -> str:
    age = f"{duration(run.age)} old" if run.age is not None else "age unknown"
    return f"run {run.id} is {run.state}, {age} ({run.why})"


def groups(report: SweepReport) -> list[tuple[str, list]]:
    """What the plan removes, under the run it belongs to."""
    return [(describe(run), run.resources) for run in report.doomed]


def print_dry_run(found: SweepReport, workdirs: list) -> None:
    for run in found.runs:
        if run.id in found.kept_alive:
            print(f"{describe(run)}: kept, {count_of(len(run.resources), 'resource')} "
                  f"(--run {run.id} --force would remove them)")
    for header, leftovers in groups(found):
        print(f"{header}: would remove")
        for leftover in leftovers:
            print(f"  {leftover}")
    for path in workdirs:
        print(f"temp dir {path} (its run's process is gone): would remove")
    count = sum(len(leftovers) for _, leftovers in groups(found)) + len(workdirs)
    print(f"would remove {summary(count, found)}" if count else "nothing to remove")


def print_sweep(report: SweepReport, workdirs: list) -> None:
    failures = {line.split(": ", 1)[0]: line for line in report.failed}
    for run in report.runs:
        if run.id in report.kept_alive:
            print(f"kept {describe(run)}")
    for header, leftovers in groups(report):
        print(f"{header}:")
        for leftover in leftovers:
            if str(leftover) in failures:
                print(f"  could not remove {failures[str(leftover)]}", file=sys.stderr)
            else:
                print(f"  removed {leftover}")
    for path in workdirs:
        print(f"removed temp dir {path} (its run's process is gone)")
    count = len(report.removed) + len(workdirs)
    if count:
        print(f"removed {summary(count, report)}")
    elif not report.failed:
        print("nothing to remove")


def summary(count: int, report: SweepReport) -> str:
    runs = f" of {count_of(len(report.doomed), 'run')}" if report.doomed else ""
    return f"{count_of(count, 'resource')}{runs}"


def count_of(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())

"""`docker-claims`: the engine's fingerprint, and the sweep of dead runs' leftovers."""

from __future__ import annotations

import argparse
import json
import sys

from docker_claims.engine import connection as engine
from docker_claims.engine.sweep import leases, sweep, sweep_workdirs
from docker_claims.runner import matrix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docker-claims", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fingerprint", help="print what kind of engine answers, as JSON")
    sweeper = commands.add_parser(
        "sweep", help="remove what dead runs left (by the docker-claims.run label only)")
    sweeper.add_argument("--run", help="only this run id (even if it looks alive)")
    sweeper.add_argument("--dry-run", action="store_true", help="list runs, remove nothing")
    matrix.add_commands(commands)
    args, behave_args = parser.parse_known_args(argv)
    if behave_args:
        parser.error(f"unrecognized arguments: {' '.join(behave_args)}")
    offline = matrix.run_offline(args)
    if offline is not None:
        return offline
    try:
        client = engine.connect()
    except engine.EngineUnavailable as error:
        print(f"docker-claims: {error}", file=sys.stderr)
        return 2
    if args.command == "fingerprint":
        print(json.dumps(engine.fingerprint(client).as_dict(), indent=2))
        return 0
    if args.dry_run:
        for run, running in sorted(leases(client).items()):
            print(f"run {run}: {'alive' if running else 'dead'}")
        return 0
    report = sweep(client, run_id=args.run, include_alive=bool(args.run))
    if not args.run:
        report.removed.extend(f"temp dir {path}" for path in sweep_workdirs())
    for line in report.removed:
        print(f"removed {line}")
    for run in sorted(report.kept_alive):
        print(f"kept run {run}: still alive")
    for line in report.failed:
        print(f"could not remove {line}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""behave's hooks, kept in the library so that environment.py stays a list of delegations."""

from __future__ import annotations

import sys

from .engine import EngineUnavailable
from .evidence import Ledger
from .fixtures import BusyboxMissing
from .session import Session


def before_all(context) -> None:
    try:
        session = Session.open()
    except (EngineUnavailable, BusyboxMissing) as error:
        context.abort(reason=f"docker-claims cannot run: {error}")
        return
    context.add_cleanup(session.close)  # testrun layer: after after_all, even when aborted
    context.session = session
    print(f"docker-claims run {session.run.id} on {session.fingerprint.summary()}",
          file=sys.stderr)
    for line in session.swept.removed:
        print(f"  swept leftover of a dead run: {line}", file=sys.stderr)


def before_scenario(context, scenario) -> None:
    session = getattr(context, "session", None)
    if session is None:
        scenario.skip("no engine session (see the message above)")
        return
    context.resources = session.resources(context.add_cleanup)
    context.ledger = Ledger()

"""What a run's exit status says. `behave` (through the suite's runner) and `docker-claims`
exit with the same number wherever they mean the same thing."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    HOLDS = 0
    """Every claim measured holds (with or without a nuance); claims not measured (a skip with
    its reason: no second node, no docker CLI) do not change that."""
    FAILS = 1
    """At least one claim fails on this engine: the engine behaved otherwise than the article
    says. Takes precedence over NOT_MEASURED."""
    USAGE = 2
    """The command line is wrong (argparse's convention): nothing was measured."""
    NOT_MEASURED = 3
    """Nothing, or not all, could be measured, through no fault of the article: no engine, an
    address that is no engine, a selection that matches no scenario, a named second node that
    is the first engine or does not answer, or the suite's own machinery failing (a helper the
    engine refused, the engine lost mid-run)."""
    INTERRUPTED = 130
    """Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C): the report says
    "interrupted" at its top, the scenarios cut short are "interrupted" (never "failed") and
    their claims "incomplete". Takes precedence over every other status."""

"""What a run's exit status says: one rule, for `behave` (through the suite's runner) and the
`docker-claims` command alike, which exit with the same number wherever they mean the same thing.

The statuses' names are not the verdicts' words: a verdict says what a claim did on this engine
(holds, fails on this engine, not measured...), a status what the run as a whole can vouch for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    OK = 0
    """`behave`: at least one claim was measured, and none fails (a claim not measured beside
    them, with its reason, does not change that). `docker-claims`: done."""
    FAILS = 1
    """A claim fails on this engine: the engine behaved otherwise than the article says. Takes
    precedence over INCONCLUSIVE. (`docker-claims compare`: a verdict changed.)"""
    USAGE = 2
    """The command line is wrong (argparse's convention): nothing was done."""
    INCONCLUSIVE = 3
    """The run could not measure what was asked, through no fault of the article: no engine, an
    address that is no engine, the run's start failing on the engine (the sweep, a fixture
    build, the lease), a hook's or the suite's own error, the engine stopping mid-run, a named
    second node that cannot serve, every selected scenario skipped or none selected.
    (`docker-claims`: it could not do what was asked.)"""
    NOT_COMPARABLE = 4
    """`docker-claims compare` only: the two runs do not measure the same thing (a selection, an
    interrupted run, a run that reached no engine or stopped), so their verdicts are not
    compared."""
    INTERRUPTED = 130
    """Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C): the report says so at
    its top, the scenarios cut short are "interrupted" (never "failed") and their claims
    "incomplete". Takes precedence over every other status."""

    @property
    def word(self) -> str:
        """How the console and the report name it: `exit 3 (inconclusive)`."""
        return self.name.lower().replace("_", " ")


def of_run(run: Mapping[str, Any], claims: Sequence[Mapping[str, Any]]
           ) -> tuple[ExitStatus, str | None]:
    """How a run ends, and why in one line when it is not OK: from what its report holds (the
    `run` and `claims` parts of claims.json, with each claim's verdict and scenarios)."""
    if run.get("interrupted_by"):
        return ExitStatus.INTERRUPTED, f"interrupted by {run['interrupted_by']}"
    failing = [c["id"] for c in claims if c["verdict"] == "fails"]
    if failing:
        return ExitStatus.FAILS, (f"{', '.join(failing)} fail{'s' if len(failing) == 1 else ''} "
                                  "on this engine")
    if run.get("stopped_because"):
        return ExitStatus.INCONCLUSIVE, run["stopped_because"]
    erring = [c for c in claims if c["verdict"] == "could_not_be_measured"]
    if erring:
        first = next(s["problem"]["message"] for s in erring[0]["scenarios"]
                     if s["status"] == "error")
        return ExitStatus.INCONCLUSIVE, (f"{', '.join(c['id'] for c in erring)} could not be "
                                         f"measured: {_first_line(first)}")
    scenarios = [s for c in claims for s in c["scenarios"]]
    if not any(s["status"] in ("passed", "failed") for s in scenarios):
        return ExitStatus.INCONCLUSIVE, _nothing_measured(scenarios)
    return ExitStatus.OK, None


def _nothing_measured(scenarios: Sequence[Mapping[str, Any]]) -> str:
    if not scenarios:
        return "no scenario was selected: nothing was measured"
    reasons = list(dict.fromkeys(_first_line(s.get("skip_reason")) or s["status"].replace("_", " ")
                                 for s in scenarios))
    return (f"nothing was measured: all {len(scenarios)} selected scenarios were skipped or not "
            f"run: {'; '.join(reasons)}")


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""

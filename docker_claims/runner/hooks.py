"""behave's hooks, kept in the library so that environment.py stays a list of delegations."""

from __future__ import annotations

import json
import sys
from typing import Callable

from behave.tag_matcher import ActiveTagMatcher, ActiveTagValueProvider

from docker_claims.engine import fixtures
from docker_claims.engine.connection import EngineUnavailable
from docker_claims.engine.fixtures import BusyboxMissing
from docker_claims.evidence import Ledger
from docker_claims.runner.report import EVIDENCE_ATTRIBUTE, FINGERPRINT_KEY
from docker_claims.runner.session import Session


def before_all(context) -> None:
    scenarios = _selected_scenarios(context)
    try:
        session = Session.open(prepare=fixtures.named_in(
            text for steps in scenarios for text in steps))
    except (EngineUnavailable, BusyboxMissing) as error:
        context.abort(reason=f"docker-claims cannot run: {error}")
        return
    context.add_cleanup(session.close)  # testrun layer: after after_all, even when aborted
    context.session = session
    context.config.userdata[FINGERPRINT_KEY] = json.dumps(session.fingerprint.as_dict())
    print(f"docker-claims run {session.run.id} on {session.fingerprint.summary()}",
          file=sys.stderr, flush=True)
    for line in session.swept.removed:
        print(f"  swept leftover of a dead run: {line}", file=sys.stderr)


def _selected_scenarios(context) -> list[list[str]]:
    """The scenarios this run selected (by path, tag and name), each as its steps' texts."""
    runner = getattr(context, "_runner", None)
    return [[step.name for step in scenario.all_steps]
            for feature in getattr(runner, "features", ())
            for scenario in feature.walk_scenarios() if scenario.should_run(context.config)]


def before_scenario(context, scenario) -> None:
    session = getattr(context, "session", None)
    if session is None:
        scenario.skip("no engine session (see the message above)")
        return
    if session.lost:
        scenario.skip(session.lost)
        context.abort(reason=f"docker-claims: {session.lost}")
        return
    unmet = _unmet_precondition(session, scenario)
    if unmet:
        scenario.skip(unmet)
        return
    context.resources = session.resources(context.add_cleanup)
    context.ledger = Ledger()


PRECONDITIONS: dict[str, Callable[[Session], str | None]] = {
    "host_pids": Session.host_pids_refused,
}
"""Active tags `@use.with_<category>=yes`: what the engine must give for a scenario to be
measured at all, each asked only when a scenario tagged with it is about to run. Each says
why the engine does not (the scenario is then skipped with that reason: not measured), or
None when it does."""


def _unmet_precondition(session: Session, scenario) -> str | None:
    """Why the engine cannot give what the scenario's active tags require, or None."""
    reasons: dict[str, str | None] = {}

    def value(category: str) -> Callable[[], str]:
        def asked() -> str:
            reasons[category] = PRECONDITIONS[category](session)
            return "no" if reasons[category] else "yes"
        return asked

    matcher = ActiveTagMatcher(ActiveTagValueProvider(
        {category: value(category) for category in PRECONDITIONS}))
    if not matcher.should_skip_with_tags(scenario.effective_tags):
        return None
    return next((reason for reason in reasons.values() if reason),
                f"not measured on this engine: {matcher.skip_reason}")


def after_scenario(context, scenario) -> None:
    """Hand the scenario's evidence to the claims report."""
    ledger = getattr(context, "ledger", None)
    if ledger is not None:
        setattr(scenario, EVIDENCE_ATTRIBUTE, ledger.items)


def after_step(context, step) -> None:
    """An engine that stopped answering ends the run at once, saying so, rather than letting
    every later step and cleanup wait out its own deadline."""
    session = getattr(context, "session", None)
    if session is None or step.status.name not in ("failed", "error"):
        return
    lost = session.check_failure(getattr(step, "exception", None))
    if lost:
        context.abort(reason=f"docker-claims: {lost}")

"""behave's hooks, kept in the library so that environment.py stays a list of delegations."""

from __future__ import annotations

import sys
import traceback

from docker_claims.engine.connection import EngineUnavailable
from docker_claims.engine.fixtures import BusyboxMissing, FixtureSpec
from docker_claims.engine.scope import Run
from docker_claims.evidence import Ledger
from docker_claims.runner.preconditions import HOST_PIDS_TAG, Preconditions
from docker_claims.runner.report.data import EVIDENCE_ATTRIBUTE, FACTS_ATTRIBUTE
from docker_claims.runner.session import Session, StartFailed
from docker_claims.runner.state import ScenarioState


def before_all(context) -> None:
    record = getattr(_runner(context), "record", None)

    def reached(fingerprint) -> None:
        if record is not None:
            record.fingerprint = fingerprint.as_dict()

    try:
        session = Session.open(prepare=_fixtures_named(context),
                               run=Run(id=record.id) if record is not None else None,
                               reached=reached)
    except EngineUnavailable as error:
        _stop(context, f"docker-claims cannot run: {error}", "connecting to the engine")
        return
    except BusyboxMissing as error:
        _stop(context, f"docker-claims cannot run: {error}", "finding a static busybox")
        return
    except StartFailed as error:
        _stop(context, f"docker-claims could not start on the engine: {error}", error.phase)
        return
    except Exception as error:  # the suite's own bug: told with its traceback, never a verdict
        traceback.print_exc()
        _stop(context, f"docker-claims could not start: {type(error).__name__}: {error}",
              "starting the run")
        return
    context.add_cleanup(session.close)  # testrun layer: after after_all, even when aborted
    session.host_pids_wanted = any(HOST_PIDS_TAG in tags for tags in _selected_tags(context))
    context.session = session
    context.preconditions = Preconditions(session)
    print(f"docker-claims run {session.run.id} on {session.fingerprint.summary()}",
          file=sys.stderr, flush=True)
    for line in session.swept.removed:
        print(f"  swept leftover of a dead run: {line}", file=sys.stderr)


def _runner(context):
    return getattr(context, "_runner", None)


def _stop(context, reason: str, during: str) -> None:
    """End the run: nothing (more) can be measured. The suite's runner records why and what
    the run was doing, for the report and the exit status; under another runner, behave's
    abort says it."""
    runner = _runner(context)
    stop = getattr(runner, "stop", None)
    if stop is not None:
        stop(reason, during)
    else:
        context.abort(reason=reason)


def _selected_tags(context) -> list[set[str]]:
    """The tags (their own and inherited) of each scenario this run selected."""
    runner = _runner(context)
    return [set(scenario.effective_tags) for feature in getattr(runner, "features", ())
            for scenario in feature.walk_scenarios() if scenario.should_run(context.config)]


def _fixtures_named(context) -> list[FixtureSpec]:
    """The fixture images the selected scenarios name, each once: the FixtureSpec arguments of
    the step definitions their steps match (steps/subjects.py types them so), so that they are
    built, side by side, before the first scenario asks."""
    runner = _runner(context)
    registry = getattr(runner, "step_registry", None)
    if registry is None:
        return []
    found: dict[int, FixtureSpec] = {}
    for feature in getattr(runner, "features", ()):
        for scenario in feature.walk_scenarios():
            if not scenario.should_run(context.config):
                continue
            for step in scenario.all_steps:
                match = registry.find_match(step)
                for argument in getattr(match, "arguments", None) or ():
                    if isinstance(argument.value, FixtureSpec):
                        found.setdefault(id(argument.value), argument.value)
    return list(found.values())


def before_scenario(context, scenario) -> None:
    session = getattr(context, "session", None)
    if session is None:
        scenario.skip("no engine session (see the message above)")
        return
    if session.lost:  # the scenario is left not run
        _stop(context, f"docker-claims: {session.lost}", f"starting scenario {scenario.name!r}")
        return
    reason = context.preconditions.skip_reason(list(scenario.effective_tags))
    if reason:
        scenario.skip(reason)
        return
    context.state = ScenarioState(session, session.resources(context.add_cleanup), Ledger(),
                                  context.add_cleanup)


def after_scenario(context, scenario) -> None:
    """Hand the scenario's evidence and facts to the claims report."""
    state = getattr(context, "state", None)
    if state is not None:
        setattr(scenario, EVIDENCE_ATTRIBUTE, state.ledger.items)
        setattr(scenario, FACTS_ATTRIBUTE, state.ledger.facts)


def after_step(context, step) -> None:
    """An engine that stopped answering ends the run at once, saying so, rather than letting
    every later step and cleanup wait out its own deadline."""
    session = getattr(context, "session", None)
    if session is None or step.status.name not in ("failed", "error"):
        return
    lost = session.check_failure(getattr(step, "exception", None))
    if lost:
        _stop(context, f"docker-claims: {lost}", f"step {step.keyword} {step.name!r}")

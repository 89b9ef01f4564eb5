"""docker_claims.runner.state, no engine needed: the Given missing, a subject seen or changed."""

import pytest

from docker_claims.evidence import Ledger
from docker_claims.runner.state import MissingGiven, ScenarioState, Subject


def test_a_field_no_step_gave_names_the_missing_given():
    state = ScenarioState(None, None, Ledger(), lambda cleanup: None)
    with pytest.raises(MissingGiven, match="lacks `Given the docker CLI`"):
        state.cli  # noqa: B018 - reading it is the test
    state.cli = "docker"
    assert state.cli == "docker"
    assert state.exported is None  # a memo, not given by a step
    with pytest.raises(AttributeError):
        state.no_such_field  # noqa: B018


def made(kind):
    made.calls.append(kind)
    return f"{kind} container"


def subject():
    made.calls = []
    return Subject("a created container", shared=lambda: made("run's"),
                   own=lambda: made("own"))


def test_a_subject_only_looked_at_is_the_runs():
    looked = subject()
    assert looked.look() == looked.look() == "run's container"
    assert made.calls == ["run's"]


def test_a_subject_changed_first_is_the_scenarios_own_from_then_on():
    changed = subject()
    assert changed.change() == "own container"
    assert changed.look() == "own container"
    assert made.calls == ["own"]


def test_changing_what_the_scenario_looked_at_of_the_runs_fails():
    looked = subject()
    looked.look()
    with pytest.raises(MissingGiven, match="shares with the scenarios"):
        looked.change()


def test_a_fixture_cannot_be_changed():
    fixture = Subject.of("the layered fixture image", "image", own=False)
    assert fixture.look() == "image"
    with pytest.raises(MissingGiven):
        fixture.change()

"""The scenario state says which Given is missing; a subject is the run's while only looked
at, the scenario's own once changed; preconditions skip with the fact's reason."""

import pytest

from docker_claims.evidence import Ledger
from docker_claims.runner.preconditions import Preconditions
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


def facts(**why_not):
    read = []

    def fact(name):
        def probe(session):
            read.append(name)
            return why_not[name]
        return probe

    return {name: fact(name) for name in why_not}, read


def test_a_scenario_runs_only_where_its_facts_hold_and_is_told_why_not():
    known, read = facts(layer_dirs="no UpperDir (the containerd image store)", docker_cli=None)
    preconditions = Preconditions(None, known)
    assert preconditions.skip_reason(["claim.C10", "use.with_docker_cli=yes"]) is None
    assert preconditions.skip_reason(["use.with_layer_dirs=yes"]) == (
        "no UpperDir (the containerd image store)")
    assert "holds here" in preconditions.skip_reason(["not.with_docker_cli=yes"])
    preconditions.skip_reason(["use.with_layer_dirs=yes", "use.with_docker_cli=yes"])
    assert sorted(read) == ["docker_cli", "layer_dirs"]  # each read once, when first asked


def test_an_unknown_fact_skips_naming_the_known_ones():
    known, _ = facts(layer_dirs=None)
    reason = Preconditions(None, known).skip_reason(["use.with_layer_dir=yes"])
    assert "no such fact" in reason and "layer_dirs" in reason

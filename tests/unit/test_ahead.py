"""What a run shares is made once, ahead when the selection says so, and no failure is kept."""

import re
import threading
from contextlib import ExitStack
from pathlib import Path

import pytest
from behave.parser import parse_file

from docker_claims import ahead, containers, transfer
from docker_claims.fixtures import BASE, CONFIGURED, LAYERED
from docker_claims.resources import Run
from docker_claims.session import Session

FEATURES = sorted((Path(__file__).parents[2] / "features").glob("*.feature"))


def suite_scenarios() -> list[list[str]]:
    return [[step.name for step in scenario.all_steps]
            for path in FEATURES for scenario in parse_file(str(path)).walk_scenarios()]


@pytest.fixture
def session(tmp_path):
    """A session with no engine: enough for what it shares, made by functions given here."""
    with ExitStack() as stack:
        made = Session(client=None, fingerprint=None, run=Run(), fixtures=None,
                       workdir=tmp_path, swept=None, _stack=stack)
        yield made
        if made._ahead is not None:
            made._ahead.shutdown(wait=True)


def test_what_is_shared_is_made_once_when_asked_from_two_threads_at_once(session):
    started, release, made = threading.Event(), threading.Event(), []

    def make(_resources):
        started.set()
        release.wait(5)
        made.append(object())
        return made[-1]

    got = []
    first = threading.Thread(target=lambda: got.append(session.shared("key", make)))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=lambda: got.append(session.shared("key", make)))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert len(made) == 1 and got == [made[0], made[0]]


def test_a_failure_is_not_kept_the_next_to_ask_makes_it_anew(session):
    def fail(_resources):
        raise RuntimeError("the engine said no")

    with pytest.raises(RuntimeError, match="said no"):
        session.shared("key", fail)
    assert session.shared("key", lambda _resources: "made") == "made"


def test_what_is_made_ahead_is_what_the_scenario_gets(session):
    session.ahead(lambda: session.shared("key", lambda _resources: "made ahead"))
    session._ahead.shutdown(wait=True)
    assert session.shared("key", lambda _resources: "made when asked") == "made ahead"


def test_an_error_made_ahead_is_met_again_by_the_scenario_that_asks(session):
    def fail(_resources):
        raise RuntimeError("the engine said no")

    session.ahead(lambda: session.shared("key", fail))
    session._ahead.shutdown(wait=True)
    with pytest.raises(RuntimeError, match="said no"):
        session.shared("key", fail)


def test_every_step_pattern_names_a_step_of_the_suite():
    texts = {text for steps in suite_scenarios() for text in steps}
    for pattern, _maker in ahead.AHEAD:
        assert any(re.fullmatch(pattern, text) for text in texts), pattern


def test_the_suite_plans_each_shared_subject_once_per_fixture_first_needed_first():
    planned = ahead.plan(suite_scenarios())
    assert len(planned) == len(set(planned))
    assert (LAYERED, containers.shared_writes) in planned
    assert (CONFIGURED, transfer.shared_export) in planned
    assert planned.index((LAYERED, transfer.shared_export)) < planned.index(
        (LAYERED, transfer.shared_own_image))


def test_a_scenario_plans_nothing_without_a_fixture_and_nothing_for_the_round_trip():
    assert ahead.plan([["the docker CLI", 'a container of the image in the "running" state']]
                      ) == []
    planned = ahead.plan([["the layered fixture image",
                           "the image is saved, removed, and its save tar loaded"]])
    assert planned == []
    assert ahead.plan([["the busybox fixture image", "the engine's network namespaces are listed"]]
                      ) == [(BASE, ahead._host_reader)]

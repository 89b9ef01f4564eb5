"""Two full runs at once against one engine both pass: names, fixture builds (the classic
builder's cache is shared between runs), netns checks and sweeps do not collide."""

from __future__ import annotations

import pytest
from behave_runs import labelled, start

from docker_claims import LABEL_FIXTURE, transfer
from docker_claims.fixtures import BASE, LAYERED
from docker_claims.resources import leases
from docker_claims.session import JOIN_RUN, JOIN_WORKER, JoinRefused, Session


def test_two_full_behave_runs_at_once_both_pass_and_leave_nothing(session, tmp_path):
    first = start(tmp_path / "first")
    second = start(tmp_path / "second")
    try:
        codes = [first.wait(timeout=600), second.wait(timeout=600)]
    finally:
        first.kill()
        second.kill()
    ids = [first.run_id(timeout=0), second.run_id(timeout=0)]
    assert ids[0] != ids[1]
    assert codes == [0, 0], "\n\n".join(run.output()[-6000:] for run in (first, second))
    for run_id in ids:
        assert labelled(session.client, run_id) == []


def test_a_worker_joins_a_live_run_uses_its_fixtures_and_leaves_the_run_to_its_owner(
        session, monkeypatch):
    monkeypatch.setenv(JOIN_RUN, session.run.id)
    monkeypatch.setenv(JOIN_WORKER, "w7")
    base = session.fixtures.image(BASE)
    worker = Session.open()
    try:
        assert worker.joined and worker.run.id == session.run.id
        assert worker.fixtures.image(BASE).id == base.id  # found by its tag, not rebuilt
        made = worker.resources(lambda cleanup: None).container(base.id, ["true"])
        assert made.name.startswith(f"dclaims-{session.run.id}-w7-")
    finally:
        worker.close()
    try:
        assert leases(session.client).get(session.run.id) is True
        assert session.client.images.get(base.id).id == base.id
        assert session.client.containers.get(made.id).name == made.name  # the owner's to sweep
    finally:
        made.remove(force=True)


def test_a_worker_finds_the_fixture_itself_not_an_image_committed_from_it(session, resources,
                                                                         monkeypatch):
    """A commit keeps its image's labels: found by them (the engine lists images in no fixed
    order), another worker's own image, which that worker removes and loads back, would stand
    in for the fixture, and every scenario of this worker on it would fail."""
    layered = session.fixtures.image(LAYERED)
    committed = transfer.own_image(resources, layered)
    assert committed.labels[LABEL_FIXTURE] == layered.labels[LABEL_FIXTURE]
    monkeypatch.setenv(JOIN_RUN, session.run.id)
    worker = Session.open()
    try:
        assert worker.fixtures.image(LAYERED).id == layered.id
    finally:
        worker.close()


def test_joining_a_run_that_is_not_going_on_is_refused(session, monkeypatch):
    monkeypatch.setenv(JOIN_RUN, "0123456789")
    with pytest.raises(JoinRefused, match="names no run going on"):
        Session.open()

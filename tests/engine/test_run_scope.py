"""A run leaves nothing behind, tells dead runs from live ones, and touches nothing unlabelled."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from docker_claims.engine import fixtures
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.scope import wait_until
from docker_claims.engine.sweep import leases, sweep
from docker_claims.runner.session import Session

HOLDER = textwrap.dedent("""
    import sys, time
    from docker_claims.engine.fixtures import BASE
    from docker_claims.runner.session import Session
    session = Session.open()
    try:
        resources = session.resources(lambda cleanup: None)  # left to the session's sweep
        image = session.fixtures.image(BASE)
        resources.container(image.id, ["sleep", "600"]).start()
        resources.volume()
        print(session.run.id, flush=True)
        time.sleep(600)
    finally:
        session.close()
""")


def labelled(client, run_id):
    selector = {"label": f"{LABEL_RUN}={run_id}"}
    return (client.containers.list(all=True, filters=selector, ignore_removed=True)
            + client.images.list(filters=selector) + client.volumes.list(filters=selector))


def start_holder():
    process = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                               cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    run_id = process.stdout.readline().strip()
    assert run_id, "the holder run did not start"
    return process, run_id


def test_closing_a_session_removes_everything_it_labelled(session):
    other = Session.open()
    run_id = other.run.id
    resources = other.resources(lambda cleanup: None)  # nothing deferred: the close must sweep
    image = other.fixtures.image(fixtures.LAYERED)
    resources.container(image.id, ["true"])
    resources.volume()
    assert labelled(session.client, run_id)
    other.close()
    assert labelled(session.client, run_id) == []


def test_a_killed_run_is_swept_and_a_live_run_is_kept(session):
    dead, dead_id = start_holder()
    live, live_id = start_holder()
    try:
        dead.kill()  # SIGKILL: no cleanup of its own can run
        dead.wait(timeout=30)
        assert wait_until(lambda: leases(session.client).get(dead_id) is False, timeout=30), \
            "the killed run's lease container did not stop"
        report = sweep(session.client)
        assert live_id in report.kept_alive
        assert labelled(session.client, dead_id) == []
        assert len(labelled(session.client, live_id)) >= 4  # lease, sleeper, volume, image
    finally:
        live.send_signal(signal.SIGTERM)
        live.wait(timeout=60)
    assert labelled(session.client, live_id) == [], "SIGTERM did not clean the live run up"


def test_sweep_never_touches_what_the_run_did_not_name(session, request):
    """A user's container, named like the article's, survives every sweep, even when it was
    made from one of the run's images (containers inherit their image's labels)."""
    other = Session.open()
    image = other.fixtures.image(fixtures.BASE)
    mine = session.client.containers.create(image.id, ["true"], name=f"test_export-{other.run.id}")
    request.addfinalizer(lambda: mine.remove(force=True))
    assert mine.labels[LABEL_RUN] == other.run.id  # inherited from the image
    sweep(session.client)
    other.close()  # sweeps everything labelled with its run
    mine.reload()
    assert mine.status == "created"


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_an_interrupted_holder_cleans_up(session, signal_name):
    holder, run_id = start_holder()
    holder.send_signal(getattr(signal, signal_name))
    holder.wait(timeout=60)
    assert labelled(session.client, run_id) == []

"""A session leaves nothing behind, and its sweep touches nothing unlabelled (a killed run and
signals: test_interruption.py)."""

from docker_claims.engine import fixtures
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.sweep import sweep
from docker_claims.runner.session import Session


def labelled(client, run_id):
    selector = {"label": f"{LABEL_RUN}={run_id}"}
    return (client.containers.list(all=True, filters=selector, ignore_removed=True)
            + client.images.list(filters=selector) + client.volumes.list(filters=selector))


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


def test_sweep_never_touches_what_the_run_did_not_name(session, request):
    """A user's container, named like the article's, survives every sweep, even when it was
    made from one of the run's images (containers inherit their image's labels)."""
    other = Session.open()
    image = other.fixtures.image(fixtures.HELPER)
    mine = session.client.containers.create(image.id, ["true"], name=f"test_export-{other.run.id}")
    request.addfinalizer(lambda: mine.remove(force=True))
    assert mine.labels[LABEL_RUN] == other.run.id  # inherited from the image
    sweep(session.client)
    other.close()  # sweeps everything labelled with its run
    mine.reload()
    assert mine.status == "created"

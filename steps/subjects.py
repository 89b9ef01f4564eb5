"""Givens and Whens naming what several claims look at or act on: the fixture images, the
containers of an image, an image of our own, their exports, imports and saves, the docker CLI.

A container or image a Given names is made when a step first needs it (runner.state.Subject):
`look()` where the step only looks at it, `change()` where the step changes it."""

from behave import given, register_type, when
from parse_type import TypeBuilder

from docker_claims.claims import container_layer
from docker_claims.engine import containers, fixtures, images, transfer
from docker_claims.runner import subjects
from docker_claims.runner.state import Subject

register_type(Fixture=TypeBuilder.make_enum({
    "layered fixture image": fixtures.LAYERED,
    "busybox fixture image": fixtures.BASE,
    "layered fixture image with a command that needs its ENV and WORKDIR": fixtures.CONFIGURED,
}))
"""The fixture images the features name. The run finds the fixtures a selection needs by this
type (runner.hooks: the FixtureSpec arguments of the steps it matches), and builds them before
the first scenario asks."""


@given("the {spec:Fixture}")
def step_fixture(context, spec: fixtures.FixtureSpec):
    state = context.state
    state.image = Subject.of(f"the {spec.name} fixture image", state.session.fixtures.image(spec),
                             own=False)
    state.dockerfile = state.session.fixtures.dockerfile(spec)
    state.build_context = state.session.fixtures.context_files(spec)


def _of_the_image(state, what: str, shared, own) -> Subject:
    """A subject made from the scenario's image: `shared(session, image)` while only looked
    at, `own(resources, image)` once changed."""
    image = state.image.look()
    return Subject(what, shared=lambda: shared(state.session, image),
                   own=lambda: own(state.resources, image))


@given("an image of our own on top of it, tagged")
def step_own_image(context):
    state = context.state
    state.image = _of_the_image(state, "an image of our own", subjects.own_image,
                                containers.own_image)


@given("a created container of the image")
def step_created(context):
    state = context.state
    state.container = _of_the_image(state, "a created container of the image",
                                    subjects.created, containers.make_created)


@given("a created container of the image on the host network")
def step_created_host_network(context):
    state = context.state
    # With --userns-remap, a container cannot share the host's network namespace unless it opts
    # out of the remapping; elsewhere "host" is what it gets anyway.
    state.container = Subject.of("a container on the host network", state.resources.container(
        state.image.look().id, containers.IDLE, network_mode="host", userns_mode="host"),
        own=True)


@given("a running container of the image")
def step_running(context):
    state = context.state
    state.container = _of_the_image(state, "a running container of the image",
                                    subjects.reader, containers.make_running)


@given("a container of the image that added, changed and deleted files")
def step_wrote(context):
    state = context.state
    wrote = subjects.writer(state.session, state.image.look())
    state.container = Subject.of("the container that made the writes", wrote.container,
                                 own=False)
    state.writes, state.image_before = fixtures.WRITES, wrote.image_before
    state.saved_before = wrote.saved_before
    state.ledger.record("writes", state.writes)


@when("the container is started")
def step_started(context):
    state = context.state
    state.ledger.record("after start", container_layer.check_status(
        containers.start(state.container.change()), "running"))


@when("the container is stopped")
def step_stopped(context):
    state = context.state
    state.ledger.record("after stop", container_layer.check_status(
        containers.stop(state.container.change()), "exited"))


@given("the container is exported")
@when("the container is exported")
def step_exported(context):
    state = context.state
    state.export_tar = subjects.export(state.session, state.container, state.scratch())


@when("the export is imported")
def step_export_imported(context):
    state = context.state
    state.imported = subjects.import_export(state.session, state.resources, state.container,
                                            state.export_tar)


@given("the image is saved")
@when("the image is saved")
def step_saved(context):
    state = context.state
    image = state.image.look()
    state.saved_record = state.ledger.record("the image", images.record(image))
    state.save_tar = subjects.save_tar(state.session, image)


@given("the image is saved, then removed")
def step_saved_removed(context):
    state = context.state
    image = state.image.change()
    state.saved_record = state.ledger.record("the image", images.record(image))
    state.save_tar = transfer.save(state.session.client, image, state.scratch())
    images.remove(state.resources, image)


@when("the image is saved, removed, and its save tar loaded")
def step_round_trip(context):
    state = context.state
    trip = subjects.round_trip(state.session, state.image.look())
    state.saved_record, state.save_tar, state.loaded = trip.saved, trip.save_tar, trip.loaded
    state.ledger.record("load", state.loaded)


@given("the docker CLI")
def step_cli(context):
    state = context.state
    state.cli = subjects.docker_cli(state.session)
    state.ledger.record("docker CLI", state.cli.path)

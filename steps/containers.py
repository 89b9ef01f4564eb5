"""Steps for C04-C06: a container is its image plus a writable layer, from create on."""

from behave import given, then, when

from docker_claims.claims import container_layer
from docker_claims.engine import containers, fixtures, images, storage
from docker_claims.runner import subjects

IN_STATE = {"created": subjects.untouched, "running": subjects.reader,
            "exited": lambda session, image: subjects.writer(session, image).container}
"""The run's container of the image in each state `ps -a` shows: ones other claims look at too
(C11's untouched one, C02's reader, C04's writer), so that none is started for this alone."""

KEPT = "/claims/written-before-stop.txt"
COPIED = "/claims/copied-before-start.txt"


def _scratch(context):
    return context.session.scratch_dir(context.add_cleanup)


@given("a container of the image that added, changed and deleted files")
def step_container_wrote(context):
    context.writes = fixtures.WRITES
    context.subject = subjects.writer(context.session, context.image).container
    context.ledger.record("writes", context.writes)


@given('a container of the image in the "{wanted}" state')
def step_container_in_state(context, wanted):
    context.subject = IN_STATE[wanted](context.session, context.image)
    context.wanted_state = wanted


@given("a container created from the image")
def step_created(context):
    context.subject = containers.make_created(context.resources, context.image)


@given("a running container of the image that wrote a file")
def step_running_wrote(context):
    context.subject = containers.make_running(context.resources, context.image)
    context.written = (KEPT, f"written by {context.subject.name} before the stop\n".encode())
    containers.write_file(context.subject, KEPT, context.written[1].decode())


@given("the container is started")
@when("the container is started")
def step_started(context):
    context.ledger.record("after start", container_layer.check_status(
        containers.start(context.subject), "running"))


@when("the container is started again")
def step_started_again(context):
    step_started(context)


@when("the container is stopped")
def step_stopped(context):
    context.ledger.record("after stop", container_layer.check_status(
        containers.stop(context.subject), "exited"))


@when("the container is committed to a new image")
def step_committed(context):
    context.committed = containers.commit(context.resources, context.subject)


@when("all containers are listed, running or not")
def step_listed(context):
    context.listing = containers.listing(context.resources, context.subject)


@when("a file is copied into the container")
def step_copied_in(context):
    context.written = (COPIED, f"copied into {context.subject.name} before any start\n".encode())
    containers.copy_in(context.subject, *context.written)


@when("the storage driver's directories of the container are read")
def step_storage_read(context):
    context.subject.reload()
    context.image.reload()
    reason = (storage.unavailable(context.subject.attrs)
              or storage.unavailable(context.image.attrs))
    if reason:
        context.scenario.skip(reason)
        return
    context.stack = storage.stack(context.subject.attrs)
    context.image_stack = storage.stack(context.image.attrs)
    context.upper = storage.list_layer_dir(context.session.host_reader(),
                                           context.stack.upper)
    context.ledger.record("writable layer's directory", context.upper)


@then("the container's changes are exactly its writes, each with its kind")
def step_changes_are_writes(context):
    context.ledger.record("docker diff", container_layer.check_changes_are_the_writes(
        containers.changes(context.subject), context.writes))


@then("the new image has the image's layers, unchanged, and one more on top")
def step_one_more_layer(context):
    context.ledger.record("commit", container_layer.check_one_layer_on_top(
        images.layers_of(context.image), images.layers_of(context.committed)))


@then("its writable layer's directory holds exactly its changes, deletions as whiteouts")
def step_upper_is_diff(context):
    context.ledger.record("upper dir vs diff", container_layer.check_upper_is_the_diff(
        context.upper, containers.changes(context.subject), context.writes))


@then("below the writable layer lies an init layer, then the image's layers in order")
def step_init_between(context):
    context.ledger.record("stacking", container_layer.check_init_between(context.stack,
                                                                 context.image_stack))


@then("the init layer holds the files the engine prepares for every container")
def step_init_holds(context):
    init = storage.list_layer_dir(context.session.host_reader(), context.stack.lowers[0])
    context.ledger.record("init layer", container_layer.check_init_holds(init))


@then('the container is listed in the "{wanted}" state')
def step_listed_in_state(context, wanted):
    context.ledger.record("ps -a", container_layer.check_listed_with_state(
        context.listing, context.subject.id, wanted))


@then("the file copied out of the stopped container has the content written")
def step_copied_out(context):
    path, written = context.written
    container_layer.check_status(containers.state(context.subject), "exited")
    context.ledger.record("docker cp", container_layer.check_file_content(
        path, written, containers.copy_out(context.subject, path),
        "copied out of the stopped container"))


@then("the running container reads the file with the content written")
def step_reads_after_restart(context):
    path, written = context.written
    code, output = containers.read_running(context.subject, path)
    context.ledger.record("read after restart", container_layer.check_file_content(
        path, written, output.encode() if code == 0 else None, "after the restart"))


@then("its export holds the file with the content written")
def step_export_holds(context):
    path, written = context.written
    tar = containers.export(context.subject, _scratch(context))
    context.ledger.record("docker export", container_layer.check_export_holds(
        container_layer.exported_file(tar, path), written))


@then("the container's changes list the file as added")
def step_diff_added(context):
    context.ledger.record("docker diff", container_layer.check_added(
        containers.changes(context.subject), context.written[0]))


@then("the container has never run")
def step_never_ran(context):
    context.ledger.record("state", container_layer.check_never_ran(
        containers.state(context.subject)))


@then("its writable layer's directory holds the file")
def step_upper_holds(context):
    context.ledger.record("writable layer's directory", container_layer.check_upper_holds(
        context.upper, context.written[0]))

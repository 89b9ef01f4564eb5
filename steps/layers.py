"""Steps for C01-C03: layers, lookup through them, and their read-only nature."""

from behave import given, then, when

from docker_claims.claims import container_layer, image_layers
from docker_claims.engine import containers, fixtures, images
from docker_claims.evidence import expect
from docker_claims.runner import subjects


def _saved(context):
    """The image's `docker save` tar (made once per run and image)."""
    return subjects.save_tar(context.session, context.image)


@then("the image has one layer per build step that changed the filesystem")
def step_layer_per_fs_step(context):
    context.ledger.record("layers", image_layers.check_one_layer_per_filesystem_step(
        context.image, context.dockerfile))


@then("its history has one row per build step, in build order")
def step_history_row_per_step(context):
    context.ledger.record("history", image_layers.check_history_row_per_step(
        context.image, context.dockerfile))


@given('"{path}" is written by {count:d} layers of the image')
@given('"{path}" is written by {count:d} layer of the image')
def step_written_by_layers(context, path, count):
    context.witness = image_layers.witness(_saved(context), path)
    holders = context.witness.holders
    context.ledger.record(f"layers holding {path}", context.witness.layers)
    expect(len(holders) == count and not context.witness.deleters,
           f"{path} should be written by {count} layers and deleted by none",
           holders=holders, deleters=context.witness.deleters)


@given('"{path}" is written by a lower layer and deleted by an upper one')
def step_deleted_above(context, path):
    context.witness = image_layers.witness(_saved(context), path)
    w = context.witness
    context.ledger.record(f"layers holding {path}", w.layers)
    expect(w.holders and w.deleters and max(w.deleters) > max(w.holders),
           f"{path} should be held by a lower layer and whited out by an upper one",
           holders=w.holders, deleters=w.deleters)


@when('a container of the image reads "{path}"')
def step_container_reads(context, path):
    reader = subjects.reader(context.session, context.image)
    context.read = containers.read_running(reader, path)
    context.ledger.record(f"a container reads {path}", context.read)


@then("it reads the version of the topmost layer holding it")
def step_reads_topmost(context):
    context.ledger.record("lookup", image_layers.check_reads_topmost(context.witness, context.read))


@then("the file is not found")
def step_not_found(context):
    context.ledger.record("lookup", image_layers.check_not_found(context.witness, context.read))


@then('the deleting layer holds the whiteout marker "{marker}"')
def step_whiteout_marker(context, marker):
    markers = [e["marker"] for e in context.witness.layers if e["kind"] == "whiteout"]
    expect(marker.lstrip("/") in markers, f"no whiteout marker {marker} in the layers",
           whiteouts=markers, layers=context.witness.layers)


@when("a container of the image adds, changes and deletes files")
def step_container_writes(context):
    wrote = subjects.writer(context.session, context.image)
    context.writer, context.before = wrote.container, wrote.image_before


@then("the container's changes list the added, changed and deleted files")
def step_changes_listed(context):
    context.ledger.record("docker diff", container_layer.check_changes_are_the_writes(
        containers.changes(context.writer), fixtures.WRITES))


@then("the image's id and layer digests are unchanged")
def step_layers_unchanged(context):
    named_now = context.session.client.images.get(images.name_of(context.image))
    context.ledger.record("image after", image_layers.check_layers_unchanged(context.before,
                                                                       named_now))


@then("a new container of the image reads every file as the image holds it")
def step_new_container_sees_image(context):
    context.ledger.record("new container", image_layers.check_view_is_the_image(
        context.resources, context.image, _saved(context)))


@given("a running container of the image")
def step_running_container(context):
    context.first = context.resources.container(context.image.id, containers.IDLE)
    context.first.start()


@when("the running container adds, changes and deletes files")
def step_running_writes(context):
    code, output = context.first.exec_run(containers.writes_script(fixtures.WRITES))
    expect(code == 0, "writing in the running container failed", exit_code=code,
           output=output.decode(errors="replace"))
    context.ledger.record("first container's diff", containers.changes(context.first))


@then("a second container of the image, started meanwhile, does not see them")
def step_second_does_not_see(context):
    context.ledger.record("second container", image_layers.check_view_is_the_image(
        context.resources, context.image, _saved(context)))

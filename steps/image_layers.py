"""Steps of image_layers.feature (C01-C03): layers, the lookup through them, read-only."""

from behave import given, then, when

from docker_claims.claims import container_layer, image_layers
from docker_claims.engine import containers, fixtures, images, transfer
from docker_claims.runner import subjects


def _witness(state, path: str) -> image_layers.LayerWitness:
    state.witness = transfer.layer_witness(subjects.save_tar(state.session, state.image.look()),
                                         path)
    state.ledger.record(f"layers holding {path}", state.witness.layers)
    return state.witness


@given("the image was built from this Dockerfile:")
def step_built_from(context):
    state = context.state
    state.dockerfile = state.ledger.record("Dockerfile", image_layers.built_from(
        context.text, state.dockerfile))


@then("the image has one layer per build step that changed the filesystem")
def step_layer_per_fs_step(context):
    state = context.state
    state.ledger.record("layers", image_layers.check_one_layer_per_filesystem_step(
        images.layers_of(state.image.look()), state.dockerfile))


@then("each layer holds what its build step wrote, and hashes to its digest")
def step_layers_hold_their_steps(context):
    state = context.state
    image = state.image.look()
    state.ledger.record("layers", image_layers.check_layers_hold_their_steps(
        images.layers_of(image),
        transfer.saved_layers(subjects.save_tar(state.session, image), image.id),
        state.dockerfile, state.build_context, subjects.applets(state.session, image)))


@then("its history has one row per build step, in build order")
def step_history_row_per_step(context):
    state = context.state
    state.ledger.record("history", image_layers.check_history_row_per_step(
        images.history(state.session.client, images.name_of(state.image.look())),
        state.dockerfile, state.build_context))


@given('"{path}" is written by {count:d} of the image\'s layers')
def step_written_by_layers(context, path, count):
    state = context.state
    state.ledger.record("layers", image_layers.check_held_by(_witness(state, path), count))


@given('"{path}" is written by a lower layer and deleted by an upper one')
def step_deleted_above(context, path):
    state = context.state
    state.ledger.record("layers", image_layers.check_deleted_above(_witness(state, path)))


@when('the container reads "{path}"')
def step_container_reads(context, path):
    state = context.state
    state.read = state.ledger.record(f"the container reads {path}", containers.read_running(
        state.container.look(), path))


@then("it reads the version of the topmost layer holding it")
def step_reads_topmost(context):
    state = context.state
    state.ledger.record("lookup", image_layers.check_reads_topmost(state.witness, state.read))


@then("the file is not found")
def step_not_found(context):
    state = context.state
    state.ledger.record("lookup", image_layers.check_not_found(state.witness, state.read))


@then('the deleting layer holds the whiteout marker "{marker}"')
def step_whiteout_marker(context, marker):
    state = context.state
    w = state.witness
    held = transfer.layer_member(subjects.save_tar(state.session, state.image.look()),
                                 max(w.deleters), marker) if w.deleters else None
    state.ledger.record("whiteout", image_layers.check_whiteout(w, marker, held))


@then("the container's changes are exactly its writes, each with its kind")
def step_changes_are_writes(context):
    state = context.state
    found = state.ledger.record("docker diff", container_layer.check_changes_are_the_writes(
        containers.changes(state.container.look()), state.writes))
    kinds = list(found["writes"].values())
    state.ledger.note(changes={kind: kinds.count(kind) for kind in ("added", "changed", "deleted")}
                      | {"directories_passed": len(found["diff"]) - len(kinds)})


@then("the image's id and layer digests are unchanged")
def step_layers_unchanged(context):
    state = context.state
    image = state.image.look()
    named_now = state.session.client.images.get(images.name_of(image))
    state.ledger.record("image after", image_layers.check_layers_unchanged(
        state.image_before, (named_now.id, images.layers_of(named_now))))


@then("its layers, saved again, hash to those digests and hold what they held before")
def step_layers_hold_what_they_held(context):
    state = context.state
    image = state.image.look()
    after = transfer.save(state.session.client, image, state.scratch())
    state.ledger.record("layers after", image_layers.check_layers_hold_what_they_held(
        state.image_before[1], transfer.saved_layers(state.saved_before, image.id),
        transfer.saved_layers(after, image.id)))


@when("the container adds, changes and deletes files")
def step_container_writes(context):
    state = context.state
    container = state.container.change()
    state.writes = fixtures.WRITES
    containers.exec_writes(container, state.writes)


@then("a new container of the image reads every file as the image's layers hold it")
def step_new_container_sees_image(context):
    state = context.state
    image = state.image.look()
    saved = subjects.save_tar(state.session, image)
    fresh = containers.fresh_export(state.resources, image, state.scratch())
    observed = image_layers.check_fresh_export_is_the_image(
        transfer.image_layers(saved), transfer.exported_tree(fresh))
    # Evidence for the reader: the files the other container wrote, as the new one holds them.
    observed["written_paths_hold"] = transfer.export_view(fresh, sorted(fixtures.WRITES))
    state.ledger.record("new container", observed)

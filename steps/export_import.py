"""Steps of export_import.feature (C11-C12): an export is what the container sees, in one
layer; an import of it has no build history and none of the image's config."""

import parse
from behave import given, register_type, then, when

from docker_claims.claims import container_layer, export_import, pairs
from docker_claims.engine import cli_commands, containers, images, transfer
from docker_claims.engine.dockerfile import build_steps
from docker_claims.engine.records import ImageLayers
from docker_claims.runner import subjects
from docker_claims.runner.state import Subject

VOLUME_AT = "/claims/volume"

_NAME = "(?:" + "|".join(export_import.INSTRUCTIONS) + ")"


@parse.with_pattern(rf"{_NAME}(?:(?:, | and ){_NAME})*")
def _instructions(text: str) -> tuple[str, ...]:
    return export_import.instruction_names(text)


register_type(Instructions=_instructions)
"""Instructions an import takes as changes, named as the feature does: "CMD, ENV and WORKDIR"."""


def _image_layers(state) -> ImageLayers:
    """What the image's layers hold, from its save tar (read once per scenario)."""
    if state.image_layers is None:
        state.image_layers = transfer.image_layers(
            subjects.save_tar(state.session, state.image.look()))
    return state.image_layers


def _exported(state) -> dict:
    """The export's members by content (read once per scenario)."""
    if state.exported is None:
        state.exported = transfer.exported_tree(state.export_tar)
    return state.exported


@given('a container of the image that wrote "{path}" in a volume')
def step_wrote_in_volume(context, path):
    state = context.state
    volume = state.resources.volume()
    state.written = (path, f"kept in {volume.name}\n".encode())
    state.container = Subject.of("the container that wrote in a volume", containers.run_script(
        state.resources, state.image.look(), f'echo "kept in {volume.name}" > "{path}"',
        volumes={volume.name: {"bind": VOLUME_AT, "mode": "rw"}}), own=True)
    state.ledger.record("volume", {"name": volume.name, "mounted_at": VOLUME_AT,
                                   "written": state.written})


@when("the export is imported with the image's {names:Instructions} as changes")
def step_imported_with_changes(context, names):
    state = context.state
    changes = state.ledger.record("changes", export_import.changes_for(
        images.record(state.image.look()).config, names))
    state.imported = transfer.import_tar(state.resources, state.export_tar, tuple(changes))


@when("the export is imported twice")
def step_imported_twice(context):
    state = context.state
    state.imports = [subjects.import_export(state.session, state.resources, state.container,
                                            state.export_tar),
                     transfer.import_tar(state.resources, state.export_tar)]


@when('the export tar file is given to "docker import"')
def step_file_import(context):
    state = context.state
    state.ran, state.imported = cli_commands.import_tar(
        state.cli, state.resources, state.export_tar, from_stdin=False)
    state.ledger.record("docker import", pairs.check_import_made_image(
        state.ran, images.record(state.imported) if state.imported else None))


@then("the export holds every path of the image's merged layers, as the topmost layer has it")
def step_export_merged(context):
    state = context.state
    state.ledger.record("export vs layers", export_import.check_export_is_merged_view(
        _image_layers(state), _exported(state)))


@then("the export holds no path that an upper layer hides")
def step_export_hides(context):
    state = context.state
    state.ledger.record("hidden paths", export_import.check_export_hides(
        _image_layers(state), _exported(state)))


@then("the export holds the version of the topmost layer holding it")
def step_export_top_version(context):
    state = context.state
    state.ledger.record("export", export_import.check_export_top_version(
        state.witness, transfer.exported_content(state.export_tar, state.witness.path)))


@then("the export does not hold the deleted file")
def step_export_lacks_deleted(context):
    state = context.state
    w = state.witness
    state.ledger.record("export", export_import.check_export_lacks(
        w.path, set(_exported(state)), holders=w.holders, deleters=w.deleters))


@then("the export holds each file the container added or changed, as the container reads it")
def step_export_holds_writes(context):
    state = context.state
    state.writes_seen = transfer.writes_seen(state.container.look(), state.export_tar)
    state.ledger.record("writes", export_import.check_export_holds_writes(state.writes_seen))


@then("the export holds no file the container deleted")
def step_export_lacks_deletions(context):
    state = context.state
    if state.writes_seen is None:
        state.writes_seen = transfer.writes_seen(state.container.look(), state.export_tar)
    state.ledger.record("deletions", export_import.check_export_lacks_deletions(
        state.writes_seen))


@then('the export holds "{path}", which neither the image\'s layers nor the container wrote')
def step_export_holds_prepared(context, path):
    state = context.state
    state.ledger.record("prepared", export_import.check_export_holds_prepared(
        path, set(_exported(state)), _image_layers(state),
        containers.changes(state.container.look())))


@then('the container still reads "{path}" from its volume')
def step_container_reads_volume(context, path):
    state = context.state
    state.volume_read = containers.copy_out(state.container.look(), path)
    written_at, written = state.written
    if written_at != path:
        raise ValueError(f"the scenario wrote {written_at} in the volume, not {path}")
    state.ledger.record("the container reads", container_layer.check_file_content(
        path, written, state.volume_read, "in the container's volume"))


@then('the export does not hold "{path}"')
def step_export_lacks_volume_file(context, path):
    state = context.state
    container = state.container.look()
    read = state.volume_read if state.volume_read is not None else containers.copy_out(
        container, path)
    state.ledger.record("volume", export_import.check_volume_not_exported(
        path, read, set(_exported(state)), containers.changes(container)))


@then("the imported image has exactly one layer")
def step_one_layer(context):
    state = context.state
    state.ledger.record("layers", export_import.check_one_layer(
        images.record(state.imported).layers, images.file_digest(state.export_tar),
        images.record(state.image.look()).layers))


@then("the imported image's history has one row, where the image's has one per build step")
def step_one_row(context):
    state = context.state
    state.ledger.record("history", export_import.check_history_lost(
        images.record(state.imported), images.record(state.image.look()),
        build_steps(state.dockerfile)))


@then('that row names no build step and says "{comment}"')
def step_row_is_import(context, comment):
    state = context.state
    state.ledger.record("history row", export_import.check_row_is_import(
        images.record(state.imported), comment))


@then("the imported image has none of the image's {names:Instructions}")
def step_config_lost(context, names):
    state = context.state
    state.ledger.record("config", export_import.check_config_lost(
        images.record(state.image.look()), images.record(state.imported),
        names))


@then("the imported image has the image's {names:Instructions}")
def step_config_kept(context, names):
    state = context.state
    state.ledger.record("config", export_import.check_config_kept(
        images.record(state.image.look()), images.record(state.imported),
        names))


@then("a container of the imported image has no command to run")
def step_no_command(context):
    state = context.state
    state.ledger.record("run", export_import.check_no_command(
        images.run(state.resources, state.imported)))


@then("a container of the imported image does what a container of the image does")
def step_runs_alike(context):
    state = context.state
    state.ledger.record("runs", export_import.check_runs_alike(
        images.run(state.resources, state.image.look()),
        images.run(state.resources, state.imported)))


@then("the two imported images have different ids, over the same one layer")
def step_new_ids(context):
    state = context.state
    first, second = (images.record(image) for image in state.imports)
    state.ledger.record("imports", export_import.check_new_image_each_time(first, second))

"""Steps of pairs.feature (C09-C10): export/import and save/load, paired and crossed, and the
docker CLI's own words for import and load."""

import shlex

from behave import then, when

from docker_claims.claims import pairs
from docker_claims.engine import cli_commands, containers, images, transfer
from docker_claims.runner import subjects


@when("the export tar is loaded")
def step_export_loaded(context):
    state = context.state
    state.loaded = transfer.load(state.resources, state.export_tar)


@when("the save tar is imported")
def step_save_imported(context):
    state = context.state
    state.imported = subjects.imported(state.session, state.save_tar)


@when("the image's name is given to export")
def step_export_image(context):
    state = context.state
    state.answer, _ = transfer.try_export(state.session.client,
                                          images.name_of(state.image.look()), state.scratch())


@when("the container's name is given to save")
def step_save_container(context):
    state = context.state
    state.answer, _ = transfer.try_save(state.session.client, state.container.look().name,
                                        state.scratch())


@when('"docker {args}" is run')
def step_run(context, args):
    state = context.state
    state.ran = state.cli.run(*shlex.split(args))


@when('its save tar is piped into "docker load"')
def step_piped_load(context):
    state = context.state
    state.ran, state.loaded_ids = cli_commands.load_from_stdin(state.cli, state.resources,
                                                        state.save_tar)


@when('the export tar is piped into "docker import -"')
def step_piped_import(context):
    state = context.state
    state.ran, state.imported = cli_commands.import_tar(
        state.cli, state.resources, state.export_tar, from_stdin=True)


@then("a container of the imported image runs the image's command")
def step_imported_runs(context):
    state = context.state
    state.ledger.record("run", pairs.check_runs(images.run(
        state.resources, state.imported, images.command_of(state.image.look()))),
        under="import_of_an_export")


@then("the imported image holds the container's writes as the container reads them")
def step_imported_holds_writes(context):
    state = context.state
    seen = transfer.writes_seen(state.container.look(), state.export_tar)
    fresh = containers.fresh_export(state.resources, state.imported, state.scratch())
    state.ledger.record("writes", pairs.check_image_holds_writes(
        seen, transfer.export_view(fresh, transfer.files_of(seen))))


@then("the engine has the image again, under the same id")
def step_image_back(context):
    state = context.state
    state.ledger.record("load", pairs.check_image_back(state.saved_record, state.loaded))


@then("a container of the loaded image runs the image's command")
def step_loaded_runs(context):
    state = context.state
    loaded = transfer.loaded_image(state.session.client, state.loaded, state.saved_record.id)
    state.ledger.record("run", pairs.check_runs(images.run(
        state.resources, loaded, images.command_of(state.image.look()))), under="loaded_back")


@then("the engine refuses to load it, saying why, and makes no image")
def step_load_refused(context):
    state = context.state
    state.ledger.record("load", pairs.check_load_failed(state.loaded))


@then("the imported image's files are the save tar's members, none of the image's")
def step_imported_archive_files(context):
    state = context.state
    image_layers = transfer.image_layers(subjects.save_tar(state.session, state.image.look()))
    state.ledger.record("files", pairs.check_holds_archive_files(
        transfer.image_files(state.session.client, state.imported, state.scratch()),
        transfer.tar_members(state.save_tar), set(image_layers.view)))


@then("a container of the imported image cannot run the image's command")
def step_imported_cannot_run(context):
    state = context.state
    state.ledger.record("run", pairs.check_cannot_run(images.run(
        state.resources, state.imported, images.command_of(state.image.look()))))


@then("the engine refuses it, saying why")
def step_refused(context):
    state = context.state
    state.ledger.record("answer", pairs.check_refused(state.answer))


@then('it prints "{sentence}"')
def step_prints(context, sentence):
    state = context.state
    state.ledger.record("printed", pairs.check_prints(state.ran, sentence))


@then("the engine has the image again, as docker load says")
def step_loaded_from_stdin(context):
    state = context.state
    state.ledger.record("docker load", pairs.check_load_read_stdin(
        state.ran, state.saved_record.id, state.loaded_ids))


@then("the image it prints is made of exactly the tar it read")
def step_imported_from_stdin(context):
    state = context.state
    state.ledger.record("docker import -", pairs.check_import_read_stdin(
        state.ran, images.record(state.imported) if state.imported else None,
        images.file_digest(state.export_tar)))

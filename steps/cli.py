"""Steps for C10 (and C12's import of a file): the docker CLI's own words and stdin use."""

import shlex

from behave import given, then, when

from docker_claims.claims import pairs
from docker_claims.engine import containers, docker_cli, images, transfer


def _cli(context, *, on_engine: bool) -> None:
    """The CLI, or the scenario skipped, saying why: no CLI, or (on_engine) a CLI that does
    not reach the suite's engine."""
    try:
        if on_engine:
            cli = docker_cli.cli_for_engine(context.session.client)
        else:
            cli = docker_cli.cli_unchecked()
    except (docker_cli.CliUnavailable, docker_cli.CliElsewhere) as reason:
        context.scenario.skip(str(reason))
        return
    context.cli = cli
    context.ledger.record("docker CLI", cli.path)


@given("the docker CLI")
def step_cli(context):
    _cli(context, on_engine=False)


@given("the docker CLI, talking to the suite's engine")
def step_cli_on_engine(context):
    _cli(context, on_engine=True)


@given("an image of the scenario's own on top of it, tagged, saved and then removed")
def step_own_saved_removed(context):
    image = containers.own_image(context.resources, context.image)
    context.saved_record = context.ledger.record("the image", images.record(image))
    context.save_tar = transfer.save(context.session.client, image,
                                     context.session.scratch_dir(context.add_cleanup))
    images.remove(context.resources, image)


@when('"docker {args}" is run')
def step_run(context, args):
    context.ran = context.cli.run(*shlex.split(args))


@when('its save tar is piped into "docker load"')
def step_piped_load(context):
    context.ran, context.loaded_ids = pairs.load_from_stdin(context.cli, context.resources,
                                                               context.save_tar)


@when('the export tar is piped into "docker import -"')
def step_piped_import(context):
    context.ran, context.imported = pairs.import_tar(context.cli, context.resources,
                                                        context.export_tar, from_stdin=True)


@when('the export tar file is given to "docker import"')
def step_file_import(context):
    context.ran, context.imported = pairs.import_tar(context.cli, context.resources,
                                                        context.export_tar, from_stdin=False)
    context.ledger.record("docker import", pairs.check_import_made_image(context.ran,
                                                                          context.imported))


@then('it prints "{sentence}"')
def step_prints(context, sentence):
    context.ledger.record("printed", pairs.check_prints(context.ran, sentence))


@then("the engine has the image again, as docker load says")
def step_loaded_from_stdin(context):
    context.ledger.record("docker load", pairs.check_load_read_stdin(
        context.ran, context.saved_record.id, context.loaded_ids))


@then("the image it prints is made of exactly the tar it read")
def step_imported_from_stdin(context):
    context.ledger.record("docker import -", pairs.check_import_read_stdin(
        context.ran, context.imported, images.file_digest(context.export_tar)))

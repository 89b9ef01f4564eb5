"""Steps for C14-C15: the article's transcripts, replayed through the docker CLI."""

from behave import given, then, when

from docker_claims.claims import namespaces, transcripts
from docker_claims.engine import docker_cli, fixtures, nodes

TOUCHED = "/1.txt"


def _skipped(context, error: Exception) -> None:
    context.scenario.skip(str(error))


def _cli(context):
    """The CLI against the suite's engine, or None when the scenario was skipped for want of
    one."""
    try:
        return docker_cli.cli_for_engine(context.session.client)
    except docker_cli.CliUnavailable as error:
        _skipped(context, error)
        return None


@given("a second engine, another node")
def step_second_engine(context):
    try:
        context.node = context.session.second_node()
        context.node_cli = docker_cli.cli_for_node(context.node.url, context.node.client)
    except (nodes.NodeUnavailable, docker_cli.CliUnavailable) as error:
        _skipped(context, error)
        return
    context.node_resources = context.node.resources(context.session.run, context.add_cleanup)
    context.ledger.record("second engine", context.node.describe())


@given('the article\'s "docker create -ti busybox sh" is replayed')
@when('the article\'s "docker create -ti busybox sh" is replayed')
def step_create(context):
    context.cli = _cli(context)
    if context.cli is None:
        return
    context.cli_container = transcripts.create(context.cli, context.resources,
                                               context.image.tags[0])
    context.subject = context.resources.client.containers.get(context.cli_container.name)
    context.ledger.record("docker create", context.cli_container.made.evidence())


@when('the article\'s "docker ps -a" is replayed')
def step_ps(context):
    ran, context.cli_listing = transcripts.ps_all(context.cli)
    context.ledger.record("docker ps -a", ran.evidence())


@when('the article\'s "docker start" is replayed')
def step_start(context):
    ran = transcripts.start(context.cli, context.cli_container)
    context.ledger.record("docker start", transcripts.check_start_output(
        ran, context.cli_container))


@then("the output is the new container's id, in full: 64 hex digits")
def step_create_output(context):
    context.ledger.record("create output", transcripts.check_create_output(
        context.cli_container.made, context.subject.id))


@then('the listing has the article\'s columns and shows the container "{wanted}"')
def step_listed(context, wanted):
    context.ledger.record("ps -a row", transcripts.check_listed(
        context.cli_listing, context.cli_container, wanted, context.subject.id))


@then("the engine's netns listing gained the container's own entry")
def step_netns_gained(context):
    before = context.netns_before
    after = namespaces.list_netns(context.session.host_reader())
    context.ledger.record("netns entry", transcripts.check_netns_gained(
        before, namespaces.sandbox(context.subject)["SandboxKey"], after))


@given('a container of the busybox fixture image that ran "touch /1.txt"')
def step_touched(context):
    context.cli = _cli(context)
    if context.cli is None:
        return
    image = context.session.fixtures.image(fixtures.BASE)
    context.cli_container = transcripts.run_touch(context.cli, context.resources, image.tags[0],
                                                  TOUCHED)
    context.ledger.record("docker run", context.cli_container.made.evidence())


@when("its export is imported on the second engine")
def step_export_imported(context):
    scratch = context.session.scratch_dir(context.add_cleanup)
    tarball = transcripts.export_to_disk(context.resources, context.cli_container, scratch)
    context.imported = transcripts.import_file(context.node_cli, context.node_resources, tarball)
    context.imported_image = context.node.client.images.get(context.imported.name)
    context.ledger.record("docker import on the second engine",
                          context.imported.made.evidence())


@then("the CLI printed the imported image's id: sha256 and 64 hex digits")
def step_import_output(context):
    context.ledger.record("import output", transcripts.check_import_output(
        context.imported.made, context.imported_image.id))


@then('the imported image holds "{path}"')
def step_holds(context, path):
    context.ledger.record("file in the import", transcripts.check_holds_file(
        transcripts.file_in_image(context.node_resources, context.imported_image.id, path),
        path))


@then("its history there has the article's columns and a single row, the image itself")
def step_history_shape(context):
    ran, context.cli_history = transcripts.history(context.node_cli, context.imported.name)
    context.ledger.record("docker history", ran.evidence())
    context.ledger.record("history shape", transcripts.check_history_shape(
        context.cli_history, context.imported_image.id))


@then('that row names no build step, says "Imported from -" and shows the image\'s size')
def step_import_row(context):
    context.imported_image.reload()
    context.ledger.record("history row", transcripts.check_import_row(
        context.cli_history, context.imported_image.attrs["Size"]))


@when("the image is saved on the first engine and loaded on the second")
def step_saved_loaded(context):
    scratch = context.session.scratch_dir(context.add_cleanup)
    context.moved = transcripts.save_and_load(context.session.client, context.node_resources,
                                              context.image, scratch)
    context.ledger.record("save, then load on the second engine", context.moved.evidence())


@then("the second engine has the image under the same id")
def step_same_id(context):
    context.ledger.record("image id", transcripts.check_loaded_same_id(
        context.moved.saved_id, transcripts.image_id_of(context.node.client, context.moved.name),
        context.moved.present_before))


@then("its history there has every row of the first engine's history")
def step_history_kept(context):
    context.ledger.record("history", transcripts.check_history_kept(
        transcripts.history_rows(context.session.client, context.image.id),
        transcripts.history_rows(context.node.client, context.image.id)))

"""Steps of transcripts.feature (C14-C15): the article's sessions, quoted as docstrings and
replayed command by command through the docker CLI."""

from behave import given, register_type, then, when
from parse_type import TypeBuilder

from docker_claims.claims import transcripts
from docker_claims.engine import cli_commands, containers, docker_cli, host_namespaces, nodes
from docker_claims.runner.state import Subject

register_type(Makes=TypeBuilder.make_choice(["create", "run"]),
              StatusWord=TypeBuilder.make_choice(["Created", "Up", "Exited"]))
"""The article's commands that make a container, and the status words `docker ps -a` shows."""


def _quoted(state, command: str) -> str:
    """The command, once seen among the article's (the feature's text and its quote agree)."""
    if command not in state.transcript.commands():
        raise ValueError(f"{command!r} is not a command of the article's session: "
                         f"{state.transcript.commands()}")
    return command


@given("the article's session:")
def step_session(context):
    state = context.state
    state.transcript = transcripts.Transcript.parse(context.text)
    state.ledger.note(**state.transcript.facts())


@given("a second engine, another node")
def step_second_engine(context):
    state = context.state
    state.node = state.session.second_node()
    state.node_cli = docker_cli.cli_for_node(state.node.url, state.node.client)
    state.node_resources = state.node.resources(state.session.run, state.defer)
    state.ledger.record("second engine", state.node.describe())


@given('the article\'s "docker {verb:Makes} {args}" is replayed')
@when('the article\'s "docker {verb:Makes} {args}" is replayed')
def step_replay_container(context, verb, args):
    state = context.state
    command = _quoted(state, f"docker {verb} {args}")
    state.cli_container = cli_commands.replay_container(
        state.cli, state.resources, command, state.image.look().tags[0],
        replacing=transcripts.ARTICLE_IMAGE)
    state.container = Subject.of("the container the CLI made", state.resources.client.containers
                                 .get(state.cli_container.name), own=True)
    state.ledger.record(f"`{command}`", transcripts.replayed(state.transcript, command,
                                                              state.cli_container.made))


@when('the article\'s "docker ps -a" is replayed')
def step_replay_ps(context):
    state = context.state
    prefix = f"{state.session.run.prefix}-"
    ran, state.cli_listing = cli_commands.ps_all(state.cli, lambda name: name.startswith(prefix))
    state.ledger.record(f"`{_quoted(state, 'docker ps -a')}`", ran.evidence())


@when('the article\'s "docker start {name}" is replayed')
def step_replay_start(context, name):
    state = context.state
    command = _quoted(state, f"docker start {name}")
    state.ledger.record(f"`{command}`", transcripts.check_start_output(
        cli_commands.start(state.cli, state.cli_container), state.cli_container,
        state.transcript))


@then("the output is the new container's id, in full: 64 hex digits")
def step_create_output(context):
    state = context.state
    state.ledger.record("create output", transcripts.check_create_output(
        state.cli_container.made, state.container.look().id, state.transcript))


@then('the listing has the article\'s columns and shows the container "{wanted:StatusWord}"')
def step_listed(context, wanted):
    state = context.state
    state.ledger.record("ps -a row", transcripts.check_listed(
        state.cli_listing, state.cli_container, wanted, state.container.look().id,
        state.transcript))


def _across_the_start(state) -> tuple:
    """The netns listing before the start, the container's sandbox key, the listing now."""
    return (state.netns_before, host_namespaces.sandbox(state.container.look())["SandboxKey"],
            host_namespaces.list_netns(state.session.host_reader()))


@then("the engine's netns listing gained the container's own entry")
def step_netns_gained(context):
    state = context.state
    state.ledger.record("netns entry", transcripts.check_netns_gained(
        *_across_the_start(state), state.transcript))


@then("both listings hold the swarm's own entries exactly where the engine is a swarm node")
def step_swarm_entries(context):
    state = context.state
    state.ledger.record("the swarm's netns entries", transcripts.check_swarm_entries(
        *_across_the_start(state), state.transcript))


@when("its export is imported on the second engine")
def step_export_imported(context):
    state = context.state
    tarball = containers.export(state.container.look(), state.scratch())
    state.cli_import = cli_commands.import_file(state.node_cli, state.node_resources, tarball)
    state.imported_on_node = state.node.client.images.get(state.cli_import.name)
    state.ledger.note(**transcripts.replayed_otherwise(
        state.transcript, "docker export", "through the engine's API, to a file"))
    state.ledger.note(**transcripts.replayed_otherwise(
        state.transcript, "scp", "the file, given to docker import on the second engine"))
    state.ledger.record("docker import on the second engine", state.cli_import.made.evidence())


@then("the CLI printed the imported image's id: sha256 and 64 hex digits")
def step_import_output(context):
    state = context.state
    state.ledger.record("import output", transcripts.check_import_output(
        state.cli_import.made, state.imported_on_node.id, state.transcript))


@then('the imported image holds "{path}"')
def step_holds(context, path):
    state = context.state
    state.ledger.record("file in the import", transcripts.check_holds_file(
        containers.stat_in_image(state.node_resources, state.imported_on_node.id, path), path))


@then("its history there has the article's columns and a single row, the image itself")
def step_history_shape(context):
    state = context.state
    ran, state.cli_history = cli_commands.history(state.node_cli, state.cli_import.name)
    state.ledger.record("docker history", transcripts.replayed(state.transcript,
                                                               "docker history", ran))
    state.ledger.record("history shape", transcripts.check_history_shape(
        state.cli_history, state.imported_on_node.id, state.transcript))


@then('that row names no build step, says "Imported from -" and shows the image\'s size')
def step_import_row(context):
    state = context.state
    state.imported_on_node.reload()
    if state.cli_history is None:
        _, state.cli_history = cli_commands.history(state.node_cli, state.cli_import.name)
    state.ledger.record("history row", transcripts.check_import_row(
        state.cli_history, nodes.layer_size(state.node.client, state.imported_on_node.id),
        state.transcript))


@when("the image is saved on the first engine and loaded on the second")
def step_saved_loaded(context):
    state = context.state
    state.moved = nodes.save_and_load(state.session.client, state.node_resources,
                                      state.image.look(), state.scratch())
    state.ledger.record("save, then load on the second engine", state.moved.evidence())


@then("the second engine has the same image: its config and its layers")
def step_same_image(context):
    state = context.state
    state.ledger.record("image", transcripts.check_loaded_same_image(
        state.moved.saved, nodes.identity_of(state.node.client, state.moved.name,
                                             state.scratch()), state.moved.present_before))


@then("its history there has every row of the first engine's history")
def step_history_kept(context):
    state = context.state
    name = state.image.look().tags[0]  # its id on the second engine depends on its store
    state.ledger.record("history", transcripts.check_history_kept(
        state.session.client.api.history(name), state.node.client.api.history(name),
        same_layer_measure=transcripts.measure_layers_alike(state.session.fingerprint,
                                                            state.node.fingerprint)))


@then('"docker history" of its name there shows every row it shows on the first engine')
def step_cli_history_kept(context):
    state = context.state
    first, mine = cli_commands.history(state.cli, state.moved.name)
    second, theirs = cli_commands.history(state.node_cli, state.moved.name)
    state.ledger.record("`docker history` on the first engine", first.evidence())
    state.ledger.record("`docker history` on the second engine", second.evidence())
    state.ledger.record("history as the CLI shows it", transcripts.check_cli_history_kept(
        mine, theirs, state.transcript, same_layer_measure=transcripts.measure_layers_alike(
            state.session.fingerprint, state.node.fingerprint)))

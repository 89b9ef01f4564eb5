"""Every C14-C15 check, fed what the live engine and the docker CLI show when the transcript is
made false, fails.

Each test replays a transcript step through the CLI, but so that the article's words do not
hold for what is observed (the container is started before it is listed as "Created", the
netns is listed after the start, the import is given a message, an image's own history stands
in for an import's, a save tar is imported rather than loaded, the second node is the first
engine), and expects ClaimFailed, or NodeUnavailable, from the same library calls the steps use.
"""

import dataclasses
import os

import pytest

from docker_claims.claims import transcripts
from docker_claims.engine import (
    archives,
    cli_commands,
    containers,
    docker_cli,
    host_namespaces,
    images,
    nodes,
)
from docker_claims.engine.fixtures import BASE
from docker_claims.engine.records import SwarmSetting
from docker_claims.evidence import ClaimFailed
from tests.article import CREATE_START, EXPORT_IMPORT

CREATE = "docker create -ti busybox sh"
RUN_TOUCH = "docker run --name test_export busybox touch /1.txt"


@pytest.fixture
def base(session):
    return session.fixtures.image(BASE)


@pytest.fixture
def cli(session):
    try:
        return docker_cli.cli_for_engine(session.client)
    except docker_cli.CliUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture
def node(session):
    try:
        return session.second_node()
    except nodes.NodeUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture
def node_resources(node, session, request):
    return node.resources(session.run, request.addfinalizer)


def ours(resources):
    """The run's own containers, by name: what a `docker ps -a` of it may record."""
    return lambda name: name.startswith(f"{resources.run.prefix}-")


def engine_id(resources, made):
    return resources.client.containers.get(made.name).id


def replay(cli, resources, command, base):
    """The article's `command`, replayed with the busybox fixture `base` for its busybox."""
    return cli_commands.replay_container(cli, resources, command, base.tags[0],
                                         replacing=transcripts.ARTICLE_IMAGE)


def imported_export(cli, resources, scratch, base, *, touch=True, options=()):
    """A container of the busybox fixture (that touched /1.txt, or not), exported to disk and
    imported back through the CLI, on the first engine."""
    made = replay(cli, resources, RUN_TOUCH if touch else CREATE, base)
    tarball = containers.export(resources.client.containers.get(made.name), scratch)
    return cli_commands.import_file(cli, resources, tarball, options)


# C15

def test_c15_create_printing_another_containers_id_fails(cli, resources, base):
    first = replay(cli, resources, CREATE, base)
    second = replay(cli, resources, CREATE, base)
    transcripts.check_create_output(first.made, engine_id(resources, first), CREATE_START)
    with pytest.raises(ClaimFailed, match="another id than the engine"):
        transcripts.check_create_output(first.made, engine_id(resources, second), CREATE_START)


def test_c15_a_started_container_is_not_listed_as_created(cli, resources, base):
    made = replay(cli, resources, CREATE, base)
    cli_commands.start(cli, made)
    _, table = cli_commands.ps_all(cli, ours(resources))
    with pytest.raises(ClaimFailed, match=r"shows the container 'Up .*', not 'Created'"):
        transcripts.check_listed(table, made, "Created", engine_id(resources, made), CREATE_START)


def test_c15_a_container_never_started_is_not_listed_as_up(cli, resources, base):
    made = replay(cli, resources, CREATE, base)
    _, table = cli_commands.ps_all(cli, ours(resources))
    with pytest.raises(ClaimFailed, match="shows the container 'Created', not 'Up'"):
        transcripts.check_listed(table, made, "Up", engine_id(resources, made), CREATE_START)


def test_c15_start_of_another_container_prints_another_name(cli, resources, base):
    made = replay(cli, resources, CREATE, base)
    other = replay(cli, resources, CREATE, base)
    with pytest.raises(ClaimFailed, match="did not print the name it was given"):
        transcripts.check_start_output(cli_commands.start(cli, other), made, CREATE_START)


def test_c15_an_entry_listed_after_the_start_was_not_gained(session, cli, resources, base):
    made = replay(cli, resources, CREATE, base)
    cli_commands.start(cli, made)
    before = host_namespaces.list_netns(session.host_reader())
    after = host_namespaces.list_netns(session.host_reader())
    key = host_namespaces.sandbox(resources.client.containers.get(made.name))["SandboxKey"]
    with pytest.raises(ClaimFailed, match="already there before start"):
        transcripts.check_netns_gained(before, key, after, CREATE_START)


def test_c15_a_container_never_started_gains_no_entry(session, cli, resources, base):
    made = replay(cli, resources, CREATE, base)
    before = host_namespaces.list_netns(session.host_reader())
    after = host_namespaces.list_netns(session.host_reader())
    key = host_namespaces.sandbox(resources.client.containers.get(made.name))["SandboxKey"]
    with pytest.raises(ClaimFailed, match="no sandbox key"):
        transcripts.check_netns_gained(before, key, after, CREATE_START)


def test_c15_the_swarm_entries_expected_of_the_other_setting_are_not_listed(
        session, cli, resources, base):
    """The live listings, judged as if the engine's swarm setting were the other one: a swarm
    node that lists no ingress sandboxes, or an engine outside a swarm that lists them."""
    made = replay(cli, resources, CREATE, base)
    before = host_namespaces.list_netns(session.host_reader())
    cli_commands.start(cli, made)
    after = host_namespaces.list_netns(session.host_reader())
    key = host_namespaces.sandbox(resources.client.containers.get(made.name))["SandboxKey"]
    transcripts.check_swarm_entries(before, key, after, CREATE_START)
    if before.swarm.entries:
        flipped, match = SwarmSetting("inactive"), "shaped as a swarm's"
    else:
        flipped, match = SwarmSetting("active", "vg6yiuz1vwqe7d0c3bkd8hl3c"), "lacks its swarm's"
    with pytest.raises(ClaimFailed, match=match):
        transcripts.check_swarm_entries(dataclasses.replace(before, swarm=flipped), key,
                                        dataclasses.replace(after, swarm=flipped), CREATE_START)


# C14 (the checks; on the first engine where no second one is needed)

def test_c14_a_built_images_history_is_not_an_imports(cli, base):
    _, table = cli_commands.history(cli, base.tags[0])
    with pytest.raises(ClaimFailed, match="rows, not one"):
        transcripts.check_history_shape(table, base.id, EXPORT_IMPORT)
    with pytest.raises(ClaimFailed, match="does not show one row"):
        transcripts.check_import_row(table, base.attrs["Size"], EXPORT_IMPORT)


def test_c14_an_import_with_a_message_does_not_say_imported_from_dash(cli, resources, scratch,
                                                                      base):
    imported = imported_export(cli, resources, scratch, base,
                               options=("--message", "moved with scp"))
    _, table = cli_commands.history(cli, imported.name)
    size = nodes.layer_size(resources.client, imported.name)
    transcripts.check_history_shape(table, resources.client.images.get(imported.name).id,
                                    EXPORT_IMPORT)
    with pytest.raises(ClaimFailed, match="does not say 'Imported from -'"):
        transcripts.check_import_row(table, size, EXPORT_IMPORT)


def test_c14_another_images_size_is_not_the_imports(cli, resources, scratch, base):
    imported = imported_export(cli, resources, scratch, base)
    _, table = cli_commands.history(cli, imported.name)
    bigger = nodes.layer_size(resources.client, imported.name) + 10_000
    with pytest.raises(ClaimFailed, match="size the engine reports"):
        transcripts.check_import_row(table, bigger, EXPORT_IMPORT)


def test_c14_import_output_is_not_another_images_id(cli, resources, scratch, base):
    imported = imported_export(cli, resources, scratch, base)
    with pytest.raises(ClaimFailed, match="another id than the engine"):
        transcripts.check_import_output(imported.made, base.id, EXPORT_IMPORT)


def test_c14_the_export_of_a_container_that_touched_nothing_lacks_the_file(cli, resources,
                                                                          scratch, base):
    imported = imported_export(cli, resources, scratch, base, touch=False)
    with pytest.raises(ClaimFailed, match="does not hold /1.txt"):
        transcripts.check_holds_file(
            containers.stat_in_image(resources, imported.name, "/1.txt"), "/1.txt")


def test_c14_the_first_engine_is_not_another_node(session, monkeypatch):
    if os.environ.get("DOCKER_CONTEXT"):
        pytest.skip("the first engine is named by a docker context, not by an address")
    first = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    with pytest.raises(nodes.NodeUnavailable, match="is the suite's own engine"):
        nodes.connect(first, primary=session.client)


# C14 on the second engine

def test_c14_a_save_tar_imported_on_the_other_node_keeps_neither_id_nor_history(
        session, cli, scratch, base, node, node_resources):
    node_cli = docker_cli.cli_for_node(node.url, node.client)
    tarball = archives.spool(session.client.images.get(base.id).save(named=True), scratch)
    imported = cli_commands.import_file(node_cli, node_resources, tarball)
    saved = nodes.identity_in(tarball, base.id)
    with pytest.raises(ClaimFailed, match="another config"):
        transcripts.check_loaded_same_image(
            saved, nodes.identity_of(node.client, imported.name, scratch), False)
    with pytest.raises(ClaimFailed, match="history has 1 rows"):
        transcripts.check_history_kept(images.history(session.client, base.tags[0]),
                                       images.history(node.client, imported.name))
    _, on_first = cli_commands.history(cli, base.tags[0])
    _, on_second = cli_commands.history(node_cli, imported.name)
    with pytest.raises(ClaimFailed, match="on the second engine shows 1 rows"):
        transcripts.check_cli_history_kept(on_first, on_second, EXPORT_IMPORT)


def test_c14_a_load_of_an_image_already_there_shows_nothing(session, scratch, base,
                                                            node_resources):
    nodes.save_and_load(session.client, node_resources, base, scratch)
    again = nodes.save_and_load(session.client, node_resources, base, scratch)
    with pytest.raises(ClaimFailed, match="before the load"):
        transcripts.check_loaded_same_image(
            again.saved, nodes.identity_of(node_resources.client, again.name, scratch),
            again.present_before)


def test_c14_the_cli_for_the_other_node_is_checked_to_reach_it(session, node):
    with pytest.raises(docker_cli.CliElsewhere, match="does not reach"):
        docker_cli.cli_for_node(node.url, session.client)

"""A container's layer directories, named by GraphDriver.Data or by its root filesystem's
overlay mount (the containerd image store names none in GraphDriver.Data)."""

import pytest

from docker_claims.claims import container_layer
from docker_claims.engine import containers, mounts, storage
from docker_claims.engine.fixtures import LAYERED, WRITES


@pytest.fixture
def writer(session, resources):
    return containers.run_writes(resources, session.fixtures.image(LAYERED), WRITES)


def test_an_exited_writer_kept_its_root_mount_and_it_names_the_writable_layer(
        session, writer):
    """Read from the root mount alone, as on the containerd image store, the writable layer's
    directory holds exactly the container's changes."""
    mount = storage.root_mount_of(writer)
    if mount is None or not mount.is_overlay:
        pytest.skip(f"the root filesystem is not an overlay here ({mount and mount.fstype})")
    writer.reload()
    named = mounts.unavailable(writer.attrs) is None
    if named:  # where GraphDriver names it too, both name the same directory
        assert mounts.stack(writer.attrs).upper == mount.upper
    layers = mounts.layers_of({"State": {"Status": "exited"}}, mount)
    assert layers.source == "the root filesystem's overlay mount"
    upper = storage.list_layer_dir(session.host_reader(), layers.upper)
    container_layer.check_upper_is_the_diff(upper, containers.changes(writer), WRITES)


def test_a_running_containers_root_mount_is_read_from_its_own_mount_table(session, resources):
    running = containers.make_running(resources, session.fixtures.image(LAYERED))
    mount = storage.read_root_mount(running)
    assert mount is not None and mount.fstype
    containers.stop(running)
    assert storage.read_root_mount(running) is None  # only while it runs

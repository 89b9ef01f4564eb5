"""A container's layer directories, named by GraphDriver.Data or by its root filesystem's
overlay mount (the containerd image store names none in GraphDriver.Data), and, where neither
does, by what the engine keeps on its host: the snapshotter's metadata, the layer database
(vfs). Where two witnesses name them, they name the same directories."""

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
    container_layer.check_upper_is_the_diff(mounts.LayerDirs(layers, layers, upper),
                                            containers.changes(writer), WRITES)


def test_the_snapshotters_metadata_names_the_layers_a_running_containers_mount_stacks(
        session, resources):
    """On the containerd image store, two witnesses: the kernel's mount, and the metadata."""
    reader = session.host_reader()
    if not reader.snapshots_db:
        pytest.skip("no snapshotter's metadata on this engine host (not the containerd store)")
    running = containers.make_running(resources, session.fixtures.image(LAYERED))
    mount = storage.read_root_mount(running)
    named = mounts.snapshot_stack(storage.read_snapshots(reader), running.id, reader.storage)
    assert named.layer_dirs == mount.stack().layer_dirs


def test_the_layer_database_names_the_directory_a_vfs_containers_root_is_bound_from(
        session, resources):
    """On vfs, the container's root is a bind of its writable layer's directory: the mount
    table's root field names it, the layer database's mount-id too."""
    reader = session.host_reader()
    if not reader.layerdb:
        pytest.skip("no layer database bound here (the engine's root filesystem is an overlay)")
    running = containers.make_running(resources, session.fixtures.image(LAYERED))
    mount = storage.read_root_mount(running)
    named = storage.container_stack(reader, running)
    bound_from = mount.line.split()[3]
    assert named.full_copy and bound_from.endswith("/" + named.layer_id(named.upper))


def test_a_running_containers_root_mount_is_read_from_its_own_mount_table(session, resources):
    running = containers.make_running(resources, session.fixtures.image(LAYERED))
    mount = storage.read_root_mount(running)
    assert mount is not None and mount.fstype
    containers.stop(running)
    assert storage.read_root_mount(running) is None  # only while it runs

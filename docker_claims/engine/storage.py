"""The storage driver's own view of a container, read on the engine host: its writable layer,
its init layer, and the image's layers below them.

Which directories those are is parsed from what the engine says (engine.mounts): its API where
it names them, the container's root mount while it runs, and else what the engine keeps on its
host, the layer database (vfs) or the containerd snapshotter's metadata. What they hold is read
by the host reader, which sees them read-only: never from this machine's filesystem."""

from __future__ import annotations

from collections.abc import Callable

from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine.bolt import BoltError, Tree
from docker_claims.engine.bolt import read as read_bolt
from docker_claims.engine.host import HostReader
from docker_claims.engine.mounts import (
    LAYERDB_DIRS,
    ROOT_MOUNT_COMMAND,
    LayerDirs,
    LayersUnavailable,
    RootMount,
    Stack,
    chain_id,
    graph_driver,
    image_layers,
    layerdb_stack,
    layers_of,
    parse_layer_chain,
    parse_listing,
    root_mount,
    snapshot_stack,
)
from docker_claims.evidence import NotMeasured, require

LIST_SCRIPT = ('cd "$1" && find . -mindepth 1 -exec stat -c "%F|%t,%T|%n" {} \\; '
               '&& echo "#end"')
"""One line per entry: file type, device major,minor (hex), path; `#end` proves completion."""


def list_layer_dir(reader: HostReader, directory: str) -> dict[str, str]:
    """What one layer directory on the engine host holds, read by the host reader."""
    code, output = reader.run(LIST_SCRIPT, reader.seen_at(directory))
    require(code == 0, f"the helper could not list {directory}", exit_code=code, output=output)
    return parse_listing(output)


def read_root_mount(container: Container) -> RootMount | None:
    """A running container's root filesystem mount, from its own mount table (read by exec:
    no privilege needed); None when it does not run or the table cannot be read."""
    container.reload()
    if not (container.attrs.get("State") or {}).get("Running"):
        return None
    code, output = container.exec_run(ROOT_MOUNT_COMMAND)
    return root_mount(output.decode("utf-8", "replace")) if code == 0 else None


def logged_root_mount(container: Container) -> RootMount | None:
    """The root filesystem mount a container printed while it ran (containers.run_writes)."""
    return root_mount(container.logs(stdout=True, stderr=False).decode("utf-8", "replace"))


def root_mount_of(container: Container) -> RootMount | None:
    """A container's root filesystem mount: read now if it runs, else as it printed it while it
    ran (None for a container that never printed one, or never ran)."""
    return read_root_mount(container) or logged_root_mount(container)


LAYERDB_SCRIPT = r"""
db=$1; container=$2; chain=$3
if [ -n "$container" ]; then
  m=$db/mounts/$container
  [ -r "$m/mount-id" ] || { echo "error the layer database has no mount $container"; exit 3; }
  echo "mount-id $(cat "$m/mount-id")"
  echo "init-id $(cat "$m/init-id" 2>/dev/null)"
  chain=$(cat "$m/parent" 2>/dev/null)
fi
n=0
while [ -n "$chain" ]; do
  d=$db/${chain%%:*}/${chain#*:}
  [ -r "$d/cache-id" ] || { echo "error the layer database has no layer $chain"; exit 3; }
  echo "layer $chain $(cat "$d/cache-id")"
  chain=$(cat "$d/parent" 2>/dev/null)
  n=$((n+1)); [ $n -le 1000 ] || { echo "error the layer chain loops"; exit 3; }
done
echo "#end"
"""
"""The engine's layer database, walked by the host reader: a container's mount (its writable
and init layers' ids, its parent's chain id), or from an image's top chain id, each layer's
directory id (`cache-id`) and parent, down to the bottom layer (engine.mounts.LayerChain)."""


def read_layer_chain(reader: HostReader, *, container_id: str = "", chain: str = "") -> str:
    """The walk of the layer database from a container's mount, or from a chain id."""
    code, output = reader.run(LAYERDB_SCRIPT, reader.seen_at(reader.layerdb), container_id, chain)
    require(code == 0, "the helper could not read the engine's layer database",
            exit_code=code, output=output)
    return output


def read_snapshots(reader: HostReader) -> Tree:
    """The containerd snapshotter's metadata, read whole by the host reader. containerd may be
    writing it meanwhile: a reading that is no whole database is read again, once."""
    for attempt in (1, 2):
        try:
            return read_bolt(reader.read_bytes(reader.snapshots_db))
        except BoltError as error:
            if attempt == 2:
                raise NotMeasured(f"{reader.snapshots_db} could not be read as the "
                                  f"snapshotter's metadata: {error}") from None
    raise AssertionError("unreachable")


def container_stack(reader: HostReader, container: Container) -> Stack:
    """A container's layer directories: as GraphDriver.Data or its root mount names them
    (mounts.layers_of), else as the engine keeps them on its host: the layer database (vfs),
    the snapshotter's metadata (the containerd image store, a container that is not running).
    LayersUnavailable when none of them names them, saying what the engine hides."""
    container.reload()
    try:
        return layers_of(container.attrs, root_mount_of(container))
    except LayersUnavailable as hidden:
        driver = graph_driver(container.attrs).get("Name") or ""
        if driver in LAYERDB_DIRS and reader.layerdb and reader.storage:
            return layerdb_stack(driver, reader.storage,
                                 parse_layer_chain(read_layer_chain(
                                     reader, container_id=container.id)))
        if reader.snapshots_db and reader.storage:
            return snapshot_stack(read_snapshots(reader), container.id, reader.storage)
        raise LayersUnavailable(f"{hidden}; {not_on_the_host(reader, driver)}") from None


def not_on_the_host(reader: HostReader, driver: str) -> str:
    """What else would name the layer directories on the engine host, and why the host reader
    does not see it."""
    if driver in LAYERDB_DIRS:
        return ("and the engine's layer database (DockerRootDir/image/<driver>/layerdb), which "
                "names them for vfs, is not on the engine host for the host reader to bind")
    if reader.storage.rstrip("/").endswith("/snapshots"):
        return ("and the snapshotter's metadata.db, which names them, is not beside its "
                f"snapshots directory {reader.storage} on the engine host")
    return (f"and the suite knows no other record of the storage driver {driver!r} that "
            "names them: the engine's layer database names directories for vfs only "
            f"({', '.join(sorted(LAYERDB_DIRS))}), the snapshotter's metadata for an overlay "
            "snapshotter's")


def image_stack(reader: HostReader, image: Image,
                running_sibling: Callable[[], Container]) -> Stack:
    """An image's layer directories: from its GraphDriver.Data, else from the engine's layer
    database by its top layer's chain id (vfs), else as a running container of it (its
    `running_sibling`) stacks them below its init layer (the containerd image store)."""
    image.reload()
    try:
        return image_layers(image.attrs, None)
    except LayersUnavailable:
        driver = graph_driver(image.attrs).get("Name") or ""
        if driver in LAYERDB_DIRS and reader.layerdb and reader.storage:
            top = chain_id((image.attrs.get("RootFS") or {}).get("Layers") or [])
            return layerdb_stack(driver, reader.storage,
                                 parse_layer_chain(read_layer_chain(reader, chain=top)))
    try:
        return image_layers(image.attrs, root_mount_of(running_sibling()))
    except LayersUnavailable as missing:
        raise NotMeasured(str(missing)) from None


def read_layer_dirs(reader: HostReader, container: Container, image: Image,
                    running_sibling: Callable[[], Container]) -> LayerDirs:
    """The container's and its image's layer directories, and its writable layer's listing;
    where the driver copies layers whole (vfs), the listings of its init layer and of the
    image's top layer too, the baselines of a full copy. LayersUnavailable when nothing names
    directories of the container's own; the image's missing then is the suite's trouble."""
    stack = container_stack(reader, container)
    below = image_stack(reader, image, running_sibling)
    dirs = LayerDirs(stack, below, list_layer_dir(reader, stack.upper))
    if stack.full_copy:
        dirs.below = list_layer_dir(reader, stack.lowers[0])
        dirs.image_files = list_layer_dir(reader, below.upper)
    return dirs

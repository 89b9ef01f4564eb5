"""The storage driver's own view of a container, read on the engine host: its writable layer,
its init layer, and the image's layers below them.

Which directories those are is parsed from what the engine says (engine.mounts); what they
hold is read by the host reader, which sees the directory holding the layers read-only: never
from this machine's filesystem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine.host import HostReader
from docker_claims.engine.mounts import (
    ROOT_MOUNT_COMMAND,
    LayersUnavailable,
    RootMount,
    Stack,
    image_layers,
    layers_of,
    parse_listing,
    root_mount,
)
from docker_claims.evidence import expect

LIST_SCRIPT = ('cd "$1" && find . -mindepth 1 -exec stat -c "%F|%t,%T|%n" {} \\; '
               '&& echo "#end"')
"""One line per entry: file type, device major,minor (hex), path; `#end` proves completion."""


def list_layer_dir(reader: HostReader, directory: str) -> dict[str, str]:
    """What one layer directory on the engine host holds, read by the host reader."""
    code, output = reader.run(LIST_SCRIPT, reader.seen_at(directory))
    expect(code == 0, f"the helper could not list {directory}", exit_code=code, output=output)
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


@dataclass
class LayerDirs:
    """A container's layer directories on the engine host, as its storage driver names them,
    the image's below them, and what the writable layer's own directory holds."""

    container: Stack
    image: Stack
    upper: dict[str, str]


def read_layer_dirs(reader: HostReader, container: Container, image: Image,
                    running_sibling: Callable[[], Container]) -> LayerDirs:
    """The container's and its image's layer directories, and its writable layer's listing.
    LayersUnavailable when the engine names no directories of the container's own; the image's
    are asked of a running container of it (`running_sibling`) where the image names none
    (the containerd image store), and their absence then is the suite's trouble."""
    container.reload()
    image.reload()
    stack = layers_of(container.attrs, root_mount_of(container))
    try:
        below = image_layers(image.attrs, None)
    except LayersUnavailable:
        try:
            below = image_layers(image.attrs, root_mount_of(running_sibling()))
        except LayersUnavailable as missing:
            raise RuntimeError(f"could not be measured: {missing}") from None
    return LayerDirs(stack, below, list_layer_dir(reader, stack.upper))

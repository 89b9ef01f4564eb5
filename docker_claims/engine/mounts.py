"""Mount tables and layer directories, as the engine host's kernel and the storage driver
name them: parsed here, read elsewhere.

overlay2 names a container's directories in `inspect`'s GraphDriver.Data: UpperDir is the
writable layer's own directory, LowerDir the layers below it, top first (the engine's `-init`
layer, then the image's). The containerd image store names none there; its snapshotter mounts
a container's root filesystem as an overlay while the container runs, and that mount names
them the same way (`upperdir=`, `lowerdir=` in the mount table the container sees, which is the
engine host's kernel speaking). So a container's layers are named by GraphDriver.Data where the
driver names them, else by its root filesystem's overlay mount (`layers_of`); where neither can
be had (vfs copies layers whole and mounts no overlay; a container that never ran on the
containerd store has no mount), LayersUnavailable says why.

A leaf: nothing here reads a file or asks an engine (engine.storage and engine.host do, and
hand what they read to these parsers).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from docker_claims.evidence import expect

INIT_FILES = ("/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
"""Files the engine prepares for every container in its init layer (C04's nuance:
features/container_layer.feature)."""


KINDS = {"directory": "dir", "regular file": "file", "regular empty file": "file",
         "symbolic link": "symlink"}

ROOT_MOUNT_COMMAND = ["cat", "/proc/self/mountinfo"]
"""What a container runs to print its own mount table (its root filesystem's entry included)."""

_OCTAL = re.compile(r"\\([0-7]{3})")


class LayersUnavailable(LookupError):
    """The engine names no layer directories for this container or image: the message says
    which of the engine's and the container's facts keep them hidden."""


@dataclass(frozen=True)
class Stack:
    """A container's or an image's layer directories, as the storage driver names them."""

    driver: str
    upper: str
    lowers: tuple[str, ...]
    source: str = field(default="GraphDriver.Data", compare=False)
    """Where the directories were named: `inspect`'s GraphDriver.Data, or a root mount."""

    @property
    def layer_dirs(self) -> tuple[str, ...]:
        """Every layer's directory, top first."""
        return (self.upper, *self.lowers)


def graph_driver(attrs: dict) -> dict:
    return attrs.get("GraphDriver") or {}


def unavailable(attrs: dict) -> str | None:
    """Why GraphDriver.Data names no layer directories of this object, or None when it does
    (`layers_of` then looks at the root filesystem's mount)."""
    driver = graph_driver(attrs)
    if not (driver.get("Data") or {}).get("UpperDir"):
        return (f"the storage driver {driver.get('Name') or '(none named)'!r} shows no UpperDir "
                "in GraphDriver.Data")
    return None


def stack(attrs: dict) -> Stack:
    """The layer directories of an inspected container or image (see `unavailable` first)."""
    driver = graph_driver(attrs)
    data = driver.get("Data") or {}
    lowers = tuple(part for part in (data.get("LowerDir") or "").split(":") if part)
    return Stack(driver.get("Name", "?"), data["UpperDir"], lowers)


def parse_listing(output: str) -> dict[str, str]:
    """A layer directory's listing, as the host reader prints it (`%F|%t,%T|%n` per entry, then
    `#end`) -> absolute path -> dir, file, symlink, whiteout or other."""
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end", "the helper did not list the layer directory",
           output=output)
    entries = {}
    for line in lines[:-1]:
        kind, device, name = line.split("|", 2)
        if kind == "character special file":
            entries["/" + name[2:]] = "whiteout" if device == "0,0" else "other"
        else:
            entries["/" + name[2:]] = KINDS.get(kind, "other")
    return entries


def layer_id(directory: str) -> str:
    """overlay2's layer id of a layer directory (`.../overlay2/<id>/diff`)."""
    return posixpath.basename(posixpath.dirname(directory.rstrip("/")))


@dataclass(frozen=True)
class RootMount:
    """A container's root filesystem as the kernel mounted it: type and options."""

    fstype: str
    options: tuple[tuple[str, str], ...]
    line: str

    def option(self, key: str) -> list[str]:
        return [value for name, value in self.options if name == key]

    @property
    def upper(self) -> str:
        return next(iter(self.option("upperdir")), "")

    @property
    def lowers(self) -> tuple[str, ...]:
        """Top first; `lowerdir=a:b` and repeated `lowerdir+=` alike (data-only layers, after
        `::`, are none of the container's)."""
        found: list[str] = []
        for value in self.option("lowerdir"):
            found += value.split("::")[0].split(":")
        found += self.option("lowerdir+")
        return tuple(part for part in found if part)

    @property
    def is_overlay(self) -> bool:
        return self.fstype == "overlay" and bool(self.upper)

    def stack(self) -> Stack:
        return Stack("overlay", self.upper, self.lowers, "the root filesystem's overlay mount")


def root_mount(mountinfo: str) -> RootMount | None:
    """The root filesystem's entry of a mount table (/proc/<pid>/mountinfo): the last mounted
    at "/" (a later mount there hides an earlier one; vfs bind-mounts a directory there)."""
    found = None
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 5 or len(rest) < 3 or fields[4] != "/":
            continue
        options = []
        for option in rest[2].split(","):
            name, _, value = option.partition("=")
            options.append((name, _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), value)))
        found = RootMount(rest[0], tuple(options), line)
    return found








def layer_root(mount: RootMount | None) -> str | None:
    """The directory that holds every layer directory of the store (overlay2's
    `<root>/overlay2`, the snapshotter's `.../snapshots`): two levels above the upper dir."""
    if mount is None or not mount.is_overlay:
        return None
    return posixpath.dirname(posixpath.dirname(mount.upper.rstrip("/")))


def layers_of(attrs: dict, mount: RootMount | None) -> Stack:
    """A container's layer directories: from GraphDriver.Data where the storage driver names
    them, else from its root filesystem's overlay mount (read while it ran); else
    LayersUnavailable, naming the engine's and the container's facts."""
    if unavailable(attrs) is None:
        return stack(attrs)
    if mount is not None and mount.is_overlay:
        return mount.stack()
    driver = graph_driver(attrs).get("Name") or "(none named)"
    if mount is not None:
        raise LayersUnavailable(
            f"the container's root filesystem is {mount.fstype!r}, not an overlay with an "
            f"upper directory, and the storage driver {driver!r} names no directories in "
            "GraphDriver.Data: no directory of the container's own holds its writable "
            "layer (vfs copies every layer below into the container's own)")
    status = (attrs.get("State") or {}).get("Status") or "not running"
    raise LayersUnavailable(
        f"the storage driver {driver!r} names no directories in GraphDriver.Data (the "
        "containerd image store), and a container's root filesystem is mounted, naming its "
        f"layer directories, only while it runs: this container is {status} and its mount "
        "was not read while it ran")


def image_layers(image_attrs: dict, sibling: RootMount | None) -> Stack:
    """An image's layer directories: from its GraphDriver.Data, else as the layers every
    container of it gets below its own init layer, read from the root mount of a running
    container of the image (`sibling`); else LayersUnavailable."""
    if unavailable(image_attrs) is None:
        return stack(image_attrs)
    if sibling is not None and sibling.is_overlay and len(sibling.lowers) >= 2:
        lowers = sibling.lowers[1:]
        return Stack("overlay", lowers[0], lowers[1:],
                     "a running container of the image's root mount, below its init layer")
    raise LayersUnavailable("the image's layer directories are named neither by its "
                            "GraphDriver.Data nor by the root mount of a running container of it")


NSFS = "nsfs"
"""The filesystem type of a mounted namespace in the mount table."""


@dataclass(frozen=True)
class NetnsMount:
    """What the engine host's mount table says of one netns entry at one moment."""

    sandbox_key: str
    path: str
    mounted: tuple[str, ...]
    file_present: bool
    read_from: str

    @property
    def is_namespace(self) -> bool:
        return NSFS in self.mounted


def parse_mount(sandbox_key: str, output: str) -> NetnsMount:
    """The host reader's report on one sandbox key (engine.host_namespaces.MOUNT_SCRIPT)."""
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end", "the helper's mount table reading is incomplete",
           output=output)
    fields: dict[str, list[str]] = {}
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        fields.setdefault(word, []).append(rest.strip())
    return NetnsMount(sandbox_key, (fields.get("path") or [sandbox_key])[0],
                      tuple(fields.get("mount", ())), fields.get("file") == ["present"],
                      (fields.get("process") or ["?"])[0])

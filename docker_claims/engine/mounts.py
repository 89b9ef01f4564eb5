"""Mount tables and layer directories, as the engine host's kernel and the storage driver
name them: parsed here, read elsewhere.

overlay2 names a container's directories in `inspect`'s GraphDriver.Data: UpperDir is the
writable layer's own directory, LowerDir the layers below it, top first (the engine's `-init`
layer, then the image's). The containerd image store names none there; its snapshotter mounts
a container's root filesystem as an overlay while the container runs, and that mount names
them the same way (`upperdir=`, `lowerdir=` in the mount table the container sees, which is the
engine host's kernel speaking). So a container's layers are named by GraphDriver.Data where the
driver names them, else by its root filesystem's overlay mount (`layers_of`). Where neither
can be had, two more witnesses name them:

- vfs names no directories anywhere in the API and mounts no overlay, but the engine's layer
  database does: `<DockerRootDir>/image/vfs/layerdb/mounts/<container id>/` holds `mount-id`
  and `init-id`, the names of the writable and init layers' directories under
  `<DockerRootDir>/vfs/dir/`, and `parent`, the chain id of the image's top layer, whose
  `layerdb/sha256/<chain id>/cache-id` names its directory, and so on down (`layerdb_stack`).
  vfs keeps no layer below another: each layer's directory is a full copy of the one below
  with the layer's own changes (`Stack.full_copy`).
- on the containerd image store, a container that is not running has no mount, but its
  snapshots exist from create on: the snapshotter's metadata (`metadata.db`, beside its
  `snapshots/` directory) names the container's active snapshot (key `<namespace>/<n>/<container
  id>`), its number (the directory `snapshots/<number>/fs`) and its parents
  (`snapshot_stack`); `ctr snapshots mounts` reads the same.

A leaf: nothing here reads a file or asks an engine (engine.storage and engine.host do, and
hand what they read to these parsers).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field

from docker_claims.engine.bolt import Tree, uvarint
from docker_claims.evidence import expect, require

INIT_FILES = ("/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
"""Files the engine prepares for every container in its init layer (C04's nuance:
features/container_layer.feature)."""


KINDS = {"directory": "dir", "regular file": "file", "regular empty file": "file",
         "symbolic link": "symlink"}

ROOT_MOUNT_COMMAND = ["cat", "/proc/self/mountinfo"]
"""What a container runs to print its own mount table (its root filesystem's entry included)."""

_OCTAL = re.compile(r"\\([0-7]{3})")


FULL_COPY_DRIVERS = frozenset({"vfs"})
"""Storage drivers that keep no layer below another: each layer's directory is a full copy of
the layer below with its own changes, so that a container's writable layer's directory holds
the whole image besides the container's changes."""

LAYERDB_DIRS = {"vfs": "dir"}
"""Where a storage driver whose directories only the engine's layer database names keeps them:
`<DockerRootDir>/<driver>/<this>/<id>`."""

LAYERDB = "the engine's layer database (image/{driver}/layerdb)"
SNAPSHOTTER_METADATA = "the snapshotter's metadata (metadata.db)"


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
    """Where the directories were named: `inspect`'s GraphDriver.Data, a root mount, the
    engine's layer database or the snapshotter's metadata."""

    @property
    def layer_dirs(self) -> tuple[str, ...]:
        """Every layer's directory, top first."""
        return (self.upper, *self.lowers)

    @property
    def full_copy(self) -> bool:
        """Whether each layer's directory is a full copy of the one below plus its changes."""
        return self.driver in FULL_COPY_DRIVERS

    def layer_id(self, directory: str) -> str:
        """The storage driver's id of one of its layer directories: overlay2's `<id>/diff`,
        vfs's `dir/<id>`."""
        if self.driver in LAYERDB_DIRS:
            return posixpath.basename(directory.rstrip("/"))
        return layer_id(directory)


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
    require(bool(lines) and lines[-1] == "#end", "the helper did not list the layer directory",
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


def chain_id(diff_ids: list[str]) -> str:
    """The chain id of an image's top layer, which keys it in the engine's layer database: the
    first layer's diff id, then sha256 of "<chain id> <next diff id>" for each layer above."""
    expect(bool(diff_ids), "the image has no layers to look up", diff_ids=diff_ids)
    chain = diff_ids[0]
    for diff_id in diff_ids[1:]:
        chain = "sha256:" + hashlib.sha256(f"{chain} {diff_id}".encode()).hexdigest()
    return chain


@dataclass(frozen=True)
class LayerChain:
    """What the engine's layer database says (engine.storage.LAYERDB_SCRIPT): of a container,
    its writable and init layers' directory ids; then the layers below, top first, each its
    chain id and its directory id (`cache-id`)."""

    mount_id: str
    init_id: str
    layers: tuple[tuple[str, str], ...]


def parse_layer_chain(output: str) -> LayerChain:
    """The host reader's walk of the layer database: `mount-id ID`, `init-id ID`, then a
    `layer CHAIN-ID CACHE-ID` per layer, top first, then `#end`."""
    lines = output.splitlines()
    require(bool(lines) and lines[-1] == "#end", "the helper could not read the engine's layer "
            "database", output=output)
    found: dict[str, str] = {}
    layers = []
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        if word == "layer":
            chain, _, cache = rest.partition(" ")
            require(bool(chain) and bool(cache.strip()), "a layer of the engine's layer database "
                    "names no directory", line=line)
            layers.append((chain, cache.strip()))
        else:
            found[word] = rest.strip()
    return LayerChain(found.get("mount-id", ""), found.get("init-id", ""), tuple(layers))


def layerdb_stack(driver: str, storage_dir: str, chain: LayerChain) -> Stack:
    """The layer directories the engine's layer database names, under the storage driver's
    directory (`<DockerRootDir>/vfs`): a container's writable layer, its init layer and the
    image's layers when the chain is a container's, else the image's layers."""
    where = posixpath.join(storage_dir, LAYERDB_DIRS[driver])
    below = tuple(posixpath.join(where, cache) for _, cache in chain.layers)
    source = LAYERDB.format(driver=driver)
    if chain.mount_id:
        expect(bool(chain.init_id), "the engine's layer database names no init layer of the "
               "container", mount_id=chain.mount_id)
        return Stack(driver, posixpath.join(where, chain.mount_id),
                     (posixpath.join(where, chain.init_id), *below), source)
    expect(bool(below), "the engine's layer database names no layer of the image")
    return Stack(driver, below[0], below[1:], source)


MAX_SNAPSHOTS = 1000
"""More parents than any image has layers: a chain longer than this loops."""


def snapshot_stack(metadata: Tree, container_id: str, snapshots_dir: str) -> Stack:
    """A container's layer directories as the containerd snapshotter's metadata names them:
    its active snapshot (key `<namespace>/<n>/<container id>`), then each parent's, the
    snapshot numbered N being the directory `<snapshots_dir>/N/fs`."""
    snapshots = (metadata.get(b"v1") or {}).get(b"snapshots")
    if not isinstance(snapshots, dict):
        raise LayersUnavailable(f"{SNAPSHOTTER_METADATA} holds no snapshots bucket (v1/snapshots)")
    own = re.compile(rb"[^/]+/[0-9]+/" + re.escape(container_id.encode()))
    keys = [key for key in snapshots if own.fullmatch(key)]
    if len(keys) != 1:
        raise LayersUnavailable(
            f"{SNAPSHOTTER_METADATA} names {len(keys)} snapshots keyed by the container's id "
            f"(<namespace>/<n>/{container_id[:12]}...), not one")
    dirs: list[str] = []
    key: bytes | None = keys[0]
    while key:
        found = snapshots.get(key)
        if not isinstance(found, dict) or b"id" not in found or len(dirs) > MAX_SNAPSHOTS:
            raise LayersUnavailable(f"{SNAPSHOTTER_METADATA} does not name snapshot "
                                    f"{key.decode('utf-8', 'replace')}, a parent of the "
                                    "container's")
        dirs.append(posixpath.join(snapshots_dir, str(uvarint(found[b"id"])), "fs"))
        key = found.get(b"parent") if isinstance(found.get(b"parent"), bytes) else None
    return Stack("overlay", dirs[0], tuple(dirs[1:]), SNAPSHOTTER_METADATA)


def snapshots_metadata(snapshots_dir: str) -> str | None:
    """Where the containerd snapshotter whose snapshots lie in `snapshots_dir` keeps its
    metadata, `<snapshotter root>/metadata.db`; None when the directory is no snapshotter's."""
    if posixpath.basename(snapshots_dir.rstrip("/")) != "snapshots":
        return None
    return posixpath.join(posixpath.dirname(snapshots_dir.rstrip("/")), "metadata.db")


@dataclass
class LayerDirs:
    """A container's layer directories on the engine host, as its storage driver names them,
    the image's below them, and what the writable layer's own directory holds. Where the driver
    copies layers whole (vfs), also what the layer right below the writable one (its init
    layer) and the image's top layer hold: each a full copy, the baseline of the next."""

    container: Stack
    image: Stack
    upper: dict[str, str]
    below: dict[str, str] | None = None
    image_files: dict[str, str] | None = None

    def evidence(self) -> dict:
        """What the listing of the writable layer's directory shows in a report: in full
        where it holds the container's changes only; its size and what it holds beyond the
        layer below where it is a full copy (the image's files are no change of the
        container's)."""
        if self.below is None:
            return self.upper
        return {"entries": len(self.upper), "init_layer_entries": len(self.below),
                "image_entries": len(self.image_files or {}),
                "not_in_the_init_layer": {path: kind for path, kind in sorted(self.upper.items())
                                          if path not in self.below},
                "gone_from_the_init_layer": sorted(set(self.below) - set(self.upper))}


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
    require(bool(lines) and lines[-1] == "#end", "the helper's mount table reading is incomplete",
            output=output)
    fields: dict[str, list[str]] = {}
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        fields.setdefault(word, []).append(rest.strip())
    return NetnsMount(sandbox_key, (fields.get("path") or [sandbox_key])[0],
                      tuple(fields.get("mount", ())), fields.get("file") == ["present"],
                      (fields.get("process") or ["?"])[0])

"""What the engine answered, and what its archives hold, as plain data.

The modules of engine/ that talk to an engine or read a file return these; the checks of
claims/ take them as arguments. Nothing here does I/O (tests/unit/test_import_layers.py keeps
it so), so that a check decides from what was observed, never by reaching for more.
"""

from __future__ import annotations

import posixpath
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, Optional

MISSING = "<missing>"
"""What `history` shows in the IMAGE column for a row no local image stands for."""


NEVER_STARTED = "0001-01-01T00:00:00Z"
"""The engine's zero time: State.StartedAt of a container that was never started."""


@dataclass(frozen=True)
class Fingerprint:
    """What kind of engine the verdicts were measured on (heads every report)."""

    endpoint: str
    engine_version: str
    api_version: str
    os: str
    arch: str
    kernel: str
    operating_system: str
    storage_driver: str
    image_store: str
    cgroup_version: str
    cgroup_driver: str
    rootless: bool
    """The engine runs as an unprivileged user, in rootlesskit's user, mount and network
    namespaces: its "host" namespaces are rootlesskit's (`rootless` in SecurityOptions)."""
    native_diff: bool | None
    """Whether overlay2 reads a layer's changes from its own directory ("Native Overlay Diff":
    true) or compares each file's size and mtime with the layer below (false: rootless, some
    kernels), so that a rewrite of the same size and mtime is missed; None where the storage
    driver does not say (not overlay2)."""
    docker_root_dir: str
    swarm: str = "inactive"
    """`docker info`'s Swarm.LocalNodeState: "active" on a swarm node, as the article's hosts
    were (their netns listing shows the swarm's ingress sandboxes)."""
    userns_remap: bool = False
    """The engine remaps users (`--userns-remap`: `userns` in SecurityOptions): its containers
    get a user namespace of their own (C08)."""

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"Docker Engine {self.engine_version} (API {self.api_version}) at {self.endpoint}: "
            f"{self.os}/{self.arch}, {self.operating_system}, storage {self.storage_driver}, "
            f"image store {self.image_store}, cgroup v{self.cgroup_version} "
            f"({self.cgroup_driver}){', rootless' if self.rootless else ''}"
            f"{', naive diff (no native overlay diff)' if self.native_diff is False else ''}"
            f"{', a swarm node' if self.swarm == 'active' else ''}"
            f"{', users remapped (userns-remap)' if self.userns_remap else ''}"
        )


@dataclass
class ImageRecord:
    """What the engine says an image is: id, layer digests, tags, config, history rows (asked
    by its id, and by its name as a user asks: `docker history NAME`)."""

    id: str
    layers: list[str]
    tags: list[str]
    config: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)  # newest first, as the API
    name: str = ""
    history_by_name: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Ran:
    """A container of `image` run to its end with `command` (None: the image's own), or the
    engine's refusal to create or start it."""

    image: str
    command: Optional[list[str]]
    started: bool
    exit_code: Optional[int] = None
    output: str = ""
    error: str = ""
    status: Optional[int] = None  # the HTTP status of the engine's refusal

    @property
    def succeeded(self) -> bool:
        return self.started and self.exit_code == 0


@dataclass(frozen=True)
class Answer:
    """What the engine answered to one request: accepted, or refused with its status and error."""

    request: str
    accepted: bool
    status: Optional[int] = None
    error: str = ""


@dataclass(frozen=True)
class Loaded:
    """What `load` answered, the images it says it made, and what it printed."""

    answer: Answer
    references: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    images: tuple[str, ...] = ()  # ids of the images named; those the load made are adopted


@dataclass(frozen=True)
class Write:
    """One change of a container (`docker diff`), as the container and its export hold it."""

    path: str
    kind: str  # added, changed, deleted
    in_export: bool
    exported: Optional[bytes]  # content, for a regular file
    container: Optional[bytes]  # what `docker cp` reads from the container


class LayerEntry(NamedTuple):
    """One member of a layer or export tar, as the merged filesystem sees it.

    `whiteout` is "file" for a `.wh.<name>` marker (path is the deleted path), "opaque" for
    `.wh..wh..opq` (path is the directory whose lower contents are hidden), else None.
    """

    path: str
    kind: str  # file, dir, symlink, hardlink or other
    size: int
    linkname: str
    whiteout: str | None


class Node(NamedTuple):
    """What a tar holds under one member name, by content: a file's sha256 (a hard link's is
    its target's), a symlink's target; a whiteout marker is kind "whiteout" under its own name
    (`claims/.wh.deleted.txt`), as the layer tar holds it."""

    kind: str  # file, dir, symlink, whiteout or other
    digest: str = ""  # sha256:<hex> of a file's content
    linkname: str = ""


def member_name(path: str) -> str:
    """A caller's path in member form: '/etc/hosts' and './etc/hosts' are 'etc/hosts'."""
    return "/".join(part for part in path.split("/") if part not in ("", "."))


def ancestors(path: str) -> set[str]:
    """The directories `path` lies in, but the root: /a/b/c -> {/a, /a/b}."""
    parents, head = set(), posixpath.dirname(path)
    while head not in ("", "/"):
        parents.add(head)
        head = posixpath.dirname(head)
    return parents


@dataclass
class ImageLayers:
    """What an image's save tar says about its filesystem."""

    view: dict[str, LayerEntry]  # the merged view: path -> entry of the topmost layer
    hidden: set[str]  # paths some layer holds that an upper layer hides
    tree: dict[str, Node] = field(default_factory=dict)  # the merged view, by content


@dataclass(frozen=True)
class LayerContent:
    """One layer of a saved image, by content: the diff id the image config gives it, the
    sha256 of its tar as the archive holds it, and what it holds (Node by name)."""

    index: int
    diff_id: str
    computed: str  # or "unreadable: <why>"
    tree: dict[str, Node]


@dataclass
class SavedFacts:
    """What a save tar holds for one image: found by its id (config digest, or the manifest
    digest on the containerd image store)."""

    found: bool
    images: list[dict[str, Any]]  # every image the tar holds: ids and tags
    layout: str = ""
    tags: list[str] = field(default_factory=list)
    diff_ids: list[str] = field(default_factory=list)  # as the tar's image config lists them
    computed: list[str] = field(default_factory=list)  # sha256 of each layer tar, as held
    config: dict[str, Any] = field(default_factory=dict)  # the image config document


@dataclass(frozen=True)
class Identity:
    """What names an image's content on every image store: the digest of its config and its
    layers' diff IDs. The image's id is the config digest on a graphdriver store, but the
    manifest's digest on the containerd image store: two engines holding the same image may
    show different ids."""

    image_id: str
    config_digest: str
    diff_ids: tuple[str, ...]

    def evidence(self) -> dict[str, Any]:
        return {"image_id": self.image_id, "config_digest": self.config_digest,
                "diff_ids": list(self.diff_ids)}


INGRESS_SANDBOX = "ingress_sbox"
"""The netns entry of a swarm node's ingress sandbox (the routing mesh's), the engine's own."""

HOST_SANDBOX = "default"
"""The netns entry of the host's own network namespace, which the engine makes for the
containers on the host network."""


@dataclass(frozen=True)
class SwarmSetting:
    """Whether the engine is a swarm node, and its swarm's ingress network: what says which
    entries of its netns directory the swarm keeps (the article's `1-vg6yiuz1vw  ingress_sbox`)."""

    node_state: str = "inactive"
    """`docker info`'s Swarm.LocalNodeState: inactive, pending, active, error or locked."""
    ingress_id: str = ""
    """The id of the swarm's ingress network (the overlay network marked Ingress); "" if none."""

    @property
    def active(self) -> bool:
        return self.node_state == "active"

    @property
    def entries(self) -> frozenset[str]:
        """The netns entries a swarm node keeps for its ingress: the ingress sandbox, and the
        ingress network's own sandbox, `1-` and its id cut to a sandbox key's 12 characters;
        none outside a swarm or without an ingress network."""
        if not self.active or not self.ingress_id:
            return frozenset()
        return frozenset({INGRESS_SANDBOX, f"1-{self.ingress_id}"[:12]})

    def evidence(self) -> dict[str, Any]:
        return {"local_node_state": self.node_state, "ingress_network": self.ingress_id or None,
                "swarm_entries": sorted(self.entries)}


@dataclass(frozen=True)
class NetnsListing:
    """The engine's netns directory at one moment: its path, the names of its entries, and the
    engine's swarm setting read with it (which of them the swarm keeps)."""

    directory: str
    entries: frozenset[str]
    swarm: SwarmSetting = SwarmSetting()

    @property
    def engine_entries(self) -> frozenset[str]:
        """The entries that are the engine's own: the host's (`default`), the ingress sandbox
        and the ingress network's sandbox."""
        return self.entries & ({HOST_SANDBOX, INGRESS_SANDBOX} | self.swarm.entries)

    def evidence(self, *own: str) -> dict[str, Any]:
        """What a report may show of the listing: the run's own entries (`own`) and the
        engine's by name, the others as a count only: they are the sandboxes of other
        containers, whoever else uses the engine."""
        named = self.engine_entries | (self.entries & set(own))
        return {"directory": self.directory, "entries": sorted(named),
                "other_entries": len(self.entries - named)}


@dataclass
class LayerWitness:
    """Where the save tar says a path lives: per layer, its content or a whiteout."""

    path: str
    layers: list[dict]

    @property
    def holders(self) -> list[int]:
        return [entry["layer"] for entry in self.layers if entry["kind"] == "file"]

    @property
    def deleters(self) -> list[int]:
        return [entry["layer"] for entry in self.layers if entry["kind"] == "whiteout"]

    def content_at(self, layer: int) -> bytes:
        """The file's bytes in `layer` (KeyError when that layer holds no regular file there)."""
        for entry in self.layers:
            if entry["layer"] == layer and entry["kind"] == "file":
                return entry["content"]
        raise KeyError(f"layer {layer} holds no regular file at {self.path}")

    def visible_layer(self) -> int | None:
        """The topmost layer that decides the path: its version, or None when deleted."""
        top = max(self.layers, key=lambda e: e["layer"], default=None)
        return top["layer"] if top and top["kind"] != "whiteout" else None

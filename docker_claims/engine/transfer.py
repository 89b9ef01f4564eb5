"""The two ways out of an engine and back in: export/import and save/load.

`export` writes a container's filesystem to a tar and `import` makes an image of such a tar;
`save` writes an image (every layer, its config, its tags) and `load` recreates it. Every
archive is streamed to disk (archives.spool) and read back in bounded memory; a request the
engine refuses is kept as an Answer (its status and error are the evidence), never swallowed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import docker
from docker.errors import APIError, NotFound
from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine import archives
from docker_claims.engine.archives import ArchiveError
from docker_claims.engine.containers import changes, copy_out
from docker_claims.engine.images import name_of, record, remove
from docker_claims.engine.records import (
    Answer,
    ImageLayers,
    ImageRecord,
    LayerContent,
    LayerEntry,
    LayerWitness,
    Loaded,
    Node,
    SavedFacts,
    Write,
    member_name,
)
from docker_claims.engine.scope import Resources
from docker_claims.evidence import expect

LOADED = re.compile(r"Loaded image(?: ID)?: (\S+)")
"""How `load` names each image it made, by tag or (untagged) by id."""


def _refusal(request: str, error: APIError) -> Answer:
    return Answer(request, False, error.status_code, str(error.explanation or error))


def save(client: docker.DockerClient, image: Image, directory: Path) -> Path:
    """`docker save` of the image, by its first tag when it has one (so the tar names it)."""
    return archives.spool(client.api.get_image(name_of(image)), directory)


def try_export(client: docker.DockerClient, reference: str,
               directory: Path) -> tuple[Answer, Optional[Path]]:
    """`docker export <reference>`, whatever the reference names: the answer and the tar."""
    return _spooled(f"export {reference}", lambda: client.api.export(reference), directory)


def try_save(client: docker.DockerClient, reference: str,
             directory: Path) -> tuple[Answer, Optional[Path]]:
    """`docker save <reference>`, whatever the reference names: the answer and the tar."""
    return _spooled(f"save {reference}", lambda: client.api.get_image(reference), directory)


def _spooled(request: str, stream: Callable[[], Any],
             directory: Path) -> tuple[Answer, Optional[Path]]:
    """The engine's answer to `request` and, when it accepted, what it streamed, on disk."""
    try:
        return Answer(request, True), archives.spool(stream(), directory)
    except APIError as error:
        return _refusal(request, error), None


def already_there(client: docker.DockerClient, tar: Path) -> set[str]:
    """Ids of the images a save tar holds that the engine has already (none for a tar that is
    not a save tar): a load must not adopt those, they are not its to remove."""
    try:
        with archives.open_save(tar) as archive:
            held = {i.config_digest for i in archive.images} | {
                i.manifest_digest for i in archive.images if i.manifest_digest}
    except ArchiveError:
        return set()
    present = set()
    for image_id in held:
        try:
            present.add(client.images.get(image_id).id)
        except NotFound:
            continue
    return present


def adopt_loaded(resources: Resources, references: list[str], existed: set[str]
                 ) -> tuple[str, ...]:
    """The ids of the images a load named; those it made (not there before) are adopted by the
    run at once (they carry the labels their config had, so they must be this run's)."""
    ids = []
    for reference in references:
        image = resources.client.images.get(reference)
        if image.id not in existed:
            resources.image(image)
        ids.append(image.id)
    return tuple(ids)


def load(resources: Resources, tar: Path) -> Loaded:
    """`docker load` of a tar file, streamed from disk; the images it makes are adopted."""
    request = f"load {tar.name}"
    existed = already_there(resources.client, tar)
    messages, errors = [], []
    try:
        with open(tar, "rb") as stream:
            for chunk in resources.client.api.load_image(stream):
                if not isinstance(chunk, dict):
                    messages.append(str(chunk))
                    continue
                error = chunk.get("error") or (chunk.get("errorDetail") or {}).get("message")
                if error:
                    errors.append(str(error))
                elif chunk.get("stream"):
                    messages.append(chunk["stream"].strip())
    except APIError as error:
        return Loaded(_refusal(request, error))
    references = [m.group(1) for line in messages for m in [LOADED.search(line)] if m]
    answer = Answer(request, not errors, None, "\n".join(errors))
    return Loaded(answer, tuple(references), tuple(messages),
                  adopt_loaded(resources, references, existed))


def import_tar(resources: Resources, tar: Path, changes: tuple[str, ...] = ()) -> Image:
    """`docker import` of a tar file, streamed from disk; the run label is added as a change."""
    image = resources.import_image(tar, changes)
    image.reload()
    return image


@dataclass(frozen=True)
class RoundTrip:
    """An image saved, removed and loaded back: what it was, its save tar, what load did."""

    saved: ImageRecord
    save_tar: Path
    loaded: Loaded


def round_trip(resources: Resources, image: Image, saved_tar: Path) -> RoundTrip:
    """The image, saved to `saved_tar` already, removed and loaded back from that tar."""
    saved = record(image)
    remove(resources, image)
    return RoundTrip(saved, saved_tar, load(resources, saved_tar))


def loaded_image(client: docker.DockerClient, loaded: Loaded, saved_id: str) -> Image:
    """The image `load` made: the one with the saved id when there is one, else the first."""
    expect(bool(loaded.images), "the load made no image", printed=loaded.messages,
           **vars(loaded.answer))
    return client.images.get(saved_id if saved_id in loaded.images else loaded.images[0])


def exported_entries(tar: Path) -> dict[str, LayerEntry]:
    """Every member of an export tar (whiteouts too, which an export must not have)."""
    with archives.open_export(tar) as archive:
        return {entry.path: entry for entry in archive.entries()}


def exported_content(tar: Path, path: str) -> Optional[bytes]:
    """The content of one file of an export tar, or None when the export lacks it."""
    with archives.open_export(tar) as archive:
        return _read_or_none(archive, path)


def export_view(tar: Path, paths: list[str]) -> dict[str, Optional[str]]:
    """What an export tar holds at each path, as text (None: it lacks the path)."""
    with archives.open_export(tar) as archive:
        return {path: None if (content := _read_or_none(archive, path)) is None
                else content.decode("utf-8", "replace") for path in paths}


def _read_or_none(archive: archives.ExportArchive, path: str) -> Optional[bytes]:
    try:
        return archive.read(path)
    except KeyError:
        return None


def exported_tree(tar: Path) -> dict[str, Node]:
    """Every member of an export tar, by content (Node)."""
    with archives.open_export(tar) as archive:
        return archive.tree()


def tar_members(tar: Path) -> set[str]:
    """The member names of any tar, read flat (a save tar as `import` sees it)."""
    with archives.open_export(tar) as archive:
        return archive.paths()


def image_layers(saved: Path) -> ImageLayers:
    with archives.open_save(saved) as archive:
        layers = archive.images[0].layers
        merged = archives.merged_view(layers)
        trees = [layer.tree() for layer in layers]
        held = {entry.path for layer in layers for entry in layer.entries()
                if entry.whiteout is None}
    view = {path: entry for path, (_, entry) in merged.items()}
    tree = {path: trees[position][path] for path, (position, _) in merged.items()}
    return ImageLayers(view, held - set(view), tree)


def layer_member(saved: Path, index: int, name: str) -> Optional[tuple[str, int]]:
    """The kind and size of the member `name` of the image's layer `index` (bottom is 0) in a
    save tar, read by its raw name (a whiteout marker as the layer holds it); None if absent."""
    with archives.open_save(saved) as archive:
        return archive.images[0].layers[index].held(name)


def saved_layers(saved: Path, image_id: str) -> Optional[list[LayerContent]]:
    """The layers, bottom to top, of the image `image_id` in a save tar (either layout; found
    by its config or manifest digest), each hashed and read whole; None when the tar holds no
    such image."""
    with archives.open_save(saved) as archive:
        match = [i for i in archive.images if image_id in (i.config_digest, i.manifest_digest)]
        if not match:
            return None
        found = []
        for layer in match[0].layers:
            try:
                computed, tree = layer.hash_as_held(), layer.tree()
            except ArchiveError as error:
                computed, tree = f"unreadable: {error}", {}
            found.append(LayerContent(layer.index, layer.diff_id, computed, tree))
        return found


def read_save(saved: Path, image_id: str) -> SavedFacts:
    """Find the image in the save tar (either layout) and hash every layer it holds."""
    with archives.open_save(saved) as archive:
        images = [{"config_digest": i.config_digest, "manifest_digest": i.manifest_digest,
                   "tags": i.repo_tags} for i in archive.images]
        match = [i for i in archive.images if image_id in (i.config_digest, i.manifest_digest)]
        if not match:
            return SavedFacts(False, images, archive.layout)
        image = match[0]
        computed = []
        for layer in image.layers:
            try:
                computed.append(layer.compute_diff_id())
            except ArchiveError as error:
                computed.append(f"unreadable: {error}")
        return SavedFacts(True, images, archive.layout, list(image.repo_tags),
                          [layer.diff_id for layer in image.layers], computed, image.config)


def image_files(client: docker.DockerClient, image: Image, directory: Path) -> set[str]:
    """Every path of the image's filesystem, from its own save tar."""
    return set(image_layers(save(client, image, directory)).view)


def writes_seen(container: Container, tar: Path) -> list[Write]:
    """Each change `docker diff` lists, with what the export and the container hold there."""
    exported = exported_entries(tar)
    seen = []
    for path, kind in sorted(changes(container).items()):
        entry = exported.get(member_name(path))
        is_file = entry is not None and entry.kind in ("file", "hardlink")
        seen.append(Write(path, kind, entry is not None,
                          exported_content(tar, path) if is_file else None,
                          copy_out(container, path) if is_file else None))
    return seen


def files_of(seen: list[Write]) -> list[str]:
    """The changed paths that are files (written) or gone (deleted): directories aside."""
    return [w.path for w in seen if w.kind == "deleted" or w.container is not None]


def layer_witness(saved: Path, path: str) -> LayerWitness:
    """Read every layer of the saved image for `path`: which hold it, which delete it."""
    wanted = path.lstrip("/")
    found = []
    with archives.open_save(saved) as archive:
        image = archive.images[0]
        for layer in image.layers:
            for entry in layer.entries():
                if entry.path != wanted and not (
                        entry.whiteout == "opaque" and _is_below(wanted, entry.path)):
                    continue
                if entry.whiteout:
                    found.append({"layer": layer.index, "kind": "whiteout", "entry": entry.path,
                                  "marker": _whiteout_name(entry)})
                elif entry.kind in ("file", "hardlink"):
                    found.append({"layer": layer.index, "kind": "file",
                                  "content": layer.read(entry.path)})
                else:  # a directory or symlink in this layer decides the lookup too
                    found.append({"layer": layer.index, "kind": entry.kind,
                                  "linkname": entry.linkname})
    return LayerWitness(path, found)


def _is_below(path: str, directory: str) -> bool:
    return directory == "" or path.startswith(directory + "/")


def _whiteout_name(entry) -> str:
    if entry.whiteout == "opaque":
        return posixpath.join(entry.path, ".wh..wh..opq")
    head, tail = posixpath.split(entry.path)
    return posixpath.join(head, ".wh." + tail)


def exported_file(tar: Path, path: str) -> dict:
    """Whether the export holds `path`, its content, and how many paths it holds."""
    with archives.open_export(tar) as archive:
        paths = archive.paths()
        wanted = path.lstrip("/")
        content = archive.read(wanted) if wanted in paths else None
    return {"path": path, "held": wanted in paths, "content": content, "paths": len(paths),
            "has_busybox": "bin/busybox" in paths}

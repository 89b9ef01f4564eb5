"""C09, C11, C13: the two ways out of an engine and back in, and what each of them keeps.

`export` writes a container's filesystem to a tar and `import` makes an image of such a tar;
`save` writes an image (every layer, its config, its tags) and `load` recreates it. The
mechanisms here make the engine do those moves, streaming every archive to disk
(archives.spool) and reading it back in bounded memory; a request the engine refuses is kept as
an Answer (its status and error are the evidence), never swallowed. The checks compare what the
engine did with what the article says, and fail with the observations otherwise.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import docker
from docker.errors import APIError, NotFound
from docker.models.containers import Container
from docker.models.images import Image

from . import archives
from .archives import ArchiveError, LayerEntry
from .containers import changes, copy_in
from .evidence import expect
from .resources import Resources, remove_image

if TYPE_CHECKING:
    from .session import Session

LOADED = re.compile(r"Loaded image(?: ID)?: (\S+)")
"""How `load` names each image it made, by tag or (untagged) by id."""

MISSING = "<missing>"
"""What `history` shows in the IMAGE column for a row no local image stands for."""

BUILD_RECORD = ("Created", "CreatedBy", "Comment", "Size")
"""The columns of a history row that record the build; the IMAGE column (Id) and the tags name
local images instead, which differ from engine to engine."""

MAX_READ = 1 << 20
"""The biggest file a check reads whole (the files the scenarios write are a line long)."""

_CHUNK = 1 << 16


# -- moving archives ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the engine answered to one request: accepted, or refused with its status and error."""

    request: str
    accepted: bool
    status: Optional[int] = None
    error: str = ""


def _refusal(request: str, error: APIError) -> Answer:
    return Answer(request, False, error.status_code, str(error.explanation or error))


def name_of(image: Image) -> str:
    """How a user names the image: its first tag, else its id."""
    return image.tags[0] if image.tags else image.id


def member(path: str) -> str:
    """A path as a tar names it: '/etc/hosts' is 'etc/hosts'."""
    return "/".join(part for part in path.split("/") if part not in ("", "."))


def export(container: Container, directory: Path) -> Path:
    """`docker export` of the container, spooled to a file in `directory`."""
    return archives.spool(container.export(), directory)


def save(client: docker.DockerClient, image: Image, directory: Path) -> Path:
    """`docker save` of the image, by its first tag when it has one (so the tar names it)."""
    return archives.spool(client.api.get_image(name_of(image)), directory)


def try_export(client: docker.DockerClient, reference: str,
               directory: Path) -> tuple[Answer, Optional[Path]]:
    """`docker export <reference>`, whatever the reference names: the answer and the tar."""
    request = f"export {reference}"
    try:
        return Answer(request, True), archives.spool(client.api.export(reference), directory)
    except APIError as error:
        return _refusal(request, error), None


def try_save(client: docker.DockerClient, reference: str,
             directory: Path) -> tuple[Answer, Optional[Path]]:
    """`docker save <reference>`, whatever the reference names: the answer and the tar."""
    request = f"save {reference}"
    try:
        return Answer(request, True), archives.spool(client.api.get_image(reference), directory)
    except APIError as error:
        return _refusal(request, error), None


@dataclass(frozen=True)
class Loaded:
    """What `load` answered, the images it says it made, and what it printed."""

    answer: Answer
    references: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    images: tuple[str, ...] = ()  # ids of the images named; those the load made are adopted


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


def file_digest(path: Path) -> str:
    """sha256 of a file, read in chunks: what the engine names a layer made of exactly it."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


# -- subjects and what the engine says about them ---------------------------------------------


def container_that_changed_nothing(resources: Resources, image: Image) -> Container:
    """A container of `image`, created and never started: its filesystem is the image's, plus
    what the engine prepares for every container."""
    return resources.container(image.id, command_of(image) or ["true"])


def shared_untouched(session: Session, image: Image) -> Container:
    """The run's container of `image` that changed nothing (never started, so it never will):
    shared by the scenarios that only export it or name it."""
    return session.shared(("changed nothing", image.id),
                          lambda resources: container_that_changed_nothing(resources, image))


def exported(session: Session, container: Container) -> Path:
    """The export tar of a container that no longer changes (never started, or exited), made
    once per run: what an export holds is then fixed, so the scenarios that read it share it."""
    return session.shared(("export", container.id), lambda resources: export(
        container, session.scratch_dir(resources.defer)))


def shared_export(session: Session, image: Image) -> tuple[Container, Path]:
    """The run's container of `image` that changed nothing, and its export tar."""
    container = shared_untouched(session, image)
    return container, exported(session, container)


def shared_import(session: Session, tar: Path) -> Image:
    """The image imported from a tar the run shares (an export, a save tar), made once: the
    scenarios that only look at it or run containers of it share it."""
    return session.shared(("import", str(tar)), lambda resources: import_tar(resources, tar))


def container_that_wrote(resources: Resources, image: Image, script: str, **kwargs: Any
                         ) -> Container:
    """A container of `image` that ran `script` (sh) to its end, successfully; kept, stopped."""
    container = resources.container(image.id, ["sh", "-c", script], **kwargs)
    container.start()
    status = container.wait(timeout=60)
    expect(status.get("StatusCode") == 0, "the writing container failed", script=script,
           status=status, logs=container.logs().decode("utf-8", "replace"))
    return container


def own_image(resources: Resources, base: Image) -> Image:
    """An image of the caller's own on top of `base`: one more layer (a file copied into a
    container that never ran: a commit needs no start), base's command, a tag named with the
    run. Removing it touches neither base nor anything else, so that a scenario may remove it
    and load it back."""
    repository = resources.run.name("own")
    writer = container_that_changed_nothing(resources, base)
    copy_in(writer, "/own.txt", f"{repository}\n".encode())
    config = base.attrs.get("Config") or {}
    committed = writer.commit(repository=repository, tag="saved", conf={
        "Labels": resources.run.labels("subject"), "Cmd": config.get("Cmd"),
        "Entrypoint": config.get("Entrypoint")})
    return resources.image(committed.id)


def shared_own_image(session: Session, base: Image) -> Image:
    """The run's own image on top of `base` (own_image), made once: the save and load scenarios
    share it, and its round trip."""
    return session.shared(("own image", base.id), lambda resources: own_image(resources, base))


@dataclass(frozen=True)
class RoundTrip:
    """An image saved, removed and loaded back: what it was, its save tar, what load did."""

    saved: ImageRecord
    save_tar: Path
    loaded: Loaded


def round_trip(resources: Resources, image: Image, directory: Path) -> RoundTrip:
    saved = record(image)
    tar = save(resources.client, image, directory)
    remove(resources, image)
    return RoundTrip(saved, tar, load(resources, tar))


def shared_round_trip(session: Session, image: Image) -> RoundTrip:
    """The round trip of an image of the run's own, made once per run: the scenarios that look
    at what load gave back share it (the image is the same again after it)."""
    return session.shared(("saved, removed, loaded", image.id), lambda resources: round_trip(
        resources, image, session.scratch_dir(resources.defer)))


def remove(resources: Resources, image: Image) -> None:
    """Remove an image of this run (never another's) and make sure the engine forgot it."""
    remove_image(resources.client, image.id, resources.run.id)
    try:
        resources.client.images.get(image.id)
    except NotFound:
        return
    expect(False, "the image is still there after its removal; load could not recreate it",
           image=image.id)


def command_of(image: Image) -> list[str]:
    """What a container of the image runs when given no command (ENTRYPOINT + CMD)."""
    config = image.attrs.get("Config") or {}
    return [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]


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

    @property
    def succeeded(self) -> bool:
        return self.started and self.exit_code == 0


def run(resources: Resources, image: Image, command: Optional[list[str]] = None) -> Ran:
    try:
        code, output = resources.run_to_end(image.id, command, role="subject")
    except APIError as error:
        return Ran(image.id, command, False, error=str(error.explanation or error))
    return Ran(image.id, command, True, code, output)


@dataclass
class ImageRecord:
    """What the engine says an image is: id, layer digests, tags, config, history rows."""

    id: str
    layers: list[str]
    tags: list[str]
    config: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)  # newest first, as the API


def record(image: Image) -> ImageRecord:
    image.reload()
    return ImageRecord(image.id, list((image.attrs.get("RootFS") or {}).get("Layers") or []),
                       sorted(image.tags), dict(image.attrs.get("Config") or {}),
                       list(image.history()))


def container_reads(container: Container, path: str) -> Optional[bytes]:
    """`docker cp CONTAINER:path -`: the file as the container sees it (volumes included, also
    when stopped), or None when it has none. The engine's tar is spooled to a temporary file."""
    try:
        stream, _ = container.get_archive(path)
    except NotFound:
        return None
    with tempfile.TemporaryFile() as spooled:
        for chunk in stream:
            spooled.write(chunk)
        spooled.seek(0)
        with tarfile.open(fileobj=spooled) as tar:
            found = next((info for info in tar if info.isreg()), None)
            if found is None:
                return None
            if found.size > MAX_READ:
                raise ArchiveError(f"{path} in {container.name} holds {found.size} bytes,"
                                   f" more than {MAX_READ}; read smaller files")
            extracted = tar.extractfile(found)
            return extracted.read() if extracted else None


# -- reading the archives ---------------------------------------------------------------------


def exported_entries(tar: Path) -> dict[str, LayerEntry]:
    """Every member of an export tar (whiteouts too, which an export must not have)."""
    with archives.open_export(tar) as archive:
        return {entry.path: entry for entry in archive.entries()}


def exported_content(tar: Path, path: str) -> Optional[bytes]:
    """The content of one file of an export tar, or None when the export lacks it."""
    with archives.open_export(tar) as archive:
        try:
            return archive.read(path)
        except KeyError:
            return None


def tar_members(tar: Path) -> set[str]:
    """The member names of any tar, read flat (a save tar as `import` sees it)."""
    with archives.open_export(tar) as archive:
        return archive.paths()


@dataclass
class ImageLayers:
    """What an image's save tar says about its filesystem."""

    view: dict[str, LayerEntry]  # the merged view: path -> entry of the topmost layer
    hidden: set[str]  # paths some layer holds that an upper layer hides


def image_layers(saved: Path) -> ImageLayers:
    with archives.open_save(saved) as archive:
        layers = archive.images[0].layers
        view = {path: entry for path, (_, entry) in archives.merged_view(layers).items()}
        held = {entry.path for layer in layers for entry in layer.entries()
                if entry.whiteout is None}
    return ImageLayers(view, held - set(view))


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


def loaded_image(client: docker.DockerClient, loaded: Loaded, saved_id: str) -> Image:
    """The image `load` made: the one with the saved id when there is one, else the first."""
    expect(bool(loaded.images), "the load made no image", printed=loaded.messages,
           **vars(loaded.answer))
    return client.images.get(saved_id if saved_id in loaded.images else loaded.images[0])


# -- C09: the pairs, and the pairs crossed ----------------------------------------------------


def check_runs(ran: Ran) -> dict:
    """C09: a container of the image runs the command to a successful end."""
    observed = vars(ran)
    expect(ran.started, "the engine would not run a container of the image", **observed)
    expect(ran.exit_code == 0, f"the command ended with exit code {ran.exit_code}", **observed)
    return observed


def check_cannot_run(ran: Ran) -> dict:
    """C09: a container of the image cannot run the command (refused, or it fails)."""
    observed = vars(ran)
    expect(not ran.succeeded, "a container of the image ran the command successfully",
           **observed)
    return observed


def check_refused(answer: Answer) -> dict:
    """C09: the engine refused the request; its answer is the evidence."""
    observed = vars(answer)
    expect(not answer.accepted, f"the engine accepted `{answer.request}`", **observed)
    expect(bool(answer.error), "the engine refused without saying why", **observed)
    return observed


def check_load_failed(loaded: Loaded) -> dict:
    """C09: `load` of the tar fails with an engine error and makes no image."""
    observed = {**vars(loaded.answer), "loaded": loaded.references, "printed": loaded.messages}
    expect(not loaded.answer.accepted and bool(loaded.answer.error),
           "the engine loaded the tar without an error", **observed)
    expect(not loaded.references, "the engine made images from the tar", **observed)
    return observed


def check_image_back(before: ImageRecord, loaded: Loaded) -> dict:
    """C09: `load` gave the removed image back: the engine has its id again."""
    observed = {"saved": before.id, "loaded": loaded.images, "printed": loaded.messages,
                **vars(loaded.answer)}
    expect(loaded.answer.accepted, "the engine did not load the save tar", **observed)
    expect(before.id in loaded.images, "the loaded image is not the one saved", **observed)
    return observed


def check_holds_archive_files(imported: set[str], archive: set[str], image: set[str]) -> dict:
    """C09: the image imported from a save tar has the tar's members for its files (its
    manifest, its layer tars...), and none of the saved image's own files."""
    observed = {"imported_image_files": sorted(imported), "save_tar_members": sorted(archive)}
    expect(imported == archive, "the imported image's files are not the save tar's members",
           only_in_image=sorted(imported - archive), only_in_tar=sorted(archive - imported),
           **observed)
    expect(not imported & image, "the imported image holds files of the saved image",
           shared=sorted(imported & image), **observed)
    return observed


# -- C11: export is the merged view, in one layer ---------------------------------------------


def _kind(entry: LayerEntry) -> str:
    return "file" if entry.kind == "hardlink" else entry.kind


def _same(held: LayerEntry, exported: LayerEntry) -> bool:
    if _kind(held) != _kind(exported):
        return False
    if held.kind == "symlink":
        return held.linkname == exported.linkname
    if held.kind == exported.kind == "file":
        return held.size == exported.size
    return True


def check_export_is_merged_view(layers: ImageLayers, exported: dict[str, LayerEntry]) -> dict:
    """C11: the export of a container that changed nothing holds every path the image's layers
    leave visible, as the topmost layer holding it has it, flat (no whiteouts)."""
    missing = sorted(path for path in layers.view if path not in exported)
    different = {path: {"layers": layers.view[path], "export": exported[path]}
                 for path in layers.view if path in exported
                 and not _same(layers.view[path], exported[path])}
    whiteouts = sorted(path for path, entry in exported.items() if entry.whiteout)
    observed = {"visible_paths": len(layers.view), "exported_paths": len(exported),
                "exported_beyond_the_layers": sorted(set(exported) - set(layers.view))}
    expect(not missing, "the export lacks paths the image's layers leave visible",
           missing=missing, **observed)
    expect(not different, "the export holds paths otherwise than the topmost layer",
           different=different, **observed)
    expect(not whiteouts, "the export holds whiteouts: it is not one flat view",
           whiteouts=whiteouts, **observed)
    return observed


def check_export_hides(layers: ImageLayers, exported: dict[str, LayerEntry]) -> dict:
    """C11: the export holds no path that an upper layer hides (deleted, or under an opaque
    directory), although a lower layer holds it."""
    shown = sorted(layers.hidden & set(exported))
    observed = {"hidden_by_upper_layers": sorted(layers.hidden)}
    expect(bool(layers.hidden), "the image's layers hide nothing: nothing to check", **observed)
    expect(not shown, "the export holds paths an upper layer hides", shown=shown, **observed)
    return observed


def check_export_top_version(witness: Any, exported: Optional[bytes]) -> dict:
    """C11: the export holds the version of the topmost layer holding the path (a
    layers.LayerWitness read from the save tar)."""
    top = witness.visible_layer()
    expect(top is not None and top in witness.holders,
           f"the save tar shows no layer providing {witness.path}", layers=witness.layers)
    observed = {"path": witness.path, "topmost_layer": top,
                "topmost_version": witness.content_at(top), "exported": exported,
                "lower_versions": {layer: witness.content_at(layer)
                                   for layer in witness.holders if layer != top}}
    expect(exported is not None, f"the export lacks {witness.path}", **observed)
    expect(exported == witness.content_at(top),
           f"the export does not hold layer {top}'s version of {witness.path}", **observed)
    return observed


def check_export_lacks(path: str, exported: set[str], **why: Any) -> dict:
    """C11: the export does not hold `path`."""
    observed = {"path": path, **why}
    expect(member(path) not in exported, f"the export holds {path}", **observed)
    return observed


@dataclass(frozen=True)
class Write:
    """One change of a container (`docker diff`), as the container and its export hold it."""

    path: str
    kind: str  # added, changed, deleted
    in_export: bool
    exported: Optional[bytes]  # content, for a regular file
    container: Optional[bytes]  # what `docker cp` reads from the container


def writes_seen(container: Container, tar: Path) -> list[Write]:
    """Each change `docker diff` lists, with what the export and the container hold there."""
    exported = exported_entries(tar)
    seen = []
    for path, kind in sorted(changes(container).items()):
        entry = exported.get(member(path))
        is_file = entry is not None and entry.kind in ("file", "hardlink")
        seen.append(Write(path, kind, entry is not None,
                          exported_content(tar, path) if is_file else None,
                          container_reads(container, path) if is_file else None))
    return seen


def files_of(seen: list[Write]) -> list[str]:
    """The changed paths that are files (written) or gone (deleted): directories aside."""
    return [w.path for w in seen if w.kind == "deleted" or w.container is not None]


def check_export_holds_writes(seen: list[Write]) -> dict:
    """C11: every file the container added or changed is in the export as the container reads
    it."""
    written = [w for w in seen if w.kind in ("added", "changed")]
    absent = [w.path for w in written if not w.in_export]
    differ = {w.path: {"export": w.exported, "container": w.container} for w in written
              if w.in_export and w.exported != w.container}
    observed = {"changes": {w.path: w.kind for w in seen}}
    expect(any(w.exported is not None for w in written),
           "the container added or changed no file: nothing to check", **observed)
    expect(not absent, "the export lacks what the container added or changed", absent=absent,
           **observed)
    expect(not differ, "the export holds the container's files otherwise than it reads them",
           differ=differ, **observed)
    return observed


def check_image_holds_writes(seen: list[Write], imported_reads: dict[str, Optional[str]]
                             ) -> dict:
    """C09: a container of the image imported from the export reads each file the exported
    container added or changed as that container reads it, and none it deleted."""
    differ = {}
    for write in seen:
        wanted = None if write.kind == "deleted" else write.container
        if write.kind == "deleted" or write.container is not None:
            read = imported_reads.get(write.path)
            if (read.encode() if read is not None else None) != wanted:
                differ[write.path] = {"kind": write.kind, "container": wanted, "imported": read}
    observed = {"changes": {w.path: w.kind for w in seen}, "imported_reads": imported_reads}
    expect(any(w.container is not None for w in seen),
           "the exported container added or changed no file: nothing to check", **observed)
    expect(not differ, "a container of the imported image does not see the container's writes",
           differ=differ, **observed)
    return observed


def check_export_lacks_deletions(seen: list[Write]) -> dict:
    """C11: no path the container deleted is in the export."""
    deleted = [w.path for w in seen if w.kind == "deleted"]
    observed = {"deleted": deleted}
    expect(bool(deleted), "the container deleted nothing: nothing to check",
           changes={w.path: w.kind for w in seen})
    shown = [w.path for w in seen if w.kind == "deleted" and w.in_export]
    expect(not shown, "the export holds what the container deleted", shown=shown, **observed)
    return observed


def check_export_holds_prepared(path: str, exported: set[str], layers: ImageLayers,
                                changed: dict[str, str]) -> dict:
    """C11 nuance: the export holds `path`, which neither the image's layers nor the
    container's changes hold: the engine prepared it for the container (its init layer)."""
    wanted = member(path)
    prepared = sorted(exported - set(layers.view) - {member(p) for p in changed})
    observed = {"path": path, "prepared_by_the_engine": prepared}
    expect(wanted in exported, f"the export lacks {path}", **observed)
    expect(wanted not in layers.view, f"the image's layers hold {path} already", **observed)
    expect(wanted not in {member(p) for p in changed},
           f"the container itself wrote {path}", changes=changed, **observed)
    return observed


def check_volume_not_exported(path: str, container_read: Optional[bytes], exported: set[str],
                              changed: dict[str, str]) -> dict:
    """C11 nuance: a file the container holds in a volume (it reads it, its writable layer does
    not hold it) is not in its export."""
    observed = {"path": path, "container_reads": container_read,
                "export_holds": member(path) in exported, "changes": changed}
    expect(container_read is not None, f"the container has no {path} in its volume", **observed)
    expect(not observed["export_holds"], f"the export holds {path}, from a volume", **observed)
    expect(path not in changed, f"{path} is in the container's writable layer, not a volume",
           **observed)
    return observed


def check_one_layer(layers: list[str], tar_digest: str, image_layers: list[str]) -> dict:
    """C11: the imported image is one layer (where the image had several)."""
    observed = {"imported_layers": layers, "image_layers": image_layers,
                "export_digest": tar_digest, "layer_is_the_export": layers == [tar_digest]}
    expect(len(layers) == 1, f"the imported image has {len(layers)} layers, not one",
           **observed)
    return observed


# -- C13: save keeps every layer and the metadata, load gives it all back ---------------------


def _meaningful(config: dict[str, Any]) -> dict[str, Any]:
    """A config without its empty fields: engines differ in which empty ones they spell out."""
    return {key: value for key, value in (config or {}).items()
            if value not in (None, "", [], {}, False)}


def check_save_holds_layers(facts: SavedFacts, before: ImageRecord) -> dict:
    """C13: the save tar holds the image, and every one of its layers, in order, each layer's
    bytes hashing to the digest the engine gives it."""
    observed = {"image": before.id, "layers": before.layers, "layout": facts.layout,
                "tar_images": facts.images, "tar_diff_ids": facts.diff_ids,
                "tar_layers_hash_to": facts.computed}
    expect(facts.found, "the save tar does not hold the image", **observed)
    expect(facts.diff_ids == before.layers,
           "the save tar's image lists other layers than the engine's image", **observed)
    expect(facts.computed == before.layers,
           "the layer tars in the save tar do not hash to the image's layer digests", **observed)
    return observed


def check_save_holds_config(facts: SavedFacts, before: ImageRecord) -> dict:
    """C13: the save tar holds the image's config, its tags, and a history entry for every
    row of the image's history, each naming the same step."""
    history = facts.config.get("history") or []
    saved_rows = [(h.get("created_by", ""), h.get("comment", "")) for h in history]
    rows = [(r.get("CreatedBy", ""), r.get("Comment", "")) for r in reversed(before.history)]
    observed = {"image": before.id, "tar_tags": facts.tags, "tags": before.tags,
                "tar_history": saved_rows, "history": rows}
    expect(facts.found, "the save tar does not hold the image", **observed)
    expect(_meaningful(facts.config.get("config")) == _meaningful(before.config),
           "the save tar's config differs from the image's",
           tar_config=facts.config.get("config"), config=before.config, **observed)
    expect(sorted(facts.tags) == before.tags, "the save tar names the image otherwise",
           **observed)
    expect(saved_rows == rows, "the save tar's history differs from the image's history",
           **observed)
    return observed


def check_same_image(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image has the saved one's id, layer digests and tags."""
    observed = {"saved": {"id": before.id, "layers": before.layers, "tags": before.tags},
                "loaded": {"id": after.id, "layers": after.layers, "tags": after.tags}}
    expect(after.id == before.id, "the loaded image has another id", **observed)
    expect(after.layers == before.layers, "the loaded image has other layers", **observed)
    expect(after.tags == before.tags, "the loaded image has other tags", **observed)
    return observed


def check_same_config(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image has the saved one's config."""
    observed = {"saved": before.config, "loaded": after.config}
    expect(_meaningful(after.config) == _meaningful(before.config),
           "the loaded image's config differs from the saved one's", **observed)
    return observed


def _build_record(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: row.get(key) for key in BUILD_RECORD} for row in rows]


def check_same_history(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image's history has every row of the saved one's: when, by which step,
    with which comment, of which size; its top row is the image itself."""
    saved, loaded = _build_record(before.history), _build_record(after.history)
    observed = {"saved": saved, "loaded": loaded}
    expect(len(loaded) == len(saved),
           f"the loaded image's history has {len(loaded)} rows, the saved one's {len(saved)}",
           **observed)
    differ = [{"row": number, "saved": was, "loaded": now}
              for number, (was, now) in enumerate(zip(saved, loaded)) if was != now]
    expect(not differ, "history rows differ after the load", differ=differ, **observed)
    top = after.history[0].get("Id") if after.history else None
    expect(top == after.id, "the history's top row is not the loaded image", top_row=top,
           image=after.id)
    return observed


def intermediates_named(before: ImageRecord) -> list[int]:
    """The rows below the top whose IMAGE column named a local image before the load."""
    return [number for number, row in enumerate(before.history)
            if number and row.get("Id") not in (None, "", MISSING)]


def check_intermediates_forgotten(before: ImageRecord, after: ImageRecord) -> dict:
    """C13 nuance: the rows that named the local images the image was built through (the
    classic builder's intermediate images) show them as missing after the load: load recreates
    the image, not its parents."""
    named = intermediates_named(before)
    observed = {"saved_ids": [row.get("Id") for row in before.history],
                "loaded_ids": [row.get("Id") for row in after.history]}
    expect(bool(named), "no history row named an intermediate image before the load",
           **observed)
    still = [number for number in named
             if number >= len(after.history) or after.history[number].get("Id") != MISSING]
    expect(not still, "history rows still name the intermediate images after the load",
           rows=still, **observed)
    return observed

"""Property tests of docker_claims.archives: the merged view of any layer stack is the
filesystem the layers were cut from, and no input, however broken, gets past ArchiveError."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_archives import (
    BASE,
    TOP,
    directory,
    file,
    legacy_members,
    oci_members,
    tar_bytes,
    write,
)

from docker_claims.engine.archives import ArchiveError, merged_view, open_export, open_save

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A filesystem snapshot: path -> None for a directory, bytes for a file.
Snapshot = dict[str, "bytes | None"]

paths = st.lists(st.sampled_from("abc"), min_size=1, max_size=3).map("/".join)
operations = st.one_of(
    st.tuples(st.just("write"), paths, st.binary(max_size=8)),
    st.tuples(st.just("mkdir"), paths, st.none()),
    st.tuples(st.just("rm"), paths, st.none()),
    st.tuples(st.just("recreate"), paths, st.none()),  # rm -rf dir && mkdir dir: opaque
)
builds = st.lists(st.lists(operations, max_size=6), min_size=1, max_size=4)


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


def _under(path: str, top: str) -> bool:
    return path.startswith(top + "/")


def _remove(state: Snapshot, path: str, *, itself: bool = True) -> None:
    for held in [p for p in state if _under(p, path) or (itself and p == path)]:
        del state[held]


def _apply(state: Snapshot, operation: tuple, opaque: set[str]) -> None:
    """What a build step does to the filesystem (parents made, files in the way replaced)."""
    verb, path, content = operation
    if verb == "rm":
        _remove(state, path)
        return
    if verb == "recreate" and path in state and state[path] is None:
        _remove(state, path, itself=False)
        opaque.add(path)
        return
    for parent in _parents(path):
        if state.get(parent, b"") is not None:
            _remove(state, parent)
            state[parent] = None
    if verb == "write":
        _remove(state, path)
        state[path] = content
    elif state.get(path, b"") is not None:
        _remove(state, path)
        state[path] = None


def _diff(before: Snapshot, after: Snapshot, opaque: set[str]) -> list:
    """The layer tar a storage driver writes for one step: changed paths with their parent
    directories, `.wh.` markers for deletions, `.wh..wh..opq` for recreated directories."""
    opaque = {path for path in opaque if after.get(path, b"") is None and path in after}
    changed = {
        path
        for path, held in after.items()
        if path not in before
        or before[path] != held
        or path in opaque
        or any(_under(path, top) for top in opaque)
    }
    changed |= {parent for path in changed for parent in _parents(path)}
    members = []
    for path in sorted(changed):
        members.append(directory(path) if after[path] is None else file(path, after[path]))
        if path in opaque:
            members.append(file(f"{path}/.wh..wh..opq"))
    for path in sorted(set(before) - set(after)):
        parent = path.rpartition("/")[0]
        hidden = any(path == top or _under(path, top) for top in opaque)
        if (not parent or after.get(parent, b"") is None and parent in after) and not hidden:
            head, _, name = path.rpartition("/")
            members.append(file(f"{head}/.wh.{name}" if head else f".wh.{name}"))
    return members


@SETTINGS
@given(builds)
def test_merged_view_is_the_filesystem_the_layers_were_cut_from(steps: list[list]) -> None:
    state: Snapshot = {}
    layers, top_layer = [], {}
    for number, step in enumerate(steps):
        before, opaque = dict(state), set()
        for operation in step:
            _apply(state, operation, opaque)
        members = _diff(before, state, opaque)
        layers.append(tar_bytes(*members))
        top_layer.update((info.name, number) for info, _ in members if ".wh." not in info.name)
    with tempfile.TemporaryDirectory() as tmp:
        saved = write(Path(tmp, "save.tar"), *legacy_members(layers))
        with open_save(saved) as archive:
            stack = archive.images[0].layers
            view = merged_view(stack)
            assert set(view) == set(state)
            for path, (index, entry) in view.items():
                assert index == top_layer[path]
                assert entry.kind == ("dir" if state[path] is None else "file")
                if state[path] is not None:
                    assert stack[index].read(path) == state[path]


EXPORT = tar_bytes(file("etc/hostname", b"h"), directory("bin"), file("bin/sh", b"x"))
VALID = {
    "legacy": tar_bytes(*legacy_members([BASE, TOP])),
    "oci-gzip": tar_bytes(*oci_members([BASE, TOP], compress=True, legacy=True)),
    "export": EXPORT,
    "export-gzip": gzip.compress(EXPORT, mtime=0),
}


def _mutate(draw: st.DrawFn, original: bytes) -> bytes:
    """Bytes flipped, spans overwritten, a cut or an insertion."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "overwrite", "cut", "insert"]))
        if kind == "flip":
            data[where] ^= draw(st.integers(1, 255))
        elif kind == "overwrite":
            noise = draw(st.binary(min_size=1, max_size=512))
            data[where : where + len(noise)] = noise
        elif kind == "cut":
            del data[where:]
        else:
            data[where:where] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """Noise, a damaged archive, or a sound save archive holding a damaged layer (so that the
    damage reaches the layer reader, past the save tar's own header checksums)."""
    target = draw(st.sampled_from(["noise", "archive", "layer"]))
    if target == "noise":
        return draw(st.binary(max_size=4096))
    if target == "archive":
        return _mutate(draw, VALID[draw(st.sampled_from(sorted(VALID)))])
    return tar_bytes(*legacy_members([BASE, _mutate(draw, TOP)]))


def _exercise(path: Path) -> None:
    """Everything a step may do with a save or export archive."""
    try:
        with open_save(path) as archive:
            for image in archive.images:
                merged_view(image.layers)
                for layer in image.layers:
                    for entry in layer.entries():
                        if entry.kind == "file" and not entry.whiteout:
                            layer.read(entry.path)
                    layer.compute_diff_id()
    except ArchiveError:
        pass
    try:
        with open_export(path) as archive:
            archive.paths()
    except ArchiveError:
        pass


@SETTINGS
@given(damaged())
def test_damaged_archives_raise_archive_error_and_nothing_else(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp, "archive.tar")
        archive.write_bytes(data)
        _exercise(archive)

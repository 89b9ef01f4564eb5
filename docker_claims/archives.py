"""Streaming, hostile-input-safe readers of the tars the engine hands out.

Claims C02, C09, C11 and C13 are proven from the contents of `docker save` and `docker export`
tars. Those can weigh gigabytes and come from an engine we do not control, so nothing here holds
an archive in memory (the engine's stream is spooled to disk, then read with random access in
bounded chunks), every member path is checked before use, and every way a tar can be broken
ends in ArchiveError naming the archive and the member.
"""

from __future__ import annotations

import abc
import contextlib
import gzip
import hashlib
import json
import os
import posixpath
import re
import shutil
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

MAX_MEMBERS = 1_000_000
_CHUNK = 1 << 16
_MAX_HEADER = 1 << 20  # as Go's archive/tar: no honest pax or long-name header is bigger
_MAX_JSON = 16 << 20
_MAX_LINK_HOPS = 8
_MAX_INDEX_DEPTH = 4
_END_BLOCK = bytes(tarfile.BLOCKSIZE)
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_WHITEOUT = ".wh."
_AUFS_META = ".wh..wh."
_OPAQUE = ".wh..wh..opq"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NAMED_BY_DIGEST = re.compile(r"(?:blobs/sha256/([0-9a-f]{64})|([0-9a-f]{64})\.json)")
_INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
_CONFIG_TYPES = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
}
# What the stdlib raises on a broken tar or gzip stream; all of it means "corrupt archive".
_BROKEN = (
    tarfile.TarError,
    EOFError,
    zlib.error,
    gzip.BadGzipFile,
    ValueError,
    IndexError,
    OverflowError,
)


class ArchiveError(Exception):
    """An archive is missing a part, corrupt, truncated, oversized or hostile."""


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


class _HasEntries(Protocol):
    def entries(self) -> Iterator[LayerEntry]: ...


@contextlib.contextmanager
def _errors(context: str) -> Iterator[None]:
    """Turn what the stdlib raises on a broken stream into an ArchiveError saying where."""
    try:
        yield
    except _BROKEN as exc:
        raise ArchiveError(f"{context}: corrupt or truncated tar: {exc}") from exc


class _Guarded:
    """The file object tarfile reads through.

    It refuses single reads over _MAX_HEADER (data is read in _CHUNK pieces, so only a hostile
    pax or long-name header asks for more) and remembers the last block read, so that a tar cut
    at a member boundary, which tarfile takes for complete, is told by its missing end block.
    """

    def __init__(self, raw: BinaryIO, label: str) -> None:
        self._raw = raw
        self._label = label
        self._last: tuple[int, bytes] = (-1, b"")

    def read(self, size: int = -1) -> bytes:
        if not 0 <= size <= _MAX_HEADER:
            raise ArchiveError(
                f"{self._label}: a tar header asks to read {size} bytes at once"
                f" (limit {_MAX_HEADER}); the archive is corrupt or hostile"
            )
        position = self._raw.tell()
        data = self._raw.read(size)
        if size == tarfile.BLOCKSIZE:
            self._last = (position, data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return self._raw.seekable()

    def ended_at(self, offset: int) -> bool:
        return self._last == (offset, _END_BLOCK)


class _TarInfo(tarfile.TarInfo):
    """Refuses GNU sparse members before tarfile builds their block map: Docker never writes
    them, and tarfile reads a hostile map into memory without bound."""

    def _refuse_sparse(self, *_args: Any) -> tarfile.TarInfo:
        raise tarfile.HeaderError("GNU sparse member; docker never writes those")

    _proc_sparse = _proc_gnusparse_10 = _refuse_sparse


class _Hashing:
    """Reads through, hashing the bytes as stored while gzip decompresses them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        return data


def _open_tar(raw: Any, label: str) -> tarfile.TarFile:
    with _errors(label):
        return tarfile.open(fileobj=_Guarded(raw, label), mode="r:", tarinfo=_TarInfo)


def _iter_members(
    tar: tarfile.TarFile, label: str, max_members: int
) -> Iterator[tuple[str, tarfile.TarInfo]]:
    """Yield (normalized name, member) for every member but the root, checked, emptying
    tarfile's member cache as it goes so that memory stays flat however long the tar is."""
    count, previous = 0, "the start"
    # tarfile reads the first header on open; when the tar is empty, asking it for another one
    # misreads the end block (before Python 3.11), so it is not asked.
    while tar.firstmember is not None or count:
        with _errors(f"{label}, after {previous}"):
            info = tar.next()
        if info is None:
            break
        tar.members.clear()
        count += 1
        if count > max_members:
            raise ArchiveError(
                f"{label}: more than max_members={max_members} members;"
                " raise max_members if the archive is genuine"
            )
        previous = f"member {info.name!r}"
        name = _normalize(info.name, label)
        if name:
            yield name, info
    if not tar.fileobj.ended_at(tar.offset):
        raise ArchiveError(
            f"{label}: truncated or corrupt after {previous}:"
            f" no valid header or end-of-archive block at byte {tar.offset}"
        )


def _normalize(name: str, label: str) -> str:
    """A member name as Docker compares them (no './', no empty segments); refuses names that
    would land outside the root."""
    if name.startswith("/"):
        raise ArchiveError(f"{label}: member {name!r} is absolute; it escapes the archive root")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"{label}: member {name!r} escapes the archive root")
    return "/".join(parts)


def _clean(path: str) -> str:
    """A caller's path in member form: '/etc/hosts' and './etc/hosts' are 'etc/hosts'."""
    return "/".join(part for part in path.split("/") if part not in ("", "."))


def _kind(info: tarfile.TarInfo) -> str:
    if info.isreg():
        return "file"
    if info.isdir():
        return "dir"
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hardlink"
    return "other"


def _entry(name: str, info: tarfile.TarInfo, label: str) -> LayerEntry:
    parent, _, base = name.rpartition("/")
    kind, size, linkname = _kind(info), info.size, info.linkname
    if base == _OPAQUE:
        return LayerEntry(parent, kind, size, linkname, "opaque")
    if base.startswith(_WHITEOUT) and not base.startswith(_AUFS_META):
        deleted = base[len(_WHITEOUT) :]
        if deleted in ("", ".", ".."):
            raise ArchiveError(f"{label}: whiteout {name!r} names no file")
        return LayerEntry(posixpath.join(parent, deleted), kind, size, linkname, "file")
    return LayerEntry(name, kind, size, linkname, None)


def _gzipped(stream: BinaryIO, label: str) -> bool:
    """Whether a tar is gzip-compressed (the containerd image store keeps layers so), by its
    magic bytes; zstd is refused with the reason."""
    with _errors(label):
        magic = stream.read(len(_ZSTD_MAGIC))
        stream.seek(0)
    if magic.startswith(_ZSTD_MAGIC):
        raise ArchiveError(f"{label}: zstd-compressed; this reader handles plain and gzip tars")
    return magic.startswith(_GZIP_MAGIC)


def _unzip(stream: BinaryIO, label: str) -> BinaryIO:
    """The tar bytes, decompressed on the fly when gzip."""
    return gzip.GzipFile(fileobj=stream, mode="rb") if _gzipped(stream, label) else stream


def _read_member(tar: tarfile.TarFile, info: tarfile.TarInfo, max_bytes: int, label: str) -> bytes:
    if info.size > max_bytes:
        raise ArchiveError(
            f"{label}: member {info.name!r} holds {info.size} bytes, more than"
            f" max_bytes={max_bytes}"
        )
    with _errors(f"{label}, member {info.name!r}"):
        stream = tar.extractfile(info)
        return b"".join(iter(lambda: stream.read(_CHUNK), b""))


def _last(
    members: Iterator[tuple[str, tarfile.TarInfo]], wanted: str, limit: int | None
) -> tuple[int, tarfile.TarInfo | None]:
    """The last member named `wanted` (a later one replaces an earlier one), among the first
    `limit` members when given, with its position."""
    found: tuple[int, tarfile.TarInfo | None] = (-1, None)
    for position, (name, info) in enumerate(members):
        if position == limit:
            break
        if name == wanted:
            found = (position, info)
    return found


class _TarReader(abc.ABC):
    """What a saved layer and an export share: a tar read front to back, in bounded memory."""

    label: str
    _max_members: int

    @abc.abstractmethod
    def _raw(self) -> contextlib.AbstractContextManager[BinaryIO]:
        """The uncompressed tar bytes, from the start."""

    @contextlib.contextmanager
    def _open(self) -> Iterator[tuple[tarfile.TarFile, Iterator[tuple[str, tarfile.TarInfo]]]]:
        with self._raw() as raw, _open_tar(raw, self.label) as tar:
            yield tar, _iter_members(tar, self.label, self._max_members)

    def entries(self) -> Iterator[LayerEntry]:
        """Every member, streamed, with whiteout markers decoded."""
        with self._open() as (_, members):
            for name, info in members:
                yield _entry(name, info, self.label)

    def read(self, path: str, max_bytes: int = 1 << 20) -> bytes:
        """The content of one regular file (a hard link reads its target); KeyError when absent."""
        wanted, limit = _clean(path), None
        while True:  # at most twice: a hard link's target is looked up among earlier members
            with self._open() as (tar, members):
                position, info = _last(members, wanted, limit)
                if info is None:
                    raise KeyError(f"{self.label}: no member {wanted!r}")
                if info.islnk() and limit is None:
                    wanted, limit = _clean(info.linkname), position
                    continue
                if not info.isreg():
                    raise ArchiveError(
                        f"{self.label}: member {info.name!r} is a {_kind(info)}, not a file"
                    )
                return _read_member(tar, info, max_bytes, self.label)


class SavedLayer(_TarReader):
    """One layer of a saved image: a tar (plain or gzip) inside the save tar, read in place."""

    def __init__(
        self,
        archive: SavedArchive,
        index: int,
        member: str,
        info: tarfile.TarInfo,
        diff_id: str,
        digest: str | None,
    ) -> None:
        self.index = index
        self.member = member
        self.diff_id = diff_id  # what the image config says (rootfs.diff_ids)
        self.digest = digest  # the blob's own digest, for OCI blobs
        self.label = f"layer {index} ({member!r}) of {archive.label}"
        self._archive = archive
        self._info = info
        self._max_members = archive.max_members

    def __repr__(self) -> str:
        return f"<SavedLayer {self.index} {self.member!r} {self.diff_id}>"

    @contextlib.contextmanager
    def _raw(self) -> Iterator[BinaryIO]:
        with self._archive._member(self._info, self.label) as stream:
            yield _unzip(stream, self.label)

    def compute_diff_id(self) -> str:
        """sha256 of the uncompressed layer tar, streamed; a blob must also match its own digest
        and the result the image config's diff id, or the archive is corrupt."""
        with self._archive._member(self._info, self.label) as stream:
            compressed = _gzipped(stream, self.label)
            stored = _Hashing(stream)
            with _errors(self.label):
                tar = gzip.GzipFile(fileobj=stored, mode="rb") if compressed else stored
                uncompressed = hashlib.sha256()
                while chunk := tar.read(_CHUNK):  # gzip reads its input to the end
                    uncompressed.update(chunk)
        stored_digest = f"sha256:{stored.sha256.hexdigest()}"
        if self.digest is not None and stored_digest != self.digest:
            raise ArchiveError(
                f"{self.label}: blob has digest {stored_digest}, but is named {self.digest}"
            )
        diff_id = f"sha256:{uncompressed.hexdigest()}"
        if diff_id != self.diff_id:
            raise ArchiveError(
                f"{self.label}: uncompressed layer has diff id {diff_id},"
                f" but the image config says {self.diff_id}"
            )
        return diff_id


@dataclass
class SavedImage:
    """One image of a save archive: its parsed config, tags and layers bottom to top."""

    config: dict[str, Any]
    config_digest: str
    repo_tags: list[str]
    layers: list[SavedLayer]
    manifest_digest: str | None  # the OCI manifest, when the archive has one (containerd's id)


def _object(value: Any, where: str, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ArchiveError(f"{label}: {where} is not a JSON object")
    return value


def _list(document: dict[str, Any], key: str, where: str, label: str) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list):
        raise ArchiveError(f"{label}: {where} has no {key!r} list")
    return value


def _strings(value: Any, what: str, label: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArchiveError(f"{label}: {what} is not a list of strings")
    return value


def _digest(descriptor: Any, where: str, label: str) -> str:
    digest = _object(descriptor, where, label).get("digest")
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ArchiveError(f"{label}: {where} has no sha256 digest (got {digest!r})")
    return digest


def _blob(digest: str) -> str:
    return f"blobs/sha256/{digest.removeprefix('sha256:')}"


def _named_digest(member: str) -> str | None:
    """The digest a member's name promises (an OCI blob, a legacy `<id>.json` config)."""
    match = _NAMED_BY_DIGEST.fullmatch(member)
    return f"sha256:{match.group(1) or match.group(2)}" if match else None


def _tags(descriptor: dict[str, Any]) -> list[str]:
    """The name an OCI index entry was saved under, in manifest.json's RepoTags form."""
    annotations = descriptor.get("annotations")
    if not isinstance(annotations, dict):
        return []
    name = annotations.get("io.containerd.image.name") or annotations.get(
        "org.opencontainers.image.ref.name"
    )
    if not isinstance(name, str) or "@" in name or not (":" in name or "/" in name):
        return []  # a bare "latest" (the OCI ref.name convention) names no repository
    for prefix in ("docker.io/library/", "docker.io/"):
        if name.startswith(prefix):
            return [name.removeprefix(prefix)]
    return [name]


class SavedArchive:
    """A `docker save` tar: legacy layout (manifest.json, <id>/layer.tar, <id>.json), OCI layout
    (index.json, oci-layout, blobs/sha256) or both (Docker 25+)."""

    def __init__(self, path: str | os.PathLike[str], max_members: int) -> None:
        self.path = Path(path)
        self.label = f"save archive {self.path}"
        self.max_members = max_members
        self._file = open(self.path, "rb")  # noqa: SIM115 - held until close()
        try:
            if self._file.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC:
                raise ArchiveError(f"{self.label}: gzip-compressed; gunzip it to a plain tar first")
            self._file.seek(0)
            self._tar = _open_tar(self._file, self.label)
            self._members = dict(_iter_members(self._tar, self.label, max_members))
            self.layout, self.images = self._read_images()
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> SavedArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    @contextlib.contextmanager
    def _member(self, info: tarfile.TarInfo, label: str) -> Iterator[BinaryIO]:
        """An offset view of one member of the save tar: nothing is copied."""
        if self._file.closed:
            raise ValueError(f"{self.label} is closed; read its layers inside its with block")
        with _errors(label):
            stream = self._tar.extractfile(info)
        with stream:
            yield stream

    def _resolve(self, reference: str, referrer: str) -> tarfile.TarInfo:
        """The file a manifest reference names, through the links docker save writes for a
        layer that two images share."""
        name = _normalize(reference, f"{self.label}, {referrer}")
        for _hop in range(_MAX_LINK_HOPS):
            info = self._members.get(name)
            if info is None:
                raise ArchiveError(
                    f"{self.label}: {referrer} references member {name!r}, which is missing"
                )
            if info.isreg():
                return info
            if info.issym():
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), info.linkname))
                if info.linkname.startswith("/") or target == ".." or target.startswith("../"):
                    raise ArchiveError(
                        f"{self.label}: member {name!r} links to {info.linkname!r},"
                        " outside the archive root"
                    )
                name = target
            elif info.islnk():
                name = _normalize(info.linkname, self.label)
            else:
                raise ArchiveError(
                    f"{self.label}: {referrer} references member {name!r}, a {_kind(info)}"
                )
        raise ArchiveError(f"{self.label}: {referrer}: too many links from {reference!r}")

    def _read_json(self, reference: str, referrer: str) -> tuple[Any, str]:
        """A JSON member and the digest of its bytes, checked against its name's digest."""
        info = self._resolve(reference, referrer)
        data = _read_member(self._tar, info, _MAX_JSON, self.label)
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        promised = _named_digest(_normalize(reference, self.label))
        if promised is not None and promised != digest:
            raise ArchiveError(
                f"{self.label}: member {reference!r} has digest {digest}, but is named {promised}"
            )
        try:
            return json.loads(data), digest
        except (ValueError, RecursionError) as exc:
            raise ArchiveError(
                f"{self.label}: member {reference!r} ({referrer}) is not valid JSON: {exc}"
            ) from exc

    def _read_images(self) -> tuple[str, list[SavedImage]]:
        has_manifest, has_index = "manifest.json" in self._members, "index.json" in self._members
        if not (has_manifest or has_index):
            raise ArchiveError(
                f"{self.label}: neither manifest.json nor index.json; not a docker save archive"
                " (an export tar? read it with open_export)"
            )
        oci = self._oci_images() if has_index else []
        if not has_manifest:
            return "oci", oci
        manifests = {image.config_digest: image.manifest_digest for image in oci}
        document, _ = self._read_json("manifest.json", "the archive")
        if not isinstance(document, list):
            raise ArchiveError(f"{self.label}: manifest.json is not a list of images")
        images = []
        for number, entry in enumerate(document):
            where = f"manifest.json entry {number}"
            entry = _object(entry, where, self.label)
            config_member = entry.get("Config")
            if not isinstance(config_member, str):
                raise ArchiveError(f"{self.label}: {where} has no Config member")
            config, config_digest = self._read_json(config_member, where)
            layers = _strings(entry.get("Layers"), f"{where} Layers", self.label)
            tags = _strings(entry.get("RepoTags") or [], f"{where} RepoTags", self.label)
            images.append(
                self._image(
                    where, config, config_digest, list(tags), layers, manifests.get(config_digest)
                )
            )
        return ("legacy+oci" if has_index else "legacy"), images

    def _image(
        self,
        where: str,
        config: Any,
        config_digest: str,
        tags: list[str],
        layers: list[str],
        manifest_digest: str | None,
    ) -> SavedImage:
        config = _object(config, f"the config of {where}", self.label)
        rootfs = _object(config.get("rootfs"), f"rootfs of the config of {where}", self.label)
        diff_ids = _strings(rootfs.get("diff_ids"), f"rootfs.diff_ids of {where}", self.label)
        if len(diff_ids) != len(layers):
            raise ArchiveError(
                f"{self.label}: {where} lists {len(layers)} layers but its config's"
                f" rootfs.diff_ids has {len(diff_ids)}"
            )
        saved = []
        for index, (reference, diff_id) in enumerate(zip(layers, diff_ids)):
            member = _normalize(reference, self.label)
            info = self._resolve(member, where)
            saved.append(SavedLayer(self, index, member, info, diff_id, _named_digest(member)))
        return SavedImage(config, config_digest, tags, saved, manifest_digest)

    def _oci_images(self) -> list[SavedImage]:
        index, _ = self._read_json("index.json", "the archive")
        index = _object(index, "index.json", self.label)
        found: dict[str, SavedImage] = {}
        for number, descriptor in enumerate(_list(index, "manifests", "index.json", self.label)):
            where = f"index.json manifests[{number}]"
            tags = _tags(_object(descriptor, where, self.label))
            for digest, manifest in self._manifests(descriptor, where, 0):
                if digest in found:
                    known = found[digest].repo_tags
                    known.extend(tag for tag in tags if tag not in known)
                    continue
                config_digest = _digest(manifest.get("config"), f"config of {digest}", self.label)
                config, _ = self._read_json(_blob(config_digest), f"manifest {digest}")
                layers = [
                    _blob(_digest(layer, f"a layer of manifest {digest}", self.label))
                    for layer in _list(manifest, "layers", f"manifest {digest}", self.label)
                ]
                found[digest] = self._image(
                    f"manifest {digest}", config, config_digest, tags, layers, digest
                )
        if not found:
            raise ArchiveError(f"{self.label}: index.json leads to no image held in the archive")
        return list(found.values())

    def _manifests(
        self, descriptor: Any, where: str, depth: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The image manifests a descriptor leads to. In a nested image index the other
        platforms' manifests are absent (save keeps the local one) and attestation manifests
        carry no image: both are skipped."""
        digest = _digest(descriptor, where, self.label)
        if depth and _blob(digest) not in self._members:
            return
        document, _ = self._read_json(_blob(digest), where)
        document = _object(document, f"blob {digest}", self.label)
        media_type = descriptor.get("mediaType") or document.get("mediaType")
        if media_type in _INDEX_TYPES or "manifests" in document:
            if depth == _MAX_INDEX_DEPTH:
                raise ArchiveError(f"{self.label}: image indexes nested too deep at {where}")
            for number, child in enumerate(_list(document, "manifests", where, self.label)):
                yield from self._manifests(child, f"{digest} manifests[{number}]", depth + 1)
        elif isinstance(config := document.get("config"), dict) and (
            config.get("mediaType") in _CONFIG_TYPES
        ):
            yield digest, document


class ExportArchive(_TarReader):
    """A `docker export` tar: the container's merged filesystem, flat (plain or gzip)."""

    def __init__(self, path: str | os.PathLike[str], max_members: int) -> None:
        self.path = Path(path)
        self.label = f"export archive {self.path}"
        self._max_members = max_members

    def __enter__(self) -> ExportArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        """Nothing is held open between reads."""

    @contextlib.contextmanager
    def _raw(self) -> Iterator[BinaryIO]:
        with open(self.path, "rb") as file:
            yield _unzip(file, self.label)

    def paths(self) -> set[str]:
        """Every path the exported filesystem holds."""
        return {entry.path for entry in self.entries() if entry.whiteout is None}


def spool(
    chunks: Iterable[bytes], directory: str | os.PathLike[str], *, max_bytes: int | None = None
) -> Path:
    """Write the engine's stream (`image.save()`, `container.export()`) to a temp file in
    `directory`, so that it is read from disk with random access, never held in memory."""
    handle, name = tempfile.mkstemp(prefix="docker-claims-", suffix=".tar", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            total = 0
            for chunk in chunks:
                total += len(chunk)
                if max_bytes is not None and total > max_bytes:
                    raise ArchiveError(
                        f"engine stream spooled to {path}: more than max_bytes={max_bytes}"
                        " bytes; raise max_bytes if this image is expected to be that big"
                    )
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def open_save(path: str | os.PathLike[str], *, max_members: int = MAX_MEMBERS) -> SavedArchive:
    """Open a `docker save` tar (legacy, OCI or both layouts); use it as a context manager."""
    return SavedArchive(path, max_members)


def open_export(path: str | os.PathLike[str], *, max_members: int = MAX_MEMBERS) -> ExportArchive:
    """Open a `docker export` tar, checking at once that it is a tar."""
    archive = ExportArchive(path, max_members)
    with archive._raw() as raw, _open_tar(raw, archive.label):
        return archive


def _hidden(path: str, gone: set[str], below: set[str]) -> bool:
    """Whether a layer's whiteouts (`gone`: the path and all below it) and opaque or replaced
    directories (`below`: only what is below) hide a lower layer's path."""
    if path in gone:
        return True
    parts = path.split("/")
    return any(
        (ancestor := "/".join(parts[:depth])) in gone or ancestor in below
        for depth in range(len(parts))
    )


def merged_view(layers: Sequence[_HasEntries]) -> dict[str, tuple[int, LayerEntry]]:
    """The filesystem a container sees: layers applied bottom to top with overlay semantics,
    each path mapped to (position of the layer that provides it, its entry)."""
    view: dict[str, tuple[int, LayerEntry]] = {}
    for position, layer in enumerate(layers):
        entries = list(layer.entries())
        gone = {entry.path for entry in entries if entry.whiteout == "file"}
        below = {
            entry.path
            for entry in entries
            if entry.whiteout == "opaque" or (entry.whiteout is None and entry.kind != "dir")
        }
        view = {path: held for path, held in view.items() if not _hidden(path, gone, below)}
        view.update((entry.path, (position, entry)) for entry in entries if not entry.whiteout)
    return view


def which_layer(layers: Sequence[_HasEntries], path: str) -> int | None:
    """The article's lookup (C02): from the top layer down, the first layer holding `path`;
    None when a layer above hides it (whiteout, opaque directory, a file in place of a parent
    directory) or no layer holds it."""
    wanted = _clean(path)
    parts = wanted.split("/")
    ancestors = {"/".join(parts[:depth]) for depth in range(len(parts))}
    for position in reversed(range(len(layers))):
        hidden = False
        for entry in layers[position].entries():
            if entry.path == wanted and entry.whiteout is None:
                return position
            hidden = hidden or (
                (entry.whiteout == "file" and (entry.path == wanted or entry.path in ancestors))
                or (entry.whiteout == "opaque" and entry.path in ancestors)
                or (entry.whiteout is None and entry.kind != "dir" and entry.path in ancestors)
            )
        if hidden:
            return None
    return None


def _walk(dest: Path, parts: list[str], name: str, label: str, *, create: bool) -> Path:
    """dest/parts, refusing to pass through a symlink or a non-directory (so that nothing is
    ever written outside dest), making missing directories when `create`."""
    current = dest
    for depth, part in enumerate(parts, 1):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            if not create:
                raise ArchiveError(
                    f"{label}: member {name!r} needs {'/'.join(parts)!r}, absent"
                ) from None
            os.mkdir(current, 0o755)
            continue
        if not stat.S_ISDIR(mode):
            what = "symlink" if stat.S_ISLNK(mode) else "non-directory"
            raise ArchiveError(
                f"{label}: member {name!r} would pass through the {what}"
                f" {'/'.join(parts[:depth])!r}"
            )
    return current


def _symlink_target(name: str, linkname: str, label: str) -> str:
    """The link text to write: relative targets must stay inside; absolute ones mean the image's
    root and are rewritten relative, so the extracted tree never points at the host."""
    if not linkname:
        raise ArchiveError(f"{label}: symlink {name!r} has an empty target")
    parent = posixpath.dirname(name) or "."
    if linkname.startswith("/"):
        inside = posixpath.normpath(linkname).lstrip("/") or "."
        return posixpath.relpath(inside, parent)
    resolved = posixpath.normpath(posixpath.join(parent, linkname))
    if resolved == ".." or resolved.startswith("../"):
        raise ArchiveError(
            f"{label}: symlink {name!r} -> {linkname!r} points outside the archive root"
        )
    return linkname


def _extract_member(
    dest: Path, name: str, info: tarfile.TarInfo, tar: tarfile.TarFile, label: str
) -> None:
    """Create one member under dest, never following a link on the way."""
    kind = _kind(info)
    if kind == "other":
        raise ArchiveError(f"{label}: member {name!r} is a device or special file; refused")
    parts = name.split("/")
    target = _walk(dest, parts[:-1], name, label, create=True) / parts[-1]
    source = None
    if kind == "hardlink":
        if info.linkname.startswith("/") or ".." in info.linkname.split("/"):
            raise ArchiveError(
                f"{label}: hard link {name!r} -> {info.linkname!r} points outside the archive root"
            )
        parts_of_source = _clean(info.linkname).split("/")
        source = _walk(dest, parts_of_source[:-1], name, label, create=False) / parts_of_source[-1]
        if not stat.S_ISREG(os.lstat(source).st_mode):
            raise ArchiveError(
                f"{label}: hard link {name!r} -> {info.linkname!r} does not name a file"
            )
    with contextlib.suppress(FileNotFoundError):
        mode = os.lstat(target).st_mode
        if stat.S_ISDIR(mode) and kind != "dir":
            shutil.rmtree(target)
        elif not stat.S_ISDIR(mode):
            os.unlink(target)
    if kind == "dir":
        os.makedirs(target, exist_ok=True)
        os.chmod(target, (info.mode & 0o777) | 0o700)
    elif kind == "file":
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        handle = os.open(target, flags, (info.mode & 0o777) | 0o600)
        with os.fdopen(handle, "wb") as out, _errors(f"{label}, member {name!r}"):
            stream = tar.extractfile(info)
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
    elif kind == "symlink":
        os.symlink(_symlink_target(name, info.linkname, label), target)
    else:
        os.link(source, target, follow_symlinks=False)


def safe_extract(
    source: str | os.PathLike[str] | SavedLayer | ExportArchive, dest_dir: str | os.PathLike[str]
) -> None:
    """Extract a layer or an export (or a tar file, by path) into dest_dir, refusing with
    ArchiveError anything that would escape it: absolute or `..` names, links pointing out
    (also through chains of links), writes through a link, device files."""
    reader = source if isinstance(source, _TarReader) else ExportArchive(source, MAX_MEMBERS)
    dest = Path(dest_dir).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    with reader._open() as (tar, members):
        for name, info in members:
            try:
                _extract_member(dest, name, info, tar, reader.label)
            except OSError as exc:
                raise ArchiveError(
                    f"{reader.label}: cannot extract member {name!r}: {exc}"
                ) from exc
    # Each link was checked alone; a chain of them (`up -> ..`, then `x -> up/..`) is only
    # caught once all exist. os.walk does not follow links, so the unlink stays inside dest.
    for directory, subdirs, files in os.walk(dest):
        for link in (Path(directory, leaf) for leaf in subdirs + files):
            if not link.is_symlink():
                continue
            resolved = Path(os.path.realpath(link))
            if resolved != dest and dest not in resolved.parents:
                link.unlink()
                raise ArchiveError(
                    f"{reader.label}: symlink {link.relative_to(dest).as_posix()!r} resolves to"
                    f" {resolved}, outside {dest}; removed it"
                )

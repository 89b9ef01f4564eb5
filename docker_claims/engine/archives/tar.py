"""The tar reader under both archive kinds: guarded, streamed, whiteouts decoded; and the
export tar, which is one flat tar of the container's filesystem."""

from __future__ import annotations

import abc
import contextlib
import gzip
import hashlib
import os
import posixpath
import re
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from docker_claims.engine.records import LayerEntry, Node, member_name

MAX_MEMBERS = 1_000_000
CHUNK = 1 << 16
_MAX_HEADER = 1 << 20  # as Go's archive/tar: no honest pax or long-name header is bigger
# All that tarfile reads for one member's headers (pax records, long names, a GNU sparse map):
# room for a record as big as Go reads, twice over. Honest ones take a few KiB (names up to
# PATH_MAX, xattr values under 64 KiB); the bound is on what a hostile chain makes tarfile hold.
_MAX_MEMBER_HEADERS = 2 * _MAX_HEADER
_END_BLOCK = bytes(tarfile.BLOCKSIZE)
GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_WHITEOUT = ".wh."
_AUFS_META = ".wh..wh."
_OPAQUE = ".wh..wh..opq"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
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


class HasEntries(Protocol):
    def entries(self) -> Iterator[LayerEntry]: ...


@contextlib.contextmanager
def tar_errors(context: str) -> Iterator[None]:
    """Turn what the stdlib raises on a broken stream into an ArchiveError saying where."""
    try:
        yield
    except _BROKEN as exc:
        raise ArchiveError(f"{context}: corrupt or truncated tar: {exc}") from exc
    except RecursionError as exc:  # tarfile reads each pax or long-name header by recursion
        raise ArchiveError(
            f"{context}: a chain of tar headers too long to follow; the archive is corrupt or"
            " hostile"
        ) from exc


class _Guarded:
    """The file object tarfile reads through.

    It refuses single reads over _MAX_HEADER (data is read in CHUNK pieces, so only a hostile
    pax or long-name header asks for more), and reads over _MAX_MEMBER_HEADERS in all while
    tarfile parses one member's headers: it skips member data by seeking, so what it reads then
    is headers, and a chain of them (an old GNU sparse map's extension blocks) is cut short
    before tarfile holds it in memory. It remembers the last block read, so that a tar cut at a
    member boundary, which tarfile takes for complete, is told by its missing end block.
    """

    def __init__(self, raw: BinaryIO, label: str) -> None:
        self._raw = raw
        self._label = label
        self._last: tuple[int, bytes] = (-1, b"")
        self._member = 0
        self._header_bytes_left: int | None = None

    @contextlib.contextmanager
    def headers_of(self, member: int) -> Iterator[None]:
        """Bound the reads of the headers of the `member`th member (from 1), while tarfile
        parses them."""
        self._member, self._header_bytes_left = member, _MAX_MEMBER_HEADERS
        try:
            yield
        finally:
            self._header_bytes_left = None

    def read(self, size: int = -1) -> bytes:
        if not 0 <= size <= _MAX_HEADER:
            raise ArchiveError(
                f"{self._label}: a tar header asks to read {size} bytes at once"
                f" (limit {_MAX_HEADER}); the archive is corrupt or hostile"
            )
        if self._header_bytes_left is not None:
            if size > self._header_bytes_left:
                raise ArchiveError(
                    f"{self._label}: the headers of member {self._member} (pax records, long"
                    f" names, a sparse map) run past {_MAX_MEMBER_HEADERS} bytes;"
                    " the archive is corrupt or hostile"
                )
            self._header_bytes_left -= size
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


class Hashing:
    """Reads through, hashing the bytes as stored while gzip decompresses them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        return data


def open_tar(raw: Any, label: str) -> tarfile.TarFile:
    """A tar read through _Guarded; tarfile reads the first member's headers here."""
    guarded = _Guarded(raw, label)
    with tar_errors(label), guarded.headers_of(1):
        return tarfile.open(fileobj=guarded, mode="r:")


def iter_members(
    tar: tarfile.TarFile, label: str, max_members: int
) -> Iterator[tuple[str, tarfile.TarInfo]]:
    """Yield (normalized name, member) for every member but the root, checked (GNU sparse
    members refused: docker never writes them), emptying tarfile's member cache as it goes so
    that memory stays flat however long the tar is."""
    count, previous = 0, "the start"
    # tarfile reads the first header on open; when the tar is empty, asking it for another one
    # misreads the end block (before Python 3.11), so it is not asked.
    while tar.firstmember is not None or count:
        with tar_errors(f"{label}, after {previous}"), tar.fileobj.headers_of(count + 1):
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
        if info.issparse():
            raise ArchiveError(
                f"{label}: member {count} ({info.name!r}) is a GNU sparse file;"
                " docker never writes those"
            )
        previous = f"member {info.name!r}"
        name = normalize(info.name, label)
        if name:
            yield name, info
    if not tar.fileobj.ended_at(tar.offset):
        raise ArchiveError(
            f"{label}: truncated or corrupt after {previous}:"
            f" no valid header or end-of-archive block at byte {tar.offset}"
        )


def normalize(name: str, label: str) -> str:
    """A member name as Docker compares them (no './', no empty segments); refuses names that
    would land outside the root."""
    if name.startswith("/"):
        raise ArchiveError(f"{label}: member {name!r} is absolute; it escapes the archive root")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"{label}: member {name!r} escapes the archive root")
    return "/".join(parts)


def member_kind(info: tarfile.TarInfo) -> str:
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
    kind, size, linkname = member_kind(info), info.size, info.linkname
    if base == _OPAQUE:
        return LayerEntry(parent, kind, size, linkname, "opaque")
    if base.startswith(_WHITEOUT) and not base.startswith(_AUFS_META):
        deleted = base[len(_WHITEOUT) :]
        if deleted in ("", ".", ".."):
            raise ArchiveError(f"{label}: whiteout {name!r} names no file")
        return LayerEntry(posixpath.join(parent, deleted), kind, size, linkname, "file")
    return LayerEntry(name, kind, size, linkname, None)


def gzipped(stream: BinaryIO, label: str) -> bool:
    """Whether a tar is gzip-compressed (the containerd image store keeps layers so), by its
    magic bytes; zstd is refused with the reason."""
    with tar_errors(label):
        magic = stream.read(len(_ZSTD_MAGIC))
        stream.seek(0)
    if magic.startswith(_ZSTD_MAGIC):
        raise ArchiveError(f"{label}: zstd-compressed; this reader handles plain and gzip tars")
    return magic.startswith(GZIP_MAGIC)


def unzip(stream: BinaryIO, label: str) -> BinaryIO:
    """The tar bytes, decompressed on the fly when gzip."""
    return gzip.GzipFile(fileobj=stream, mode="rb") if gzipped(stream, label) else stream


def read_member(tar: tarfile.TarFile, info: tarfile.TarInfo, max_bytes: int, label: str) -> bytes:
    if info.size > max_bytes:
        raise ArchiveError(
            f"{label}: member {info.name!r} holds {info.size} bytes, more than"
            f" max_bytes={max_bytes}"
        )
    with tar_errors(f"{label}, member {info.name!r}"):
        stream = tar.extractfile(info)
        return b"".join(iter(lambda: stream.read(CHUNK), b""))


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


class TarReader(abc.ABC):
    """What a saved layer and an export share: a tar read front to back, in bounded memory."""

    label: str
    _max_members: int

    @abc.abstractmethod
    def _raw(self) -> contextlib.AbstractContextManager[BinaryIO]:
        """The uncompressed tar bytes, from the start."""

    @contextlib.contextmanager
    def _open(self) -> Iterator[tuple[tarfile.TarFile, Iterator[tuple[str, tarfile.TarInfo]]]]:
        with self._raw() as raw, open_tar(raw, self.label) as tar:
            yield tar, iter_members(tar, self.label, self._max_members)

    def entries(self) -> Iterator[LayerEntry]:
        """Every member, streamed, with whiteout markers decoded."""
        with self._open() as (_, members):
            for name, info in members:
                yield _entry(name, info, self.label)

    def held(self, name: str) -> tuple[str, int] | None:
        """The kind and size of the member named `name` as the tar holds it, its name read
        as it is (a whiteout marker too, undecoded); None when there is none."""
        wanted = member_name(name)
        with self._open() as (_, members):
            _, info = _last(members, wanted, None)
        return (member_kind(info), info.size) if info is not None else None

    def tree(self) -> dict[str, Node]:
        """Every member by its name, with its content's digest: what the tar holds, compared
        by content and never by size (two versions of a file may have the same size)."""
        found: dict[str, Node] = {}
        with self._open() as (tar, members):
            for name, info in members:
                if _entry(name, info, self.label).whiteout:
                    found[name] = Node("whiteout")
                elif info.isreg():
                    found[name] = Node("file", self._digest(tar, info))
                elif info.islnk():
                    target = found.get(member_name(info.linkname))
                    if target is None or target.kind != "file":
                        raise ArchiveError(f"{self.label}: hard link {name!r} to "
                                           f"{info.linkname!r}, which no earlier file is")
                    found[name] = target
                elif info.issym():
                    found[name] = Node("symlink", linkname=info.linkname)
                else:
                    found[name] = Node("dir" if info.isdir() else "other")
        return found

    def _digest(self, tar: tarfile.TarFile, info: tarfile.TarInfo) -> str:
        digest = hashlib.sha256()
        with tar_errors(f"{self.label}, member {info.name!r}"):
            stream = tar.extractfile(info)
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return f"sha256:{digest.hexdigest()}"

    def read(self, path: str, max_bytes: int = 1 << 20) -> bytes:
        """The content of one regular file (a hard link reads its target); KeyError when absent."""
        wanted, limit = member_name(path), None
        while True:  # at most twice: a hard link's target is looked up among earlier members
            with self._open() as (tar, members):
                position, info = _last(members, wanted, limit)
                if info is None:
                    raise KeyError(f"{self.label}: no member {wanted!r}")
                if info.islnk() and limit is None:
                    wanted, limit = member_name(info.linkname), position
                    continue
                if not info.isreg():
                    raise ArchiveError(
                        f"{self.label}: member {info.name!r} is a {member_kind(info)}, not a file"
                    )
                return read_member(tar, info, max_bytes, self.label)


class ExportArchive(TarReader):
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
            yield unzip(file, self.label)

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


def open_export(path: str | os.PathLike[str], *, max_members: int = MAX_MEMBERS) -> ExportArchive:
    """Open a `docker export` tar, checking at once that it is a tar."""
    archive = ExportArchive(path, max_members)
    with archive._raw() as raw, open_tar(raw, archive.label):
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


def merged_view(layers: Sequence[HasEntries]) -> dict[str, tuple[int, LayerEntry]]:
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



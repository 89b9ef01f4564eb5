"""A reader of bbolt database files (go.etcd.io/bbolt), enough to read containerd's snapshotter
metadata: which snapshot directory holds a container's writable layer (engine.mounts).

containerd keeps, in `<snapshotter root>/metadata.db`, a bucket per snapshot (`v1/snapshots/
<namespace>/<n>/<key>`) holding its number (`id`: the directory `snapshots/<id>`), its kind and
its parent's key. No tool of the engine's API tells them, and `ctr` is not the suite's to run;
the host reader reads the file, read-only, and this module reads its bytes.

The format: pages of the size the meta page says; two meta pages (0 and 1), of which the valid
one with the higher transaction id is the current; a bucket is a B+tree of branch and leaf
pages, or a page inline in its parent's value when small. A leaf element flagged 1 is a nested
bucket, whose value starts with its root page id and sequence. All integers little-endian.

A leaf: no I/O, bytes in, values out; a file that is no bbolt database, or is cut short, raises
BoltError.
"""

from __future__ import annotations

import struct
from typing import Union

MAGIC = 0xED0CDAED
PAGE_HEADER = struct.Struct("<QHHI")          # id, flags, count, overflow
META = struct.Struct("<IIIIQQQQQQ")           # magic, version, page size, flags, root bucket
#                                               (root page, sequence), freelist, pgid, txid,
#                                               checksum
BRANCH_ELEMENT = struct.Struct("<IIQ")         # pos, ksize, pgid
LEAF_ELEMENT = struct.Struct("<IIII")           # flags, pos, ksize, vsize
BUCKET_HEADER = struct.Struct("<QQ")           # root page (0: inline), sequence
BRANCH, LEAF = 0x01, 0x02
BUCKET_FLAG = 0x01
MAX_DEPTH = 64

Tree = dict[bytes, Union[bytes, "Tree"]]
"""A bucket: key -> value, or -> a nested bucket."""


class BoltError(ValueError):
    """The bytes are no bbolt database, or not a whole one."""


def _fnv64a(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _unpack(layout: struct.Struct, data: bytes, offset: int) -> tuple:
    if offset < 0 or offset + layout.size > len(data):
        raise BoltError(f"the database is cut short: {layout.size} bytes wanted at offset "
                        f"{offset}, it has {len(data)}")
    return layout.unpack_from(data, offset)


def _root(data: bytes) -> tuple[int, int]:
    """(page size, the root bucket's page) of the current meta page."""
    if len(data) < PAGE_HEADER.size + META.size:
        raise BoltError(f"{len(data)} bytes are no bbolt database")
    page_size = _unpack(META, data, PAGE_HEADER.size)[2]
    found = []
    for page in (0, 1):
        offset = page * page_size + PAGE_HEADER.size
        try:
            magic, version, size, _, root, _, _, _, txid, checksum = _unpack(META, data, offset)
        except BoltError:
            continue
        if (magic == MAGIC and version == 2 and size == page_size
                and _fnv64a(data[offset:offset + META.size - 8]) == checksum):
            found.append((txid, root))
    if not page_size or not found:
        raise BoltError("no valid meta page: the file is no bbolt database (version 2)")
    return page_size, max(found)[1]


def read(data: bytes) -> Tree:
    """Every bucket of the database, nested, with its values."""
    page_size, root = _root(data)

    def elements(buffer: bytes, offset: int, depth: int):
        if depth > MAX_DEPTH:
            raise BoltError("the database's pages nest deeper than any bbolt file's")
        _, flags, count, _ = _unpack(PAGE_HEADER, buffer, offset)
        start = offset + PAGE_HEADER.size
        for index in range(count):
            at = start + index * 16
            if flags & BRANCH:
                _, _, child = _unpack(BRANCH_ELEMENT, buffer, at)
                yield from elements(data, child * page_size, depth + 1)
            elif flags & LEAF:
                element_flags, pos, ksize, vsize = _unpack(LEAF_ELEMENT, buffer, at)
                key_at = at + pos
                if key_at + ksize + vsize > len(buffer):
                    raise BoltError("the database is cut short inside a page")
                yield (buffer[key_at:key_at + ksize],
                       buffer[key_at + ksize:key_at + ksize + vsize],
                       bool(element_flags & BUCKET_FLAG))
            else:
                raise BoltError(f"page at offset {offset} is neither a branch nor a leaf "
                                f"(flags {flags:#x})")

    def bucket(buffer: bytes, offset: int, depth: int) -> Tree:
        tree: Tree = {}
        for key, value, nested in elements(buffer, offset, depth):
            if not nested:
                tree[key] = value
                continue
            child, _ = _unpack(BUCKET_HEADER, value, 0)
            tree[key] = (bucket(value, BUCKET_HEADER.size, depth + 1) if child == 0
                         else bucket(data, child * page_size, depth + 1))
        return tree

    return bucket(data, root * page_size, 0)


def uvarint(value: bytes) -> int:
    """A Go binary.Uvarint (how containerd stores a snapshot's id)."""
    number = shift = 0
    for byte in value:
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number
        shift += 7
    raise BoltError(f"{value!r} is no complete uvarint")

"""`docker save` tars: the legacy layout (manifest.json, <id>/layer.tar), the OCI layout
(index.json, blobs/sha256) or both (Docker 25+), each image with its config, tags and layers."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import posixpath
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from docker_claims.engine.archives.tar import (
    CHUNK,
    DIGEST,
    GZIP_MAGIC,
    MAX_MEMBERS,
    ArchiveError,
    Hashing,
    TarReader,
    gzipped,
    iter_members,
    member_kind,
    normalize,
    open_tar,
    read_member,
    tar_errors,
    unzip,
)

_MAX_LINK_HOPS = 8
_NAMED_BY_DIGEST = re.compile(r"(?:blobs/sha256/([0-9a-f]{64})|([0-9a-f]{64})\.json)")


_INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}


_CONFIG_TYPES = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
}


_MAX_INDEX_DEPTH = 4


_MAX_JSON = 16 << 20


class SavedLayer(TarReader):
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
            yield unzip(stream, self.label)

    def compute_diff_id(self) -> str:
        """sha256 of the uncompressed layer tar, streamed; a blob must also match its own digest
        and the result the image config's diff id, or the archive is corrupt."""
        diff_id = self.hash_as_held()
        if diff_id != self.diff_id:
            raise ArchiveError(
                f"{self.label}: uncompressed layer has diff id {diff_id},"
                f" but the image config says {self.diff_id}"
            )
        return diff_id

    def hash_as_held(self) -> str:
        """sha256 of the uncompressed layer tar as the archive holds it, whatever the image
        config says it should be (a blob must still match the digest it is named by)."""
        with self._archive._member(self._info, self.label) as stream:
            compressed = gzipped(stream, self.label)
            stored = Hashing(stream)
            with tar_errors(self.label):
                tar = gzip.GzipFile(fileobj=stored, mode="rb") if compressed else stored
                uncompressed = hashlib.sha256()
                while chunk := tar.read(CHUNK):  # gzip reads its input to the end
                    uncompressed.update(chunk)
        stored_digest = f"sha256:{stored.sha256.hexdigest()}"
        if self.digest is not None and stored_digest != self.digest:
            raise ArchiveError(
                f"{self.label}: blob has digest {stored_digest}, but is named {self.digest}"
            )
        return f"sha256:{uncompressed.hexdigest()}"


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
    if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
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
            if self._file.read(len(GZIP_MAGIC)) == GZIP_MAGIC:
                raise ArchiveError(f"{self.label}: gzip-compressed; gunzip it to a plain tar first")
            self._file.seek(0)
            self._tar = open_tar(self._file, self.label)
            self._members = dict(iter_members(self._tar, self.label, max_members))
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
        with tar_errors(label):
            stream = self._tar.extractfile(info)
        with stream:
            yield stream

    def _resolve(self, reference: str, referrer: str) -> tarfile.TarInfo:
        """The file a manifest reference names, through the links docker save writes for a
        layer that two images share."""
        name = normalize(reference, f"{self.label}, {referrer}")
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
                name = normalize(info.linkname, self.label)
            else:
                raise ArchiveError(
                    f"{self.label}: {referrer} references member {name!r}, a {member_kind(info)}"
                )
        raise ArchiveError(f"{self.label}: {referrer}: too many links from {reference!r}")

    def _read_json(self, reference: str, referrer: str) -> tuple[Any, str]:
        """A JSON member and the digest of its bytes, checked against its name's digest."""
        info = self._resolve(reference, referrer)
        data = read_member(self._tar, info, _MAX_JSON, self.label)
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        promised = _named_digest(normalize(reference, self.label))
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
            member = normalize(reference, self.label)
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


def open_save(path: str | os.PathLike[str], *, max_members: int = MAX_MEMBERS) -> SavedArchive:
    """Open a `docker save` tar (legacy, OCI or both layouts); use it as a context manager."""
    return SavedArchive(path, max_members)

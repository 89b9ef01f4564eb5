"""docker_claims.engine.archives against archives built here: both save layouts, exports, and the
ways a hostile or broken tar tries to get past the reader."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import tracemalloc
from pathlib import Path

import pytest

from docker_claims.engine.archives import ArchiveError, merged_view, open_export, open_save, spool
from docker_claims.engine.records import LayerEntry

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"


# Members: (TarInfo, data) pairs, so that a test can write any tar, well-formed or not.


def file(name: str, data: bytes = b"", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    return info, data


def directory(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info, b""


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, b""


def device(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    return info, b""


def tar_bytes(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def write(path: Path, *members: tuple[tarfile.TarInfo, bytes]) -> Path:
    path.write_bytes(tar_bytes(*members))
    return path


def sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def config_of(layers: list[bytes]) -> bytes:
    return json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/bin/sh"], "Env": ["A=1"]},
            "rootfs": {"type": "layers", "diff_ids": [sha256(layer) for layer in layers]},
            "history": [{"created_by": f"step {n}"} for n in range(len(layers))],
        }
    ).encode()


def legacy_members(layers: list[bytes], tags: list[str] | None = None) -> list:
    """Docker <= 24's layout: manifest.json, <id>.json config, <id>/layer.tar per layer."""
    config = config_of(layers)
    members, references = [], []
    for number, layer in enumerate(layers):
        layer_id = hashlib.sha256(b"%d" % number + layer).hexdigest()
        references.append(f"{layer_id}/layer.tar")
        members += [
            directory(f"{layer_id}/"),
            file(f"{layer_id}/VERSION", b"1.0"),
            file(f"{layer_id}/json", b"{}"),
            file(f"{layer_id}/layer.tar", layer),
        ]
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    manifest = [{"Config": config_name, "RepoTags": tags or ["app:1"], "Layers": references}]
    return [
        file(config_name, config),
        *members,
        file("manifest.json", json.dumps(manifest).encode()),
    ]


def blob(data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return file(f"blobs/sha256/{sha256(data)[7:]}", data)


def descriptor(media_type: str, data: bytes, **extra) -> dict:
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data), **extra}


def oci_manifest(layers: list[bytes], compress: bool) -> tuple[bytes, list]:
    """An image manifest and its blobs (config, layers gzip-compressed when `compress`)."""
    config = config_of(layers)
    stored = [gzip.compress(layer, mtime=0) if compress else layer for layer in layers]
    layer_type = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor(OCI_CONFIG, config),
            "layers": [descriptor(layer_type, data) for data in stored],
        }
    ).encode()
    return manifest, [blob(config), *(blob(data) for data in stored), blob(manifest)]


def oci_members(layers: list[bytes], *, compress: bool = False, legacy: bool = False) -> list:
    """The OCI layout; with `legacy`, also Docker 25+'s manifest.json pointing into blobs."""
    manifest, blobs = oci_manifest(layers, compress)
    annotations = {
        "io.containerd.image.name": "docker.io/library/app:1",
        "org.opencontainers.image.ref.name": "1",
    }
    index = {
        "schemaVersion": 2,
        "manifests": [descriptor(OCI_MANIFEST, manifest, annotations=annotations)],
    }
    members = [
        file("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
        file("index.json", json.dumps(index).encode()),
        *blobs,
    ]
    if legacy:
        parsed = json.loads(manifest)
        legacy_manifest = [
            {
                "Config": f"blobs/sha256/{parsed['config']['digest'][7:]}",
                "RepoTags": ["app:1"],
                "Layers": [f"blobs/sha256/{layer['digest'][7:]}" for layer in parsed["layers"]],
            }
        ]
        members.append(file("manifest.json", json.dumps(legacy_manifest).encode()))
    return members


BASE = tar_bytes(
    directory("bin"),
    file("bin/sh", b"shell v1", 0o755),
    directory("etc"),
    file("etc/os-release", b"base"),
    file("etc/motd", b"hello"),
    directory("var/cache"),
    file("var/cache/a", b"a"),
    file("var/cache/b", b"b"),
)
TOP = tar_bytes(
    directory("./etc"),
    file("./etc/os-release", b"top"),
    file("./etc/.wh.motd"),
    directory("./var/cache"),
    file("./var/cache/.wh..wh..opq"),
    file("./var/cache/c", b"c"),
    link("./bin/ash", "/bin/sh"),
)


@pytest.fixture
def legacy_save(tmp_path: Path) -> Path:
    return write(tmp_path / "save.tar", *legacy_members([BASE, TOP], ["app:1", "app:latest"]))


def test_legacy_save_lists_layers_config_and_tags(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        assert archive.layout == "legacy"
        [image] = archive.images
        assert image.repo_tags == ["app:1", "app:latest"]
        assert image.config["config"]["Cmd"] == ["/bin/sh"]
        assert [row["created_by"] for row in image.config["history"]] == ["step 0", "step 1"]
        assert image.config_digest == sha256(config_of([BASE, TOP]))
        assert image.manifest_digest is None
        assert [layer.index for layer in image.layers] == [0, 1]
        assert image.layers[0].member.endswith("/layer.tar")
        assert [layer.diff_id for layer in image.layers] == [sha256(BASE), sha256(TOP)]


def test_compute_diff_id_hashes_the_uncompressed_layer(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        assert [layer.compute_diff_id() for layer in archive.images[0].layers] == [
            sha256(BASE),
            sha256(TOP),
        ]


def test_entries_are_normalized_and_whiteouts_decoded(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        entries = list(archive.images[0].layers[1].entries())
    assert LayerEntry("etc/os-release", "file", 3, "", None) in entries
    assert LayerEntry("etc/motd", "file", 0, "", "file") in entries
    assert LayerEntry("var/cache", "file", 0, "", "opaque") in entries
    assert LayerEntry("bin/ash", "symlink", 0, "/bin/sh", None) in entries


def test_whiteout_hides_the_lower_file(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        layers = archive.images[0].layers
        assert "etc/motd" in merged_view(layers[:1])
        assert "etc/motd" not in merged_view(layers)


def test_upper_version_replaces_the_lower_one(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        layers = archive.images[0].layers
        view = merged_view(layers)
        assert view["etc/os-release"][0] == 1
        assert layers[view["etc/os-release"][0]].read("etc/os-release") == b"top"
        assert layers[0].read("/etc/os-release") == b"base"


def test_lookup_falls_through_to_a_file_only_in_the_lower_layer(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        layers = archive.images[0].layers
        assert merged_view(layers)["bin/sh"][0] == 0


def test_opaque_directory_hides_lower_contents_but_keeps_its_own(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        layers = archive.images[0].layers
        view = merged_view(layers)
        assert {path for path in view if path.startswith("var/cache/")} == {"var/cache/c"}
        assert view["var/cache"][0] == 1


def test_whiteout_of_a_directory_hides_everything_below_it(tmp_path: Path) -> None:
    lower = tar_bytes(directory("d"), directory("d/e"), file("d/e/f"), file("keep"))
    upper = tar_bytes(file(".wh.d"))
    with open_save(write(tmp_path / "s.tar", *legacy_members([lower, upper]))) as archive:
        layers = archive.images[0].layers
        assert set(merged_view(layers)) == {"keep"}


def test_file_replacing_a_directory_hides_its_lower_contents(tmp_path: Path) -> None:
    lower = tar_bytes(directory("d"), file("d/f"))
    upper = tar_bytes(file("d", b"now a file"))
    with open_save(write(tmp_path / "s.tar", *legacy_members([lower, upper]))) as archive:
        layers = archive.images[0].layers
        assert merged_view(layers) == {"d": (1, LayerEntry("d", "file", 10, "", None))}


def test_empty_layer_has_no_entries(tmp_path: Path) -> None:
    with open_save(write(tmp_path / "s.tar", *legacy_members([BASE, tar_bytes()]))) as archive:
        layers = archive.images[0].layers
        assert list(layers[1].entries()) == []
        assert layers[1].compute_diff_id() == sha256(tar_bytes())


def test_read_follows_a_hard_link_to_its_target(tmp_path: Path) -> None:
    layer = tar_bytes(file("a", b"content"), link("b", "a", tarfile.LNKTYPE))
    with open_save(write(tmp_path / "s.tar", *legacy_members([layer]))) as archive:
        assert archive.images[0].layers[0].read("b") == b"content"


def test_read_refuses_symlinks_missing_paths_and_big_files(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        top = archive.images[0].layers[1]
        with pytest.raises(ArchiveError, match="'./bin/ash' is a symlink"):
            top.read("bin/ash")
        with pytest.raises(KeyError, match="no member 'etc/motd'"):
            top.read("etc/motd")  # whited out: the layer holds only the marker
        with pytest.raises(ArchiveError, match="3 bytes, more than max_bytes=2"):
            top.read("etc/os-release", max_bytes=2)


def test_layer_read_after_close_says_to_stay_in_the_with_block(legacy_save: Path) -> None:
    with open_save(legacy_save) as archive:
        layer = archive.images[0].layers[0]
    with pytest.raises(ValueError, match="is closed; read its layers inside its with block"):
        layer.read("bin/sh")


def test_layer_shared_by_two_images_is_read_through_the_symlink_save_writes(
    tmp_path: Path,
) -> None:
    members = legacy_members([BASE])
    first_layer = json.loads(members[-1][1])[0]["Layers"][0]
    config = config_of([BASE])
    manifest = json.loads(members[-1][1]) + [
        {"Config": members[0][0].name, "RepoTags": ["other:1"], "Layers": ["other/layer.tar"]}
    ]
    members[-1] = file("manifest.json", json.dumps(manifest).encode())
    members += [directory("other"), link("other/layer.tar", f"../{first_layer}")]
    with open_save(write(tmp_path / "s.tar", *members)) as archive:
        second = archive.images[1]
        assert second.repo_tags == ["other:1"]
        assert second.config_digest == sha256(config)
        assert second.layers[0].member == "other/layer.tar"
        assert second.layers[0].compute_diff_id() == sha256(BASE)


def test_oci_only_save_reads_images_from_index_json(tmp_path: Path) -> None:
    with open_save(write(tmp_path / "s.tar", *oci_members([BASE, TOP]))) as archive:
        assert archive.layout == "oci"
        [image] = archive.images
        assert image.repo_tags == ["app:1"]
        assert image.manifest_digest == sha256(oci_manifest([BASE, TOP], False)[0])
        assert image.layers[1].member == f"blobs/sha256/{sha256(TOP)[7:]}"
        assert image.layers[1].digest == sha256(TOP)
        assert image.layers[1].compute_diff_id() == sha256(TOP)


def test_legacy_and_oci_save_reads_gzip_compressed_layer_blobs(tmp_path: Path) -> None:
    members = oci_members([BASE, TOP], compress=True, legacy=True)
    with open_save(write(tmp_path / "s.tar", *members)) as archive:
        assert archive.layout == "legacy+oci"
        [image] = archive.images
        assert image.repo_tags == ["app:1"]
        assert image.manifest_digest == sha256(oci_manifest([BASE, TOP], True)[0])
        top = image.layers[1]
        assert top.digest == sha256(gzip.compress(TOP, mtime=0))
        assert top.diff_id == sha256(TOP)
        assert top.compute_diff_id() == sha256(TOP)
        assert top.read("etc/os-release") == b"top"
        assert set(merged_view(image.layers)) == {
            "bin", "bin/sh", "bin/ash", "etc", "etc/os-release", "var/cache", "var/cache/c",
        }  # fmt: skip


def test_nested_index_skips_absent_platforms_and_attestations(tmp_path: Path) -> None:
    manifest, blobs = oci_manifest([BASE], compress=True)
    statement = b'{"_type": "https://in-toto.io/Statement/v0.1"}'
    attestation = json.dumps(
        {
            "schemaVersion": 2,
            "config": descriptor("application/vnd.in-toto+json", statement),
            "layers": [],
        }
    ).encode()
    image_index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                descriptor(OCI_MANIFEST, manifest),
                descriptor(OCI_MANIFEST, b"arm64 manifest, not saved"),
                descriptor(OCI_MANIFEST, attestation),
            ],
        }
    ).encode()
    annotations = {"io.containerd.image.name": "registry.example/team/app:2"}
    index = {"manifests": [descriptor(OCI_INDEX, image_index, annotations=annotations)]}
    members = [
        file("index.json", json.dumps(index).encode()),
        *blobs,
        blob(image_index),
        blob(attestation),
        blob(statement),
    ]
    with open_save(write(tmp_path / "s.tar", *members)) as archive:
        [image] = archive.images
        assert image.repo_tags == ["registry.example/team/app:2"]
        assert image.manifest_digest == sha256(manifest)


def test_zstd_layer_is_refused_with_the_reason(tmp_path: Path) -> None:
    layer = b"\x28\xb5\x2f\xfd" + bytes(100)
    members = legacy_members([layer])
    with (
        open_save(write(tmp_path / "s.tar", *members)) as archive,
        pytest.raises(ArchiveError, match="zstd-compressed"),
    ):
        list(archive.images[0].layers[0].entries())


def test_export_lists_paths_and_reads_files(tmp_path: Path) -> None:
    exported = write(
        tmp_path / "export.tar",
        file(".dockerenv"),
        directory("etc"),
        file("etc/hostname", b"abc\n"),
        link("etc/mtab", "/proc/mounts"),
    )
    with open_export(exported) as archive:
        assert archive.paths() == {".dockerenv", "etc", "etc/hostname", "etc/mtab"}
        assert archive.read("/etc/hostname") == b"abc\n"
        assert LayerEntry("etc/mtab", "symlink", 0, "/proc/mounts", None) in archive.entries()


def test_gzip_compressed_export_is_read_streaming(tmp_path: Path) -> None:
    exported = tmp_path / "export.tar.gz"
    exported.write_bytes(gzip.compress(tar_bytes(file("a", b"1"), file("b", b"2"))))
    with open_export(exported) as archive:
        assert archive.paths() == {"a", "b"}
        assert archive.read("b") == b"2"


def test_open_save_on_an_export_tar_says_to_use_open_export(tmp_path: Path) -> None:
    exported = write(tmp_path / "export.tar", file("etc/hostname", b"abc\n"))
    with pytest.raises(ArchiveError, match="neither manifest.json nor index.json.*open_export"):
        open_save(exported)


def test_gzip_compressed_save_is_refused_with_the_fix(tmp_path: Path, legacy_save: Path) -> None:
    zipped = tmp_path / "save.tar.gz"
    zipped.write_bytes(gzip.compress(legacy_save.read_bytes()))
    with pytest.raises(ArchiveError, match="gunzip it"):
        open_save(zipped)


def test_spool_writes_the_stream_to_a_file_in_the_directory(tmp_path: Path) -> None:
    path = spool(iter([b"ab", b"", b"cd"]), tmp_path)
    assert path.parent == tmp_path
    assert path.read_bytes() == b"abcd"


def test_spool_over_max_bytes_raises_and_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="more than max_bytes=3"):
        spool(iter([b"ab", b"cd"]), tmp_path, max_bytes=3)
    assert list(tmp_path.iterdir()) == []


# Hostile and broken archives: each ends in ArchiveError naming the archive and the member.


@pytest.mark.parametrize("name", ["/etc/passwd", "../etc/passwd", "a/../../etc/passwd"])
def test_member_escaping_the_root_is_refused(tmp_path: Path, name: str) -> None:
    saved = write(tmp_path / "s.tar", *legacy_members([BASE]), file(name, b"x"))
    with pytest.raises(ArchiveError, match=f"{saved}: member '{name}' .*escapes the archive root"):
        open_save(saved)


def test_layer_member_escaping_the_root_is_refused(tmp_path: Path) -> None:
    saved = write(tmp_path / "s.tar", *legacy_members([tar_bytes(file("../../etc/cron"))]))
    with open_save(saved) as archive:
        layer = archive.images[0].layers[0]
        with pytest.raises(ArchiveError, match=r"layer 0 .*member '../../etc/cron' escapes"):
            list(layer.entries())


@pytest.mark.parametrize("marker", ["d/.wh.", "d/.wh..", "d/.wh..."])
def test_whiteout_naming_no_file_is_refused(tmp_path: Path, marker: str) -> None:
    exported = write(tmp_path / "e.tar", directory("d"), file(marker))
    with open_export(exported) as archive, pytest.raises(ArchiveError, match="names no file"):
        list(archive.entries())


def test_truncated_archive_is_refused(tmp_path: Path, legacy_save: Path) -> None:
    cut = tmp_path / "cut.tar"
    cut.write_bytes(legacy_save.read_bytes()[: legacy_save.stat().st_size // 2])
    with pytest.raises(ArchiveError, match=f"save archive {cut}.*truncated"):
        open_save(cut)


def test_archive_cut_at_a_member_boundary_is_refused(tmp_path: Path) -> None:
    whole = tar_bytes(file("a", b"x" * 512), file("b", b"y" * 512))
    exported = tmp_path / "e.tar"
    exported.write_bytes(whole[: 2 * 512])  # header and data of "a", then nothing
    with (
        open_export(exported) as archive,
        pytest.raises(ArchiveError, match="truncated or corrupt after member 'a'"),
    ):
        archive.paths()


def test_truncated_layer_is_refused(tmp_path: Path) -> None:
    layer = tar_bytes(file("big", bytes(4096)))
    saved = write(tmp_path / "s.tar", *legacy_members([layer[:2048]]))
    with (
        open_save(saved) as archive,
        pytest.raises(ArchiveError, match=r"layer 0 .*after member 'big'.*truncated"),
    ):
        list(archive.images[0].layers[0].entries())


def test_truncated_gzip_layer_is_refused(tmp_path: Path) -> None:
    members = oci_members([BASE], compress=True)
    [layer_blob] = [m for m in members if m[1].startswith(b"\x1f\x8b")]
    members.remove(layer_blob)
    members.append((layer_blob[0], layer_blob[1][: len(layer_blob[1]) // 2]))
    layer_blob[0].size = len(layer_blob[1]) // 2
    with open_save(write(tmp_path / "s.tar", *members)) as archive:
        layer = archive.images[0].layers[0]
        with pytest.raises(ArchiveError, match="corrupt or truncated"):
            layer.compute_diff_id()
        with pytest.raises(ArchiveError, match="corrupt or truncated"):
            list(layer.entries())


def test_corrupt_header_is_refused(tmp_path: Path, legacy_save: Path) -> None:
    data = bytearray(legacy_save.read_bytes())
    data[1024:1536] = b"\xff" * 512  # the second member's header
    corrupt = tmp_path / "corrupt.tar"
    corrupt.write_bytes(data)
    with pytest.raises(ArchiveError, match=f"save archive {corrupt}.*corrupt"):
        open_save(corrupt)


@pytest.mark.parametrize("data", [b"", b"not a tar at all" * 100], ids=["empty", "garbage"])
def test_file_that_is_no_tar_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.tar"
    path.write_bytes(data)
    with pytest.raises(ArchiveError, match=f"save archive {path}: corrupt or truncated"):
        open_save(path)
    with pytest.raises(ArchiveError, match=f"export archive {path}: corrupt or truncated"):
        open_export(path)


def test_manifest_referencing_a_missing_layer_is_refused(tmp_path: Path) -> None:
    members = [m for m in legacy_members([BASE]) if not m[0].name.endswith("layer.tar")]
    with pytest.raises(
        ArchiveError,
        match=r"manifest.json entry 0 references member '\w+/layer.tar', which is missing",
    ):
        open_save(write(tmp_path / "s.tar", *members))


def test_index_referencing_a_missing_blob_is_refused(tmp_path: Path) -> None:
    members = [m for m in oci_members([BASE]) if m[1] != BASE]
    with pytest.raises(
        ArchiveError, match=r"references member 'blobs/sha256/\w+', which is missing"
    ):
        open_save(write(tmp_path / "s.tar", *members))


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"{not json", "'manifest.json' .* is not valid JSON"),
        (b"[" * 100_000, "'manifest.json' .* is not valid JSON"),
        (b'{"Config": "x"}', "manifest.json is not a list of images"),
        (b'[{"Layers": []}]', "manifest.json entry 0 has no Config member"),
        (b"[42]", "manifest.json entry 0 is not a JSON object"),
    ],
    ids=["syntax", "nesting-bomb", "not-a-list", "no-config", "not-an-object"],
)
def test_bad_manifest_json_is_refused(tmp_path: Path, manifest: bytes, message: str) -> None:
    members = legacy_members([BASE])
    members[-1] = file("manifest.json", manifest)
    with pytest.raises(ArchiveError, match=message):
        open_save(write(tmp_path / "s.tar", *members))


def test_config_whose_digest_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    members = legacy_members([BASE])
    info, config = members[0]
    members[0] = file(info.name, config.replace(b"amd64", b"arm64"))
    with pytest.raises(ArchiveError, match=f"member '{info.name}' has digest sha256:"):
        open_save(write(tmp_path / "s.tar", *members))


def test_layer_blob_whose_digest_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    members = oci_members([BASE])
    members = [(i, d.replace(b"shell v1", b"shell v2") if d == BASE else d) for i, d in members]
    with (
        open_save(write(tmp_path / "s.tar", *members)) as archive,
        pytest.raises(ArchiveError, match="blob has digest sha256:.*but is named sha256:"),
    ):
        archive.images[0].layers[0].compute_diff_id()


def test_layer_whose_diff_id_differs_from_the_config_is_refused(tmp_path: Path) -> None:
    members = legacy_members([BASE])
    members = [(i, d.replace(b"shell v1", b"shell v2") if d == BASE else d) for i, d in members]
    with (
        open_save(write(tmp_path / "s.tar", *members)) as archive,
        pytest.raises(ArchiveError, match="has diff id sha256:.*the image config says"),
    ):
        archive.images[0].layers[0].compute_diff_id()


def test_manifest_and_config_disagreeing_on_layer_count_is_refused(tmp_path: Path) -> None:
    members = legacy_members([BASE, TOP])
    manifest = json.loads(members[-1][1])
    manifest[0]["Layers"].pop()
    members[-1] = file("manifest.json", json.dumps(manifest).encode())
    with pytest.raises(ArchiveError, match="lists 1 layers but its config's rootfs.diff_ids has 2"):
        open_save(write(tmp_path / "s.tar", *members))


def test_too_many_members_are_refused(tmp_path: Path, legacy_save: Path) -> None:
    with pytest.raises(ArchiveError, match="more than max_members=3 members"):
        open_save(legacy_save, max_members=3)
    layer = tar_bytes(*(file(f"f{n}") for n in range(10)))  # the save tar itself has 6
    with (
        open_save(write(tmp_path / "s.tar", *legacy_members([layer])), max_members=6) as archive,
        pytest.raises(ArchiveError, match=r"layer 0 .*more than max_members=6"),
    ):
        list(archive.images[0].layers[0].entries())


def test_oversized_pax_header_is_refused(tmp_path: Path) -> None:
    info = tarfile.TarInfo("x")
    info.pax_headers = {"comment": "y" * (2 << 20)}
    with pytest.raises(ArchiveError, match="a tar header asks to read .* bytes at once"):
        open_export(write(tmp_path / "e.tar", (info, b"")))


# GNU sparse members and header chains, written block by block: tarfile writes neither.


def checksummed(block: bytearray) -> bytes:
    """A header block with its checksum field computed, as tar readers verify it."""
    block[148:156] = b" " * 8
    block[148:155] = b"%06o\0" % sum(block)
    return bytes(block)


def header(name: str, kind: bytes, size: int) -> bytearray:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, size
    return bytearray(info.tobuf(format=tarfile.GNU_FORMAT))


def sparse_extension(first: int, more: bool) -> bytes:
    """One extension block of an old GNU sparse map: 21 (offset, size) pairs."""
    pairs = b"".join(b"%011o\0%011o\0" % (first + 2 * n, 1) for n in range(21))
    return pairs + bytes([more]) + bytes(7)


def old_gnu_sparse(name: str, extensions: int) -> bytes:
    """An old GNU sparse member ('S') whose map runs on over `extensions` extension blocks
    (their last says that more follow, so the chain never ends) or, with none, a whole member
    holding 5 bytes."""
    block = header(name, tarfile.GNUTYPE_SPARSE, 512)
    block[386:410] = b"%011o\0%011o\0" % (0, 5)  # the header's own first pair
    block[482] = extensions > 0  # "an extension block follows"
    block[483:495] = b"%011o\0" % 5  # the file's real size
    chain = b"".join(sparse_extension(1 + 42 * n, True) for n in range(extensions))
    return checksummed(block) + chain + (b"hello".ljust(512, b"\0") if not extensions else b"")


def pax_sparse(headers: dict[str, str], data: bytes = b"hello") -> tuple[tarfile.TarInfo, bytes]:
    info, data = file("GNUSparseFile.0/s", data)
    info.pax_headers = {"GNU.sparse.name": "s", "GNU.sparse.realsize": "5", **headers}
    return info, data


SPARSE = {
    "old-gnu": lambda: old_gnu_sparse("s", extensions=0) + bytes(1024),
    "pax-0.0": lambda: tar_bytes(pax_sparse({"GNU.sparse.size": "5", "GNU.sparse.numblocks": "1",
                                             "GNU.sparse.offset": "0",
                                             "GNU.sparse.numbytes": "5"})),
    "pax-0.1": lambda: tar_bytes(pax_sparse({"GNU.sparse.size": "5",
                                             "GNU.sparse.numblocks": "1",
                                             "GNU.sparse.map": "0,5"})),
    "pax-1.0": lambda: tar_bytes(pax_sparse({"GNU.sparse.major": "1", "GNU.sparse.minor": "0"},
                                            b"1\n0\n5\n".ljust(512, b"\0") + b"hello")),
}


@pytest.mark.parametrize("kind", sorted(SPARSE))
def test_gnu_sparse_member_is_refused(tmp_path: Path, kind: str) -> None:
    exported = tmp_path / "e.tar"
    exported.write_bytes(tar_bytes(file("a", b"x"))[:1024] + SPARSE[kind]())
    with (
        open_export(exported) as archive,
        pytest.raises(ArchiveError, match=f"{exported}: member 2 .* GNU sparse file; docker never"),
    ):
        archive.paths()


def refused_in(action) -> tuple[str, int]:
    """Why `action` was refused, and the most memory Python held at once while it ran."""
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError) as refused:
            action()
        return str(refused.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_sparse_map_past_the_header_budget_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """tarfile holds an old GNU sparse map in memory, about four times its size on disk (a
    16 MiB map, read to its end, peaks at 63 MiB): it is refused after the 2 MiB header budget,
    in the memory that budget allows (8 MiB), however long the map claims to be."""
    exported = tmp_path / "e.tar"
    exported.write_bytes(old_gnu_sparse("s", extensions=16 * 2048))
    message, peak = refused_in(lambda: open_export(exported))
    assert f"{exported}: the headers of member 1 (" in message
    assert "run past 2097152 bytes" in message
    assert peak < 12 << 20, f"{peak} bytes held at once"


def test_sparse_map_of_a_later_member_is_bounded_too(tmp_path: Path) -> None:
    exported = tmp_path / "e.tar"
    chain = old_gnu_sparse("s", extensions=8 * 2048)
    exported.write_bytes(tar_bytes(file("a", b"x" * 4000))[:9 * 512] + chain)
    with (
        open_export(exported) as archive,
        pytest.raises(ArchiveError, match="the headers of member 2 .* run past"),
    ):
        archive.paths()


def test_pax_sparse_map_past_the_header_budget_is_refused(tmp_path: Path) -> None:
    entries = b"%020d\n" % 1 * ((3 << 20) // 21)  # 3 MiB of them, 21 bytes each
    sparse_map = b"%d\n" % (1 << 40) + entries
    info, data = pax_sparse({"GNU.sparse.major": "1", "GNU.sparse.minor": "0"}, sparse_map)
    with pytest.raises(ArchiveError, match="the headers of member 1 .* run past"):
        open_export(write(tmp_path / "e.tar", (info, data)))


def test_chain_of_long_name_headers_is_refused(tmp_path: Path) -> None:
    """tarfile follows each GNU long-name header into the next by recursion."""
    long_name = header("././@LongLink", tarfile.GNUTYPE_LONGNAME, 4)
    chain = (checksummed(long_name) + b"abc\0".ljust(512, b"\0")) * 2000
    exported = tmp_path / "e.tar"
    exported.write_bytes(chain + tar_bytes(file("x")))
    with pytest.raises(ArchiveError, match=f"{exported}: a chain of tar headers too long"):
        open_export(exported)


def test_archive_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    members = legacy_members([BASE])
    manifest = json.loads(members[-1][1])
    manifest[0]["Layers"] = ["evil/layer.tar"]
    members[-1] = file("manifest.json", json.dumps(manifest).encode())
    members += [link("evil/layer.tar", "../../etc/passwd")]
    with pytest.raises(ArchiveError, match="'evil/layer.tar' links to '../../etc/passwd', outside"):
        open_save(write(tmp_path / "s.tar", *members))

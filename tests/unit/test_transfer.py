"""docker_claims.engine.transfer, no engine needed: its readers, on save tars built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saved_image import CONFIG, IMAGE_ID, LOWER, UPPER, digest, record, tar_bytes

from docker_claims.claims import save_load
from docker_claims.engine import transfer
from docker_claims.evidence import ClaimFailed


def legacy_save(path: Path, *, upper: bytes = UPPER) -> Path:
    members = {f"{IMAGE_ID[7:]}.json": CONFIG, "l0": None, "l0/layer.tar": LOWER, "l1": None,
               "l1/layer.tar": upper,
               "manifest.json": json.dumps([{"Config": f"{IMAGE_ID[7:]}.json",
                                             "RepoTags": ["app:1"],
                                             "Layers": ["l0/layer.tar", "l1/layer.tar"]}]
                                           ).encode()}
    path.write_bytes(tar_bytes(members))
    return path


def oci_save(path: Path) -> Path:
    blobs = {digest(data): data for data in (CONFIG, LOWER, UPPER)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": IMAGE_ID, "size": len(CONFIG)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": digest(layer), "size": len(layer)} for layer in (LOWER, UPPER)],
    }).encode()
    blobs[digest(manifest)] = manifest
    name = {"io.containerd.image.name": "docker.io/library/app:1"}
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest),
        "size": len(manifest), "annotations": name}]}).encode()
    members: dict[str, bytes | None] = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}',
                                        "index.json": index}
    members.update({f"blobs/sha256/{key[7:]}": value for key, value in blobs.items()})
    path.write_bytes(tar_bytes(members))
    return path


@pytest.mark.parametrize("make", [legacy_save, oci_save])
def test_a_save_tar_is_read_for_the_image_in_either_layout(tmp_path, make):
    facts = transfer.read_save(make(tmp_path / "save.tar"), IMAGE_ID)
    assert facts.found and facts.tags == ["app:1"]
    assert facts.diff_ids == facts.computed == [digest(LOWER), digest(UPPER)]
    save_load.check_save_holds_layers(facts, record())
    save_load.check_save_holds_config(facts, record())


def test_a_save_tar_without_the_image_is_said_so(tmp_path):
    facts = transfer.read_save(legacy_save(tmp_path / "save.tar"), "sha256:" + "0" * 64)
    assert not facts.found and facts.images[0]["config_digest"] == IMAGE_ID
    with pytest.raises(ClaimFailed, match="does not hold the image"):
        save_load.check_save_holds_layers(facts, record(id="sha256:" + "0" * 64))


def test_a_layer_altered_in_the_save_tar_fails_the_layers_check(tmp_path):
    altered = tar_bytes({"claims": None, "claims/shadowed.txt": b"UPPER VERSION"})
    facts = transfer.read_save(legacy_save(tmp_path / "save.tar", upper=altered), IMAGE_ID)
    assert facts.computed[1].startswith("unreadable: ")
    with pytest.raises(ClaimFailed, match="do not hash to the image's layer digests"):
        save_load.check_save_holds_layers(facts, record())


def test_the_merged_view_and_the_hidden_paths_come_from_the_layers(tmp_path):
    layers = transfer.image_layers(legacy_save(tmp_path / "save.tar"))
    assert layers.view["claims/shadowed.txt"].size == len(b"upper version")
    assert "claims/deleted.txt" not in layers.view
    assert layers.hidden == {"claims/deleted.txt"}


def test_a_tar_read_flat_lists_its_members(tmp_path):
    members = transfer.tar_members(legacy_save(tmp_path / "save.tar"))
    assert {"manifest.json", "l0/layer.tar", f"{IMAGE_ID[7:]}.json"} <= members


def test_load_names_its_images_by_tag_or_by_id():
    found = [transfer.LOADED.search(line).group(1) for line in
             ("Loaded image: app:1", "Loaded image ID: sha256:" + "a" * 64)]
    assert found == ["app:1", "sha256:" + "a" * 64]

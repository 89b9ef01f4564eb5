"""docker_claims.transfer (C09, C11, C13) and cli_text (C10) without an engine: the readers on
archives built here, and every check failing on observations that contradict its claim."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from docker_claims.claims import export_import, pairs, save_load
from docker_claims.claims.image_layers import LayerWitness
from docker_claims.engine import images, transfer
from docker_claims.engine.cli_output import CliRun
from docker_claims.engine.records import (
    MISSING,
    Answer,
    ImageLayers,
    ImageRecord,
    LayerEntry,
    Loaded,
    Node,
    Ran,
    SavedFacts,
    Write,
)
from docker_claims.evidence import ClaimFailed

# -- archives built here -----------------------------------------------------------------------


def tar_bytes(files: dict[str, bytes | None]) -> bytes:
    """A tar of files (None: a directory)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


LOWER = tar_bytes({"bin": None, "bin/sh": b"shell", "claims": None,
                   "claims/shadowed.txt": b"lower", "claims/deleted.txt": b"doomed"})
UPPER = tar_bytes({"claims": None, "claims/shadowed.txt": b"upper version",
                   "claims/.wh.deleted.txt": b""})
CONFIG = json.dumps({
    "config": {"Cmd": ["sh"], "Env": ["A=1"], "WorkingDir": "", "Entrypoint": None},
    "rootfs": {"type": "layers", "diff_ids": [digest(LOWER), digest(UPPER)]},
    "history": [{"created": "1970-01-01T00:00:01Z", "created_by": "COPY lower"},
                {"created": "1970-01-01T00:00:02.123456789Z", "created_by": "COPY upper",
                 "comment": "c"}],
}).encode()
IMAGE_ID = digest(CONFIG)


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


def record(**changes) -> ImageRecord:
    base = {"id": IMAGE_ID, "layers": [digest(LOWER), digest(UPPER)], "tags": ["app:1"],
            "config": {"Cmd": ["sh"], "Env": ["A=1"], "WorkingDir": "", "Labels": None},
            "history": [
                {"Id": IMAGE_ID, "Created": 2, "CreatedBy": "COPY upper", "Comment": "c",
                 "Size": 13, "Tags": ["app:1"]},
                {"Id": "sha256:" + "1" * 64, "Created": 1, "CreatedBy": "COPY lower",
                 "Comment": "", "Size": 11, "Tags": None}]}
    base.update(changes)
    base.setdefault("name", "app:1")
    base.setdefault("history_by_name", base["history"])
    return ImageRecord(**base)


# -- readers ----------------------------------------------------------------------------------


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


def test_file_digest_is_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc" * 100_000)
    assert images.file_digest(path) == digest(b"abc" * 100_000)


def test_load_names_its_images_by_tag_or_by_id():
    found = [transfer.LOADED.search(line).group(1) for line in
             ("Loaded image: app:1", "Loaded image ID: sha256:" + "a" * 64)]
    assert found == ["app:1", "sha256:" + "a" * 64]


# -- C09 ------------------------------------------------------------------------------------


def ran(started=True, code=0, error="", output="", status=None) -> Ran:
    return Ran("sha256:x", ["sh"], started, code if started else None, output, error, status)


NOT_FOUND = ('failed to create shim task: OCI runtime create failed: runc create failed: unable '
             'to start container process: exec: "sh": executable file not found in $PATH')


def test_runs_check_fails_when_the_command_cannot_start_or_fails():
    pairs.check_runs(ran())
    with pytest.raises(ClaimFailed, match="would not run"):
        pairs.check_runs(ran(False, error=NOT_FOUND))
    with pytest.raises(ClaimFailed, match="exit code 127"):
        pairs.check_runs(ran(code=127))


def test_cannot_run_check_fails_when_the_command_runs_or_fails_for_another_reason():
    pairs.check_cannot_run(ran(False, error=NOT_FOUND, status=400))
    pairs.check_cannot_run(ran(code=127, output="sh: sh: not found\n"))
    with pytest.raises(ClaimFailed, match="ran the command successfully"):
        pairs.check_cannot_run(ran())
    with pytest.raises(ClaimFailed, match="not because the image holds no 'sh'"):
        pairs.check_cannot_run(ran(False, error="cgroup setup failed: device busy", status=500))
    with pytest.raises(ClaimFailed, match="not because the image holds no 'sh'"):
        pairs.check_cannot_run(ran(False, error='exec: "shell": executable file not found'))
    with pytest.raises(ClaimFailed, match="exit code 1, not 127"):
        pairs.check_cannot_run(ran(code=1, output="sh: not found"))


def test_refused_check_fails_when_the_engine_accepts_or_refuses_for_another_reason():
    pairs.check_refused(Answer("export app:1", False, 404, "No such container: app:1"))
    pairs.check_refused(Answer("save c1", False, 404, "No such image: c1"))
    pairs.check_refused(Answer("save c1", False, 404, "reference does not exist"))
    with pytest.raises(ClaimFailed, match="accepted `export app:1`"):
        pairs.check_refused(Answer("export app:1", True))
    with pytest.raises(ClaimFailed, match="without saying why"):
        pairs.check_refused(Answer("export app:1", False, 500, ""))
    with pytest.raises(ClaimFailed, match="not because export looks the name up"):
        pairs.check_refused(Answer("export app:1", False, 500, "the engine is shutting down"))
    with pytest.raises(ClaimFailed, match="not because export looks the name up"):
        pairs.check_refused(Answer("export app:1", False, 500, "No such container: app:1"))
    with pytest.raises(ClaimFailed, match="not because save looks the name up"):
        pairs.check_refused(Answer("save c1", False, 404, "No such container: c1"))


def test_load_failure_check_fails_when_the_tar_loads_or_fails_for_another_reason():
    pairs.check_load_failed(Loaded(Answer(
        "load x", False, None, "open /var/lib/docker/tmp/docker-import-1/bin/json: no such file "
        "or directory")))
    pairs.check_load_failed(Loaded(Answer("load x", False, 500, "unrecognized image format")))
    with pytest.raises(ClaimFailed, match="without an error"):
        pairs.check_load_failed(Loaded(Answer("load x", True), ("app:1",), (), ("sha256:a",)))
    with pytest.raises(ClaimFailed, match="made images"):
        pairs.check_load_failed(Loaded(Answer("load x", False, None, "open x/json: not found"),
                                       ("app:1",)))
    with pytest.raises(ClaimFailed, match="not because the tar lacks what a save tar holds"):
        pairs.check_load_failed(Loaded(Answer("load x", False, None,
                                              "write /var/lib/docker/tmp: no space left")))


def test_image_back_check_fails_when_load_makes_another_image():
    loaded = Loaded(Answer("load x", True), ("app:1",), ("Loaded image: app:1",), (IMAGE_ID,))
    pairs.check_image_back(record(), loaded)
    other = Loaded(Answer("load x", True), ("app:1",), (), ("sha256:" + "b" * 64,))
    with pytest.raises(ClaimFailed, match="not the one saved"):
        pairs.check_image_back(record(), other)
    with pytest.raises(ClaimFailed, match="did not load"):
        pairs.check_image_back(record(), Loaded(Answer("load x", False, None, "no")))


def test_archive_files_check_fails_when_the_image_holds_its_own_files():
    archive = {"manifest.json", "l0", "l0/layer.tar"}
    pairs.check_holds_archive_files(set(archive), archive, {"bin", "bin/sh"})
    with pytest.raises(ClaimFailed, match="not the save tar's members"):
        pairs.check_holds_archive_files({"bin", "bin/sh"}, archive, {"bin", "bin/sh"})
    with pytest.raises(ClaimFailed, match="holds files of the saved image"):
        pairs.check_holds_archive_files(archive | {"bin"}, archive | {"bin"}, {"bin"})


def test_imported_writes_check_fails_when_the_image_lacks_or_keeps_a_write():
    seen = [Write("/claims", "changed", True, None, None),
            Write("/claims/added.txt", "added", True, b"new\n", b"new\n"),
            Write("/claims/gone.txt", "deleted", False, None, None)]
    assert transfer.files_of(seen) == ["/claims/added.txt", "/claims/gone.txt"]
    pairs.check_image_holds_writes(seen, {"/claims/added.txt": "new\n",
                                             "/claims/gone.txt": None})
    with pytest.raises(ClaimFailed, match="does not see the container's writes"):
        pairs.check_image_holds_writes(seen, {"/claims/added.txt": None,
                                                 "/claims/gone.txt": None})
    with pytest.raises(ClaimFailed, match="does not see the container's writes"):
        pairs.check_image_holds_writes(seen, {"/claims/added.txt": "new\n",
                                                 "/claims/gone.txt": "back\n"})


# -- C11 ------------------------------------------------------------------------------------


def entry(path, kind="file", size=1, linkname="", whiteout=None) -> LayerEntry:
    return LayerEntry(path, kind, size, linkname, whiteout)


def held(content: bytes) -> Node:
    return Node("file", digest(content))


LAYERS = ImageLayers({"bin": entry("bin", "dir", 0), "bin/sh": entry("bin/sh", size=5),
                      "bin/ls": entry("bin/ls", "symlink", 0, "sh"),
                      "claims/shadowed.txt": entry("claims/shadowed.txt", size=13)},
                     {"claims/deleted.txt"},
                     {"bin": Node("dir"), "bin/sh": held(b"shell"),
                      "bin/ls": Node("symlink", linkname="sh"),
                      "claims/shadowed.txt": held(b"upper version")})


def test_merged_view_check_fails_on_a_missing_a_different_or_a_whiteout_path():
    exported = {**LAYERS.tree, ".dockerenv": held(b"")}
    assert export_import.check_export_is_merged_view(LAYERS, exported)[
        "exported_beyond_the_layers"] == [".dockerenv"]
    without = {k: v for k, v in exported.items() if k != "bin/sh"}
    with pytest.raises(ClaimFailed, match="lacks paths"):
        export_import.check_export_is_merged_view(LAYERS, without)
    lower = {**exported, "claims/shadowed.txt": held(b"lower")}
    with pytest.raises(ClaimFailed, match="otherwise than the topmost layer"):
        export_import.check_export_is_merged_view(LAYERS, lower)
    relinked = {**exported, "bin/ls": Node("symlink", linkname="busybox")}
    with pytest.raises(ClaimFailed, match="otherwise than the topmost layer"):
        export_import.check_export_is_merged_view(LAYERS, relinked)
    layered = {**exported, ".wh.x": Node("whiteout")}
    with pytest.raises(ClaimFailed, match="whiteouts"):
        export_import.check_export_is_merged_view(LAYERS, layered)


def test_merged_view_check_compares_content_not_size():
    """Two versions of a file of one size: only their content tells them apart."""
    same_size = {**LAYERS.tree, "claims/shadowed.txt": held(b"lower version")}
    with pytest.raises(ClaimFailed, match="otherwise than the topmost layer"):
        export_import.check_export_is_merged_view(LAYERS, same_size)


def test_hidden_check_fails_when_the_export_shows_a_deleted_path():
    export_import.check_export_hides(LAYERS, dict(LAYERS.view))
    shown = {**LAYERS.view, "claims/deleted.txt": entry("claims/deleted.txt")}
    with pytest.raises(ClaimFailed, match="holds paths an upper layer hides"):
        export_import.check_export_hides(LAYERS, shown)
    with pytest.raises(ClaimFailed, match="hide nothing"):
        export_import.check_export_hides(ImageLayers(LAYERS.view, set()), dict(LAYERS.view))


def witness() -> LayerWitness:
    return LayerWitness("/claims/shadowed.txt", [
        {"layer": 2, "kind": "file", "content": b"lower"},
        {"layer": 3, "kind": "file", "content": b"upper version"}])


def test_top_version_check_fails_on_the_lower_version_or_none():
    export_import.check_export_top_version(witness(), b"upper version")
    with pytest.raises(ClaimFailed, match="layer 3's version"):
        export_import.check_export_top_version(witness(), b"lower")
    with pytest.raises(ClaimFailed, match="lacks /claims/shadowed.txt"):
        export_import.check_export_top_version(witness(), None)


def test_lacks_check_fails_when_the_export_holds_the_path():
    export_import.check_export_lacks("/claims/deleted.txt", {"claims"})
    with pytest.raises(ClaimFailed, match="holds /claims/deleted.txt"):
        export_import.check_export_lacks("/claims/deleted.txt", {"claims", "claims/deleted.txt"})


SEEN = [Write("/claims", "changed", True, None, None),
        Write("/claims/added.txt", "added", True, b"a\n", b"a\n"),
        Write("/claims/shadowed.txt", "changed", True, b"c\n", b"c\n"),
        Write("/claims/lower-only.txt", "deleted", False, None, None)]


def test_writes_check_fails_when_a_write_is_absent_or_differs():
    export_import.check_export_holds_writes(SEEN)
    absent = [*SEEN[:1], Write("/claims/added.txt", "added", False, None, None), *SEEN[2:]]
    with pytest.raises(ClaimFailed, match="lacks what the container added"):
        export_import.check_export_holds_writes(absent)
    older = [*SEEN[:2], Write("/claims/shadowed.txt", "changed", True, b"upper", b"c\n"),
             *SEEN[3:]]
    with pytest.raises(ClaimFailed, match="otherwise than it reads them"):
        export_import.check_export_holds_writes(older)
    with pytest.raises(ClaimFailed, match="nothing to check"):
        export_import.check_export_holds_writes(SEEN[3:])


def test_deletions_check_fails_when_a_deleted_file_is_exported():
    export_import.check_export_lacks_deletions(SEEN)
    kept = [*SEEN[:3], Write("/claims/lower-only.txt", "deleted", True, b"x", None)]
    with pytest.raises(ClaimFailed, match="holds what the container deleted"):
        export_import.check_export_lacks_deletions(kept)
    with pytest.raises(ClaimFailed, match="deleted nothing"):
        export_import.check_export_lacks_deletions(SEEN[:3])


def test_prepared_check_fails_when_the_file_is_absent_in_the_layers_or_written():
    exported = set(LAYERS.view) | {".dockerenv", "etc/hosts"}
    observed = export_import.check_export_holds_prepared("/.dockerenv", exported, LAYERS, {})
    assert observed["prepared_by_the_engine"] == [".dockerenv", "etc/hosts"]
    with pytest.raises(ClaimFailed, match="lacks /.dockerenv"):
        export_import.check_export_holds_prepared("/.dockerenv", set(LAYERS.view), LAYERS, {})
    held = ImageLayers({**LAYERS.view, ".dockerenv": entry(".dockerenv")}, LAYERS.hidden)
    with pytest.raises(ClaimFailed, match="layers hold /.dockerenv already"):
        export_import.check_export_holds_prepared("/.dockerenv", exported, held, {})
    with pytest.raises(ClaimFailed, match="container itself wrote"):
        export_import.check_export_holds_prepared("/.dockerenv", exported, LAYERS,
                                             {"/.dockerenv": "added"})


def test_volume_check_fails_when_the_file_is_exported_or_not_in_the_volume():
    mounted = {"/v": "added"}
    export_import.check_volume_not_exported("/v/kept.txt", b"kept\n", {"v"}, mounted)
    with pytest.raises(ClaimFailed, match="holds /v/kept.txt, from a volume"):
        export_import.check_volume_not_exported("/v/kept.txt", b"kept\n", {"v", "v/kept.txt"},
                                           mounted)
    with pytest.raises(ClaimFailed, match="no /v/kept.txt in its volume"):
        export_import.check_volume_not_exported("/v/kept.txt", None, {"v"}, mounted)
    with pytest.raises(ClaimFailed, match="in the container's writable layer, not a volume"):
        export_import.check_volume_not_exported("/v/kept.txt", b"kept\n", {"v"},
                                           {**mounted, "/v/kept.txt": "added"})


def test_one_layer_check_fails_for_several_layers():
    observed = export_import.check_one_layer(["sha256:t"], "sha256:t", ["sha256:a", "sha256:b"])
    assert observed["layer_is_the_export"]
    with pytest.raises(ClaimFailed, match="has 2 layers, not one"):
        export_import.check_one_layer(["sha256:a", "sha256:b"], "sha256:t", ["sha256:a"])


# -- C13 ------------------------------------------------------------------------------------


def facts(**changes) -> SavedFacts:
    base = {"found": True, "images": [], "layout": "legacy", "tags": ["app:1"],
            "diff_ids": [digest(LOWER), digest(UPPER)],
            "computed": [digest(LOWER), digest(UPPER)],
            "config": json.loads(CONFIG)}
    base.update(changes)
    return SavedFacts(**base)


def test_save_layers_check_fails_on_other_or_fewer_layers():
    save_load.check_save_holds_layers(facts(), record())
    with pytest.raises(ClaimFailed, match="lists other layers"):
        save_load.check_save_holds_layers(facts(diff_ids=[digest(LOWER)]), record())


def test_save_config_check_fails_on_other_config_tags_or_history():
    save_load.check_save_holds_config(facts(), record())
    config = json.loads(CONFIG)
    config["config"]["Cmd"] = ["true"]
    with pytest.raises(ClaimFailed, match="config differs"):
        save_load.check_save_holds_config(facts(config=config), record())
    with pytest.raises(ClaimFailed, match="names the image otherwise"):
        save_load.check_save_holds_config(facts(tags=[]), record())
    config = json.loads(CONFIG)
    config["history"][1]["comment"] = "rewritten"
    with pytest.raises(ClaimFailed, match="history differs"):
        save_load.check_save_holds_config(facts(config=config), record())
    with pytest.raises(ClaimFailed, match="does not hold the image"):
        save_load.check_save_holds_config(facts(found=False), record())
    config = json.loads(CONFIG)
    config["history"][0]["created"] = "1970-01-01T00:00:09Z"
    with pytest.raises(ClaimFailed, match="history differs"):
        save_load.check_save_holds_config(facts(config=config), record())


def test_save_config_check_fails_when_history_by_name_differs():
    """`docker history NAME` is how the article's user reads it: by id alone is not enough."""
    one_row = record().history[:1]
    with pytest.raises(ClaimFailed, match=r"history differs .*by name \(app:1\)"):
        save_load.check_save_holds_config(facts(), record(history_by_name=one_row))


def test_same_image_check_fails_on_another_id_layers_or_tags():
    save_load.check_same_image(record(), record())
    with pytest.raises(ClaimFailed, match="another id"):
        save_load.check_same_image(record(), record(id="sha256:" + "c" * 64))
    with pytest.raises(ClaimFailed, match="other layers"):
        save_load.check_same_image(record(), record(layers=[digest(LOWER)]))
    with pytest.raises(ClaimFailed, match="other tags"):
        save_load.check_same_image(record(), record(tags=[]))


def test_same_config_check_ignores_empty_fields_but_not_values():
    save_load.check_same_config(record(), record(config={"Cmd": ["sh"], "Env": ["A=1"]}))
    with pytest.raises(ClaimFailed, match="config differs"):
        save_load.check_same_config(record(), record(config={"Cmd": ["sh"], "Env": ["A=2"]}))


def test_same_history_check_fails_on_a_changed_lost_or_foreign_row():
    before = record()
    after_rows = [dict(row) for row in before.history]
    after_rows[1]["Id"] = MISSING
    save_load.check_same_history(before, record(history=after_rows))
    changed = [dict(row) for row in after_rows]
    changed[1]["Comment"] = "rewritten"
    with pytest.raises(ClaimFailed, match="rows by id differ"):
        save_load.check_same_history(before, record(history=changed))
    with pytest.raises(ClaimFailed, match="has 1 rows"):
        save_load.check_same_history(before, record(history=after_rows[:1]))
    foreign = [{**after_rows[0], "Id": "sha256:" + "d" * 64}, after_rows[1]]
    with pytest.raises(ClaimFailed, match="top row is not the loaded image"):
        save_load.check_same_history(before, record(history=foreign, history_by_name=after_rows))


def test_same_history_check_fails_when_history_by_name_lost_rows():
    """Asked by the loaded image's name, history answers one row; by id, all of them."""
    before = record()
    with pytest.raises(ClaimFailed, match=r"history by name \(app:1\) has 1 rows"):
        save_load.check_same_history(before, record(history_by_name=before.history[:1]))
    one_row = record(history_by_name=before.history[:1])
    with pytest.raises(ClaimFailed, match=r"by name \(app:1\) is not its history by id"):
        save_load.check_same_history(one_row, one_row)


def test_intermediates_check_fails_when_rows_still_name_them_or_never_did():
    before = record()
    forgotten = [dict(row) for row in before.history]
    forgotten[1]["Id"] = MISSING
    assert save_load.intermediates_named(before) == [1]
    save_load.check_intermediates_forgotten(before, record(history=forgotten))
    with pytest.raises(ClaimFailed, match="still name the intermediate images"):
        save_load.check_intermediates_forgotten(before, before)
    with pytest.raises(ClaimFailed, match="no history row named"):
        save_load.check_intermediates_forgotten(record(history=forgotten),
                                               record(history=forgotten))


# -- C10: the CLI's words, and its standard input ----------------------------------------------


def cli_ran(code=0, stdout="", stderr="") -> CliRun:
    return CliRun(("load", "--help"), code, stdout, stderr)


def test_prints_check_fails_on_other_words_or_a_failed_command():
    help_text = "Usage:  docker load [OPTIONS]\n\nLoad an image from a tar archive or\n STDIN\n"
    pairs.check_prints(cli_ran(stdout=help_text), "Load an image from a tar archive or STDIN")
    with pytest.raises(ClaimFailed, match="does not print"):
        pairs.check_prints(cli_ran(stdout=help_text),
                              "Import the contents from a tarball to create a filesystem image")
    with pytest.raises(ClaimFailed, match="failed"):
        pairs.check_prints(cli_ran(1, help_text), "Load an image from a tar archive or STDIN")


def test_load_from_stdin_check_fails_when_the_image_did_not_come_back():
    pairs.check_load_read_stdin(cli_ran(stdout="Loaded image: app:1\n"), IMAGE_ID, [IMAGE_ID])
    with pytest.raises(ClaimFailed, match="did not bring back"):
        pairs.check_load_read_stdin(cli_ran(), IMAGE_ID, [])
    with pytest.raises(ClaimFailed, match="`docker load` failed"):
        pairs.check_load_read_stdin(cli_ran(1, "", "requested load from stdin, but stdin is "
                                                      "empty"), IMAGE_ID, [])


def imported(layers):
    return ImageRecord("sha256:" + "e" * 64, layers, [], {})


def test_import_from_stdin_check_fails_when_the_layer_is_not_the_tar():
    pairs.check_import_read_stdin(cli_ran(), imported(["sha256:t"]), "sha256:t")
    with pytest.raises(ClaimFailed, match="not the tar given on standard input"):
        pairs.check_import_read_stdin(cli_ran(), imported(["sha256:u"]), "sha256:t")
    with pytest.raises(ClaimFailed, match="made no image"):
        pairs.check_import_read_stdin(cli_ran(1), None, "sha256:t")
    with pytest.raises(ClaimFailed, match="made no image"):
        pairs.check_import_made_image(cli_ran(1), None)

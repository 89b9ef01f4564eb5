"""docker_claims.claims.export_import, no engine needed: C11-C12 checks fail on contrary facts."""

from __future__ import annotations

import pytest
from saved_image import digest

from docker_claims.claims import export_import
from docker_claims.claims.image_layers import LayerWitness
from docker_claims.engine.records import ImageLayers, ImageRecord, LayerEntry, Node, Ran, Write
from docker_claims.evidence import ClaimFailed

# -- C11: export writes what the container sees into one layer --------------------------------


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


# -- C12: an import has no build history, and none of the image's config ----------------------


CONFIG = {"Cmd": ["sh", "-c", 'echo "$GREETING in $PWD"'], "Env": ["PATH=/bin", "GREETING=hi $x"],
          "WorkingDir": "/claims", "Entrypoint": None, "Labels": {"a": "b"}}
NAMES = ("CMD", "ENV", "WORKDIR")


def image(config=None, rows=None, layers=None, image_id="sha256:" + "a" * 64) -> ImageRecord:
    rows = rows if rows is not None else [
        {"Id": image_id, "CreatedBy": "/bin/sh -c #(nop)  CMD [\"sh\"]", "Comment": "", "Size": 0},
        {"Id": "<missing>", "CreatedBy": "COPY busybox /bin/busybox", "Comment": "", "Size": 9}]
    return ImageRecord(image_id, layers or ["sha256:l1", "sha256:l2"], [],
                       CONFIG if config is None else config, rows)


def imported(config=None, rows=None, image_id="sha256:" + "b" * 64) -> ImageRecord:
    rows = rows if rows is not None else [
        {"Id": image_id, "CreatedBy": "", "Comment": "Imported from -", "Size": 9}]
    return ImageRecord(image_id, ["sha256:flat"], [], config or {"Cmd": None, "Env": None,
                                                                 "WorkingDir": ""}, rows)


def test_instruction_names_are_read_from_the_step_text():
    assert export_import.instruction_names("CMD, ENV and WORKDIR") == NAMES
    assert export_import.instruction_names("CMD") == ("CMD",)
    with pytest.raises(ValueError, match="unknown instructions"):
        export_import.instruction_names("CMD and HEALTHCHECK")


def test_the_config_becomes_changes_that_the_engine_neither_splits_nor_expands():
    assert export_import.changes_for(CONFIG, NAMES) == [
        'CMD ["sh", "-c", "echo \\"$GREETING in $PWD\\""]',
        "ENV PATH='/bin'", "ENV GREETING='hi $x'", "WORKDIR /claims"]
    assert export_import.changes_for({"Cmd": None}, ("CMD",)) == []
    with pytest.raises(ValueError, match="single quote"):
        export_import.changes_for({"Env": ["A=it's"]}, ("ENV",))


def test_history_check_fails_when_the_import_kept_rows_or_the_image_had_none():
    steps = ["COPY busybox /bin/busybox", 'CMD ["sh"]']
    export_import.check_history_lost(imported(), image(), steps)
    with pytest.raises(ClaimFailed, match="has 2 rows, not one"):
        export_import.check_history_lost(image(), image(), steps)
    with pytest.raises(ClaimFailed, match="row per build step to lose"):
        export_import.check_history_lost(imported(), imported(), steps)


def test_row_check_fails_on_a_build_step_or_another_comment():
    export_import.check_row_is_import(imported(), "Imported from -")
    with pytest.raises(ClaimFailed, match="names a build step"):
        export_import.check_row_is_import(imported(rows=[{"CreatedBy": "RUN x",
                                                    "Comment": "Imported from -"}]),
                                    "Imported from -")
    with pytest.raises(ClaimFailed, match="comment is not"):
        export_import.check_row_is_import(imported(rows=[{
            "CreatedBy": "", "Comment": "Imported from http://example/x.tar"}]), "Imported from -")
    with pytest.raises(ClaimFailed, match="has 2 rows"):
        export_import.check_row_is_import(image(), "Imported from -")


def test_config_lost_check_fails_when_the_import_kept_some_or_the_image_set_none():
    export_import.check_config_lost(image(), imported(), NAMES)
    with pytest.raises(ClaimFailed, match="kept CMD, ENV, WORKDIR"):
        export_import.check_config_lost(image(), imported(config=CONFIG), NAMES)
    with pytest.raises(ClaimFailed, match="does not set WORKDIR"):
        export_import.check_config_lost(image(config={**CONFIG, "WorkingDir": ""}), imported(),
                                        NAMES)


def test_config_kept_check_fails_when_a_value_differs_or_is_lost():
    export_import.check_config_kept(image(), imported(config=dict(CONFIG)), NAMES)
    with pytest.raises(ClaimFailed, match="WORKDIR differ"):
        export_import.check_config_kept(image(), imported(config={**CONFIG, "WorkingDir": "/"}),
                                        NAMES)
    with pytest.raises(ClaimFailed, match="CMD, ENV, WORKDIR differ"):
        export_import.check_config_kept(image(), imported(), NAMES)


def test_no_command_check_fails_when_a_default_command_ran_or_for_another_reason():
    export_import.check_no_command(Ran("sha256:b", None, False, error="No command specified",
                                       status=400))
    with pytest.raises(ClaimFailed, match="ran a default command"):
        export_import.check_no_command(Ran("sha256:b", None, True, 0, "hi in /claims\n"))
    with pytest.raises(ClaimFailed, match="not because the image has no command"):
        export_import.check_no_command(Ran("sha256:b", None, False, status=500,
                                           error="no space left on device"))


def test_runs_alike_check_fails_on_other_output_or_a_failure():
    same = Ran("sha256:a", None, True, 0, "hi in /claims\n")
    export_import.check_runs_alike(same, Ran("sha256:b", None, True, 0, "hi in /claims\n"))
    with pytest.raises(ClaimFailed, match="does not do what one of the image does"):
        export_import.check_runs_alike(same, Ran("sha256:b", None, True, 0, " in /\n"))
    with pytest.raises(ClaimFailed, match="does not do what one of the image does"):
        export_import.check_runs_alike(same, Ran("sha256:b", None, False, error="No command"))
    with pytest.raises(ClaimFailed, match="image did not run its command"):
        export_import.check_runs_alike(Ran("sha256:a", None, True, 1), same)


def test_new_image_check_fails_for_one_image_twice_or_other_layers():
    export_import.check_new_image_each_time(imported(), imported(image_id="sha256:" + "c" * 64))
    with pytest.raises(ClaimFailed, match="same image id"):
        export_import.check_new_image_each_time(imported(), imported())
    with pytest.raises(ClaimFailed, match="same one layer"):
        export_import.check_new_image_each_time(imported(), image())

"""docker_claims.history (C12) without an engine: config rendered as import changes, and every
check failing on observations that contradict the claim."""

from __future__ import annotations

import pytest

from docker_claims.claims import export_import
from docker_claims.engine.records import ImageRecord, Ran
from docker_claims.evidence import ClaimFailed

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

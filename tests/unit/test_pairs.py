"""docker_claims.claims.pairs, no engine needed: C09-C10 checks fail on contrary facts."""

from __future__ import annotations

import pytest
from saved_image import IMAGE_ID, record

from docker_claims.claims import pairs
from docker_claims.engine import transfer
from docker_claims.engine.cli_output import CliRun
from docker_claims.engine.records import Answer, ImageRecord, Loaded, Ran, Write
from docker_claims.evidence import ClaimFailed

# -- C09 --------------------------------------------------------------------------------------


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


# -- C10: the CLI's words, and its standard input ---------------------------------------------


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

"""C09-C10: export/import are for containers, save/load for images, in pairs; the CLI's words.

C09: each pair moves what it is for, and crossing them misbehaves. C10: what the docker CLI
itself says of import and load, and their reading of standard input (the claim is about the
CLI, so the CLI is run, through engine.docker_cli)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from docker_claims.engine.cli_output import CliRun
from docker_claims.engine.records import Answer, ImageRecord, Loaded, Ran, Write
from docker_claims.evidence import Observation, expect


def check_runs(ran: Ran) -> dict:
    """C09: a container of the image runs the command to a successful end."""
    observed = vars(ran)
    expect(ran.started, "the engine would not run a container of the image", **observed)
    expect(ran.exit_code == 0, f"the command ended with exit code {ran.exit_code}", **observed)
    return Observation(observed, {"runs": {"exit_code": ran.exit_code}})


@dataclass(frozen=True)
class Reason:
    """Why the engine refuses a request, as a check expects it: the HTTP status (None: any) and
    words its message must hold. A refusal for any other reason (a full disk, an engine going
    down) says nothing of the claim, and fails the check."""

    because: str
    status: Optional[int]
    words: re.Pattern

    def check(self, status: Optional[int], error: str, **observed: Any) -> None:
        expect(bool(error), "the engine refused without saying why", status=status,
               **observed)
        expect((self.status is None or status == self.status) and bool(self.words.search(error)),
               f"the engine refused, but not because {self.because}", status=status,
               error=error, expected_status=self.status, expected_words=self.words.pattern,
               **observed)


EXPORT_OF_AN_IMAGE = Reason(
    "export looks the name up among containers, and no container has it", 404,
    re.compile(r"No such container", re.IGNORECASE))
SAVE_OF_A_CONTAINER = Reason(
    "save looks the name up among images, and no image has it", 404,
    re.compile(r"No such image|reference does not exist", re.IGNORECASE))
LOAD_OF_AN_EXPORT = Reason(
    "the tar lacks what a save tar holds (manifest.json, index.json, a layer's json)", None,
    re.compile(r"(manifest\.json|index\.json|repositories|/json)\b[^\n]*"
               r"(no such file|not found|does not exist)|unrecognized image format",
               re.IGNORECASE))
REFUSALS = {"export": EXPORT_OF_AN_IMAGE, "save": SAVE_OF_A_CONTAINER}
"""What each crossed request is refused for, by its verb."""


def not_found(command: list[str]) -> re.Pattern:
    """The runtime's words for a command whose executable the container's filesystem lacks
    (runc: `exec: "sh": executable file not found in $PATH`)."""
    executable = re.escape(command[0] if command else "")
    return re.compile(rf"{executable}\W[^\n]*(not found|no such file)|"
                      rf"(not found|no such file)[^\n]*\W{executable}\b", re.IGNORECASE)


def check_cannot_run(ran: Ran) -> dict:
    """C09: a container of the image cannot run the command, because the image's filesystem
    has no such executable: refused at start, or ended 127 (the shell's `not found`), in the
    runtime's words."""
    observed = vars(ran)
    expect(not ran.succeeded, "a container of the image ran the command successfully",
           **observed)
    missing = Reason(f"the image holds no {(ran.command or ['?'])[0]!r} to run", None,
                     not_found(ran.command or []))
    if ran.started:
        expect(ran.exit_code == 127, f"the command ended with exit code {ran.exit_code}, "
               "not 127 (command not found)", **observed)
        missing.check(None, ran.output, command=ran.command, image=ran.image)
    else:
        missing.check(ran.status, ran.error, command=ran.command, image=ran.image)
    return Observation(observed, {"import_of_a_save": {
        "runs": False, "exit_code": ran.exit_code if ran.started else None,
        "refused_with": None if ran.started else ran.status}})


def check_refused(answer: Answer) -> dict:
    """C09: the engine refused the request for the reason a crossed pair is refused (REFUSALS,
    by the request's verb); its answer is the evidence."""
    observed = vars(answer)
    expect(not answer.accepted, f"the engine accepted `{answer.request}`", **observed)
    verb = answer.request.split(" ", 1)[0]
    REFUSALS[verb].check(answer.status, answer.error, request=answer.request)
    return Observation(observed, {"refused": {verb: answer.status}})


def check_load_failed(loaded: Loaded) -> dict:
    """C09: `load` of the tar fails, because the tar is no save tar (LOAD_OF_AN_EXPORT), and
    makes no image."""
    observed = {**vars(loaded.answer), "loaded": loaded.references, "printed": loaded.messages}
    expect(not loaded.answer.accepted and bool(loaded.answer.error),
           "the engine loaded the tar without an error", **observed)
    LOAD_OF_AN_EXPORT.check(loaded.answer.status, loaded.answer.error,
                            request=loaded.answer.request)
    expect(not loaded.references, "the engine made images from the tar", **observed)
    return Observation(observed, {"refused": {"load": loaded.answer.status}})


def check_image_back(before: ImageRecord, loaded: Loaded) -> dict:
    """C09: `load` gave the removed image back: the engine has its id again."""
    observed = {"saved": before.id, "loaded": loaded.images, "printed": loaded.messages,
                **vars(loaded.answer)}
    expect(loaded.answer.accepted, "the engine did not load the save tar", **observed)
    expect(before.id in loaded.images, "the loaded image is not the one saved", **observed)
    return Observation(observed, {"loaded_back": {"id": before.id}})


def check_holds_archive_files(imported: set[str], archive: set[str], image: set[str]) -> dict:
    """C09: the image imported from a save tar has the tar's members for its files (its
    manifest, its layer tars...), and none of the saved image's own files."""
    observed = {"imported_image_files": sorted(imported), "save_tar_members": sorted(archive)}
    expect(imported == archive, "the imported image's files are not the save tar's members",
           only_in_image=sorted(imported - archive), only_in_tar=sorted(archive - imported),
           **observed)
    expect(not imported & image, "the imported image holds files of the saved image",
           shared=sorted(imported & image), **observed)
    return Observation(observed, {"import_of_a_save": {"files": len(imported),
                                                       "of_the_image": 0}})


def check_image_holds_writes(seen: list[Write], imported_reads: dict[str, Optional[str]]
                             ) -> dict:
    """C09: a container of the image imported from the export reads each file the exported
    container added or changed as that container reads it, and none it deleted."""
    differ = {}
    for write in seen:
        wanted = None if write.kind == "deleted" else write.container
        if write.kind == "deleted" or write.container is not None:
            read = imported_reads.get(write.path)
            if (read.encode() if read is not None else None) != wanted:
                differ[write.path] = {"kind": write.kind, "container": wanted, "imported": read}
    observed = {"changes": {w.path: w.kind for w in seen}, "imported_reads": imported_reads}
    expect(any(w.container is not None for w in seen),
           "the exported container added or changed no file: nothing to check", **observed)
    expect(not differ, "a container of the imported image does not see the container's writes",
           differ=differ, **observed)
    return Observation(observed, {"import_of_an_export": {"writes_seen": len(seen)}})


def check_prints(ran: CliRun, sentence: str) -> dict:
    """C10: the command prints the sentence (whitespace aside) and succeeds."""
    printed = " ".join(ran.stdout.split())
    observed = ran.evidence()
    expect(ran.exit_code == 0, f"`{ran.command}` failed", **observed)
    expect(" ".join(sentence.split()) in printed,
           f"`{ran.command}` does not print {sentence!r}", **observed)
    return Observation(observed, {"prints": {ran.command: sentence}})


def check_import_made_image(ran: CliRun, image: Optional[ImageRecord]) -> dict:
    """`docker import` succeeded and printed the id of the image it made."""
    observed = {**ran.evidence(), "image": image.id if image else None}
    expect(ran.exit_code == 0 and image is not None,
           f"`{ran.command}` made no image", **observed)
    return Observation(observed, {"cli_import": {"id": image.id, "layers": len(image.layers)}})


def check_load_read_stdin(ran: CliRun, saved_id: str, loaded: list[str]) -> dict:
    """C10: `docker load`, given the save tar of a removed image on standard input only,
    brought that very image back."""
    observed = {**ran.evidence(), "saved": saved_id, "loaded": loaded}
    expect(ran.exit_code == 0, "`docker load` failed", **observed)
    expect(saved_id in loaded, "`docker load` did not bring back the image saved", **observed)
    return Observation(observed, {"stdin": {"docker load": saved_id}})


def check_import_read_stdin(ran: CliRun, image: Optional[ImageRecord], tar_digest: str) -> dict:
    """C10: `docker import -` made an image whose one layer is the tar it was given on
    standard input, byte for byte."""
    layers = list(image.layers) if image else []
    observed = {**ran.evidence(), "image": image.id if image else None, "layers": layers,
                "tar_digest": tar_digest}
    expect(ran.exit_code == 0 and image is not None, "`docker import -` made no image",
           **observed)
    expect(layers == [tar_digest], "the imported image is not the tar given on standard input",
           **observed)
    return Observation(observed, {"stdin": {"docker import -": tar_digest}})

"""C10 (and C12's file import): what the docker CLI itself says and does.

The article quotes the CLI's help texts and relies on `load` and `import -` reading standard
input: those are claims about the CLI, so the CLI is run (through docker_cli: the `docker` on
PATH or DOCKER_CLAIMS_CLI, with this process's engine settings; before any engine command its
engine is checked to be the suite's, by its ID).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from docker.models.images import Image

from . import transfer
from .docker_cli import Cli, CliRun, label_changes
from .evidence import expect
from .resources import Resources

IMAGE_ID = re.compile(r"sha256:[0-9a-f]{64}")


def import_tar(cli: Cli, resources: Resources, tar: Path, *, from_stdin: bool
               ) -> tuple[CliRun, Optional[Image]]:
    """`docker import -` with the tar on standard input, or `docker import FILE`; the image it
    prints is adopted by the run at once."""
    source = "-" if from_stdin else str(tar)
    ran = cli.run("import", *label_changes(resources.run.labels("subject")), source,
                  stdin=tar if from_stdin else None)
    printed = IMAGE_ID.findall(ran.stdout)
    image = resources.image(printed[-1]) if ran.exit_code == 0 and printed else None
    return ran, image


def load_from_stdin(cli: Cli, resources: Resources, tar: Path) -> tuple[CliRun, list[str]]:
    """`docker load` with the tar on standard input; the images it prints are adopted."""
    existed = transfer.already_there(resources.client, tar)
    ran = cli.run("load", stdin=tar)
    references = transfer.LOADED.findall(ran.stdout) if ran.exit_code == 0 else []
    return ran, list(transfer.adopt_loaded(resources, references, existed))


def check_prints(ran: CliRun, sentence: str) -> dict:
    """C10: the command prints the sentence (whitespace aside) and succeeds."""
    printed = " ".join(ran.stdout.split())
    observed = ran.evidence()
    expect(ran.exit_code == 0, f"`{ran.command}` failed", **observed)
    expect(" ".join(sentence.split()) in printed,
           f"`{ran.command}` does not print {sentence!r}", **observed)
    return observed


def check_import_made_image(ran: CliRun, image: Optional[Image]) -> dict:
    """`docker import` succeeded and printed the id of the image it made."""
    observed = {**ran.evidence(), "image": image.id if image else None}
    expect(ran.exit_code == 0 and image is not None,
           f"`{ran.command}` made no image", **observed)
    return observed


def check_load_read_stdin(ran: CliRun, saved_id: str, loaded: list[str]) -> dict:
    """C10: `docker load`, given the save tar of a removed image on standard input only,
    brought that very image back."""
    observed = {**ran.evidence(), "saved": saved_id, "loaded": loaded}
    expect(ran.exit_code == 0, "`docker load` failed", **observed)
    expect(saved_id in loaded, "`docker load` did not bring back the image saved", **observed)
    return observed


def check_import_read_stdin(ran: CliRun, image: Optional[Image], tar_digest: str) -> dict:
    """C10: `docker import -` made an image whose one layer is the tar it was given on
    standard input, byte for byte."""
    layers = list((image.attrs.get("RootFS") or {}).get("Layers") or []) if image else []
    observed = {**ran.evidence(), "image": image.id if image else None, "layers": layers,
                "tar_digest": tar_digest}
    expect(ran.exit_code == 0 and image is not None, "`docker import -` made no image",
           **observed)
    expect(layers == [tar_digest], "the imported image is not the tar given on standard input",
           **observed)
    return observed

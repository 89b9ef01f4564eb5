"""C10 (and C12's file import): what the docker CLI itself says and does.

The article quotes the CLI's help texts and relies on `load` and `import -` reading standard
input: those are claims about the CLI, so this is the one place the suite runs it. It runs the
`docker` found on PATH against the engine the suite measures: the environment (DOCKER_HOST,
DOCKER_CONTEXT, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG) is passed through, and
before any engine command the CLI's engine is checked to be the suite's, by its ID.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import docker
from docker.models.images import Image

from . import transfer
from .evidence import expect
from .resources import Resources

CLI_TIMEOUT = 300
"""Seconds a CLI command may take (loading a big image), short of a hang."""

IMAGE_ID = re.compile(r"sha256:[0-9a-f]{64}")


class CliUnavailable(RuntimeError):
    """No docker CLI to run, or it talks to another engine: the scenario is skipped, saying so."""


@dataclass(frozen=True)
class Ran:
    """One CLI command, run to its end."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class DockerCli:
    path: str
    env: dict

    def run(self, *args: str, stdin: Optional[Path] = None,
            timeout: float = CLI_TIMEOUT) -> Ran:
        """`docker ARGS`, with the file `stdin` (streamed, never read here) as standard input."""
        with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
            done = subprocess.run([self.path, *args], stdin=source, capture_output=True,
                                  env=self.env, timeout=timeout, check=False)
        return Ran(("docker", *args), done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))


def find() -> DockerCli:
    """The docker CLI on PATH, with this process's environment (so the same engine settings)."""
    path = shutil.which("docker")
    if path is None:
        raise CliUnavailable("no docker CLI on PATH; the claim is about the CLI's own words")
    env = dict(os.environ)
    env.setdefault("DOCKER_CLI_HINTS", "false")
    return DockerCli(path, env)


def on_engine(cli: DockerCli, client: docker.DockerClient) -> DockerCli:
    """The CLI, once it is seen to talk to the suite's engine (same engine ID)."""
    ran = cli.run("info", "--format", "{{.ID}}")
    theirs, ours = ran.stdout.strip(), (client.info().get("ID") or "").strip()
    if ran.exit_code != 0 or not ours or theirs != ours:
        raise CliUnavailable(
            f"the docker CLI at {cli.path} does not talk to the suite's engine (it answered"
            f" {ran.exit_code}: {theirs or ran.stderr.strip()!r}; the suite's engine ID is"
            f" {ours!r}); set DOCKER_HOST or DOCKER_CONTEXT so that both reach the same one")
    return cli


def label_changes(resources: Resources) -> list[str]:
    """`--change` options giving an import the run's labels, so that the run removes it."""
    options = []
    for key, value in resources.run.labels("subject").items():
        options += ["--change", f"LABEL {key}={value}"]
    return options


def import_tar(cli: DockerCli, resources: Resources, tar: Path, *, from_stdin: bool
               ) -> tuple[Ran, Optional[Image]]:
    """`docker import -` with the tar on standard input, or `docker import FILE`; the image it
    prints is adopted by the run at once."""
    source = "-" if from_stdin else str(tar)
    ran = cli.run("import", *label_changes(resources), source,
                  stdin=tar if from_stdin else None)
    printed = IMAGE_ID.findall(ran.stdout)
    image = resources.image(printed[-1]) if ran.exit_code == 0 and printed else None
    return ran, image


def load_from_stdin(cli: DockerCli, resources: Resources, tar: Path) -> tuple[Ran, list[str]]:
    """`docker load` with the tar on standard input; the images it prints are adopted."""
    existed = transfer.already_there(resources.client, tar)
    ran = cli.run("load", stdin=tar)
    references = transfer.LOADED.findall(ran.stdout) if ran.exit_code == 0 else []
    return ran, list(transfer.adopt_loaded(resources, references, existed))


def check_prints(ran: Ran, sentence: str) -> dict:
    """C10: the command prints the sentence (whitespace aside) and succeeds."""
    printed = " ".join(ran.stdout.split())
    observed = vars(ran)
    expect(ran.exit_code == 0, f"`{' '.join(ran.args)}` failed", **observed)
    expect(" ".join(sentence.split()) in printed,
           f"`{' '.join(ran.args)}` does not print {sentence!r}", **observed)
    return observed


def check_import_made_image(ran: Ran, image: Optional[Image]) -> dict:
    """`docker import` succeeded and printed the id of the image it made."""
    observed = {**vars(ran), "image": image.id if image else None}
    expect(ran.exit_code == 0 and image is not None,
           f"`{' '.join(ran.args)}` made no image", **observed)
    return observed


def check_load_read_stdin(ran: Ran, saved_id: str, loaded: list[str]) -> dict:
    """C10: `docker load`, given the save tar of a removed image on standard input only,
    brought that very image back."""
    observed = {**vars(ran), "saved": saved_id, "loaded": loaded}
    expect(ran.exit_code == 0, "`docker load` failed", **observed)
    expect(saved_id in loaded, "`docker load` did not bring back the image saved", **observed)
    return observed


def check_import_read_stdin(ran: Ran, image: Optional[Image], tar_digest: str) -> dict:
    """C10: `docker import -` made an image whose one layer is the tar it was given on
    standard input, byte for byte."""
    layers = list((image.attrs.get("RootFS") or {}).get("Layers") or []) if image else []
    observed = {**vars(ran), "image": image.id if image else None, "layers": layers,
                "tar_digest": tar_digest}
    expect(ran.exit_code == 0 and image is not None, "`docker import -` made no image",
           **observed)
    expect(layers == [tar_digest], "the imported image is not the tar given on standard input",
           **observed)
    return observed

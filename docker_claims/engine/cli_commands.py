"""The docker CLI commands the claims about the CLI run (C10, C12, C14, C15), with the run's
names and labels on what they make, and its removal registered before it exists.

The article's commands are replayed as it typed them, with only what the suite's rules add:
`--name` and `--label` on what the CLI creates, `--network none`, and the run's fixture image
in place of the article's busybox; `docker ps -a --format table`, the CLI's default table even
where ~/.docker/config.json sets psFormat; `docker import FILE NAME --change LABEL...`, naming
the import as the article's `docker history test:test` does.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

from docker.models.images import Image

from docker_claims.engine import transfer
from docker_claims.engine.cli_output import CliContainer, CliImport, CliRun, Table, parse_table
from docker_claims.engine.docker_cli import Cli, label_changes, label_flags
from docker_claims.engine.scope import Resources, remove_container, remove_image

IMAGE_ID = re.compile(r"sha256:[0-9a-f]{64}")


def replay_container(cli: Cli, resources: Resources, command: str, image: str, *,
                     replacing: str) -> CliContainer:
    """The article's `docker create ...` or `docker run ...` of its image `replacing`, with
    `image` in its place, the run's name instead of the article's (--name), the run's labels
    and no network; its removal is registered before it exists (a `run` keeps it, exited, for
    its export)."""
    program, verb, *args = shlex.split(command)
    if program != "docker" or verb not in ("create", "run") or replacing not in args:
        raise ValueError(f"not a `docker create` or `docker run` of {replacing}: {command}")
    at = args.index(replacing)
    options, rest = args[:at], args[at + 1:]
    if "--name" in options:
        del options[options.index("--name"):options.index("--name") + 2]
    name = resources.run.name("cli")
    client = resources.client
    resources.defer(lambda: remove_container(client, name))
    made = cli.ok(verb, *options, "--name", name, *label_flags(resources.labels("subject")),
                  "--network", "none", image, *rest)
    return CliContainer(name, image, made)


def ps_all(cli: Cli, mine: Callable[[str], bool]) -> tuple[CliRun, Table]:
    """The article's `docker ps -a`, in the CLI's default table, cut to the rows of the
    containers whose name `mine` accepts (the run's): the engine lists everyone's containers,
    and what is not the run's is counted, never recorded."""
    ran = cli.ok("ps", "-a", "--format", "table")
    return (ran.only_rows("NAMES", mine),
            parse_table(ran.stdout.splitlines()).only("NAMES", mine))


def start(cli: Cli, container: CliContainer) -> CliRun:
    """The article's `docker start NAME`."""
    return cli.ok("start", container.name)


def import_file(cli: Cli, resources: Resources, tarball: Path,
                options: Sequence[str] = ()) -> CliImport:
    """The article's `docker import FILE`, naming the image (as its `docker history test:test`
    does) and labelling it with the run; its removal is registered before it exists. `options`
    go before the file (the engine tests give a `--message` to make the claim false)."""
    name = resources.run.name("import")
    client, run_id = resources.client, resources.run.id
    resources.defer(lambda: remove_image(client, name, run_id))
    made = cli.ok("import", *label_changes(resources.labels("subject")), *options,
                  str(tarball), name)
    return CliImport(name, made)


def history(cli: Cli, image: str) -> tuple[CliRun, Table]:
    """The article's `docker history IMAGE`."""
    ran = cli.ok("history", image)
    return ran, parse_table(ran.stdout.splitlines())


def import_tar(cli: Cli, resources: Resources, tar: Path, *, from_stdin: bool
               ) -> tuple[CliRun, Optional[Image]]:
    """`docker import -` with the tar on standard input, or `docker import FILE`; the image it
    prints is adopted by the run at once."""
    source = "-" if from_stdin else str(tar)
    ran = cli.run("import", *label_changes(resources.labels("subject")), source,
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

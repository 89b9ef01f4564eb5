"""What several scenarios only look at, made once per run and shared.

A scenario that acts on its subject (writes, stops, starts, removes) makes its own. A scenario
that only looks at one (its diff, its export, what it reads, what load gave back) shares the
run's: each maker here keys what it makes by the image (or container, or tar) it starts from,
so that the checks, which get these subjects as arguments, never depend on which scenario ran
first. Everything made here is removed when the session closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine import containers, images, transfer
from docker_claims.engine.docker_cli import Cli, cli_for_engine
from docker_claims.engine.fixtures import WRITES
from docker_claims.engine.scope import Resources
from docker_claims.evidence import expect
from docker_claims.runner.session import Session
from docker_claims.runner.state import Subject


@dataclass(frozen=True)
class Wrote:
    """A container that made WRITES and exited, and its image as it was just before the
    writes: its id and layer digests, and a save tar of it."""

    container: Container
    image_before: tuple[str, list[str]]
    saved_before: Path


def docker_cli(session: Session) -> Cli:
    """The docker CLI, checked once per run to reach the run's engine (engine.docker_cli): the
    precondition that decides whether CLI scenarios run and their Given share it. Raises
    CliUnavailable or CliElsewhere, every time it is asked, when there is none."""
    return session.shared("docker CLI", lambda resources: cli_for_engine(session.client))


def writer(session: Session, image: Image) -> Wrote:
    """The run's container of `image` that made WRITES and exited: the scenarios that only look
    at such a container (diff, commit, export, its layer directories) or at its image after it
    share it. The image's save tar the run shares is made before the writes, if it was not
    already: what the layers held before them is then known by content."""
    def make(resources: Resources) -> Wrote:
        before = (image.id, images.layers_of(image))
        saved = save_tar(session, image)
        return Wrote(containers.run_writes(resources, image, WRITES), before, saved)

    return session.shared(("made WRITES", image.id), make)


def reader(session: Session, image: Image) -> Container:
    """The run's running container of `image` that only reads (its files, through exec): the
    scenarios that read through it (C02) or only look at a running container (C05, C08's user
    and cgroup namespaces) share it."""
    return session.shared(("running, reads only", image.id),
                          lambda resources: containers.make_running(resources, image))


def applets(session: Session, image: Image) -> list[str]:
    """The applets the image's busybox lists (`busybox --list`): the links its `busybox
    --install` makes, one per applet. Asked of the run's reader of the image (an exec), not of a
    container started for it."""
    code, output = containers.exec_in(reader(session, image), ["/bin/busybox", "--list"])
    expect(code == 0, "`/bin/busybox --list` failed in a container of the image",
           exit_code=code, output=output)
    return output.split()


def created(session: Session, image: Image) -> Container:
    """The run's created container of `image`, made as a scenario makes its own
    (containers.make_created) and never started: shared by the scenarios that only look at a
    created container (its state, its export, its name)."""
    return session.shared(("created", image.id),
                          lambda resources: containers.make_created(resources, image))


def export_of(session: Session, container: Container) -> Path:
    """The export tar of a container that no longer changes (never started, or exited), made
    once per run: what an export holds is then fixed, so the scenarios that read it share it."""
    return session.shared(("export", container.id), lambda resources: containers.export(
        container, session.scratch_dir(resources.defer)))


def export(session: Session, container: Subject[Container], scratch: Path) -> Path:
    """The export of the container a scenario names: the run's, of a container the run shares
    (export_of); a fresh one, in `scratch`, of a container of the scenario's own."""
    made = container.look()
    return containers.export(made, scratch) if container.is_own else export_of(session, made)


def import_export(session: Session, resources: Resources, container: Subject[Container],
                  tar: Path) -> Image:
    """The import of that export: the run's (imported) when the run shares the container, the
    scenario's own otherwise."""
    if container.is_own:
        return transfer.import_tar(resources, tar)
    return imported(session, tar)


def imported(session: Session, tar: Path) -> Image:
    """The image imported from a tar the run shares (an export, a save tar), made once: the
    scenarios that only look at it or run containers of it share it."""
    return session.shared(("import", str(tar)),
                          lambda resources: transfer.import_tar(resources, tar))


def save_tar(session: Session, image: Image) -> Path:
    """The image's `docker save` tar, spooled once per run and image id: an image id names
    fixed content, so every scenario that only reads its layers shares one tar."""
    return session.shared(("save tar", image.id), lambda resources: transfer.save(
        session.client, image, session.scratch_dir(resources.defer)))


def own_image(session: Session, base: Image) -> Image:
    """The run's own image on top of `base` (containers.own_image), made once: the save and
    load scenarios share it, and its round trip."""
    return session.shared(("own image", base.id),
                          lambda resources: containers.own_image(resources, base))


def round_trip(session: Session, image: Image) -> transfer.RoundTrip:
    """The round trip of an image of the run's own, made once per run: the scenarios that look
    at what load gave back share it (the image is the same again after it). It loads the run's
    save tar of the image (save_tar), which the scenarios that read a save tar share too."""
    return session.shared(("saved, removed, loaded", image.id), lambda resources:
                          transfer.round_trip(resources, image, save_tar(session, image)))

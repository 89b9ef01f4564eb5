"""What tells a live run from a dead one, and the removal of what dead runs left.

A lease container lives exactly as long as the run's process; a run's temp dir holds a lock
for as long as its process lives. `sweep` removes, by the run label only, what runs that are
gone left behind, and never anything of a run still going on."""

from __future__ import annotations

try:
    import fcntl
except ImportError:  # Windows: temp dirs of dead runs are then left to the OS
    fcntl = None

import contextlib
import shutil
import socket
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import docker
from docker.errors import APIError

from docker_claims.engine.labels import LABEL_LEASED_ON, LABEL_ROLE, LABEL_RUN, NAME_PREFIX
from docker_claims.engine.scope import Run, ignoring_gone, remove_container

YOUNG_RUN_GRACE = 300
"""Seconds during which a run without a lease yet (it is building its first fixture) is alive."""


class Lease:
    """A container that lives exactly as long as this process: the run's sign of life.

    Its only process reads stdin, which this process holds attached (stdin_once). When the
    process ends, however it ends (even kill -9), the connection closes, stdin reaches EOF and
    the lease container exits: `sweep` then knows the run is dead. Its network namespace (no
    network, loopback only) is the one the run's subjects share (see Resources).
    """

    def __init__(self, client: docker.DockerClient, run: Run, image: str):
        self.client = client
        self.container = client.containers.create(
            image, ["cat"], name=run.lease_name, labels=run.labels("lease"),
            stdin_open=True, detach=False, network_mode="none")  # detach=False: StdinOnce
        self._socket = client.api.attach_socket(self.container.id,
                                                params={"stdin": 1, "stream": 1})
        self.container.start()

    def end(self, wait: bool = True) -> None:
        """Close its stdin: the lease exits (`wait`: wait until it has), and from then on
        sweeps take the run for over."""
        raw = getattr(self._socket, "_sock", self._socket)  # close() alone leaves it open
        with contextlib.suppress(Exception):
            raw.shutdown(socket.SHUT_WR)
        self._socket.close()
        if wait:
            with contextlib.suppress(Exception):  # best effort: the sweep copes either way
                self.client.api.wait(self.container.id, timeout=10)

    def release(self) -> None:
        try:
            self.end()
        finally:
            remove_container(self.client, self.container.id)


def leases(client: docker.DockerClient) -> dict[str, bool]:
    """Run id -> whether its lease container is running (runs that have a lease)."""
    found = client.api.containers(all=True, filters={"label": [LABEL_RUN, f"{LABEL_ROLE}=lease"]})
    return {c["Labels"][LABEL_RUN]: c.get("State") == "running" for c in found}


RunState = Literal["alive", "starting", "young", "dead"]
"""alive: its lease runs. starting: its lease is created, not started yet (within the grace
period). young: no lease yet, and it made something within the grace period. dead: it is over,
and a sweep removes what it left."""


@dataclass(frozen=True)
class Leftover:
    """One resource a run made: what a sweep of the run removes."""

    kind: str  # container, network, volume, image
    name: str
    id: str
    lease: bool = False
    """The run's lease: removed after all else, so that a sweep cut short still leaves the sign
    that the run is over."""

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class RunFound:
    """A run that has resources on an engine: what it is, and what a sweep of it removes."""

    id: str
    state: RunState
    why: str
    age: float | None
    """Seconds since its oldest container or image was made, by the engine's clock."""
    resources: list[Leftover] = field(default_factory=list)


@dataclass
class SweepReport:
    """What a sweep selected (the dry run lists the same), and what it removed."""

    runs: list[RunFound] = field(default_factory=list)
    doomed: list[RunFound] = field(default_factory=list)
    kept_alive: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def survey(client: docker.DockerClient, *, run_id: str | None = None,
           leases_on: docker.DockerClient | None = None) -> list[RunFound]:
    """Every run (or only `run_id`) with labelled resources on `client`: its state, its age and
    what a sweep of it removes, oldest run first.

    Resources are selected by the run label only; a container needs the run's id in its name
    too (containers inherit the labels of the image they are made from). Whether a run lives is
    read from its lease on `leases_on` (default `client`; a second engine holds no leases).
    Listings are the engine's summaries, not per-object inspects, so that resources other runs
    remove meanwhile do not break the survey.
    """
    selector = {"label": f"{LABEL_RUN}={run_id}" if run_id else LABEL_RUN}
    containers = client.api.containers(all=True, filters=selector)
    now = _engine_now(client)
    owned: dict[str, list[Leftover]] = {}
    made: dict[str, list[float]] = {}
    leased_on: dict[str, set[str]] = {}

    def add(item: dict, leftover: Leftover) -> None:
        owner = item["Labels"][LABEL_RUN]
        owned.setdefault(owner, []).append(leftover)
        leased_on.setdefault(owner, set()).add(item["Labels"].get(LABEL_LEASED_ON, ""))
        when = item.get("Created", item.get("CreatedAt"))  # epoch seconds, or a timestamp
        if isinstance(when, str):
            when = getattr(_parse_time(when), "timestamp", lambda: None)()
        if now is not None and isinstance(when, (int, float)):
            made.setdefault(owner, []).append(now - when)

    for c in containers:
        owner, name = c["Labels"][LABEL_RUN], (c.get("Names") or ["?"])[0].lstrip("/")
        if name.startswith(f"{NAME_PREFIX}-{owner}-"):
            add(c, Leftover("container", name, c["Id"], c["Labels"].get(LABEL_ROLE) == "lease"))
    for n in client.api.networks(filters=selector):
        add(n, Leftover("network", n["Name"], n["Id"]))
    for v in client.api.volumes(filters=selector).get("Volumes") or []:
        add(v, Leftover("volume", v["Name"], v["Name"]))
    for i in client.api.images(all=True, filters=selector):
        add(i, Leftover("image", _name(i), i["Id"]))

    if leases_on is None:
        lease_list, lease_now, lessor = containers, now, None
    else:
        lease_list = leases_on.api.containers(all=True, filters={"label": [
            f"{LABEL_RUN}={run_id}" if run_id else LABEL_RUN, f"{LABEL_ROLE}=lease"]})
        lease_now = _engine_now(leases_on)
        lessor = leases_on.info().get("ID") or None
    lease_of = {c["Labels"][LABEL_RUN]: c for c in lease_list
                if c["Labels"].get(LABEL_ROLE) == "lease"
                and (c.get("Names") or [""])[0] == f"/{NAME_PREFIX}-{c['Labels'][LABEL_RUN]}-lease"}
    runs = []
    for owner, resources in owned.items():
        ages = made.get(owner, [])
        lease = lease_of.get(owner)
        if lease is None and lessor is not None and lessor in leased_on.get(owner, ()):
            state, why = "dead", ("its lease on the engine that holds the runs' leases is gone: "
                                  "the run is over")
        else:
            state, why = _state(lease, lease_now, min(ages, default=None))
        runs.append(RunFound(owner, state, why, max(ages, default=None),
                             sorted(resources, key=lambda leftover: leftover.lease)))
    return sorted(runs, key=lambda run: (-(run.age or 0), run.id))


def _state(lease: dict | None, now: float | None, newest: float | None) -> tuple[RunState, str]:
    """A run's state and why, from its lease's summary (or None) and the age of its newest
    container or image."""
    lease_state = lease.get("State") if lease else None
    if lease_state in ("running", "paused"):
        return "alive", "its lease is running"
    if lease_state == "created":
        lease_age = now - lease["Created"] if now is not None else None
        if lease_age is None or lease_age < YOUNG_RUN_GRACE:
            return "starting", "its lease is created, not started yet"
        return "dead", f"its lease was created {duration(lease_age)} ago and never started"
    if lease is not None:
        ended = {"exited": "has exited", "removing": "is being removed"}
        return "dead", f"its lease {ended.get(lease_state, f'is {lease_state}')}: the run is over"
    if now is None:
        return "young", "no lease, and no engine clock to age it by: kept rather than guessed"
    if newest is not None and newest < YOUNG_RUN_GRACE:
        return "young", (f"no lease yet, and its newest resource is {duration(newest)} old "
                         f"(a run gets {duration(YOUNG_RUN_GRACE)} to take its lease)")
    return "dead", f"no lease, and nothing made in the last {duration(YOUNG_RUN_GRACE)}"


def plan(client: docker.DockerClient, *, run_id: str | None = None, include_alive: bool = False,
         leases_on: docker.DockerClient | None = None) -> SweepReport:
    """What `sweep` with the same arguments would remove, removing nothing (the dry run)."""
    report = SweepReport(runs=survey(client, run_id=run_id, leases_on=leases_on))
    for run in report.runs:
        if run.state == "dead" or include_alive:
            report.doomed.append(run)
        else:
            report.kept_alive.add(run.id)
    return report


def sweep(client: docker.DockerClient, *, run_id: str | None = None,
          include_alive: bool = False,
          leases_on: docker.DockerClient | None = None) -> SweepReport:
    """Remove what `plan` selects: without `run_id`, what every dead run left; with it, that
    run's resources if it is dead, or whatever its state with include_alive (a run's own
    end-of-run cleanup; `docker-claims sweep --run ID --force`)."""
    report = plan(client, run_id=run_id, include_alive=include_alive, leases_on=leases_on)
    doomed = [leftover for run in report.doomed for leftover in run.resources]
    api = client.api
    remove = {
        "container": lambda i: remove_container(client, i),
        "network": api.remove_network,
        "volume": lambda i: api.remove_volume(i, force=True),
    }

    def attempt(leftover: Leftover) -> None:
        try:
            ignoring_gone(lambda: remove[leftover.kind](leftover.id))()
            report.removed.append(str(leftover))
        except APIError as error:
            report.failed.append(f"{leftover}: {error.explanation or error}")

    for kind in ("container", "network", "volume"):
        for leftover in doomed:
            if leftover.kind == kind and not leftover.lease:
                attempt(leftover)
    _remove_images(client, [leftover for leftover in doomed if leftover.kind == "image"], report)
    for leftover in doomed:  # the lease last (see Leftover.lease)
        if leftover.lease:
            attempt(leftover)
    return report


def _remove_images(client: docker.DockerClient, images: list[Leftover],
                   report: SweepReport) -> None:
    """Images may depend on each other (commit, build parents): retry until no progress."""
    pending = list(images)
    refused: dict[Leftover, str] = {}
    while pending:
        progressed = False
        for image in list(pending):
            try:
                ignoring_gone(lambda i=image.id: client.api.remove_image(i, force=True))()
            except APIError as error:
                refused[image] = error.explanation or str(error)
                continue
            report.removed.append(str(image))
            pending.remove(image)
            progressed = True
        if not progressed:
            report.failed.extend(f"{image}: {refused[image]}" for image in pending)
            return



def _name(image: dict) -> str:
    tags = [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]
    return tags[0] if tags else image["Id"].split(":")[-1][:12]


def _engine_now(client: docker.DockerClient) -> float | None:
    """The engine's clock, in seconds since the epoch: resources are aged by it, not ours."""
    now = _parse_time(client.info().get("SystemTime"))
    return now.timestamp() if now is not None else None


def duration(seconds: float) -> str:
    """42s, 5m, 3h12m, 2d4h: an age as people read it."""
    seconds = int(max(seconds, 0))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{minutes}m"
    if seconds < 86400:
        return f"{hours}h{minutes % 60:02d}m" if minutes % 60 else f"{hours}h"
    return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"


def _parse_time(value: str | None) -> datetime | None:
    """Engine timestamps have nanoseconds and a Z or offset; Python wants microseconds."""
    if not value:
        return None
    text = value.rstrip("Z")
    offset = "+00:00"
    for sign in "+-":
        head, sep, tail = text[10:].rpartition(sign)
        if sep and ":" in tail:
            text, offset = text[:10] + head, sign + tail
            break
    if "." in text:
        whole, frac = text.split(".", 1)
        text = f"{whole}.{frac[:6]:0<6}"  # Python 3.10 reads 3 or 6 digits only
    try:
        return datetime.fromisoformat(text + offset).astimezone(timezone.utc)
    except ValueError:
        return None


ALIVE = ".alive"
"""In a run's temp dir: a file its process holds locked for as long as it lives."""


def workdir(prefix: str, stack: ExitStack) -> Path:
    """The run's temp dir, removed at close; while the process lives it holds ALIVE locked,
    so that once it is gone (even by kill -9) a later run knows the dir is garbage."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    stack.callback(shutil.rmtree, workdir, True)
    if fcntl is not None:
        staged = workdir / f"{ALIVE}.new"
        handle = open(staged, "w")  # noqa: SIM115 - held open for the session's life
        fcntl.flock(handle, fcntl.LOCK_EX)
        staged.rename(workdir / ALIVE)  # appears already locked
        stack.callback(handle.close)
    return workdir


def dead_workdirs() -> list[Path]:
    """This machine's temp dirs of runs whose process is gone: their ALIVE lock is free. (By
    this sign, never by age: a run against another engine may share the machine.)"""
    dead = []
    if fcntl is None:
        return dead
    for path in sorted(Path(tempfile.gettempdir()).glob(f"{NAME_PREFIX}-*")):
        try:
            with open(path / ALIVE) as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                dead.append(path)
        except OSError:
            continue  # no marker (not a run's dir, or one still starting), or held: alive
    return dead


def sweep_workdirs() -> list[Path]:
    """Remove the temp dirs `dead_workdirs` selects."""
    removed = dead_workdirs()
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed

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
from typing import Any, Callable

import docker
from docker.errors import APIError

from docker_claims.engine.labels import LABEL_ROLE, LABEL_RUN, NAME_PREFIX
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


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    kept_alive: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)


def sweep(client: docker.DockerClient, *, run_id: str | None = None,
          include_alive: bool = False) -> SweepReport:
    """Remove what runs left behind, selected by the run label only.

    Without `run_id`: every run that is no longer alive (no running lease, and not a young run
    still starting up). With `run_id`: that run's resources (its own end-of-run cleanup, which
    passes include_alive=True). Listings are the engine's summaries, not per-object inspects,
    so that resources other runs remove meanwhile do not break the sweep.
    """
    report = SweepReport()
    selector = {"label": f"{LABEL_RUN}={run_id}" if run_id else LABEL_RUN}
    containers = client.api.containers(all=True, filters=selector)
    images = client.api.images(all=True, filters=selector)
    volumes = client.api.volumes(filters=selector).get("Volumes") or []
    networks = client.api.networks(filters=selector)

    keep: set[str] = set()
    if not include_alive:
        leased = leases(client)
        alive = {run for run, running in leased.items() if running}
        # A lease created but not started yet belongs to a run still starting, not a dead one.
        starting = {c["Labels"][LABEL_RUN] for c in containers
                    if c["Labels"].get(LABEL_ROLE) == "lease" and c.get("State") == "created"}
        keep = alive | (young_runs(client, containers + images) - (set(leased) - starting))
        report.kept_alive = keep

    def doomed(item: dict) -> bool:
        owner = (item.get("Labels") or {}).get(LABEL_RUN)
        return owner is not None and owner not in keep

    def attempt(what: str, remove: Callable[[], Any]) -> None:
        try:
            ignoring_gone(remove)()
            report.removed.append(what)
        except APIError as error:
            report.failed.append(f"{what}: {error.explanation or error}")

    ended_leases = []
    for c in containers:
        name = (c.get("Names") or ["?"])[0].lstrip("/")
        # Containers inherit their image's labels: the name proves the run made it.
        if doomed(c) and name.startswith(f"{NAME_PREFIX}-{c['Labels'][LABEL_RUN]}-"):
            if c["Labels"].get(LABEL_ROLE) == "lease" and c.get("State") != "running":
                ended_leases.append((name, c["Id"]))
                continue
            attempt(f"container {name}",
                    lambda i=c["Id"]: client.api.remove_container(i, force=True, v=True))
    for n in networks:
        if doomed(n):
            attempt(f"network {n['Name']}", lambda i=n["Id"]: client.api.remove_network(i))
    for v in volumes:
        if doomed(v):
            attempt(f"volume {v['Name']}",
                    lambda i=v["Name"]: client.api.remove_volume(i, force=True))
    _remove_images(client, [i for i in images if doomed(i)], report)
    for _ in range(MAX_STEP_DEPTH) if run_id is None else ():
        orphans = unlabelled_fixture_steps(client)  # each round frees the steps below
        removed = len(report.removed)
        _remove_images(client, orphans, report,
                       why=" (a fixture's step image that never had a run's label)")
        if len(report.removed) == removed:
            break
    # An ended lease goes last: a sweep cut short still leaves the sign that its run is over.
    for name, container_id in ended_leases:
        attempt(f"container {name}",
                lambda i=container_id: client.api.remove_container(i, force=True, v=True))
    return report


MAX_STEP_DEPTH = 16
"""More than any fixture has steps: rounds of removing unlabelled step images, top down."""

FIXTURE_STEPS = ("CLAIMS_FIXTURE=", " in /claims/ ", "rm /claims/deleted.txt")
"""What a layered fixture's build records in its history and no one else's build would: its
ENV marker, its COPY into /claims/, its deletion of /claims/deleted.txt."""


def unlabelled_fixture_steps(client: docker.DockerClient) -> list[dict]:
    """Step images of fixtures built before every step carried the run's label (the run's
    labels came in the last step): the containerd image store keeps config-only ones after the
    fixture's removal, untagged and unlabelled, so no label names them. Told apart, with no
    label to go by, by all of: untagged; no label of docker-claims; no image built on it (a
    live fixture's steps are its parents); used by no container; older than the grace a run
    has to start; a history whose first step copies a busybox to
    /bin/busybox and that holds a step only the fixtures have (FIXTURE_STEPS). A step image of
    the plain busybox fixture has no such step, and is left alone."""
    used = {c.get("ImageID") for c in client.api.containers(all=True)}
    now = _parse_time(client.info().get("SystemTime"))
    images = client.api.images(all=True)
    parents = {image.get("ParentId") for image in images}
    found = []
    for image in images:
        tags = [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]
        labels = image.get("Labels") or {}
        created = image.get("Created")
        if (tags or any(key.startswith("docker-claims.") for key in labels)
                or image["Id"] in used or image["Id"] in parents or now is None
                or not isinstance(created, (int, float))
                or now.timestamp() - created < YOUNG_RUN_GRACE):
            continue
        try:
            steps = [row.get("CreatedBy") or "" for row in client.api.history(image["Id"])]
        except APIError:
            continue  # removed meanwhile
        if (steps and " in /bin/busybox" in steps[-1] and "COPY" in steps[-1]
                and any(marker in step for step in steps for marker in FIXTURE_STEPS)):
            found.append(image)
    return found


def _remove_images(client: docker.DockerClient, images: list[dict], report: SweepReport,
                   why: str = "") -> None:
    """Images may depend on each other (commit, build parents): retry until no progress."""
    pending = {i["Id"]: _name(i) + why for i in images}
    while pending:
        progressed = False
        for image_id, name in list(pending.items()):
            try:
                ignoring_gone(lambda i=image_id: client.api.remove_image(i, force=True))()
            except APIError:
                continue
            report.removed.append(f"image {name}")
            del pending[image_id]
            progressed = True
        if not progressed:
            report.failed.extend(f"image {name}: still in use" for name in pending.values())
            return


def _name(image: dict) -> str:
    tags = [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]
    return tags[0] if tags else image["Id"].split(":")[-1][:12]


def young_runs(client: docker.DockerClient, summaries: list[dict]) -> set[str]:
    """Runs whose newest resource is younger than the grace period, by the engine's clock."""
    now = _parse_time(client.info().get("SystemTime"))
    newest: dict[str, float] = {}
    for item in summaries:
        owner = (item.get("Labels") or {}).get(LABEL_RUN)
        created = item.get("Created")  # seconds since the epoch, in list summaries
        if owner and isinstance(created, (int, float)):
            newest[owner] = max(newest.get(owner, 0), created)
    if now is None:
        return set(newest)  # no engine clock: keep everything rather than guess
    return {run for run, when in newest.items() if now.timestamp() - when < YOUNG_RUN_GRACE}


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
        text = f"{whole}.{frac[:6]}"
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


def sweep_workdirs() -> list[Path]:
    """Remove this machine's temp dirs of runs whose process is gone: their ALIVE lock is free.
    (By this sign, never by age: a run against another engine may share the machine.)"""
    removed = []
    if fcntl is None:
        return removed
    for path in Path(tempfile.gettempdir()).glob(f"{NAME_PREFIX}-*"):
        try:
            with open(path / ALIVE) as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            continue  # no marker (not a run's dir, or one still starting), or held: alive
    return removed

"""Run identity, labels, creation with cleanup registered at once, and the label sweep.

Rules (DESIGN.md, rule 5): everything a run creates is named with the run id and labelled
`docker-claims.run=<id>`; its removal is registered the moment it exists (LIFO, best-effort,
"already gone" is fine); nothing without the run label is ever removed. A lease container that
lives exactly as long as the run's process tells live runs from dead ones, so that `sweep`
removes only the leftovers of runs that are gone.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import docker
from docker.errors import APIError, NotFound
from docker.models.containers import Container
from docker.models.images import Image

from . import LABEL_ROLE, LABEL_RUN, NAME_PREFIX

log = logging.getLogger(__name__)

Defer = Callable[[Callable[[], Any]], None]
"""Registers a cleanup: behave's `context.add_cleanup`, pytest's `request.addfinalizer`."""

YOUNG_RUN_GRACE = 300
"""Seconds during which a run without a lease yet (it is building its first fixture) is alive."""


@dataclass
class Run:
    """One run of the suite: its id, its names and its labels."""

    id: str = field(default_factory=lambda: secrets.token_hex(5))
    _counter: Iterable[int] = field(default_factory=itertools.count, repr=False)

    @property
    def prefix(self) -> str:
        return f"{NAME_PREFIX}-{self.id}"

    @property
    def lease_name(self) -> str:
        """The run's lease container (one per run: a joined worker's run names the same)."""
        return f"{self.prefix}-lease"

    def name(self, kind: str) -> str:
        """A name no other resource of this run, nor of any other run, has."""
        return f"{self.prefix}-{kind}-{next(self._counter)}"

    def labels(self, role: str, **extra: str) -> dict[str, str]:
        return {LABEL_RUN: self.id, LABEL_ROLE: role, **extra}

    def owns(self, labels: dict | None) -> bool:
        return (labels or {}).get(LABEL_RUN) == self.id


def ignoring_gone(remove: Callable[[], Any]) -> Callable[[], None]:
    """A removal that treats "already gone" or "already being removed" as done."""

    def quietly() -> None:
        try:
            remove()
        except NotFound:
            pass
        except APIError as error:
            if "already in progress" not in str(error):
                raise

    return quietly


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    ignoring_gone(lambda: client.api.remove_container(container_id, force=True, v=True))()


def remove_image(client: docker.DockerClient, image_id: str, run_id: str | None = None) -> None:
    """Remove an image only if it carries the run label (of `run_id`, when given)."""
    try:
        labels = (client.api.inspect_image(image_id).get("Config") or {}).get("Labels") or {}
    except NotFound:
        return
    owner = labels.get(LABEL_RUN)
    if owner is None or (run_id is not None and owner != run_id):
        log.warning("not removing image %s: it does not carry this run's label", image_id)
        return
    ignoring_gone(lambda: client.api.remove_image(image_id, force=True))()


def own_network() -> str:
    """No network: a network namespace of the container's own, holding only loopback."""
    return "none"


class Resources:
    """Creates engine resources for one scope; each is labelled and its removal registered.

    Containers have no network. Unless told otherwise (`network_mode`), they get it from
    `network`: by default a network namespace of their own (`none`); a session gives instead
    the one namespace of the run's lease (`container:<name>`, itself `none`), since making and
    tearing down a namespace is half of what a start costs. Whatever is about namespaces (C07,
    C08, the host reader) asks for `none` itself."""

    def __init__(self, client: docker.DockerClient, run: Run, defer: Defer,
                 network: Callable[[], str] = own_network):
        self.client, self.run, self.defer, self.network = client, run, defer, network

    def container(self, image: str, command: Any = None, *, role: str = "subject",
                  kind: str = "ctr", **kwargs: Any) -> Container:
        """A created (not started) container; kwargs go to `containers.create`."""
        if "network_mode" not in kwargs:
            kwargs["network_mode"] = self.network()
        labels = {**self.run.labels(role), **kwargs.pop("labels", {})}
        name = kwargs.pop("name", None) or self.run.name(kind)
        container = self.client.containers.create(image, command, name=name, labels=labels,
                                                  **kwargs)
        self.defer(lambda: remove_container(self.client, container.id))
        return container

    def run_to_end(self, image: str, command: Any, *, timeout: float = 120, role: str = "probe",
                   **kwargs: Any) -> tuple[int, str]:
        """Run a short-lived container to its end: (exit code, output). It is then removed."""
        container = self.container(image, command, role=role, kind=role, **kwargs)
        try:
            container.start()
            status = container.wait(timeout=timeout)
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        finally:
            remove_container(self.client, container.id)
        return status.get("StatusCode", -1), output

    def image(self, image: Image | str) -> Image:
        """Adopt an image the engine made for this run (build, commit, import, load)."""
        image = image if isinstance(image, Image) else self.client.images.get(image)
        if not self.run.owns(image.labels):
            raise ValueError(f"image {image.id} lacks the label {LABEL_RUN}={self.run.id}: "
                             "give it the run's labels when it is made")
        self.defer(lambda: remove_image(self.client, image.id, self.run.id))
        return image

    def import_image(self, tarball: Path, changes: Iterable[str] = (), *,
                     role: str = "subject") -> Image:
        """`docker import` of a tar file (streamed from disk); the run label is added as a
        change, so the new image is this run's to remove."""
        labels = [f"LABEL {key}={value}" for key, value in self.run.labels(role).items()]
        answer = self.client.api.import_image_from_file(str(tarball),
                                                        changes=[*changes, *labels])
        image_id = json.loads(answer.strip().splitlines()[-1])["status"]
        return self.image(image_id)

    def volume(self, role: str = "subject") -> Any:
        volume = self.client.volumes.create(name=self.run.name("vol"),
                                            labels=self.run.labels(role))
        self.defer(ignoring_gone(lambda: volume.remove(force=True)))
        return volume


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
        keep = alive | (_young_runs(client, containers + images) - (set(leased) - starting))
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
    # An ended lease goes last: a sweep cut short still leaves the sign that its run is over.
    for name, container_id in ended_leases:
        attempt(f"container {name}",
                lambda i=container_id: client.api.remove_container(i, force=True, v=True))
    return report


def _remove_images(client: docker.DockerClient, images: list[dict], report: SweepReport) -> None:
    """Images may depend on each other (commit, build parents): retry until no progress."""
    pending = {i["Id"]: (i.get("RepoTags") or [i["Id"][7:19]])[0] for i in images}
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


def _young_runs(client: docker.DockerClient, summaries: list[dict]) -> set[str]:
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


def wait_until(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.2) -> Any:
    """Poll until `predicate` returns something truthy or the deadline passes (then None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)

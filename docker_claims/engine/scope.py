"""A run's identity and names, and creation with the removal registered at once.

Rules: everything a run creates is named with the run id and labelled `docker-claims.run=<id>`;
its removal is registered the moment it exists (LIFO, best-effort, "already gone" is fine);
nothing without the run label is ever removed."""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError, NotFound
from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine.labels import LABEL_ROLE, LABEL_RUN, NAME_PREFIX

log = logging.getLogger(__name__)

Defer = Callable[[Callable[[], Any]], None]
"""Registers a cleanup: behave's `context.add_cleanup`, pytest's `request.addfinalizer`."""


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


REMOVAL_WAIT = 30.0
"""Seconds a container that another caller is removing (a concurrent sweep) may take to go."""


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    """Remove a container and its anonymous volumes. When another caller is already removing
    it, wait until the engine has it no more: the engine lists a container while its removal is
    in progress, and what follows (a sweep's count, the check that nothing is left) would see
    it half gone."""
    try:
        client.api.remove_container(container_id, force=True, v=True)
    except NotFound:
        return
    except APIError as error:
        if "already in progress" not in str(error):
            raise
        if not wait_until(lambda: _gone(client, container_id), timeout=REMOVAL_WAIT,
                          interval=0.1):
            log.warning("container %s is still being removed by another caller after %s s",
                        container_id[:12], REMOVAL_WAIT)


def _gone(client: docker.DockerClient, container_id: str) -> bool:
    try:
        client.api.inspect_container(container_id)
    except NotFound:
        return True
    return False


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
                 network: Callable[[], str] = own_network, labels: dict[str, str] | None = None):
        self.client, self.run, self.defer, self.network = client, run, defer, network
        self.extra = dict(labels or {})

    def labels(self, role: str) -> dict[str, str]:
        """What everything this creator makes is labelled: the run's labels, and its own (a
        second engine's resources name the engine that holds the run's lease)."""
        return {**self.run.labels(role), **self.extra}

    def container(self, image: str, command: Any = None, *, role: str = "subject",
                  kind: str = "ctr", **kwargs: Any) -> Container:
        """A created (not started) container; kwargs go to `containers.create`."""
        if "network_mode" not in kwargs:
            kwargs["network_mode"] = self.network()
        labels = {**self.labels(role), **kwargs.pop("labels", {})}
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
        labels = [f"LABEL {key}={value}" for key, value in self.labels(role).items()]
        answer = self.client.api.import_image_from_file(str(tarball),
                                                        changes=[*changes, *labels])
        image_id = json.loads(answer.strip().splitlines()[-1])["status"]
        return self.image(image_id)

    def volume(self, role: str = "subject") -> Any:
        volume = self.client.volumes.create(name=self.run.name("vol"),
                                            labels=self.labels(role))
        self.defer(ignoring_gone(lambda: volume.remove(force=True)))
        return volume


def wait_until(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.2) -> Any:
    """Poll until `predicate` returns something truthy or the deadline passes (then None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)

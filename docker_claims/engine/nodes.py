"""The second engine ("another node"): where the article imports what it exported (C14).

DOCKER_CLAIMS_NODE2 names it, as DOCKER_HOST would (unix:///run/docker-claims-node2/docker.sock,
tcp://host:2375, ssh://user@host); `scripts/node2-up` starts a private one on Linux and prints
that value. It is reached with the same API version negotiation, deadlines and minimum API
version as the first engine (engine.connect), and must be another engine than the first one
(another engine ID): otherwise the scenarios that need it are skipped, saying why and how to
start one.

What a run makes on the second engine is labelled with the run, like everything else, through a
Resources bound to the second engine's client, and removed at the end of its scenario. Once per
run, when the second engine is first used, the leftovers there of runs that are gone are swept
(a run is alive while its lease runs on the first engine: the second engine holds no leases),
and at the run's end whatever still carries the run's label there is swept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import DockerException, NotFound
from docker.models.images import Image
from docker.utils import version_lt

from docker_claims.engine import archives, dind, ssh
from docker_claims.engine import connection as engine
from docker_claims.engine.config import settings
from docker_claims.engine.labels import LABEL_LEASED_ON
from docker_claims.engine.records import Fingerprint, Identity
from docker_claims.engine.scope import Defer, Resources, Run, remove_image
from docker_claims.engine.sweep import sweep
from docker_claims.evidence import expect

log = logging.getLogger(__name__)

ENV = "DOCKER_CLAIMS_NODE2"
"""Names the second engine, the way DOCKER_HOST names the first."""

HOW_TO_START = (
    "On Linux as root, `export DOCKER_CLAIMS_NODE2=$(scripts/node2-up)` starts a private second "
    "dockerd (own network namespace, data-root and socket; `scripts/node2-down` stops it) and "
    "names it; or set DOCKER_CLAIMS_NODE2 to any other engine (unix:///path/docker.sock, "
    "tcp://host:2375, ssh://user@host)."
)


class NodeUnavailable(RuntimeError):
    """No second engine to use: the message is the reason to skip, and says how to get one."""


@dataclass
class SecondNode:
    """The second engine of a run: its client, what it is, and what was swept there."""

    url: str
    client: docker.DockerClient
    fingerprint: Fingerprint
    engine_id: str
    leased_on: str = ""
    """The engine ID of the first engine, which holds the runs' leases."""
    swept: list[str] = field(default_factory=list)

    def resources(self, run: Run, defer: Defer) -> Resources:
        """A creator on the second engine, with the run's names and labels, and the first
        engine's ID (LABEL_LEASED_ON: a later run there tells a dead run's leftovers by it);
        removals go to `defer` (a scenario's or a test's cleanup)."""
        return Resources(self.client, run, defer,
                         labels={LABEL_LEASED_ON: self.leased_on} if self.leased_on else None)

    def describe(self) -> dict[str, Any]:
        """What the evidence says of the second engine."""
        return {"DOCKER_CLAIMS_NODE2": self.url, "engine_id": self.engine_id,
                "engine": self.fingerprint.summary()}


def configured() -> str | None:
    """The second engine's address, or None when DOCKER_CLAIMS_NODE2 is unset or empty."""
    return settings().node2


def connect(where: str | None = None, *, primary: docker.DockerClient | None = None,
            timeout: int | None = None) -> docker.DockerClient:
    """A client for the second engine, with API version negotiation; NodeUnavailable, within
    about engine.PROBE_TIMEOUT seconds, when it is not named, does not answer, is too old, or
    is the `primary` engine itself."""
    where = where or configured()
    if not where:
        raise NodeUnavailable(f"{ENV} is not set: there is no second engine (\"another node\") "
                              f"to import the export on. {HOW_TO_START}")
    try:
        probe = engine.client_for({"base_url": where, "tls": False}, engine.PROBE_TIMEOUT)
        probe.ping()
        theirs = probe.info().get("ID") or ""
    except Exception as error:
        problem = ssh.failure(where, error)
        if problem:
            raise NodeUnavailable(f"{ENV}={where}: {problem}") from None
        if not isinstance(error, (DockerException, OSError)):
            raise
        raise NodeUnavailable(f"{ENV}={where} does not answer ({engine.first_line(error)}"
                              f"{ssh.dial_hint(where)}). {HOW_TO_START}") from None
    api = probe.api.api_version
    probe.close()
    if version_lt(api, engine.MIN_API_VERSION):
        raise NodeUnavailable(f"the engine at {ENV}={where} speaks API {api}; docker-claims "
                              f"needs API {engine.MIN_API_VERSION} or newer (Docker 19.03+)")
    if primary is not None:
        ours = primary.info().get("ID") or ""
        if theirs and theirs == ours:
            raise NodeUnavailable(
                f"{ENV}={where} is the suite's own engine (engine ID {theirs}): the article's "
                f"demo moves the tar to another node. {HOW_TO_START}")
    client = engine.client_for({"base_url": where, "tls": False}, timeout or settings().timeout)
    client.endpoint = f"{ENV}={where}"  # for the fingerprint: base_url hides socket paths
    return client


DIND = "dind"
"""DOCKER_CLAIMS_NODE2=dind: a Docker-in-Docker node, a container of the first engine
(engine.dind), for where no second dockerd can be started on the host."""


def open_node(primary: docker.DockerClient, where: str | None = None, *,
              resources: Resources | None = None) -> SecondNode:
    """Connect to the second engine and say what it is (NodeUnavailable otherwise). With
    DOCKER_CLAIMS_NODE2=dind, first start a Docker-in-Docker node through `resources` (its
    removal goes with them)."""
    if (where or configured()) == DIND:
        if resources is None:
            raise NodeUnavailable(f"{ENV}={DIND}: a Docker-in-Docker node is started for a run")
        try:
            where = dind.start(resources)
        except dind.DindUnavailable as error:
            raise NodeUnavailable(f"{ENV}={DIND}: {error}") from None
    client = connect(where, primary=primary)
    where = where or configured() or ""
    return SecondNode(where, client, engine.fingerprint(client), client.info().get("ID") or "",
                      primary.info().get("ID") or "")


def sweep_dead_runs(node: docker.DockerClient, primary: docker.DockerClient) -> list[str]:
    """Remove, from the second engine, what runs that are gone left there, by label only.

    A run is alive while its lease runs on the first engine (`primary`), or while its newest
    resource on the second engine is younger than the grace period (a run of another first
    engine that shares this second one): the sweep's own selection, with leases read on
    `primary`.
    """
    report = sweep(node, leases_on=primary)
    for failure in report.failed:
        log.warning("second engine: could not sweep a dead run's %s", failure)
    return report.removed


def image_id_of(client: docker.DockerClient, reference: str) -> str | None:
    """The id of the image `reference` names on `client`'s engine, or None."""
    try:
        return client.api.inspect_image(reference)["Id"]
    except NotFound:
        return None


def layer_size(client: docker.DockerClient, image_id: str) -> int:
    """The size an engine reports for an imported image's one layer: its history row's. (The
    containerd image store's `inspect .Size` is the compressed content's; sizes are compared
    only within one engine, where history and the CLI's SIZE column agree on every store.)"""
    rows = client.api.history(image_id)
    return int(rows[0].get("Size") or 0) if rows else 0


def identity_in(tarball: Path, image_id: str) -> Identity:
    """The identity of the image a save tar holds (its first image), read from the tar."""
    with archives.open_save(tarball) as saved:
        expect(bool(saved.images), "the save tar holds no image", tar=str(tarball))
        image = saved.images[0]
        diff_ids = ((image.config.get("rootfs") or {}).get("diff_ids")) or []
        return Identity(image_id, image.config_digest, tuple(diff_ids))


def identity_of(client: docker.DockerClient, reference: str, directory: Path) -> Identity | None:
    """The identity of the image `reference` names on `client`'s engine, read from that
    engine's own save of it (the only place the API shows the config digest on every store),
    or None when the engine has no such image."""
    image_id = image_id_of(client, reference)
    if image_id is None:
        return None
    tarball = archives.spool(client.images.get(reference).save(named=True), directory)
    try:
        return identity_in(tarball, image_id)
    finally:
        tarball.unlink(missing_ok=True)


@dataclass(frozen=True)
class Moved:
    """An image saved on one engine and loaded on the other."""

    name: str
    saved: Identity
    present_before: bool
    load_output: list

    @property
    def saved_id(self) -> str:
        return self.saved.image_id

    def evidence(self) -> dict[str, Any]:
        return {"name": self.name, "saved": self.saved.evidence(),
                "present_on_second_engine_before_load": self.present_before,
                "load_output": self.load_output}


def save_and_load(first: docker.DockerClient, second: Resources, image: Image,
                  directory: Path) -> Moved:
    """`docker save IMAGE -o FILE` on the first engine, `docker load -i FILE` on the second:
    the tar streamed through a file on disk, never whole in memory. The image must carry the
    run's label (a fixture does): its removal from the second engine is registered before the
    load, by its name (its id there depends on that engine's image store)."""
    name, run_id, client = image.tags[0], second.run.id, second.client
    expect(second.run.owns(image.labels), "only an image of this run is moved to the second "
           "engine", image=image.id, labels=image.labels)
    present_before = image_id_of(client, name) is not None
    second.defer(lambda: remove_image(client, name, run_id))
    tarball = archives.spool(first.images.get(image.id).save(named=True), directory)
    try:
        saved = identity_in(tarball, image.id)
        with open(tarball, "rb") as stream:
            output = list(client.api.load_image(stream))
    finally:
        tarball.unlink(missing_ok=True)
    return Moved(name, saved, present_before, output)

"""What a scenario needs of the engine and of this machine, declared in the spec.

A Feature, Rule or Scenario tagged `@use.with_<fact>=yes` runs only where the fact holds, and
one tagged `@not.with_<fact>=yes` only where it does not (behave's active tags,
behave.tag_matcher.ActiveTagMatcher). Elsewhere the scenario is skipped, with the reason the
fact gives, before any of its steps runs; the claims report shows that reason.

Each fact is read from the run's session the first time a selected scenario asks, once per run.
To add one: a function of the session that returns why the fact does not hold (None when it
holds), with a docstring saying what it means, in FACTS under the name the tags use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from behave.tag_matcher import ActiveTagMatcher, BoolValueObject

from docker_claims.engine import docker_cli, mounts, nodes, storage
from docker_claims.engine.fixtures import HELPER
from docker_claims.runner import subjects
from docker_claims.runner.session import Session

Fact = Callable[[Session], Optional[str]]


def layer_dirs(session: Session) -> str | None:
    """The engine names a container's layer directories, so that its writable layer can be
    read on the engine host: in GraphDriver.Data (overlay2), in the container's root
    filesystem mount where that is an overlay (the containerd image store's snapshotter), or
    in its layer database on the engine host (vfs: image/vfs/layerdb)."""
    named = mounts.unavailable(session.fixtures.image(HELPER).attrs)
    if named is None:
        return None
    reader = session.host_reader()
    mount = storage.read_root_mount(reader.container)
    if mount is not None and mount.is_overlay:
        return None
    driver = session.fingerprint.storage_driver
    if driver in mounts.LAYERDB_DIRS and reader.layerdb and reader.storage:
        return None
    return (f"{named}; nor is a container's root filesystem an overlay that names them "
            f"(it is {mount.fstype if mount else 'unreadable'!r}); "
            f"{storage.not_on_the_host(reader, driver)}")


def docker_cli_reaches_engine(session: Session) -> str | None:
    """A docker CLI is on this machine (DOCKER_CLAIMS_CLI, else PATH) and talks to the engine
    the suite measures (the same engine ID)."""
    try:
        subjects.docker_cli(session)
    except (docker_cli.CliUnavailable, docker_cli.CliElsewhere) as error:
        return str(error)
    return None


def second_node(session: Session) -> str | None:
    """A second engine answers at DOCKER_CLAIMS_NODE2, another engine than the first."""
    try:
        session.second_node()
    except nodes.NodeUnavailable as error:
        if nodes.configured():
            raise  # one was named and cannot serve: C14 cannot be measured, not a skip
        return str(error)
    return None


def host_pids(session: Session) -> str | None:
    """The engine starts a helper container in its host's pid namespace, which reads /proc of
    a container's process and of its runtime parent, and their mount tables."""
    return session.host_pids_refused()


HOST_PIDS_TAG = "use.with_host_pids=yes"
"""The active tag of the scenarios that read the engine host's processes."""


FACTS: dict[str, Fact] = {
    "layer_dirs": layer_dirs,
    "docker_cli": docker_cli_reaches_engine,
    "second_node": second_node,
    "host_pids": host_pids,
}
"""The facts the features' active tags may name (`@use.with_<name>=yes`)."""


class Preconditions:
    """The facts of one run, each read once, when a scenario first needs it."""

    def __init__(self, session: Session, facts: dict[str, Fact] | None = None):
        self.session = session
        self.facts = FACTS if facts is None else facts
        self._why_not: dict[str, str | None] = {}
        self.matcher = ActiveTagMatcher(
            {name: BoolValueObject(lambda name=name: self.holds(name)) for name in self.facts},
            ignore_unknown_categories=False)

    def holds(self, name: str) -> bool:
        return self.why_not(name) is None

    def why_not(self, name: str) -> str | None:
        if name not in self._why_not:
            self._why_not[name] = self.facts[name](self.session)
        return self._why_not[name]

    def skip_reason(self, tags: list[str]) -> str | None:
        """Why a scenario with these tags (its own and those it inherits) does not run here, or
        None when every fact its active tags name is as they want it."""
        for name, pairs in self.matcher.group_active_tags_by_category(tags):
            if self.matcher.is_tag_group_enabled(name, pairs):
                continue
            if name not in self.facts:
                return f"@{pairs[0][0]}: no such fact; known: {', '.join(sorted(self.facts))}"
            return self.why_not(name) or (f"@{pairs[0][0]}: the scenario is for engines where "
                                          f"{name} does not hold, and it holds here")
        return None

"""What one scenario's steps hand each other: typed, and explicit about which step gives what.

behave's `context` carries one ScenarioState (`context.state`), made by the before_scenario
hook. Each field below that a step gives is declared with `given(...)`, naming the step that
gives it: a step that reads a field no earlier step gave fails saying which Given is missing,
instead of with an AttributeError on `context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Generic, Optional, TypeVar

from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.claims.image_layers import LayerWitness
from docker_claims.claims.transcripts import Transcript
from docker_claims.engine.cli_output import CliContainer, CliImport, CliRun, Table
from docker_claims.engine.docker_cli import Cli
from docker_claims.engine.mounts import LayerDirs
from docker_claims.engine.nodes import Moved, SecondNode
from docker_claims.engine.records import (
    Answer,
    ImageLayers,
    ImageRecord,
    Loaded,
    NetnsListing,
    Write,
)
from docker_claims.engine.scope import Defer, Resources
from docker_claims.evidence import Ledger
from docker_claims.runner.session import Session

T = TypeVar("T")


class MissingGiven(RuntimeError):
    """A step needs what no earlier step of its scenario gave: the feature lacks a Given."""


@dataclass
class Subject(Generic[T]):
    """A container or image a Given named, made when a step first needs it.

    While the scenario only looks at it (`look`), it is the run's (runner.subjects: made once,
    shared by every scenario that only looks at one made the same way); the first step that
    changes it (`change`: starts, stops, writes, removes) gets one of the scenario's own. A
    scenario that looked at the run's one and then changed it would change what others share,
    so that fails."""

    what: str
    shared: Optional[Callable[[], T]]
    own: Optional[Callable[[], T]]
    made: Optional[T] = None
    is_own: bool = False

    @classmethod
    def of(cls, what: str, made: T, *, own: bool) -> Subject[T]:
        """A subject already made: the scenario's own (`own`), or the run's."""
        return cls(what, None, None, made, own)

    def look(self) -> T:
        if self.made is None:
            if self.shared is None:
                return self.change()
            self.made = self.shared()
        return self.made

    def change(self) -> T:
        if self.made is None and self.own is not None:
            self.made, self.is_own = self.own(), True
        if not self.is_own:
            raise MissingGiven(f"this step changes {self.what}, which the run shares with the "
                               "scenarios that only look at it: give the scenario one of its "
                               "own before any step looks at it")
        assert self.made is not None
        return self.made


def given(by: str) -> Any:
    """A field that the step `by` gives; reading it before then raises MissingGiven."""
    return field(init=False, repr=False, compare=False, metadata={"given": by})


@dataclass
class ScenarioState:
    session: Session
    resources: Resources
    ledger: Ledger
    defer: Defer

    image: Subject[Image] = given("Given the layered fixture image")
    dockerfile: str = given("Given the layered fixture image")
    build_context: dict[str, bytes] = given("Given the layered fixture image")
    container: Subject[Container] = given("Given a created container of the image")
    writes: dict[str, str] = given(
        "Given a container of the image that added, changed and deleted files")
    image_before: tuple[str, list[str]] = given(
        "Given a container of the image that added, changed and deleted files")
    saved_before: Path = given(
        "Given a container of the image that added, changed and deleted files")
    witness: LayerWitness = given('Given "<path>" is written by <count> of the image\'s layers')
    read: tuple[int, str] = given('When the container reads "<path>"')
    written: tuple[str, bytes] = given("Given the container wrote a file")
    committed: Image = given("When the container is committed to a new image")
    listing: list[dict] = given("When all containers are listed, running or not")
    layer_dirs: LayerDirs = given("When the container's layer directories are read")
    netns_before: NetnsListing = given("Given the engine's network namespaces are listed")
    sandbox_key: str = given(
        "Given the container is started with its own entry in the engine's netns directory")
    cli: Cli = given("Given the docker CLI")
    ran: CliRun = given('When "docker <command>" is run')
    loaded_ids: list[str] = given('When its save tar is piped into "docker load"')
    export_tar: Path = given("When the container is exported")
    imported: Image = given("When the export is imported")
    imports: list[Image] = given("When the export is imported twice")
    saved_record: ImageRecord = given("Given an image of our own on top of it, tagged")
    save_tar: Path = given("When the image is saved")
    loaded: Loaded = given("When the image is saved, removed, and its save tar loaded")
    answer: Answer = given("When the image's name is given to export")
    transcript: Transcript = given("Given the article's session:")
    cli_container: CliContainer = given('When the article\'s "docker create" is replayed')
    cli_listing: Table = given('When the article\'s "docker ps -a" is replayed')
    node: SecondNode = given("Given a second engine, another node")
    node_cli: Cli = given("Given a second engine, another node")
    node_resources: Resources = given("Given a second engine, another node")
    cli_import: CliImport = given("When its export is imported on the second engine")
    imported_on_node: Image = given("When its export is imported on the second engine")
    moved: Moved = given("When the image is saved on the first engine and loaded on the second")

    # What one Then reads and the next one reads again, read once per scenario.
    image_layers: Optional[ImageLayers] = None
    exported: Optional[dict] = None
    writes_seen: Optional[list[Write]] = None
    volume_read: Optional[bytes] = None
    cli_history: Optional[Table] = None

    def __getattr__(self, name: str) -> Any:
        """Only reached for a `given` field that no step has set yet."""
        declared = {f.name: f for f in fields(self)}.get(name)
        if declared is None or "given" not in declared.metadata:
            raise AttributeError(name)
        raise MissingGiven(f"this step needs {name.replace('_', ' ')}, which no earlier step of "
                           f"the scenario gave: the scenario lacks `{declared.metadata['given']}`"
                           " (or a step like it)")

    def scratch(self) -> Path:
        """A directory of the scenario's own, removed at its end."""
        return self.session.scratch_dir(self.defer)

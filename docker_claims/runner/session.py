"""One run of the suite against one engine: what behave's hooks and pytest's fixtures share.

Opening a session connects (or fails within seconds saying why), fingerprints the engine,
sweeps the leftovers of dead runs, takes a lease, and starts building the fixtures; closing it
removes everything labelled with the run, whatever happened during the run. What several
scenarios only look at is made once per session (`shared`, and runner.subjects).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import docker
from docker.models.containers import Container

from docker_claims.engine import connection, nodes
from docker_claims.engine.config import settings
from docker_claims.engine.connection import first_line
from docker_claims.engine.fixtures import HELPER, BusyboxMissing, Fixtures, FixtureSpec
from docker_claims.engine.host import HostPidsRefused, HostReader
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.records import Fingerprint
from docker_claims.engine.scope import Defer, Resources, Run
from docker_claims.engine.sweep import Lease, SweepReport, sweep, sweep_workdirs, workdir
from docker_claims.runner.interrupts import INTERRUPTS

log = logging.getLogger(__name__)
T = TypeVar("T")

HOST_PIDS_READER = ("host reader", "host pids")
"""The key of the run's host reader that sees the engine host's processes (or the refusal)."""

LATE_SWEEPS = 3
"""After an interrupt: how many more sweeps, a second apart, catch what a call cut short made
(the engine finishes a load or a create whose client went away)."""


@dataclass
class _Health:
    """Whether the engine still answers; once it does not, cleanups stop calling it."""

    lost: str | None = None


@dataclass
class Session:
    client: docker.DockerClient
    fingerprint: Fingerprint
    run: Run
    fixtures: Fixtures
    workdir: Path
    swept: SweepReport
    _stack: ExitStack
    _health: _Health = field(default_factory=_Health)
    _shared: dict[Hashable, Future] = field(default_factory=dict)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock)
    lease: Container | None = None
    """The run's lease container: running, with a network namespace of its own."""
    host_pids_wanted: bool = False
    """Whether the selected scenarios read the engine host's processes: then the run's one
    reader is the one that sees them, and serves the directory reads too."""

    @classmethod
    def open(cls, prepare: Iterable[FixtureSpec] = (), run: Run | None = None, *,
             reached: Callable[[Fingerprint], None] | None = None) -> Session:
        """Raises connection.EngineUnavailable or fixtures.BusyboxMissing, each with a message
        that says what to do, or StartFailed, naming what the run was doing when the engine
        refused. The fixtures in `prepare` start building at once, side by side, while the run
        goes on. `run` names the run (behave's runner makes its id first); `reached` is told the
        engine's fingerprint as soon as it answers, so that a run whose start fails there still
        says which engine it reached."""
        INTERRUPTS.install()
        client = connection.connect()
        health = _Health()
        stack = ExitStack()
        stack.callback(client.close)
        try:
            with starting("reading what the engine is"):
                fingerprint = connection.fingerprint(client)
            if reached is not None:
                reached(fingerprint)
            return cls._open(client, fingerprint, stack, health, prepare, run or Run())
        except BaseException as error:
            if connection.engine_silence(error):
                health.lost = f"the engine stopped answering while the run started: {error}"
            with INTERRUPTS.cleaning_up():
                stack.close()
            if health.lost:
                raise connection.EngineUnavailable(health.lost) from error
            raise

    @classmethod
    def _open(cls, client: docker.DockerClient, fingerprint: Fingerprint, stack: ExitStack,
              health: _Health, prepare: Iterable[FixtureSpec], run: Run) -> Session:
        leased: list[Lease] = []

        def last_resort() -> None:
            """After every other cleanup: whatever still carries the run label, the lease last
            (the sweep removes an ended lease after all else), so that a cleanup cut short
            still leaves the sign that the run is over."""
            sweep(client, run_id=run.id, include_alive=True)
            if INTERRUPTS.received:  # a call cut short may yet complete on the engine
                for _ in range(LATE_SWEEPS):
                    time.sleep(1)
                    if not sweep(client, run_id=run.id, include_alive=True).removed:
                        break
            for lease in leased:
                lease.release()

        stack.callback(_unless_lost(health, last_resort))
        with starting("sweeping what runs that are over left on the engine"):
            swept = sweep(client)
            swept.removed.extend(f"temp dir {path}" for path in sweep_workdirs())
        scratch = workdir(f"{run.prefix}-", stack)
        fixtures = Fixtures(Resources(client, run, _lifo(stack, health)))
        stack.callback(fixtures.settle)
        with starting("building the fixture images"):
            fixtures.prepare([HELPER, *prepare])
            helper = fixtures.image(HELPER).id
        with starting("starting the run's lease container"):
            leased.append(Lease(client, run, helper))
        # First thing at close: from then on the run is over.
        stack.callback(lambda: leased[0].end(wait=not health.lost))
        return cls(client, fingerprint, run, fixtures, scratch, swept, stack, _health=health,
                   lease=leased[0].container)

    @property
    def lost(self) -> str | None:
        """Why the engine is taken for gone (it stopped answering), or None while it answers."""
        return self._health.lost

    def resources(self, defer: Defer) -> Resources:
        """A creator whose removals go to `defer` (a scenario's or a test's cleanup); its
        containers share the session's network namespace unless they ask for their own."""
        return Resources(self.client, self.run, self._guarded(defer), network=self.shared_network)

    def shared_network(self) -> str:
        """The network namespace the run's subjects share: the lease's (`container:<name>`),
        which has no network and lives as long as the run (see Resources)."""
        return f"container:{self.run.lease_name}"

    def host_reader(self, *, host_pids: bool = False) -> HostReader:
        """The run's reader of the engine host (engine.host): started when first asked for,
        shared by every scenario (it only reads), removed when the session closes.

        `host_pids`: one that also sees the engine host's processes (/proc, mount tables). An
        engine that refuses it raises host.HostPidsRefused, the same every time, without
        trying again; once started, it serves the directory reads too."""
        image = self.fixtures.image(HELPER).id
        if not host_pids:
            if self.host_pids_wanted and self.host_pids_refused() is None:
                return self.host_reader(host_pids=True)
            seeing = self._made(HOST_PIDS_READER)
            return seeing if isinstance(seeing, HostReader) else self.shared(
                "host reader", lambda resources: HostReader.start(resources, image,
                                                                  probe=self.lease))
        reader = self.shared(HOST_PIDS_READER, lambda resources: _granted(
            lambda: HostReader.start(resources, image, host_pids=True, probe=self.lease)))
        if isinstance(reader, HostPidsRefused):
            raise HostPidsRefused(*reader.args)
        return reader

    def host_pids_refused(self) -> str | None:
        """Why the engine gives no helper its host's pid namespace, or None when it does (and
        the run's reader that sees the host's processes is then started)."""
        try:
            self.host_reader(host_pids=True)
        except HostPidsRefused as refused:
            return str(refused)
        return None

    def _made(self, key: Hashable) -> Any:
        """What `shared` made under `key`, or None when it is not made (or still being made)."""
        with self._shared_lock:
            made = self._shared.get(key)
        return made.result() if made is not None and made.done() and not made.exception() \
            else None

    def second_node(self) -> nodes.SecondNode:
        """The run's second engine, connected once; raises nodes.NodeUnavailable (the same
        reason every time) when there is none. On first use the leftovers of dead runs there
        are swept; at the session's close, whatever still carries this run's label there."""
        return self.shared("second node", self._open_second_node)

    def _open_second_node(self, resources: Resources) -> nodes.SecondNode:
        node = nodes.open_node(self.client, resources=resources)
        run_id = self.run.id
        resources.defer(node.client.close)
        resources.defer(lambda: sweep(node.client, run_id=run_id, include_alive=True))
        node.swept = nodes.sweep_dead_runs(node.client, self.client)
        for line in node.swept:
            log.warning("second engine: swept leftover of a dead run: %s", line)
        return node

    def shared(self, key: Hashable, make: Callable[[Resources], T]) -> T:
        """What `make` makes, once per session and key: for what scenarios only look at (the
        host reader, a container that made its writes and exited, a save tar), so that nothing
        is started or made twice when once serves. `make` gets a creator whose removals run
        when the session closes. A failure is not kept: the next to ask makes it anew."""
        with self._shared_lock:
            made = self._shared.get(key)
            mine = made is None
            if mine:
                made = self._shared[key] = Future()
        if mine:
            try:
                made.set_result(make(Resources(self.client, self.run,
                                               _lifo(self._stack, self._health),
                                               self.shared_network)))
            except BaseException as error:
                with self._shared_lock:
                    del self._shared[key]
                made.set_exception(error)
                raise
        return made.result()

    def scratch_dir(self, defer: Defer) -> Path:
        path = Path(tempfile.mkdtemp(dir=self.workdir))
        defer(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def check_failure(self, error: BaseException | None) -> str | None:
        """After a step failed with `error`: if the engine has stopped answering (the error is
        a timeout or a lost connection, and a ping gets no answer either), say so and remember
        it, so that cleanups stop waiting out their deadlines one by one."""
        if self.lost is None and connection.engine_silence(error) and not self.answers():
            self._health.lost = (
                f"the engine at {self.fingerprint.endpoint} stopped answering: no answer within "
                f"{settings().timeout} s (DOCKER_CLAIMS_TIMEOUT), and none to a ping "
                f"({first_line(error)}). Everything run {self.run.id} made carries the label "
                f"{LABEL_RUN}={self.run.id}: the next run, or `docker-claims sweep` once the "
                "engine answers again, removes it")
        return self.lost

    def answers(self) -> bool:
        """Whether the engine answers a ping within seconds."""
        try:
            url = f"{self.client.api.base_url}/_ping"
            timeout = min(connection.PROBE_TIMEOUT, settings().timeout)
            return self.client.api.get(url, timeout=timeout).ok
        except Exception:
            return False

    def close(self) -> None:
        """Remove what the run made; a signal arriving meanwhile does not cut this short."""
        with INTERRUPTS.cleaning_up():
            if self.lost:
                print(f"docker-claims: {self.lost}", file=sys.stderr)
            self.fixtures.settle()  # a build still going on would add an image after the sweep
            self._stack.close()

    def _guarded(self, defer: Defer) -> Defer:
        health = self._health

        def guarded_defer(cleanup: Callable[[], Any]) -> None:
            def guarded() -> None:
                if health.lost:
                    return  # each call would wait its deadline out; the label sweep follows
                try:
                    cleanup()
                except Exception as error:
                    self.check_failure(error)
                    raise

            defer(guarded)

        return guarded_defer


class StartFailed(RuntimeError):
    """The run reached the engine, but its start failed there: `phase` is what it was doing
    (sweeping, building the fixture images, starting its lease), the message what the engine
    answered."""

    def __init__(self, phase: str, error: BaseException):
        super().__init__(f"{phase} failed: {first_line(error)}")
        self.phase = phase


@contextlib.contextmanager
def starting(phase: str) -> Iterator[None]:
    """A phase of the run's start: an error of its (other than the engine going silent, an
    unusable busybox, an interrupt, which say so themselves) is a StartFailed naming it."""
    try:
        yield
    except (connection.EngineUnavailable, BusyboxMissing, StartFailed):
        raise
    except Exception as error:
        if connection.engine_silence(error):
            raise
        raise StartFailed(phase, error) from error


def _granted(start: Callable[[], HostReader]) -> HostReader | HostPidsRefused:
    """The reader `start` gives, or the engine's refusal, kept so that it is not asked twice."""
    try:
        return start()
    except HostPidsRefused as refused:
        return refused


def _lifo(stack: ExitStack, health: _Health) -> Defer:
    def defer(cleanup) -> None:
        stack.callback(_best_effort, _unless_lost(health, cleanup))
    return defer


def _unless_lost(health: _Health, cleanup: Callable[[], Any]) -> Callable[[], Any]:
    def guarded() -> Any:
        return None if health.lost else cleanup()
    return guarded


def _best_effort(cleanup) -> None:
    try:
        cleanup()
    except Exception as error:  # a failed removal must not stop the others; the sweep follows
        log.warning("cleanup failed: %s", error)

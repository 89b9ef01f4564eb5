"""One run of the suite against one engine: what behave's hooks and pytest's fixtures share.

Opening a session connects (or fails within seconds saying why), fingerprints the engine,
sweeps the leftovers of dead runs, takes a lease, and gives a Fixtures builder; closing it
removes everything labelled with the run, whatever happened during the run.

A process started with DOCKER_CLAIMS_RUN=<id> *joins* that run instead (`docker-claims
parallel` starts its workers so): no lease and no sweep of its own, fixtures looked up by their
content-hash label within the run, names of its own (DOCKER_CLAIMS_WORKER), and nothing of the
run's swept at its close: the run's owner does that.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

import docker
import requests
import urllib3
from docker.errors import ImageNotFound
from docker.models.images import Image

from . import LABEL_FIXTURE, LABEL_RUN, NAME_PREFIX, archives, engine
from .fixtures import BASE, Fixtures, FixtureSpec, first_built
from .host import HostReader
from .resources import (
    Defer,
    Lease,
    Resources,
    Run,
    SweepReport,
    leases,
    sweep,
)

try:
    import fcntl
except ImportError:  # Windows: workers may then build a missing fixture twice, never wrongly
    fcntl = None

log = logging.getLogger(__name__)
T = TypeVar("T")

JOIN_RUN = "DOCKER_CLAIMS_RUN"
"""Set to a live run's id: this process joins that run (see the module's docstring)."""
JOIN_WORKER = "DOCKER_CLAIMS_WORKER"
"""A joining process's own part in names (default: p<pid>), so that workers never collide."""
JOIN_LOCKS = "DOCKER_CLAIMS_LOCKS"
"""A directory for the file locks that keep workers from building one fixture twice."""
PARENT_FD = "DOCKER_CLAIMS_PARENT_FD"
"""A pipe's read end whose writer is the run's owner: at its EOF the worker interrupts itself."""

LATE_SWEEPS = 3
"""After an interrupt: how many more sweeps, a second apart, catch what a call cut short made
(the engine finishes a load or a create whose client went away)."""

SILENCE = (requests.exceptions.Timeout, requests.exceptions.ConnectionError,
           urllib3.exceptions.HTTPError, TimeoutError, ConnectionError)
"""What the SDK raises when the engine does not answer (in time, or at all)."""


class JoinRefused(RuntimeError):
    """DOCKER_CLAIMS_RUN names a run that is not going on: nothing to join."""


def engine_silence(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) is the engine not answering, rather than refusing."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, SILENCE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class _Interrupts:
    """How SIGINT and SIGTERM end a run.

    The first one raises KeyboardInterrupt, so that behave winds down and every cleanup runs.
    Any later one (or one arriving while a session closes) does not cut that cleanup short: it
    only says what is going on, and the next one after that quits at once, leaving what is left
    to the label sweep of the next run (the lease dies with the process).
    """

    def __init__(self) -> None:
        self.received = 0
        self.warned = False
        self.cleaning = 0
        self.installed = False

    def install(self) -> None:
        if self.installed or threading.current_thread() is not threading.main_thread():
            return
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._handle)
        self.installed = True

    @contextlib.contextmanager
    def cleaning_up(self) -> Iterator[None]:
        self.cleaning += 1
        try:
            yield
        finally:
            self.cleaning -= 1

    def _handle(self, number: int, _frame: Any) -> None:
        self.received += 1
        name = signal.Signals(number).name
        if self.received == 1 and not self.cleaning:
            raise KeyboardInterrupt(name)
        if not self.warned:
            self.warned = True
            print(f"docker-claims: {name}: still removing what this run made; send it again to "
                  "quit at once (what is left carries the run's label: the next run, or "
                  "`docker-claims sweep`, removes it)", file=sys.stderr, flush=True)
            return
        print(f"docker-claims: {name} again: quitting without finishing the cleanup",
              file=sys.stderr, flush=True)
        os._exit(128 + number)


INTERRUPTS = _Interrupts()


@dataclass
class _Health:
    """Whether the engine still answers; once it does not, cleanups stop calling it."""

    lost: str | None = None


@dataclass
class _WorkerRun(Run):
    """A worker's share of a joined run: the run's id and labels, names of its own."""

    worker: str = "w"

    def name(self, kind: str) -> str:
        return f"{self.prefix}-{self.worker}-{kind}-{next(self._counter)}"


@dataclass
class _JoinedFixtures(Fixtures):
    """The run's fixtures, found by their content-hash label, built only when the run has none
    (under a file lock, so that workers build each once); never removed by a worker: the run's
    owner sweeps them."""

    lock_dir: Path | None = None

    def _build(self, spec: FixtureSpec, key: str, busybox: bytes,
               cache_from: list[str]) -> Image:
        found = self._lookup(spec, key)
        if found is not None:
            return found
        with fixture_lock(self.lock_dir, key):
            return self._lookup(spec, key) or super()._build(spec, key, busybox, cache_from)

    def _lookup(self, spec: FixtureSpec, key: str) -> Image | None:
        """The run's fixture `key`, by the tag its build gave it and its labels. Never by the
        labels alone: an image committed from a container of the fixture keeps them, and
        another worker may remove it at any time."""
        try:
            image = self.resources.client.images.get(self.tag(spec, key))
        except ImageNotFound:
            return None
        labels = image.labels or {}
        ours = labels.get(LABEL_RUN) == self.resources.run.id and labels.get(LABEL_FIXTURE) == key
        return image if ours else None


@contextlib.contextmanager
def fixture_lock(lock_dir: Path | None, key: str) -> Iterator[None]:
    """Held while one process of a run builds the fixture `key` (a file lock in `lock_dir`),
    so that the others wait for it rather than build it again."""
    if lock_dir is None or fcntl is None:
        yield
        return
    with open(lock_dir / f"fixture-{key}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Session:
    client: docker.DockerClient
    fingerprint: engine.Fingerprint
    run: Run
    fixtures: Fixtures
    workdir: Path
    swept: SweepReport
    _stack: ExitStack
    joined: bool = False
    _health: _Health = field(default_factory=_Health)
    _shared: dict[Hashable, Future] = field(default_factory=dict)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock)
    _ahead: ThreadPoolExecutor | None = None

    @classmethod
    def open(cls, prepare: Iterable[FixtureSpec] = ()) -> Session:
        """Raises engine.EngineUnavailable, fixtures.BusyboxMissing or JoinRefused, each with a
        message that says what to do. The fixtures in `prepare` start building at once, side
        by side, while the run goes on."""
        INTERRUPTS.install()
        client = engine.connect()
        joined = os.environ.get(JOIN_RUN)
        health = _Health()
        stack = ExitStack()
        stack.callback(client.close)
        try:
            if joined:
                return cls._join(client, joined, stack, health, prepare)
            return cls._own(client, stack, health, prepare)
        except BaseException as error:
            if engine_silence(error):
                health.lost = f"the engine stopped answering while the run started: {error}"
            with INTERRUPTS.cleaning_up():
                stack.close()
            if health.lost:
                raise engine.EngineUnavailable(health.lost) from error
            raise

    @classmethod
    def _own(cls, client: docker.DockerClient, stack: ExitStack, health: _Health,
             prepare: Iterable[FixtureSpec]) -> Session:
        run = Run()
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
        swept = sweep(client)
        swept.removed.extend(f"temp dir {path}" for path in sweep_workdirs())
        workdir = _workdir(f"{run.prefix}-", stack)
        fixtures = Fixtures(Resources(client, run, _lifo(stack, health)))
        stack.callback(fixtures.settle)
        fixtures.prepare([BASE, *prepare])
        # The lease needs only a `cat`, which every fixture has: it takes the first one built.
        leased.append(Lease(client, run, fixtures.image(first_built(BASE)).id))
        # First thing at close: from then on the run is over.
        stack.callback(lambda: leased[0].end(wait=not health.lost))
        return cls(client, engine.fingerprint(client), run, fixtures, workdir, swept, stack,
                   _health=health)

    @classmethod
    def _join(cls, client: docker.DockerClient, run_id: str, stack: ExitStack,
              health: _Health, prepare: Iterable[FixtureSpec]) -> Session:
        if leases(client).get(run_id) is not True:
            raise JoinRefused(
                f"{JOIN_RUN}={run_id} names no run going on against this engine (its lease "
                f"container is not running); unset {JOIN_RUN} to start a run of its own")
        run = _WorkerRun(id=run_id, worker=os.environ.get(JOIN_WORKER) or f"p{os.getpid()}")
        workdir = _workdir(f"{run.prefix}-{run.worker}-", stack)
        locks = os.environ.get(JOIN_LOCKS)
        fixtures = _JoinedFixtures(Resources(client, run, lambda _cleanup: None),
                                   lock_dir=Path(locks) if locks else None)
        stack.callback(fixtures.settle)
        fixtures.prepare(prepare)
        if os.environ.get(PARENT_FD):
            _interrupt_when_parent_ends(int(os.environ[PARENT_FD]))
        return cls(client, engine.fingerprint(client), run, fixtures, workdir, SweepReport(),
                   stack, joined=True, _health=health)

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

    def host_reader(self) -> HostReader:
        """This process's reader of the engine host (docker_claims.host): started when first
        asked for, shared by every scenario (it only reads), removed when the session closes."""
        return self.shared("host reader", lambda resources: HostReader.start(
            resources, self.fixtures.image(BASE).id))

    def shared(self, key: Hashable, make: Callable[[Resources], T]) -> T:
        """What `make` makes, once per session and key: for what scenarios only look at (the
        host reader, a container that made its writes and exited, a container that only reads,
        a save tar), so that nothing is started or made twice when once serves. `make` gets a
        creator whose removals run when the session closes."""
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
                    del self._shared[key]  # not kept: the next to ask makes it anew
                made.set_exception(error)
                raise
        return made.result()

    def ahead(self, make: Callable[[], Any]) -> None:
        """Run `make` (which asks `shared` for something) in the background, so that what it
        makes is there, or on its way, when a scenario asks (docker_claims.ahead). An error is
        left for that scenario to meet: `shared` keeps no failure."""
        with self._shared_lock:
            if self._ahead is None:
                self._ahead = ThreadPoolExecutor(2, thread_name_prefix="ahead")
            self._ahead.submit(_quietly, make)

    def scratch_dir(self, defer: Defer) -> Path:
        path = Path(tempfile.mkdtemp(dir=self.workdir))
        defer(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def saved_layers(self, image: Image) -> Path:
        """The image's `docker save` tar, spooled once per run and image id: an image id names
        fixed content, so every scenario that only reads its layers shares one tar."""
        return self.shared(("save tar", image.id), lambda resources: archives.spool(
            self.client.api.get_image(image.id), self.scratch_dir(resources.defer)))

    def check_failure(self, error: BaseException | None) -> str | None:
        """After a step failed with `error`: if the engine has stopped answering (the error is
        a timeout or a lost connection, and a ping gets no answer either), say so and remember
        it, so that cleanups stop waiting out their deadlines one by one."""
        if self.lost is None and engine_silence(error) and not self.answers():
            self._health.lost = (
                f"the engine at {self.fingerprint.endpoint} stopped answering: no answer within "
                f"{engine.CALL_TIMEOUT} s (DOCKER_CLAIMS_TIMEOUT), and none to a ping "
                f"({_first_line(error)}). Everything run {self.run.id} made carries the label "
                f"{LABEL_RUN}={self.run.id}: the next run, or `docker-claims sweep` once the "
                "engine answers again, removes it")
        return self.lost

    def answers(self) -> bool:
        """Whether the engine answers a ping within seconds."""
        try:
            url = f"{self.client.api.base_url}/_ping"
            timeout = min(engine.PROBE_TIMEOUT, engine.CALL_TIMEOUT)
            return self.client.api.get(url, timeout=timeout).ok
        except Exception:
            return False

    def close(self) -> None:
        """Remove what the run made (a joined worker: only its own scope); a signal arriving
        meanwhile does not cut this short (see _Interrupts)."""
        with INTERRUPTS.cleaning_up():
            if self.lost:
                print(f"docker-claims: {self.lost}", file=sys.stderr)
            if self._ahead is not None:  # what is made meanwhile is removed with the rest
                self._ahead.shutdown(wait=True, cancel_futures=True)
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


ALIVE = ".alive"
"""In a run's temp dir: a file its process holds locked for as long as it lives."""


def _workdir(prefix: str, stack: ExitStack) -> Path:
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


def _lifo(stack: ExitStack, health: _Health) -> Defer:
    def defer(cleanup) -> None:
        stack.callback(_best_effort, _unless_lost(health, cleanup))
    return defer


def _unless_lost(health: _Health, cleanup: Callable[[], Any]) -> Callable[[], Any]:
    def guarded() -> Any:
        return None if health.lost else cleanup()
    return guarded


def _quietly(make: Callable[[], Any]) -> None:
    try:
        make()
    except Exception as error:  # the scenario that asks for it meets it again, and says so
        log.debug("made ahead, failed: %s", error)


def _best_effort(cleanup) -> None:
    try:
        cleanup()
    except Exception as error:  # a failed removal must not stop the others; the sweep follows
        log.warning("cleanup failed: %s", error)


def _interrupt_when_parent_ends(fd: int) -> None:
    """A worker outlives no parent: when the pipe from the run's owner ends (it exited, even by
    kill -9), this process gets SIGTERM, so that its cleanups run."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 1):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="docker-claims-parent", daemon=True).start()


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]

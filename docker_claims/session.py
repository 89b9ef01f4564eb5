"""One run of the suite against one engine: what behave's hooks and pytest's fixtures share.

Opening a session connects (or fails within seconds saying why), fingerprints the engine,
sweeps the leftovers of dead runs, takes a lease, and gives a Fixtures builder; closing it
removes everything labelled with the run, whatever happened during the run.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import docker

from . import engine
from .fixtures import BASE, Fixtures
from .resources import Defer, Lease, Resources, Run, SweepReport, interrupt_on_sigterm, sweep

log = logging.getLogger(__name__)


@dataclass
class Session:
    client: docker.DockerClient
    fingerprint: engine.Fingerprint
    run: Run
    fixtures: Fixtures
    workdir: Path
    swept: SweepReport
    _stack: ExitStack

    @classmethod
    def open(cls) -> Session:
        """Raises engine.EngineUnavailable or fixtures.BusyboxMissing with a clear message."""
        interrupt_on_sigterm()
        client = engine.connect()
        stack = ExitStack()
        run = Run()
        # Last resort, runs after every other cleanup: whatever still carries the run label.
        stack.callback(lambda: sweep(client, run_id=run.id, include_alive=True))
        stack.callback(client.close)
        try:
            swept = sweep(client)
            workdir = Path(tempfile.mkdtemp(prefix=f"{run.prefix}-"))
            stack.callback(shutil.rmtree, workdir, True)
            fixtures = Fixtures(Resources(client, run, _lifo(stack)))
            lease = Lease(client, run, fixtures.image(BASE).id)
            stack.callback(lease.release)
        except BaseException:
            stack.close()
            raise
        return cls(client, engine.fingerprint(client), run, fixtures, workdir, swept, stack)

    def resources(self, defer: Defer) -> Resources:
        """A creator whose removals go to `defer` (a scenario's or a test's cleanup)."""
        return Resources(self.client, self.run, defer)

    def scratch_dir(self, defer: Defer) -> Path:
        path = Path(tempfile.mkdtemp(dir=self.workdir))
        defer(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def close(self) -> None:
        self._stack.close()


def _lifo(stack: ExitStack) -> Defer:
    def defer(cleanup) -> None:
        stack.callback(_best_effort, cleanup)
    return defer


def _best_effort(cleanup) -> None:
    try:
        cleanup()
    except Exception as error:  # a failed removal must not stop the others; the sweep follows
        log.warning("cleanup failed: %s", error)

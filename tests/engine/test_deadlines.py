"""An engine that stops answering mid-run makes the run fail, saying so, within a bounded time:
every engine call has a deadline (DOCKER_CLAIMS_TIMEOUT), waits and streamed reads included."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from behave_runs import labelled, start, subjects, wait_for

from docker_claims.engine.sweep import leases, sweep

TIMEOUT = 6
"""DOCKER_CLAIMS_TIMEOUT for the run under test: short, yet no healthy call of the suite's
comes near it."""

BOUND = 60
"""Seconds from the freeze to the run's exit: one deadline for the call in flight, one for the
ping that confirms the silence, and the wind-down (cleanups stop calling a silent engine)."""


class FreezingProxy:
    """A unix socket forwarding to the engine's, until frozen: from then on nothing goes
    through either way (new connections too), yet a side that hangs up still closes the other,
    so that the run's lease sees its end when the run exits."""

    def __init__(self, path: Path, upstream: str):
        self.path, self.upstream = path, upstream
        self.frozen = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            engine.connect(self.upstream)
            for source, sink in ((client, engine), (engine, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.frozen.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()


def _engine_socket() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    parsed = urlparse(host)
    if parsed.scheme != "unix" or not Path(parsed.path).exists():
        pytest.skip(f"the proxy forwards to a unix socket; the engine is at {host}")
    return parsed.path


def test_an_engine_that_stops_answering_mid_run_fails_the_run_within_a_bounded_time(
        session, tmp_path):
    proxy = FreezingProxy(tmp_path / "engine.sock", _engine_socket())
    run = start(tmp_path / "run", env={"DOCKER_HOST": f"unix://{proxy.path}",
                                       "DOCKER_CLAIMS_TIMEOUT": str(TIMEOUT)})
    try:
        run_id = run.run_id()
        wait_for(lambda: subjects(session.client, run_id), timeout=120, interval=0.05,
                 what=f"a scenario of run {run_id} making a container")
        proxy.frozen.set()
        frozen_at = time.monotonic()
        code = run.wait(timeout=BOUND + 60)
        took = time.monotonic() - frozen_at
    finally:
        run.kill()
        proxy.close()
    output = run.output()
    assert code != 0, output[-4000:]
    assert took < BOUND, f"the run took {took:.0f} s to give up on a silent engine"
    assert "stopped answering" in output, output[-4000:]
    assert "DOCKER_CLAIMS_TIMEOUT" in output
    # What the run made is labelled; its lease ended with the run, so a sweep removes it.
    wait_for(lambda: leases(session.client).get(run_id) is not True, timeout=30,
             what="the lease of the run ending")
    sweep(session.client, run_id=run_id, include_alive=True)
    assert labelled(session.client, run_id) == []

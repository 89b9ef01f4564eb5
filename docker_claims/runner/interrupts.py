"""How SIGINT and SIGTERM end a run: at once the first time, never cutting the cleanup short.

The first signal raises KeyboardInterrupt, so that behave winds down and every cleanup runs.
Any later one (or one arriving while a session closes) does not cut that cleanup short: it only
says what is going on, and the next one after that quits at once, leaving what is left to the
label sweep of the next run (the lease dies with the process).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any


class Interrupts:
    """The process's signal handling for a run (one per process: INTERRUPTS)."""

    def __init__(self) -> None:
        self.received = 0
        self.first: str | None = None
        """The name of the first signal received (SIGINT, SIGTERM)."""
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
        self.first = self.first or name
        if self.received == 1 and not self.cleaning:
            raise KeyboardInterrupt(name)
        if not self.warned:
            self.warned = True
            _say(f"docker-claims: {name}: still removing what this run made; send it again to "
                 "quit at once (what is left carries the run's label: the next run, or "
                 "`docker-claims sweep`, removes it)")
            return
        _say(f"docker-claims: {name} again: quitting without finishing the cleanup")
        os._exit(128 + number)


def _say(line: str) -> None:
    """One line on stderr, written straight to its file descriptor: a handler that printed
    through sys.stderr while the signal had cut a print short raised "reentrant call" instead."""
    with contextlib.suppress(OSError, ValueError):  # no stderr left to say it on
        os.write(sys.stderr.fileno(), (line + "\n").encode("utf-8", "replace"))


INTERRUPTS = Interrupts()

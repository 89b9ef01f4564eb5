"""The suite's settings: every DOCKER_CLAIMS_* variable, read in one place, once.

Where the engine is comes from the docker CLI's own variables (DOCKER_HOST, DOCKER_CONTEXT,
DOCKER_TLS_VERIFY, DOCKER_CERT_PATH: engine.connection reads them as the CLI does); what is
the suite's own is here. A value that cannot be used is refused at once, naming the variable
and what it takes (ConfigError), rather than failing later in a claim.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "DOCKER_CLAIMS_"


class ConfigError(ValueError):
    """A DOCKER_CLAIMS_* variable holds a value the suite cannot use; the message says which."""


@dataclass(frozen=True)
class Settings:
    timeout: int = 300
    """DOCKER_CLAIMS_TIMEOUT: seconds any engine call may go without an answer (long enough to
    save a big image, short of a hang)."""
    busybox: Path | None = None
    """DOCKER_CLAIMS_BUSYBOX: the static busybox the fixture images are built from (else the
    one on PATH or at /bin/busybox)."""
    cli: str | None = None
    """DOCKER_CLAIMS_CLI: the docker CLI run for the claims about the CLI (else `docker` on
    PATH)."""
    node2: str | None = None
    """DOCKER_CLAIMS_NODE2: the second engine ("another node"), named as DOCKER_HOST names the
    first (unix://, tcp://, ssh://)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        unknown = sorted(name for name in environ
                         if name.startswith(PREFIX) and name[len(PREFIX):].lower() not in FIELDS)
        if unknown:
            raise ConfigError(f"unknown setting {', '.join(unknown)}; docker-claims reads "
                              + ", ".join(PREFIX + name.upper() for name in FIELDS))
        raw = {name: environ.get(PREFIX + name.upper(), "").strip() for name in FIELDS}
        timeout = raw["timeout"] or str(cls.timeout)
        if not timeout.isdigit() or int(timeout) <= 0:
            raise ConfigError(f"{PREFIX}TIMEOUT={timeout!r}: give a whole number of seconds "
                              "above 0 (default 300)")
        return cls(timeout=int(timeout), busybox=Path(raw["busybox"]) if raw["busybox"] else None,
                   cli=raw["cli"] or None, node2=raw["node2"] or None)


FIELDS = ("timeout", "busybox", "cli", "node2")


@functools.cache
def settings() -> Settings:
    """The settings of this process, read from the environment the first time they are asked
    for (tests that change the environment call `settings.cache_clear()`)."""
    return Settings.from_environment()

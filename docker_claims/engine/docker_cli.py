"""The `docker` CLI, run where a claim is about the CLI itself.

The suite talks to engines through the Docker SDK; it runs the CLI only where the article's
claim is about what the CLI says or does: its help texts, and `load` and `import -` reading
standard input (C10, claims.pairs), and the article's shell transcripts replayed command by
command (C14, C15, transcripts). This module is the one place that runs it.

What the CLI says is only evidence about the engine the suite measures if the CLI talks to that
same engine. The CLI is `DOCKER_CLAIMS_CLI`, else the `docker` on PATH, run with this
process's environment (DOCKER_HOST, DOCKER_CONTEXT, TLS settings and DOCKER_CONFIG pass
through, as the suite itself found its engine: engine.connect); for the second node, with
DOCKER_HOST set to its address and none of the first engine's context or TLS settings. Before
it is used against an engine, the CLI's engine is checked to be that engine, by its ID (once
per CLI and environment).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import docker

from docker_claims.engine.cli_output import CliRun
from docker_claims.engine.config import settings
from docker_claims.evidence import expect

TLS_SETTINGS = ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS")
"""The first engine's TLS settings: not for the second engine."""


class CliUnavailable(RuntimeError):
    """No docker CLI to run: the scenario is skipped, saying so."""


class CliElsewhere(RuntimeError):
    """The docker CLI talks to another engine than the one it was meant for (a setup error)."""


class CliUnreachable(RuntimeError):
    """The docker CLI could not reach its engine (it stopped answering, it is gone): the
    suite's trouble, never the claim's, although the command failed."""


UNREACHABLE = re.compile(r"Cannot connect to the Docker daemon|error during connect|"
                         r"connection refused|Is the docker daemon running", re.IGNORECASE)
"""How the docker CLI says it reached no engine."""


@dataclass(frozen=True)
class Cli:
    """The docker CLI, with the environment that points it at one engine."""

    path: str
    env: Mapping[str, str]
    target: str

    def run(self, *args: str, stdin: Path | None = None,
            timeout: float | None = None) -> CliRun:
        """`docker ARGS`, with the file `stdin` (streamed, never read here) as standard input,
        else none."""
        with open(stdin, "rb") if stdin is not None else open(os.devnull, "rb") as source:
            done = subprocess.run([self.path, *args], stdin=source, capture_output=True,
                                  env=dict(self.env), timeout=timeout or settings().timeout,
                                  check=False)
        return CliRun(tuple(args), done.returncode, done.stdout.decode("utf-8", "replace"),
                      done.stderr.decode("utf-8", "replace"))

    def ok(self, *args: str, stdin: Path | None = None,
           timeout: float | None = None) -> CliRun:
        """Run, and fail the claim with the CLI's words when the command fails, unless it
        failed for want of an engine (CliUnreachable: the claim could not be measured)."""
        ran = self.run(*args, stdin=stdin, timeout=timeout)
        if ran.exit_code != 0 and UNREACHABLE.search(ran.stderr):
            said = ran.stderr.strip().splitlines()[-1] if ran.stderr.strip() else ""
            raise CliUnreachable(f"`{ran.command}` reached no engine at {self.target}: {said}")
        expect(ran.exit_code == 0, f"`{ran.command}` failed on {self.target}", **ran.evidence())
        return ran


def find_cli() -> str:
    """The docker CLI: DOCKER_CLAIMS_CLI, else `docker` on PATH; CliUnavailable otherwise."""
    named = settings().cli
    path = named or shutil.which("docker")
    if not path or not os.access(path, os.X_OK):
        raise CliUnavailable(
            f"no docker CLI ({'DOCKER_CLAIMS_CLI=' + named if named else 'none on PATH'}): the "
            "claim is about the CLI's own words and output; install one (Debian/Ubuntu: "
            "docker.io or docker-ce-cli) or set DOCKER_CLAIMS_CLI=/path/to/docker")
    return path


def _environment(**overrides: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DOCKER_CLI_HINTS", "false")  # no "What's next" on stdout
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


_ENGINE_IDS: dict[tuple, str] = {}


def _checked(cli: Cli, client: docker.DockerClient) -> Cli:
    """The CLI, once seen to reach the engine `client` reaches (same engine ID)."""
    ours = client.info().get("ID") or ""
    key = (cli.path, tuple(sorted((k, v) for k, v in cli.env.items() if k.startswith("DOCKER"))))
    if _ENGINE_IDS.get(key) != ours or not ours:
        ran = cli.run("info", "--format", "{{.ID}}", timeout=60)
        theirs = ran.stdout.strip()
        if ran.exit_code != 0 or not ours or theirs != ours:
            raise CliElsewhere(
                f"the docker CLI {cli.path} does not reach {cli.target} (it answered "
                f"{ran.exit_code}: {theirs or ran.stderr.strip()!r}; that engine's ID is "
                f"{ours!r}): set DOCKER_HOST or DOCKER_CONTEXT so that both reach the same one")
        _ENGINE_IDS[key] = ours
    return cli


def engine_environment() -> dict[str, str]:
    """The CLI's environment for the suite's engine: DOCKER_HOST, DOCKER_CONTEXT and the TLS
    settings pass through, as the suite itself found the engine (engine.connect)."""
    return _environment()


def cli_for_engine(client: docker.DockerClient) -> Cli:
    """The CLI against the suite's engine, once seen to reach it."""
    where = getattr(client, "endpoint", "the suite's engine")
    return _checked(Cli(find_cli(), engine_environment(), f"the suite's engine ({where})"),
                    client)


def node_environment(url: str) -> dict[str, str]:
    """The CLI's environment for the second engine: DOCKER_HOST=its address, no context, none
    of the first engine's TLS settings."""
    return _environment(DOCKER_HOST=url, DOCKER_CONTEXT=None, **dict.fromkeys(TLS_SETTINGS, None))


def cli_for_node(url: str, client: docker.DockerClient) -> Cli:
    """The CLI against the second engine, once seen to reach it."""
    return _checked(Cli(find_cli(), node_environment(url), f"the second engine ({url})"), client)


def label_flags(labels: Mapping[str, str]) -> list[str]:
    """`--label` options giving what the CLI creates these labels."""
    flags: list[str] = []
    for key, value in sorted(labels.items()):
        flags += ["--label", f"{key}={value}"]
    return flags


def label_changes(labels: Mapping[str, str]) -> list[str]:
    """`--change` options giving what `docker import` makes these labels."""
    changes: list[str] = []
    for key, value in sorted(labels.items()):
        changes += ["--change", f"LABEL {key}={value}"]
    return changes




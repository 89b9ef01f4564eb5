"""Connect to the engine the user means, and say what it is.

The suite talks to the engine only through its API, so that a remote engine (DOCKER_HOST
ssh:// or tcp://), Docker Desktop's VM or a second daemon on another socket work the same.
Every call gets a deadline; an engine that stops answering is told from one that refuses."""

from __future__ import annotations

import os

import docker
import requests
import urllib3
from docker.constants import IS_WINDOWS_PLATFORM
from docker.context import ContextAPI
from docker.errors import DockerException
from docker.utils import parse_host, version_lt

from docker_claims.engine import ssh
from docker_claims.engine.config import settings
from docker_claims.engine.records import Fingerprint

MIN_API_VERSION = "1.40"
"""Docker 19.03: the oldest engine whose API has everything the claims use (CgroupVersion...)."""


PROBE_TIMEOUT = 10
"""Seconds the first contact may take: a dead engine must be reported within seconds."""

ADDRESS_FORMS = "unix:///path/docker.sock, tcp://host:2376 or ssh://user@host"


class EngineUnavailable(RuntimeError):
    """No engine answers, or it is too old: the message says what was tried and what to do."""


class SshFailed(EngineUnavailable):
    """The engine is named by an ssh:// address and ssh itself failed (no sshd, login, host
    key, sessions): the message says which and how to fix it."""


class InvalidAddress(EngineUnavailable):
    """DOCKER_HOST (or the docker context) names no engine at all: nothing could be tried."""


def candidates() -> list[tuple[str, dict]]:
    """Where to look for an engine, in the order the docker CLI itself would."""
    if os.environ.get("DOCKER_HOST"):
        address = os.environ["DOCKER_HOST"]
        return [(f"DOCKER_HOST={address}", {"from_env": True, "address": address})]
    found = []
    name = os.environ.get("DOCKER_CONTEXT")
    try:
        context = ContextAPI.get_context(name) if name else ContextAPI.get_current_context()
    except DockerException:
        context = None
    if context is not None and context.name != "default" and context.Host:
        found.append(
            (f"docker context {context.name!r} ({context.Host})",
             {"base_url": context.Host, "address": context.Host,
              "tls": context.TLSConfig or False})
        )
    found.append(("the default socket (unix:///var/run/docker.sock)", {"from_env": True}))
    return found


def connect(timeout: int | None = None) -> docker.DockerClient:
    """A client for the first engine that answers, with API version negotiation.

    Raises EngineUnavailable, within about PROBE_TIMEOUT seconds per candidate, saying what
    was tried and how to point the suite at an engine; InvalidAddress at once when the address
    is no engine address at all (DOCKER_HOST=garbage).
    """
    timeout = timeout or settings().timeout
    tried = []
    for where, how in candidates():
        problem = address_problem(how.get("address"))
        if problem:
            fix = ("or unset DOCKER_HOST to use the current docker context or the default socket"
                   if where.startswith("DOCKER_HOST") else
                   "with `docker context update`, or pick another context (`docker context use`)")
            raise InvalidAddress(f"{where} is not an engine address ({problem}): give "
                                 f"{ADDRESS_FORMS}, {fix}")
        try:
            client = client_for(how, PROBE_TIMEOUT)
            client.ping()
        except Exception as error:
            problem = ssh.failure(how.get("address") or "", error)
            if problem:
                raise SshFailed(f"{where}: {problem}") from error
            if not isinstance(error, (DockerException, OSError)):
                raise
            tried.append(f"{where}: {root_cause(error)}"
                         f"{ssh.dial_hint(how.get('address') or '')}")
            continue
        api = client.api.api_version
        if version_lt(api, MIN_API_VERSION):
            raise EngineUnavailable(
                f"the engine at {where} speaks API {api}; docker-claims needs API "
                f"{MIN_API_VERSION} or newer (Docker 19.03+). Upgrade the engine or point "
                "DOCKER_HOST at a newer one."
            )
        client.close()
        client = client_for(how, timeout)
        client.endpoint = where  # for the fingerprint: base_url hides unix socket paths
        return client
    raise EngineUnavailable(
        f"no Docker engine answers (tried {'; '.join(tried)}). Start Docker Desktop or dockerd, "
        f"or set DOCKER_HOST ({ADDRESS_FORMS}); on Linux as root, `scripts/engine-up` installs "
        "and starts one"
    )


def address_problem(address: str | None) -> str | None:
    """Why `address` cannot name any engine (the SDK's own parsing of DOCKER_HOST), or None."""
    if address is None:
        return None
    try:
        parsed = parse_host(address, IS_WINDOWS_PLATFORM)
    except (DockerException, ValueError) as error:
        return first_line(error)
    if parsed.startswith("npipe://") and not IS_WINDOWS_PLATFORM:
        return "npipe:// is only supported on Windows"
    return None


def fingerprint(client: docker.DockerClient) -> Fingerprint:
    """Versions, storage and cgroup facts of the engine, from `version` and `info`."""
    version, info = client.version(), client.info()
    driver_status = dict(tuple(pair) for pair in info.get("DriverStatus") or [] if len(pair) == 2)
    containerd_store = driver_status.get("driver-type", "").startswith("io.containerd.snapshotter")
    return Fingerprint(
        endpoint=getattr(client, "endpoint", client.api.base_url),
        engine_version=version.get("Version", "?"),
        api_version=client.api.api_version,
        os=version.get("Os", "?"),
        arch=version.get("Arch", "?"),
        kernel=version.get("KernelVersion", "?"),
        operating_system=info.get("OperatingSystem", "?"),
        storage_driver=info.get("Driver", "?"),
        image_store="containerd" if containerd_store else "graphdriver",
        cgroup_version=str(info.get("CgroupVersion", "1")),
        cgroup_driver=info.get("CgroupDriver", "?"),
        rootless=has_security_option(info, "rootless"),
        native_diff={"true": True, "false": False}.get(
            driver_status.get("Native Overlay Diff", "").lower()),
        docker_root_dir=info.get("DockerRootDir", "?"),
        swarm=(info.get("Swarm") or {}).get("LocalNodeState") or "inactive",
        userns_remap=has_security_option(info, "userns"),
    )


def has_security_option(info: dict, name: str) -> bool:
    """Whether `docker info` lists the security option `name` (rootless, userns, seccomp...):
    its SecurityOptions entries read `name=<name>[,key=value...]`."""
    return any(f"name={name}" in option.split(",")
               for option in info.get("SecurityOptions") or [])


def client_for(how: dict, timeout: int) -> docker.DockerClient:
    try:
        if how.get("from_env"):
            client = docker.from_env(version="auto", timeout=timeout)
        else:
            client = docker.DockerClient(base_url=how["base_url"], tls=how["tls"],
                                         version="auto", timeout=timeout)
    except Exception as error:
        explained = ssh.connecting(how.get("address") or how.get("base_url") or "", error)
        if explained is error:
            raise
        raise explained from error
    if ssh.over_ssh(client):
        ssh.bound_sessions(client, wait=settings().timeout)
    return with_deadlines(client, timeout)


def with_deadlines(client: docker.DockerClient, timeout: float) -> docker.DockerClient:
    """Give every call a deadline of at most `timeout` seconds without an answer.

    The SDK sends builds, imports, loads, waits and event streams with no timeout at all, and
    lifts the timeout of streamed reads (save, export, logs, exec output): an engine that stops
    answering would hang the run there forever.
    """
    api = client.api

    def bounded(kwargs: dict) -> dict:
        asked = kwargs.get("timeout")
        limited = isinstance(asked, (int, float)) and asked < timeout
        kwargs["timeout"] = asked if limited else timeout
        return kwargs

    def request(method: str, url: str, **kwargs):  # attach_socket goes around the rest
        return send(method, url, **bounded(kwargs))

    send = api.request
    api.request = request
    api._set_request_timeout = bounded
    api._disable_socket_timeout = lambda _socket: None
    return client


def first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def root_cause(error: BaseException) -> str:
    """The innermost OS error behind `error` ("[Errno 111] Connection refused"), else its first
    line: the SDK wraps it in three layers of retries and pools."""
    cause, seen = error, set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and not isinstance(cause, WRAPPERS):
            error = cause
        cause = cause.__cause__ or cause.__context__
    return first_line(error)


SILENCE = (requests.exceptions.Timeout, requests.exceptions.ConnectionError,
           urllib3.exceptions.HTTPError, TimeoutError, ConnectionError)
"""What the SDK raises when the engine does not answer (in time, or at all)."""

WRAPPERS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError)


def engine_silence(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) is the engine not answering, rather than refusing."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, SILENCE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False

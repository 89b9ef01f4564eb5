"""Engines reached over ssh://: one ssh connection per client, its sessions bounded.

The docker SDK talks to an engine over ssh by running `docker system dial-stdio` on the remote
host in one ssh session per HTTP connection, all on the client's one ssh connection (paramiko).
OpenSSH's sshd allows 10 sessions per connection by default (MaxSessions), and the SDK keeps a
pool of idle connections per request URL, so a run that asks for more at once, or has visited
enough URLs, is refused sessions: `ChannelException(2, 'Connect failed')`, "no more sessions"
in sshd's log (docker-py#2246, docker/compose#6463). `bound_sessions` gives a client instead one
pool for every request, of at most SESSIONS connections at a time: a request that finds them
all in use waits for one. The run's own concurrency (fixture builds side by side, the lease)
fits in it with room to spare.

When ssh itself fails (no sshd, authentication, host key, sessions), `failure` says so and
names the fix, rather than letting it read as an engine that does not answer.
"""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urlparse

import docker
import docker.errors
import urllib3

MAX_SESSIONS = 10
"""OpenSSH's default MaxSessions: sessions sshd allows on one connection at once."""

SESSIONS = MAX_SESSIONS - 2
"""Connections (ssh sessions) one client holds at once over ssh://: 2 are left for sessions
the client has closed (exec's hijacked connections are closed after each exec) and sshd has not
yet freed when the client opens the next."""

SSH_BASE_URL = "http+docker://ssh"
"""The SDK's base URL for a client over ssh:// (paramiko's, and the ssh CLI's)."""


class SshError(RuntimeError):
    """ssh itself failed while the client was being made (the SDK makes the ssh connection and
    logs in there): the message says what failed and the fix."""


class SessionsExhausted(RuntimeError):
    """Every session of the client stayed in use for as long as a request may take: something
    holds responses it never reads to their end. A fault of the suite, not of the engine."""


def over_ssh(client: docker.DockerClient) -> bool:
    return client.api.base_url == SSH_BASE_URL


def bound_sessions(client: docker.DockerClient, wait: float) -> docker.DockerClient:
    """Make every request of `client` (over ssh://) share one pool of at most SESSIONS
    connections; a request waits up to `wait` seconds for one to be free (SessionsExhausted
    after that). The SDK's own pools, one per URL so far, are closed with their sessions."""
    from docker.transport.sshconn import SSHConnectionPool  # needs paramiko: docker[ssh]

    class Sessions(SSHConnectionPool):
        """A blocking pool: a slot per session, whether its connection is idle or in use."""

        def __init__(self, adapter: Any) -> None:
            super().__init__(ssh_client=adapter.ssh_client, timeout=adapter.timeout,
                             maxsize=SESSIONS, host=adapter.ssh_host)
            self.block = True

        def _get_conn(self, timeout: float | None = None) -> Any:
            try:
                return super()._get_conn(wait if timeout is None else timeout)
            except urllib3.exceptions.EmptyPoolError:
                raise SessionsExhausted(
                    f"all {SESSIONS} ssh sessions to the engine stayed in use for {wait:.0f} s: "
                    "a response the suite never read to its end holds one (a bug of the "
                    "suite: please report it)") from None

    adapter = client.api.get_adapter(f"{SSH_BASE_URL}/")
    lock = threading.Lock()
    key = "docker-claims sessions"

    def get_connection(url: str, proxies: Any = None) -> Any:
        with lock:
            pool = adapter.pools.get(key)
            transport = adapter.ssh_client.get_transport() if adapter.ssh_client else None
            if adapter.ssh_client and not (transport and transport.is_active()):
                adapter._connect()  # the connection was lost: a new one, and a new pool
                pool = None
            if pool is None:
                pool = adapter.pools[key] = Sessions(adapter)
            return pool

    adapter.pools.clear()
    adapter.get_connection = get_connection
    return client


def _where(address: str) -> tuple[str, int, str | None]:
    url = urlparse(address)
    return url.hostname or "?", url.port or 22, url.username


def dial_hint(address: str) -> str:
    """For an engine over ssh:// that did not answer although ssh logged in: where to look."""
    if not address.startswith("ssh://"):
        return ""
    host, port, user = _where(address)
    return (f" (ssh logged in; the engine is reached there by running `docker system "
            f"dial-stdio` as {user or 'your user'}, which needs the docker CLI and the "
            f"engine's socket, e.g. through the docker group: check `ssh -p {port} "
            f"{user + '@' if user else ''}{host} docker version`)")


def failure(address: str, error: BaseException) -> str | None:
    """What went wrong with ssh itself in `error` (or what caused it), with the fix, or None
    when it is not ssh's failure. `address` is the ssh:// address the client was given."""
    if not address.startswith("ssh://"):
        return None
    host, port, user = _where(address)
    target = f"{user + '@' if user else ''}{host}"
    check = f"`ssh -p {port} {target} docker version` must work without asking anything"
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name, text = type(error).__name__, str(error)
        if "Install paramiko" in text:
            return ("ssh:// needs paramiko, which this Python lacks: `pip install -e .` in the "
                    "repository installs it (docker[ssh]), or `pip install 'docker[ssh]'`")
        if name in ("AuthenticationException", "BadAuthenticationType",
                    "PasswordRequiredException"):
            return (f"ssh refused to log in as {user or '(your user)'} to {host}:{port} "
                    f"({text or name}): the suite logs in with a key, without a password: "
                    "ssh-agent's keys, ~/.ssh/id_*, or IdentityFile for that host in "
                    f"~/.ssh/config; {check}")
        if name == "BadHostKeyException":
            return (f"the ssh host key of {host}:{port} is not the one ~/.ssh/known_hosts has "
                    f"for it ({text}): if the host was reinstalled, `ssh-keygen -R "
                    f"'[{host}]:{port}'` and connect once with ssh to accept the new key")
        if "not found in known_hosts" in text:
            return (f"the ssh host key of {host}:{port} is not in ~/.ssh/known_hosts, and the "
                    f"docker SDK refuses unknown hosts: connect once with `ssh -p {port} "
                    f"{target}` and accept it (or add `ssh-keyscan -p {port} {host}`'s line "
                    "after checking its fingerprint)")
        if name == "ChannelException" or "no more sessions" in text:
            return (f"sshd at {host}:{port} refused an ssh session ({text or name}): the suite "
                    f"holds up to {SESSIONS} at once on one connection, and sshd allows "
                    "MaxSessions (10 by default) per connection: raise MaxSessions in its "
                    "sshd_config if it is lower")
        if isinstance(error, SshError):
            return text
        if name == "NoValidConnectionsError":
            return (f"no ssh server answers at {host}:{port} ({text}): check the host and port "
                    "in DOCKER_HOST (the docker SDK takes port 22 when the address names none, "
                    "whatever Port ~/.ssh/config gives) and that sshd runs there")
        if name == "SSHException" or type(error).__module__.startswith("paramiko"):
            return f"ssh to {target} on port {port} failed ({text or name}): {check}"
        error = error.__cause__ or error.__context__
    return None


def connecting(address: str, error: BaseException) -> BaseException:
    """What to raise for `error`, raised while the client was being made for `address`. Before
    the SDK's first request (the API version), it makes the ssh connection and logs in: a
    failure that is not the SDK's own (a DockerException) is ssh's, an unknown host name or a
    refused connection too."""
    if not address.startswith("ssh://") or isinstance(error, docker.errors.DockerException):
        return error
    host, port, _ = _where(address)
    problem = failure(address, error)
    if problem is None and isinstance(error, socket.gaierror):
        problem = (f"the ssh host name {host!r} does not resolve ({error}): check DOCKER_HOST, "
                   "or give the name a HostName in ~/.ssh/config")
    elif problem is None and isinstance(error, OSError):
        problem = (f"no ssh server answers at {host}:{port} ({error}): check the host and port "
                   "in DOCKER_HOST and that sshd runs there")
    return SshError(problem) if problem else error

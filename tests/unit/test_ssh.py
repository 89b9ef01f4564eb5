"""ssh:// engines: the session budget, and what a user is told when ssh itself fails."""

import socket

import pytest
from docker.errors import DockerException

from docker_claims.engine import ssh
from docker_claims.engine.fixtures import BUILDS_AT_ONCE

ADDRESS = "ssh://me@buildhost:2222"


def test_the_budget_leaves_room_for_what_a_run_holds_at_once():
    """The lease's attached stdin, the fixture builds side by side and the run's own thread;
    and below sshd's default, for sessions closed but not yet freed."""
    assert 1 + BUILDS_AT_ONCE + 1 < ssh.SESSIONS < ssh.MAX_SESSIONS == 10


def paramiko_error(name: str, text: str) -> Exception:
    """An exception that looks like paramiko's (the module need not be installed here)."""
    return type(name, (Exception,), {"__module__": "paramiko.ssh_exception"})(text)


@pytest.mark.parametrize("error, says", [
    (DockerException("Install paramiko package to enable ssh:// support"), "pip install -e ."),
    (paramiko_error("AuthenticationException", "Authentication failed."), "IdentityFile"),
    (paramiko_error("SSHException", "Server '[buildhost]:2222' not found in known_hosts"),
     "ssh-keyscan -p 2222 buildhost"),
    (paramiko_error("BadHostKeyException", "Host key for server 'x' does not match"),
     "ssh-keygen -R '[buildhost]:2222'"),
    (paramiko_error("ChannelException", "(2, 'Connect failed')"), "MaxSessions"),
    (paramiko_error("NoValidConnectionsError", "Unable to connect to port 2222"),
     "port 22 when the address names none"),
    (paramiko_error("SSHException", "Error reading SSH protocol banner"),
     "`ssh -p 2222 me@buildhost docker version`"),
])
def test_an_ssh_failure_says_what_failed_and_the_fix(error, says):
    message = ssh.failure(ADDRESS, error)
    assert message and says in message
    assert "no Docker engine answers" not in message


def test_an_ssh_failure_is_found_behind_the_sdks_wrapping():
    try:
        try:
            raise paramiko_error("AuthenticationException", "Authentication failed.")
        except Exception as cause:
            raise DockerException("Error while fetching server API version") from cause
    except DockerException as wrapped:
        assert "refused to log in as me" in ssh.failure(ADDRESS, wrapped)


@pytest.mark.parametrize("address", ["unix:///var/run/docker.sock", "tcp://host:2375"])
def test_other_addresses_have_no_ssh_failure(address):
    assert ssh.failure(address, paramiko_error("SSHException", "x")) is None


def test_a_refused_connection_over_ssh_that_is_not_ssh_s_is_left_alone():
    assert ssh.failure(ADDRESS, ConnectionRefusedError(111, "Connection refused")) is None


@pytest.mark.parametrize("error, says", [
    (socket.gaierror(-2, "Name or service not known"), "'buildhost' does not resolve"),
    (ConnectionRefusedError(111, "Connection refused"), "no ssh server answers at buildhost:2222"),
    (paramiko_error("AuthenticationException", "Authentication failed."), "refused to log in"),
])
def test_while_the_client_is_made_any_failure_but_the_sdks_is_sshs(error, says):
    """The SDK makes the ssh connection before its first request: a name that does not resolve
    is not an engine that does not answer."""
    explained = ssh.connecting(ADDRESS, error)
    assert isinstance(explained, ssh.SshError) and says in str(explained)
    assert ssh.failure(ADDRESS, explained) == str(explained)


def test_the_sdks_own_failure_while_the_client_is_made_is_left_to_it():
    """The API version request over a working ssh login (dial-stdio found no engine there)."""
    error = DockerException("Error while fetching server API version: Connection aborted.")
    assert ssh.connecting(ADDRESS, error) is error
    assert ssh.connecting("unix:///var/run/docker.sock", OSError("x")).__class__ is OSError

"""ssh:// engines: the session budget, and what a user is told when ssh itself fails."""

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

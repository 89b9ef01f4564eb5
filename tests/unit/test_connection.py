"""docker_claims.engine.connection, no engine needed: why none answers, fingerprints, deadlines."""

import time

import docker
import pytest
import requests
from docker.errors import APIError

from docker_claims.engine import connection
from docker_claims.engine.connection import engine_silence, with_deadlines


def test_no_engine_is_reported_within_seconds_with_what_was_tried(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    started = time.monotonic()
    with pytest.raises(connection.EngineUnavailable) as raised:
        connection.connect()
    assert time.monotonic() - started < connection.PROBE_TIMEOUT + 2
    message = str(raised.value)
    assert "DOCKER_HOST=unix:///nonexistent/docker.sock" in message
    assert "set DOCKER_HOST" in message and "engine-up" in message


@pytest.mark.parametrize("address", ["garbage", "tcp://host:port", "foo://bar", "tcp://"])
def test_an_address_that_names_no_engine_is_invalid_not_unanswered(monkeypatch, address):
    monkeypatch.setenv("DOCKER_HOST", address)
    with pytest.raises(connection.InvalidAddress) as raised:
        connection.connect()
    message = str(raised.value)
    assert f"DOCKER_HOST={address} is not an engine address" in message
    assert "no Docker engine answers" not in message
    assert "unix:///path/docker.sock" in message and "\n" not in message


def test_an_unanswered_address_says_the_os_error_in_one_line(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    with pytest.raises(connection.EngineUnavailable) as raised:
        connection.connect()
    assert not isinstance(raised.value, connection.InvalidAddress)
    assert "tcp://127.0.0.1:1: [Errno 111] Connection refused" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_docker_host_is_the_only_candidate_when_set(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://192.0.2.1:2375")
    assert [where for where, _ in connection.candidates()] == ["DOCKER_HOST=tcp://192.0.2.1:2375"]


class FakeClient:
    """Just enough of DockerClient for fingerprint()."""

    def __init__(self, info):
        self._info = info
        self.api = type("Api", (), {"base_url": "http+docker://localhost", "api_version": "1.52"})
        self.endpoint = "DOCKER_HOST=unix:///x.sock"

    def version(self):
        return {"Version": "29.0.0", "Os": "linux", "Arch": "arm64", "KernelVersion": "6.8"}

    def info(self):
        return self._info


def test_fingerprint_recognises_the_containerd_image_store_and_rootless():
    client = FakeClient({
        "Driver": "overlayfs", "CgroupVersion": "2", "CgroupDriver": "systemd",
        "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]],
        "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"],
        "OperatingSystem": "Ubuntu 24.04", "DockerRootDir": "/home/u/.local/share/docker"})
    print_ = connection.fingerprint(client)
    assert print_.image_store == "containerd"
    assert print_.rootless is True
    assert print_.cgroup_version == "2"
    assert "image store containerd" in print_.summary()


def test_fingerprint_of_a_classic_engine_says_graphdriver():
    client = FakeClient({"Driver": "overlay2", "CgroupVersion": "1",
                         "DriverStatus": [["Backing Filesystem", "extfs"]]})
    print_ = connection.fingerprint(client)
    assert (print_.image_store, print_.rootless, print_.storage_driver) == (
        "graphdriver", False, "overlay2")
    assert print_.native_diff is None  # the driver does not say


@pytest.mark.parametrize("said, native", [("true", True), ("false", False)])
def test_fingerprint_says_whether_overlay2_diffs_natively(said, native):
    """Debian's rootless 20.10 says false ("running in a user namespace")."""
    client = FakeClient({"Driver": "overlay2", "SecurityOptions": ["name=rootless"],
                         "DriverStatus": [["Backing Filesystem", "extfs"],
                                          ["Native Overlay Diff", said]]})
    print_ = connection.fingerprint(client)
    assert print_.native_diff is native
    assert ("naive diff" in print_.summary()) is not native
    assert ", rootless" in print_.summary()


# Deadlines on every call, and an engine's silence told from its refusal

def _client(timeout=7):
    return with_deadlines(docker.DockerClient(base_url="unix:///nonexistent.sock",
                                              version="1.41", timeout=timeout), timeout)


@pytest.mark.parametrize("asked, given", [(None, 7), (60, 7), (3, 3), (7, 7)])
def test_every_call_gets_a_deadline_no_longer_than_the_call_timeout(asked, given):
    assert _client().api._set_request_timeout({"timeout": asked})["timeout"] == given


def test_a_call_with_no_timeout_given_gets_the_call_timeout():
    assert _client().api._set_request_timeout({})["timeout"] == 7


def test_calls_that_go_around_the_sdk_s_timeout_get_one_too():
    """attach_socket (the lease's) calls requests directly, with no timeout at all."""
    client = docker.DockerClient(base_url="unix:///nonexistent.sock", version="1.41",
                                 timeout=7)
    seen = []
    client.api.request = lambda method, url, **kwargs: seen.append(kwargs.get("timeout"))
    with_deadlines(client, 7).api.post("http+docker://localhost/containers/x/attach")
    assert seen == [7]


def test_streamed_reads_keep_their_deadline():
    class Socket:
        timeout = 7

        def settimeout(self, value):
            self.timeout = value

    sock = Socket()
    _client().api._disable_socket_timeout(sock)
    assert sock.timeout == 7


@pytest.mark.parametrize("error", [
    requests.exceptions.ReadTimeout("Read timed out."),
    requests.exceptions.ConnectionError("Connection aborted."),
    TimeoutError("timed out"),
])
def test_timeouts_and_lost_connections_are_the_engine_s_silence(error):
    assert engine_silence(error)


def test_silence_is_found_behind_the_error_that_wraps_it():
    try:
        try:
            raise TimeoutError("timed out")
        except TimeoutError as cause:
            raise RuntimeError("the step failed") from cause
    except RuntimeError as wrapped:
        assert engine_silence(wrapped)


@pytest.mark.parametrize("error", [
    APIError("409 Conflict"), AssertionError("the claim failed"), None])
def test_an_engine_that_answers_no_is_not_silent(error):
    assert not engine_silence(error)

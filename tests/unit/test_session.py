"""What a session does without an engine: deadlines on every call, telling an engine's silence
from its refusal, and how signals end a run."""

import os
import signal
import subprocess
import sys
import textwrap

import docker
import pytest
import requests
from docker.errors import APIError

from docker_claims.engine.connection import engine_silence, with_deadlines


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


HOLDER = textwrap.dedent("""
    import sys, time
    from docker_claims.runner.interrupts import INTERRUPTS
    INTERRUPTS.install()
    try:
        print("ready", flush=True)
        time.sleep(30)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        with INTERRUPTS.cleaning_up():
            print("cleaning", flush=True)
            for _ in range(300):
                time.sleep(0.01)
        print("cleaned", flush=True)
""")


def _holder():
    process = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def _expect(process, line):
    assert process.stdout.readline().strip() == line


def _in_cleanup(first: signal.Signals):
    """A holder stopped by `first`, now in its cleanup."""
    process = _holder()
    process.send_signal(first)
    _expect(process, "interrupted")
    _expect(process, "cleaning")
    return process


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_signal_during_the_cleanup_is_noted_and_the_cleanup_goes_on():
    process = _in_cleanup(signal.SIGTERM)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert out.strip() == "cleaned" and process.returncode == 0
    assert "still removing what this run made" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_one_more_signal_after_the_note_quits_at_once():
    process = _in_cleanup(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    while "still removing" not in process.stderr.readline():
        pass
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert "cleaned" not in out and process.returncode == 128 + signal.SIGINT
    assert "quitting without finishing the cleanup" in err

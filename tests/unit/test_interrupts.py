"""docker_claims.runner.interrupts, no engine needed: a signal during the cleanup."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

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

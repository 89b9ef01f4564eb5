"""Loaded at start-up by the Python processes the session-budget test runs (PYTHONPATH): counts
the ssh sessions each paramiko connection has open whenever it opens one, and writes the most
seen at once, and any session sshd refused, to the file SSH_SESSIONS_PROBE names (JSON)."""

import json
import os
import threading

import paramiko

_lock = threading.Lock()
_seen = {"peak": 0, "refused": []}
_open_session = paramiko.Transport.open_session


def _write() -> None:
    with open(os.environ["SSH_SESSIONS_PROBE"], "w") as file:
        json.dump(_seen, file)


def open_session(self, *args, **kwargs):
    try:
        channel = _open_session(self, *args, **kwargs)
    except paramiko.ChannelException as refused:
        with _lock:
            _seen["refused"].append(str(refused))
            _write()
        raise
    with _lock:
        now = len(self._channels.values())  # sshd's count: until its close is received
        if now > _seen["peak"]:
            _seen["peak"] = now
            _write()
    return channel


paramiko.Transport.open_session = open_session

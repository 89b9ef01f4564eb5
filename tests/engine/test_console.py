"""The console prints each line once, in a terminal (where the step under way is rewritten in
place) and through a pipe (a CI log): behave is run both ways on the same selection."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections import Counter

from behave_runs import FEATURES, ROOT, isolated_cwd

SELECTION = "--tags=@claim.C02 or @claim.C06"
CSI = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")


def screen(raw: str) -> list[str]:
    """The lines a terminal shows for `raw`: carriage returns, erase-to-end-of-line and colours
    applied (the only controls the console uses)."""
    lines, line, column = [], [], 0
    position = 0
    while position < len(raw):
        char = raw[position]
        control = CSI.match(raw, position)
        if control:
            if control.group(2) == "K":
                del line[column:]
            position = control.end()
            continue
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("".join(line))
            line, column = [], 0
        else:
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
        position += 1
    if line:
        lines.append("".join(line))
    return lines


def twice(lines: list[str]) -> dict[str, int]:
    counts = Counter(line for line in lines if line.strip())
    return {line: n for line, n in counts.items() if n > 1}


def command() -> list[str]:
    return [sys.executable, "-m", "behave", SELECTION, str(FEATURES)]


def test_through_a_pipe_no_line_is_printed_twice(session, tmp_path):
    cwd = isolated_cwd(ROOT, tmp_path / "pipe")
    done = subprocess.run(command(), cwd=cwd, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "\r" not in output and "\x1b[" not in output
    lines = output.splitlines()
    assert twice(lines) == {}, output
    assert any(line.startswith("  [1/") for line in lines)
    assert any(line.startswith("  C02  holds") for line in lines)


def test_in_a_terminal_no_line_is_shown_twice_and_progress_updates_in_place(session,
                                                                           tmp_path):
    cwd = isolated_cwd(ROOT, tmp_path / "pty")
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(command(), cwd=cwd, stdin=child, stdout=child, stderr=child,
                               env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=300) == 0
    raw = b"".join(chunks).decode("utf-8", "replace")
    assert "\r\x1b[K" in raw, "nothing was rewritten in place"
    shown = screen(raw)
    assert twice(shown) == {}, "\n".join(shown)
    assert any(line.startswith("  [1/") for line in shown)
    assert all(len(line) <= 120 for line in shown if line.startswith("[")), \
        "a progress line wider than the terminal wraps and cannot be rewritten"

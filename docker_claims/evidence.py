"""What a check observed, and how a claim fails with it.

A verdict is only ever the outcome of comparing what the engine showed with what the claim
says. `expect` is the one place that comparison turns into a failure; its message carries the
observation so that a red scenario says what the engine did instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BYTES_SHOWN = 64 * 1024
"""Bytes kept of one observed byte string (its exact size is always kept)."""


class ClaimFailed(AssertionError):
    """The engine behaved otherwise than the claim says. Carries the observations."""

    def __init__(self, message: str, observed: dict[str, Any] | None = None):
        self.message = message
        self.observed = observed or {}
        detail = f"\nobserved: {render(self.observed)}" if self.observed else ""
        super().__init__(message + detail)


def render(observed: Any) -> str:
    """Observations as indented JSON, typed as in the claims report (as_json)."""
    return json.dumps(as_json(observed), indent=2, ensure_ascii=False, sort_keys=True)


def as_json(value: Any) -> Any:
    """An observation as a JSON value with its type kept, never a repr: bytes become
    {"bytes": {"size", "text" or "hex"}}, sets sorted lists, named tuples and dataclasses
    objects with their field names, paths and enums their value, times ISO 8601."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes(bytes(value))
    if isinstance(value, enum.Enum):
        return as_json(value.value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: as_json(item) for name, item in zip(value._fields, value)}
    if isinstance(value, Mapping):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return [as_json(item) for item in sorted(value, key=repr)]
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    return str(value)


def _bytes(data: bytes) -> dict:
    shown = data[:BYTES_SHOWN]
    try:
        text = shown.decode("utf-8")
        printable = all(ch.isprintable() or ch in "\n\r\t" for ch in text)
    except UnicodeDecodeError:
        printable = False
    body: dict[str, Any] = {"size": len(data)}
    if printable:
        body["text"] = text
    else:
        body["hex"] = shown.hex()
    return {"bytes": body}


def expect(condition: bool, message: str, **observed: Any) -> None:
    """Fail the claim with `message` and the observations unless `condition` holds."""
    if not condition:
        raise ClaimFailed(message, observed)


@dataclass
class Ledger:
    """Evidence gathered by one scenario, in the order it was observed (for reports)."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    def record(self, what: str, observed: Any) -> Any:
        self.items.append((what, observed))
        return observed

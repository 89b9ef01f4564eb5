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


class Observed(Exception):
    """An exception that carries what was observed, shown by the report as evidence."""

    def __init__(self, message: str, observed: dict[str, Any] | None = None):
        self.message = message
        self.observed = observed or {}
        detail = f"\nobserved: {render(self.observed)}" if self.observed else ""
        super().__init__(message + detail)


class ClaimFailed(Observed, AssertionError):
    """The engine behaved otherwise than the claim says. Carries the observations, and the
    facts the check had established before it failed (see Observation)."""

    def __init__(self, message: str, observed: dict[str, Any] | None = None,
                 facts: Mapping[str, Any] | None = None):
        self.facts = dict(facts or {})
        super().__init__(message, observed)


class NotMeasured(Observed, RuntimeError):
    """The suite's own reading failed (a helper's exit code, an output cut short): the claim
    could not be measured, which is not the claim failing (a RuntimeError, never an
    AssertionError, so the scenario errs rather than fails)."""


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


def expect(condition: bool, message: str, *, facts: Mapping[str, Any] | None = None,
           **observed: Any) -> None:
    """Fail the claim with `message` and the observations unless `condition` holds; `facts`,
    what the check established so far, go with the failure to the report."""
    if not condition:
        raise ClaimFailed(message, observed, facts)


def require(condition: bool, message: str, **observed: Any) -> None:
    """Stop the measurement with `message` and the observations unless `condition` holds:
    for what the suite needs in order to measure, not for what the claim says (expect)."""
    if not condition:
        raise NotMeasured(message, observed)


class Observation(dict):
    """What a check returns: its evidence, a dict as before, and `facts`, the few typed values
    of it that the claims report states in its one line of what a run measured ("6 layers for
    6 filesystem steps"). Facts are named by what they measure, so that the facts of a claim's
    scenarios merge into one mapping (see merge_facts)."""

    def __init__(self, evidence: Mapping[str, Any] | None = None,
                 facts: Mapping[str, Any] | None = None):
        super().__init__(evidence or {})
        self.facts = dict(facts or {})


def merge_facts(into: dict[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Facts merged into `into`, mappings key by key; where both hold a value, the first one
    observed stays (a fact names one measurement: a second is a replay of it)."""
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge_facts(into[key], value)
        elif key not in into:
            into[key] = merge_facts({}, value) if isinstance(value, Mapping) else value
    return into


@dataclass
class Ledger:
    """Evidence gathered by one scenario, in the order it was observed, and the facts its
    checks established (for reports)."""

    items: list[tuple[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def record(self, what: str, observed: Any, *, under: str | None = None,
               **facts: Any) -> Any:
        """Keep `observed` as evidence labelled `what`, and its facts (an Observation's) with
        `facts`: under the key `under` where one check serves several roles in a claim."""
        self.items.append((what, observed))
        found = {**getattr(observed, "facts", {}), **facts}
        merge_facts(self.facts, {under: found} if under and found else found)
        return observed

    def note(self, **facts: Any) -> None:
        """Keep facts that no evidence goes with (what a Given quotes, say)."""
        merge_facts(self.facts, facts)

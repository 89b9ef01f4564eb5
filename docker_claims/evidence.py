"""What a check observed, and how a claim fails with it.

A verdict is only ever the outcome of comparing what the engine showed with what the claim
says. `expect` is the one place that comparison turns into a failure; its message carries the
observation so that a red scenario says what the engine did instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class ClaimFailed(AssertionError):
    """The engine behaved otherwise than the claim says. Carries the observations."""

    def __init__(self, message: str, observed: dict[str, Any] | None = None):
        self.observed = observed or {}
        detail = f"\nobserved: {render(self.observed)}" if self.observed else ""
        super().__init__(message + detail)


def render(observed: Any) -> str:
    """Observations as indented JSON; anything JSON cannot show is shown by repr."""
    return json.dumps(observed, indent=2, ensure_ascii=False, sort_keys=True, default=repr)


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

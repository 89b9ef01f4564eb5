"""The article's session beside the engine's, command by command, for the claims that replay
one (C14, C15): laid out from the facts the replay steps and checks recorded (the article's
session as the feature quotes it, `article_session`; each command's replay, `session`), never
compared again here: a field's mark is the check's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Exchange:
    """One command of the article, beside its replay in this run (if any)."""

    index: int
    command: str
    article: list[str]
    replayed: str | None = None
    """The command the engine ran, or how the step was replayed otherwise."""
    printed: list[str] | None = None
    """What the engine printed; None when the step was not a CLI run, or not replayed."""
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    scenario: str | None = None
    """The scenario whose replay is shown."""

    @property
    def was_replayed(self) -> bool:
        return self.replayed is not None

    @property
    def mismatched(self) -> list[str]:
        return [name for name, f in self.fields.items() if f["matches"] is False]


def _choose(replays: list[tuple[str, dict]]) -> tuple[str, dict] | None:
    """Of a command's replays in several scenarios: one whose fields do not all match (where
    the engine did not print what the article did), else the one with the most fields."""
    if not replays:
        return None
    failing = [r for r in replays if any(f["matches"] is False
                                         for f in (r[1].get("fields") or {}).values())]
    if failing:
        return failing[0]
    return max(replays, key=lambda r: len(r[1].get("fields") or {}))


def side_by_side(claim: dict[str, Any]) -> list[Exchange] | None:
    """The article's session with the replay of each command; None for a claim that replays
    no session."""
    article = (claim.get("measured") or {}).get("article_session")
    if not article:
        return None
    shown = []
    for index, quoted in enumerate(article):
        replays = [(s["name"], s["facts"]["session"][str(index)]) for s in claim["scenarios"]
                   if str(index) in ((s.get("facts") or {}).get("session") or {})]
        chosen = _choose(replays)
        if chosen is None:
            shown.append(Exchange(index, quoted["command"], list(quoted["output"])))
            continue
        scenario, replay = chosen
        shown.append(Exchange(index, quoted["command"], list(quoted["output"]),
                              replay.get("replayed"), replay.get("printed"),
                              dict(replay.get("fields") or {}), scenario))
    return shown


def verdict(exchanges: list[Exchange]) -> str:
    """The comparison in one sentence, for the reviewer's glance."""
    fields = [f for e in exchanges for f in e.fields.values()]
    compared = [f for f in fields if f["matches"] is not None]
    wrong = [f"{e.command}: {name}" for e in exchanges for name in e.mismatched]
    unreplayed = [e.command for e in exchanges if not e.was_replayed]
    said = (f"{len(wrong)} of {len(compared)} compared fields are not as the article's: "
            + "; ".join(wrong)) if wrong else (
        f"The engine printed what the article printed, up to ids, times and names: "
        f"{len(compared)} fields compared, all as the article's; "
        f"{len(fields) - len(compared)} expected to differ.")
    if unreplayed:
        said += f" Not replayed in this run: {', '.join(unreplayed)}."
    return said

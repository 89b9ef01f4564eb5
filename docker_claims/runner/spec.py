"""What the feature files say of the article: which Rule (or Feature) states each claim, and
the article's sentence that opens its description.

Each claim is one `Rule:` (or a Feature holding only that claim) tagged `@claim.Cnn`. Its
description opens with the article's sentence: the Chinese quote, then its English meaning in
parentheses. behave keeps no blank lines in a description, so the sentence ends on the line
that closes those parentheses; the prose after it says what the scenarios measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from behave.parser import parse_file

CLAIM_TAG = re.compile(r"^claim\.(C\d\d)$")


def parse(features: Path) -> list[Any]:
    """The feature files below `features`, parsed by behave."""
    return [parse_file(str(path)) for path in sorted(features.rglob("*.feature"))]


def claim_of(element: Any) -> str | None:
    """The claim a Rule or Feature states (its own tag, not one it inherits), or None."""
    found = [m.group(1) for m in (CLAIM_TAG.match(str(tag)) for tag in element.tags) if m]
    return found[0] if found else None


def stating(features: Iterable[Any]) -> Iterator[tuple[str, Any]]:
    """(claim, the Feature or Rule that states it), for every claim tag on one."""
    for feature in features:
        for element in (feature, *feature.rules):
            claim = claim_of(element)
            if claim:
                yield claim, element


def sentence(description: Iterable[str]) -> str:
    """The article's sentence opening a description: its lines up to the one that closes the
    parenthesised meaning, joined by spaces."""
    lines: list[str] = []
    depth, opened = 0, False
    for line in description:
        lines.append(line.strip())
        depth += line.count("(") - line.count(")")
        opened = opened or "(" in line
        if opened and depth <= 0:
            break
    return " ".join(lines)


def sentences(features: Iterable[Any]) -> dict[str, str]:
    """Each claim's sentence, from the Rule or Feature that states it."""
    return {claim: sentence(element.description) for claim, element in stating(features)}


def docstring(element: Any, step_text: str) -> str:
    """The docstring of the Background step `step_text` of a Rule or Feature (the article's
    transcripts are quoted that way)."""
    background = element.background
    for step in background.steps if background else ():
        if step.name == step_text and step.text is not None:
            return str(step.text)
    raise LookupError(f"{element.keyword} {element.name!r} has no Background step "
                      f"{step_text!r} with a docstring")

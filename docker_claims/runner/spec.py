"""What the feature files say of the article: which Rule (or Feature) states each claim, the
article's sentence that opens its description, and docs/claims.md, rendered from them.

Each claim is one `Rule:` (or a Feature holding only that claim) tagged `@claim.Cnn`. Its
description opens with the article's sentence: the Chinese quote, then its English meaning in
parentheses. behave keeps no blank lines in a description, so the sentence ends on the line
that closes those parentheses; the prose after it says what the scenarios measure.

docs/claims.md is this module's output, so that each claim is described once, in its feature
file: `python -m docker_claims.runner.spec --write` regenerates it after a feature changes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from behave.model import ScenarioOutlineBuilder
from behave.parser import parse_file

CLAIM_TAG = re.compile(r"^claim\.(C\d\d)$")
ACTIVE_TAG = re.compile(r"^(use|not|only)\.with_\w+=")
"""behave's active tags: what a scenario needs of the engine or the machine (preconditions)."""
NUANCE_TAG = "nuance"
ROOT = Path(__file__).resolve().parents[2]
PAGE = Path("docs") / "claims.md"
REGENERATE = "python -m docker_claims.runner.spec --write"


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
    return " ".join(split_description(description)[0])


def split_description(description: Iterable[str]) -> tuple[list[str], list[str]]:
    """A description's lines in two: the article's sentence (up to the line that closes the
    parenthesised meaning) and the prose after it."""
    lines = [line.strip() for line in description]
    depth, opened = 0, False
    for index, line in enumerate(lines):
        depth += line.count("(") - line.count(")")
        opened = opened or "(" in line
        if opened and depth <= 0:
            return lines[:index + 1], lines[index + 1:]
    return lines, []


def quote(text: str) -> tuple[str, str]:
    """The article's sentence, `<original> (<meaning>)`, in its two parts (the meaning is the
    balanced parentheses that end it; the original may hold parentheses of its own)."""
    text = text.strip()
    depth = 0
    for index in range(len(text) - 1, -1, -1) if text.endswith(")") else ():
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].strip(), text[index + 1:-1].strip()
    return text, ""


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


@dataclass(frozen=True)
class Scenario:
    """A scenario of a claim as the page lists it (an outline: one per Examples row)."""
    name: str
    nuance: bool
    preconditions: tuple[str, ...]
    """The active tags of the scenario itself, beyond its claim's."""


@dataclass(frozen=True)
class Claim:
    """A claim as its feature file states it."""
    id: str
    name: str
    original: str
    meaning: str
    measures: tuple[str, ...]
    """The description's lines after the article's sentence: what a run measures."""
    feature: str
    """The feature file, relative to the repository's root."""
    preconditions: tuple[str, ...]
    quoted: tuple[tuple[str, str], ...]
    """(step, docstring) of the Background steps that quote a text: the article's sessions,
    the Dockerfile a claim is measured on."""
    scenarios: tuple[Scenario, ...]


def _active(tags: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(tag) for tag in tags if ACTIVE_TAG.match(str(tag)))


def _scenarios(element: Any) -> Iterator[Scenario]:
    for scenario in element.scenarios:
        # An outline stands for one scenario per row of its Examples, named as behave names
        # them (without the annotation that says which row: the row's values say it).
        rows = [(ScenarioOutlineBuilder.render_template(scenario.name, row),
                 [*scenario.tags, *examples.tags])
                for examples in getattr(scenario, "examples", ()) for row in examples.table.rows]
        for name, tags in rows or [(scenario.name, scenario.tags)]:
            yield Scenario(name, NUANCE_TAG in map(str, tags), _active(tags))


def _quoted(element: Any) -> Iterator[tuple[str, str]]:
    background = element.background
    for step in background.steps if background else ():
        if step.text is not None:
            yield f"{step.keyword} {step.name}", str(step.text)


def claims(features: Iterable[Any], root: Path = ROOT) -> list[Claim]:
    """Each claim the features state, in order of its id."""
    found = []
    for feature in features:
        for element in (feature, *feature.rules):
            claim = claim_of(element)
            if not claim:
                continue
            said, prose = split_description(element.description)
            original, meaning = quote(" ".join(said))
            inherited = _active(feature.tags) if element is not feature else ()
            found.append(Claim(
                id=claim, name=element.name, original=original, meaning=meaning,
                measures=tuple(prose),
                feature=Path(feature.filename).resolve().relative_to(root.resolve()).as_posix(),
                preconditions=inherited + _active(element.tags),
                quoted=tuple(_quoted(element)),
                scenarios=tuple(_scenarios(element))))
    return sorted(found, key=lambda claim: claim.id)


INTRO = """\
The article "Docker 镜像和容器的区别" (the difference between a Docker image and a container)
says fifteen things about Docker that an engine can confirm or contradict. This page lists them
as the feature files state them: each claim is one `Rule:` of a feature file (C13: the whole of
`save_load.feature`), tagged with its id, whose description gives the article's words, their
meaning, and what a run measures. `behave --tags=@claim.C04` runs one claim; the claims report
(`reports/claims.*`) heads each claim with the same words, then its verdict and evidence.

Nothing here is an expected output: every verdict is measured during the run, on the engine in
front of it. A scenario marked *nuance* shows something the article leaves out: when the claim's
scenarios pass, it "holds with nuance". A claim or scenario marked with an active tag
(`@use.with_docker_cli=yes`...) runs only where that precondition holds, and is skipped with the
reason elsewhere ([engines.md](engines.md#preconditions)).

The article writes C02's 直到 as 知道, a typo; C04 joins two of its sentences. C10 quotes the
CLI's help in English, as the article does. C14 and C15 are the article's shell sessions, quoted
in `features/transcripts.feature`: their commands are replayed through the `docker` CLI, and
what it prints is compared in shape (ids, columns, status words) with what the article printed.
"""


def _tags(tags: Iterable[str]) -> str:
    return ", ".join(f"`@{tag}`" for tag in tags)


def _section(claim: Claim) -> list[str]:
    """A claim's part of the page. The prose keeps the feature file's own line breaks (Markdown
    joins them), so that no rewrapping can start a line with a list or heading marker."""
    lines = [f"## {claim.id}", "", f"> {claim.original}"]
    if claim.meaning:
        lines += [">", f"> *{claim.meaning}*"]
    lines += ["", f"Stated by \"{claim.name}\", in [`{claim.feature}`](../{claim.feature})",
              f"(`behave --tags=@claim.{claim.id}`).", ""]
    if claim.measures:
        lines += ["**What a run measures.**", *claim.measures, ""]
    for step, text in claim.quoted:
        lines += [f"*{step}*", "", "```text", *text.splitlines(), "```", ""]
    if claim.preconditions:
        lines += [f"Preconditions: {_tags(claim.preconditions)}.", ""]
    lines += ["Scenarios:", ""]
    for scenario in claim.scenarios:
        text = ("*nuance:* " if scenario.nuance else "") + scenario.name
        if scenario.preconditions:
            text += f" (precondition: {_tags(scenario.preconditions)})"
        lines.append(f"- {text}")
    return [*lines, ""]


def render(stated: Sequence[Claim]) -> str:
    """docs/claims.md: an introduction, a table of the claims, then each claim in full."""
    lines = ["# The claims", "",
             f"<!-- Generated from features/ by `{REGENERATE}`: edit the feature files, "
             "not this page. -->", "", INTRO.rstrip(), "",
             "| claim | what the article says | feature |", "|---|---|---|"]
    lines += [f"| [{claim.id}](#{claim.id.lower()}) | {claim.name} | "
              f"[`{Path(claim.feature).stem}`](../{claim.feature}) |" for claim in stated]
    lines.append("")
    for claim in stated:
        lines += _section(claim)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m docker_claims.runner.spec",
        description="Render docs/claims.md from the feature files (to stdout, or --write).")
    parser.add_argument("--write", action="store_true",
                        help=f"write {PAGE} (below --root) instead of printing it")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the repository: its features/ are read (default: %(default)s)")
    args = parser.parse_args(argv)
    stated = claims(parse(args.root / "features"), args.root)
    if not stated:
        parser.error(f"no claim is stated under {args.root / 'features'}: give the "
                     "repository's root with --root")
    page = render(stated)
    if args.write:
        (args.root / PAGE).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The watch for drift: the verdict each claim is expected to have on each engine configuration,
committed and reviewed like code, and the runs' verdicts compared with it.

`docker-claims matrix --write-expected FILE RUN.json...` writes (or updates, configuration by
configuration) the file from runs the maintainer has reviewed; `docker-claims compare --expected
FILE RUN.json...` compares runs with it and, where a verdict is not the one expected, says so in
a table: the claim, the configuration, the verdicts expected and observed, and why (what the
scenarios that made the difference said). A configuration is named after the directory its
claims.json is in (reports/matrix/<config>/claims.json). Only verdicts are compared: the words a
nuance is told in may change without a drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from docker_claims.runner.report import words

FORMAT = 1
"""The file's format version."""

CODES = {word: code for code, word in words.VERDICT_WORDS.items()}
"""A verdict's word (as EngineRun holds it) -> its code in claims.json and the file."""


class ExpectedError(ValueError):
    """The expected-verdicts file cannot be used: the message says which and why."""


def load(path: Path) -> dict[str, dict[str, str]]:
    """Configuration -> claim -> expected verdict (its code). A configuration may be expected to
    have the verdicts another has (`{"same_as": "docker28"}`): a newer release of the same
    engine (the GitHub workflow's `latest`) is watched against the last release measured."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExpectedError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ValueError as error:
        raise ExpectedError(f"{path}: is not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("configurations"), dict):
        raise ExpectedError(f"{path}: is no expected-verdicts file of format {FORMAT} (write "
                            "one with `docker-claims matrix --write-expected FILE RUN.json...`)")
    known = set(words.VERDICT_WORDS)
    configurations = document["configurations"]
    for config, verdicts in configurations.items():
        if set(verdicts) == {"same_as"}:
            if not isinstance(configurations.get(verdicts["same_as"]), dict) \
                    or "same_as" in configurations[verdicts["same_as"]]:
                raise ExpectedError(f"{path}: {config} is the same as {verdicts['same_as']!r}, "
                                    "which is no configuration of verdicts in the file")
            continue
        wrong = {claim: code for claim, code in verdicts.items() if code not in known}
        if wrong:
            raise ExpectedError(f"{path}: {config}: unknown verdicts {wrong}; known: "
                                f"{sorted(known)}")
    return {config: configurations[verdicts["same_as"]] if set(verdicts) == {"same_as"}
            else verdicts for config, verdicts in configurations.items()}


def _raw(path: Path) -> dict[str, dict[str, str]]:
    """The file's configurations as written (`same_as` kept), once seen to load."""
    load(path)
    return json.loads(path.read_text(encoding="utf-8"))["configurations"]


def write(path: Path, runs: dict[str, dict[str, str]]) -> list[str]:
    """Write the runs' verdicts (configuration -> claim -> verdict word) into the file, the
    other configurations it holds kept; the configurations written."""
    configurations = _raw(path) if path.exists() else {}
    for config, verdicts in runs.items():
        configurations[config] = {claim: CODES[word] for claim, word in sorted(verdicts.items())}
    document = {"format": FORMAT, "about": (
        "The verdict each claim is expected to have on each engine configuration: the drift "
        "watch compares every run of the matrix with it (docker-claims compare --expected). "
        "Written by `docker-claims matrix --write-expected`; reviewed like code."),
        "configurations": dict(sorted(configurations.items()))}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return sorted(runs)


@dataclass(frozen=True)
class Drift:
    claim: str
    configuration: str
    expected: str
    observed: str
    why: str


def unwatched(expected: dict[str, dict[str, str]], configurations) -> list[str]:
    """The configurations the file expects nothing of: the watch cannot tell their drift."""
    return sorted(config for config in configurations if config not in expected)


def drifts(expected: dict[str, dict[str, str]],
           observed: dict[str, tuple[dict[str, str], dict[str, str]]]) -> list[Drift]:
    """Where observed verdicts are not the expected ones. `observed`: configuration ->
    (claim -> verdict word, claim -> why it is what it is). A claim a run lacks, or the file
    lacks, is a drift too; a configuration the file does not know is `unwatched`."""
    found = []
    for config, (verdicts, why) in sorted(observed.items()):
        wanted = expected.get(config)
        if wanted is None:
            continue
        for claim in sorted(set(wanted) | set(verdicts)):
            now = CODES.get(verdicts.get(claim, ""), "absent")
            was = wanted.get(claim, "absent")
            if now != was:
                found.append(Drift(claim, config, words.VERDICT_WORDS.get(was, was),
                                   words.VERDICT_WORDS.get(now, now), why.get(claim, "")))
    return found


def table(found: list[Drift]) -> str:
    """The drifts as a Markdown table (a GitHub job summary shows it as such)."""
    rows = ["| claim | configuration | expected | observed | why |", "|---|---|---|---|---|"]
    rows += [f"| {d.claim} | {d.configuration} | {d.expected} | {d.observed} | "
             f"{_cell(d.why)} |" for d in found]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= 300 else text[:299] + "…"

"""Quality gates on the features: every scenario names its claim, every active tag a known
fact, and no step is undefined.

Run as `python -m docker_claims.runner.gates`; exits non-zero with the offending places.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from behave.parser import parse_file
from behave.tag_matcher import ActiveTagMatcher

from docker_claims.runner.preconditions import FACTS

CLAIM_TAG = re.compile(r"^claim\.C(0[1-9]|1[0-5])$")


def untagged_scenarios(features: Path) -> list[str]:
    """Scenarios with no @claim.C01..C15 tag, on themselves or their feature."""
    problems = []
    for path in sorted(features.rglob("*.feature")):
        feature = parse_file(str(path))
        for scenario in feature.walk_scenarios():
            tags = [str(t) for t in (*feature.tags, *scenario.effective_tags)]
            if not any(CLAIM_TAG.match(tag) for tag in tags):
                problems.append(f"{path}:{scenario.line}: {scenario.name}")
    return problems


def unknown_facts(features: Path) -> list[str]:
    """Active tags (`@use.with_<fact>=...`) naming no fact of runner.preconditions.FACTS."""
    pattern = ActiveTagMatcher.make_tag_pattern(ActiveTagMatcher.tag_prefixes)
    problems = []
    for path in sorted(features.rglob("*.feature")):
        feature = parse_file(str(path))
        for element in (feature, *feature.rules, *feature.walk_scenarios()):
            for tag in element.tags:
                match = pattern.match(str(tag))
                if match and match.group("category") not in FACTS:
                    problems.append(f"{path}:{element.line}: @{tag}")
    return problems


def undefined_steps(cwd: Path = Path(".")) -> list[str]:
    """Steps behave cannot match, from a dry run in `cwd` (the project's root). A step whose
    typed parameter (steps/: register_type) is given a value its type does not know is one of
    them, so that a misspelt Examples row fails here, not at run time."""
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--dry-run", "--no-summary", "--format=steps.usage",
         "--no-junit"], capture_output=True, text=True, cwd=cwd)
    text = run.stdout + run.stderr
    if "UNDEFINED STEPS" not in text:
        return []
    return [line.strip() for line in text.split("UNDEFINED STEPS", 1)[1].splitlines()
            if UNDEFINED_AT.search(line)]


UNDEFINED_AT = re.compile(r"#\s*\S+\.feature:\d+\s*$")
"""An undefined step's line in behave's steps.usage report ends with its feature:line (the
snippets that follow it do not)."""


def main() -> int:
    failures = [f"untagged: {s}" for s in untagged_scenarios(Path("features"))]
    failures += [f"unknown fact: {s}" for s in unknown_facts(Path("features"))]
    failures += [f"undefined: {s}" for s in undefined_steps()]
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"gates: {'FAILED' if failures else 'ok'} ({len(failures)} problems)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Each claim is one Rule (or one Feature) of the features, tagged with it, and the claims
report quotes each with its own whole sentence, as docs/claims.md holds it."""

import re
from pathlib import Path

import pytest

from docker_claims.runner import spec
from docker_claims.runner.report.data import RunRecord, build, scenario_key

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = [f"C{n:02d}" for n in range(1, 16)]
ROW = re.compile(r"^\| (C\d\d) \| (.+?) \| (.+?) \| .+ \|$")
"""A row of docs/claims.md's table: claim, the article's words, their meaning, what to show."""


def quoted() -> dict[str, str]:
    """docs/claims.md's table: claim -> the article's words, then their meaning in
    parentheses."""
    rows = (ROW.match(line) for line in (ROOT / "docs" / "claims.md").read_text().splitlines())
    return {m.group(1): f"{m.group(2)} ({m.group(3)})" for m in rows if m}


FEATURES = spec.parse(ROOT / "features")


def test_the_table_of_quotes_has_every_claim():
    assert sorted(quoted()) == CLAIMS


@pytest.mark.parametrize("claim", CLAIMS)
def test_each_claim_is_exactly_one_rule_or_feature(claim):
    stating = [element for found, element in spec.stating(FEATURES) if found == claim]
    assert len(stating) == 1, f"{claim} is stated by {len(stating)} Rules or Features"


def test_no_scenario_carries_a_claim_tag_of_its_own():
    tagged = [scenario.name for feature in FEATURES for scenario in feature.walk_scenarios()
              if spec.claim_of(scenario)]
    assert tagged == []


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_report_quotes_each_claim_with_its_own_sentence(claim):
    record = RunRecord(id="0123456789", selected={
        scenario_key(s) for feature in FEATURES for s in feature.walk_scenarios()})
    reported = {c["id"]: c["sentence"] for c in build(FEATURES, record)["claims"]}
    assert f"{reported[claim]['original']} ({reported[claim]['meaning']})" == quoted()[claim]
    assert reported[claim]["original"] and reported[claim]["meaning"]


def test_the_sentence_ends_where_its_meaning_closes():
    description = ["镜像是一层一层的", "(an image is a stack of layers, one on top", "of another)",
                   "Each build step (COPY, RUN) adds a layer."]
    assert spec.sentence(description) == ("镜像是一层一层的 (an image is a stack of layers, one "
                                          "on top of another)")

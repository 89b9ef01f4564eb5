"""docker_claims.runner.spec, no engine needed: the claims, as the features state them.

Each claim is one Rule (or one Feature) of the features, tagged with it; the claims report
quotes each with its own whole sentence; docs/claims.md and the README's table of claims are
what the features say, so that no copy of a claim can drift from its feature file."""

import re
from pathlib import Path

import pytest

from docker_claims.runner import spec
from docker_claims.runner.report.data import RunRecord, build, scenario_key

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = [f"C{n:02d}" for n in range(1, 16)]
FEATURES = spec.parse(ROOT / "features")
STATED = {claim.id: claim for claim in spec.claims(FEATURES, ROOT)}


def test_every_claim_is_stated():
    assert sorted(STATED) == CLAIMS


@pytest.mark.parametrize("claim", CLAIMS)
def test_each_claim_is_exactly_one_rule_or_feature(claim):
    stating = [element for found, element in spec.stating(FEATURES) if found == claim]
    assert len(stating) == 1, f"{claim} is stated by {len(stating)} Rules or Features"


def test_no_scenario_carries_a_claim_tag_of_its_own():
    tagged = [scenario.name for feature in FEATURES for scenario in feature.walk_scenarios()
              if spec.claim_of(scenario)]
    assert tagged == []


@pytest.mark.parametrize("claim", CLAIMS)
def test_each_claim_says_the_article_s_words_their_meaning_and_what_a_run_measures(claim):
    stated = STATED[claim]
    assert stated.original and stated.meaning and stated.measures, (
        f"{claim}'s description in {stated.feature} must open with the article's words, then "
        "their meaning in parentheses, then what a run measures")


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_report_quotes_each_claim_with_its_own_sentence(claim):
    record = RunRecord(id="0123456789", selected={
        scenario_key(s) for feature in FEATURES for s in feature.walk_scenarios()})
    reported = {c["id"]: c["sentence"] for c in build(FEATURES, record)["claims"]}
    assert reported[claim] == {"original": STATED[claim].original,
                               "meaning": STATED[claim].meaning}


def test_docs_claims_md_is_rendered_from_the_features():
    rendered = spec.render(list(STATED.values()))
    committed = (ROOT / spec.PAGE).read_text(encoding="utf-8")
    assert committed == rendered, (
        f"{spec.PAGE} is not what the feature files say: run `{spec.REGENERATE}` and commit it")


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_page_lists_every_scenario_of_a_claim(claim):
    in_suite = [scenario for feature in FEATURES for scenario in feature.walk_scenarios()
                if claim in {m.group(1) for m in map(spec.CLAIM_TAG.match,
                                                     map(str, scenario.effective_tags)) if m}]
    assert len(STATED[claim].scenarios) == len(in_suite)


def test_the_readme_table_names_each_claim_as_its_feature_file_states_it():
    row = re.compile(r"^\| \[(C\d\d)\]\(docs/claims\.md#c\d\d\) \| (.+?) \| "
                     r"\[`\w+`\]\((features/\w+\.feature)\) \|$")
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    table = {m.group(1): (m.group(2), m.group(3)) for m in map(row.match, readme) if m}
    assert table == {claim.id: (claim.name, claim.feature) for claim in STATED.values()}


def test_the_sentence_ends_where_its_meaning_closes():
    description = ["镜像是一层一层的", "(an image is a stack of layers, one on top", "of another)",
                   "Each build step (COPY, RUN) adds a layer."]
    assert spec.sentence(description) == ("镜像是一层一层的 (an image is a stack of layers, one "
                                          "on top of another)")
    assert spec.split_description(description)[1] == ["Each build step (COPY, RUN) adds a layer."]


def test_the_meaning_is_the_parentheses_that_end_the_sentence():
    assert spec.quote('load (from "a (tar)") (loads an image (from a tar))') == (
        'load (from "a (tar)")', "loads an image (from a tar)")
    assert spec.quote("演示: docker history") == ("演示: docker history", "")

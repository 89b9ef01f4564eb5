from docker_claims.runner.gates import unknown_facts, untagged_scenarios


def test_a_scenario_without_a_claim_tag_is_reported(tmp_path):
    (tmp_path / "a.feature").write_text(
        "Feature: f\n\n  @claim.C01\n  Scenario: tagged\n    Given x\n\n"
        "  @other\n  Scenario: untagged\n    Given x\n")
    problems = untagged_scenarios(tmp_path)
    assert len(problems) == 1 and "untagged" in problems[0]


def test_a_feature_tag_covers_its_scenarios(tmp_path):
    (tmp_path / "a.feature").write_text("@claim.C15\nFeature: f\n  Scenario: s\n    Given x\n")
    assert untagged_scenarios(tmp_path) == []


def test_a_claim_tag_outside_c01_to_c15_does_not_count(tmp_path):
    (tmp_path / "a.feature").write_text("Feature: f\n  @claim.C99\n  Scenario: s\n    Given x\n")
    assert len(untagged_scenarios(tmp_path)) == 1


def test_every_scenario_of_the_suite_names_its_claim():
    from pathlib import Path

    assert untagged_scenarios(Path(__file__).parents[2] / "features") == []


def test_an_active_tag_naming_no_known_fact_is_reported(tmp_path):
    (tmp_path / "a.feature").write_text(
        "Feature: f\n  @claim.C01 @use.with_layer_dirs=yes\n  Scenario: known\n    Given x\n\n"
        "  @claim.C01 @use.with_layer_dir=yes\n  Scenario: typo\n    Given x\n")
    problems = unknown_facts(tmp_path)
    assert len(problems) == 1 and "layer_dir=yes" in problems[0]

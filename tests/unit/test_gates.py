from pathlib import Path

from docker_claims.runner.gates import undefined_steps, unknown_facts, untagged_scenarios

ROOT = Path(__file__).resolve().parents[2]


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
    assert untagged_scenarios(ROOT / "features") == []


def test_an_active_tag_naming_no_known_fact_is_reported(tmp_path):
    (tmp_path / "a.feature").write_text(
        "Feature: f\n  @claim.C01 @use.with_layer_dirs=yes\n  Scenario: known\n    Given x\n\n"
        "  @claim.C01 @use.with_layer_dir=yes\n  Scenario: typo\n    Given x\n")
    problems = unknown_facts(tmp_path)
    assert len(problems) == 1 and "layer_dir=yes" in problems[0]


def test_a_value_a_typed_step_parameter_does_not_know_is_an_undefined_step(tmp_path):
    """The project's steps, run against a feature that misspells an Examples value and a
    status word: both steps are undefined in the dry run, the others are not."""
    for name in ("steps", "environment.py", "tox.ini", "pyproject.toml"):
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "typo.feature").write_text(
        "@claim.C07\nFeature: f\n  Scenario Outline: o\n    Given the layered fixture image\n"
        "    And a created container of the image\n    Then the container has no <what>\n\n"
        "    Examples:\n      | what        |\n      | process     |\n      | sandbox kee |\n\n"
        "  Scenario: s\n    Then the listing has the article's columns and shows the container "
        '"Upp"\n')
    undefined = undefined_steps(tmp_path)
    assert len(undefined) == 2, undefined
    assert "sandbox kee" in undefined[0] and '"Upp"' in undefined[1]

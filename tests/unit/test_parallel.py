"""`docker-claims parallel`: which scenarios, split how, and the workers' results merged."""

import json
import os
from pathlib import Path

from behave.configuration import setup_parser

from docker_claims import parallel
from docker_claims.parallel import Scenario, _options_only, merge_claims, merge_junit, split

ROOT = Path(__file__).resolve().parents[2]


def test_the_longest_scenarios_spread_first_and_each_share_keeps_file_order():
    scenarios = [Scenario("/f/a.feature:3", "slow", 40.0)] + [
        Scenario(f"/f/b.feature:{line}", f"s{line}", 1.0) for line in range(10, 50, 4)]
    shares = split(scenarios, 2)
    assert [s.name for s in shares[0]] == ["slow"]
    assert len(shares[1]) == 10
    assert [s.location for s in shares[1]] == sorted(
        (s.location for s in shares[1]), key=lambda loc: int(loc.rsplit(":", 1)[1]))


def test_no_worker_is_started_for_nothing():
    assert len(split([Scenario("/f/a.feature:3", "only")], 4)) == 1


def test_paths_leave_the_arguments_and_option_values_stay():
    args = ["--tags", "@claim.C02", "-f", "progress", "-D", "x=1", "--no-capture",
            "features/lookup.feature", "features/layers.feature:13"]
    assert _options_only(setup_parser(), args) == [
        "--tags", "@claim.C02", "-f", "progress", "-D", "x=1", "--no-capture"]


def test_the_plan_selects_what_behave_would_by_tag():
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        planned = parallel.plan(["--tags=@claim.C02", str(ROOT / "features")])
    finally:
        os.chdir(cwd)
    assert planned.scenarios and all(s.location.startswith(str(ROOT / "features") + "/")
                                     for s in planned.scenarios)
    assert all("lookup.feature" in s.location for s in planned.scenarios)
    assert planned.options == ["--tags=@claim.C02"]


def _junit(directory: Path, cases: list[tuple[str, str]]) -> None:
    directory.mkdir(parents=True)
    body = "".join(
        f'<testcase classname="f.Feature" name="{name}" status="{status}" time="1.5">'
        + {"failed": "<failure/>", "skipped": "<skipped/>"}.get(status, "") + "</testcase>"
        for name, status in cases)
    (directory / "TESTS-f.xml").write_text(
        f'<testsuite name="f.Feature" tests="{len(cases)}">{body}</testsuite>')


def test_junit_files_merge_to_the_result_of_the_worker_that_ran_each_scenario(tmp_path):
    _junit(tmp_path / "w1", [("a", "passed"), ("b", "skipped"), ("c", "skipped"),
                             ("d", "untested")])
    _junit(tmp_path / "w2", [("a", "skipped"), ("b", "failed"), ("c", "skipped"),
                             ("d", "untested")])
    counts = merge_junit([tmp_path / "w1", tmp_path / "w2"], tmp_path / "out")
    assert counts == {"passed": 1, "failed": 1, "skipped": 2}
    merged = (tmp_path / "out" / "TESTS-f.xml").read_text()
    assert 'tests="4"' in merged and 'failures="1"' in merged and 'skipped="2"' in merged


def _report(worker: Path, statuses: dict[str, str]) -> Path:
    scenarios = [{"name": name, "location": f"../features/x.feature:{line}", "status": status,
                  "nuance": False, "error": None, "skip_reason": None, "evidence": []}
                 for line, (name, status) in enumerate(statuses.items(), 10)]
    report = {"engine": None,
              "claims": [{"claim": "C01", "article": "layers", "verdict": "?",
                          "scenarios": scenarios}]}
    (worker / "reports").mkdir(parents=True)
    (worker / "reports" / "claims.json").write_text(json.dumps(report))
    return worker / "reports" / "claims.md"


def test_the_claims_report_merges_each_scenario_from_the_worker_that_ran_it(tmp_path):
    project = tmp_path / "project"
    w1 = _report(tmp_path / "project" / "w1", {"a": "passed", "b": "skipped"})
    w2 = _report(tmp_path / "project" / "w2", {"a": "skipped", "b": "passed"})
    target = project / "claims.md"
    merge_claims([(w1, w1.parents[1]), (w2, w2.parents[1])], target, project)
    merged = json.loads(target.with_suffix(".json").read_text())
    claim = merged["claims"][0]
    assert claim["verdict"] == "holds"
    assert [(s["name"], s["status"], s["location"]) for s in claim["scenarios"]] == [
        ("a", "passed", "features/x.feature:10"), ("b", "passed", "features/x.feature:11")]
    assert target.with_suffix(".html").exists() and "C01" in target.read_text()


def test_a_failure_in_one_worker_fails_the_merged_claim(tmp_path):
    w1 = _report(tmp_path / "w1", {"a": "passed", "b": "skipped"})
    w2 = _report(tmp_path / "w2", {"a": "skipped", "b": "failed"})
    merge_claims([(w1, w1.parents[1]), (w2, w2.parents[1])], tmp_path / "c.md", tmp_path)
    merged = json.loads((tmp_path / "c.json").read_text())
    assert merged["claims"][0]["verdict"] == "fails on this engine"


def test_a_worker_directory_links_the_projects_behave_configuration(tmp_path):
    directory = parallel.isolated_cwd(ROOT, tmp_path / "w")
    linked = {p.name for p in directory.iterdir()}
    assert linked == {name for name in parallel.CONFIG_FILES if (ROOT / name).is_file()}


def test_every_fixture_the_library_defines_is_built_up_front():
    names = {spec.name for spec in parallel.fixture_specs()}
    assert {"busybox", "layered"} <= names


def test_merged_junit_names_each_feature_as_a_plain_behave_run_would(tmp_path):
    worker = tmp_path / "w1"
    worker.mkdir()
    (worker / "TESTS-features.sub.f.xml").write_text(
        '<testsuite name="features.sub.f.Feature" tests="1">'
        '<testcase classname="features.sub.f.Feature" name="a" status="passed" time="1"/>'
        '</testsuite>')
    merge_junit([worker], tmp_path / "out", ["sub.f", "f"])
    merged = (tmp_path / "out" / "TESTS-sub.f.xml").read_text()
    assert 'name="sub.f.Feature"' in merged and 'classname="sub.f.Feature"' in merged

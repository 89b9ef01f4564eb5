from types import SimpleNamespace

from docker_claims.runner.report import html_page, markdown, verdicts


def scenario(name, status, tags, evidence=(), error=None):
    steps = [SimpleNamespace(status=SimpleNamespace(name=status), error_message=error)]
    return SimpleNamespace(name=name, status=SimpleNamespace(name=status),
                           effective_tags=tags, steps=steps, location="f.feature:1",
                           claims_evidence=list(evidence), skip_reason=None)


def feature(*scenarios):
    return SimpleNamespace(description=["镜像是一层一层的", "(layers)"], tags=[], rules=[],
                           walk_scenarios=lambda: list(scenarios))


def by_claim(report):
    return {c["claim"]: c["verdict"] for c in report["claims"]}


def test_a_claim_holds_only_when_every_scenario_passed():
    report = verdicts([feature(scenario("a", "passed", ["claim.C01"]),
                               scenario("b", "failed", ["claim.C01"], error="saw 1 layer"),
                               scenario("c", "passed", ["claim.C03"]))], None)
    assert by_claim(report) == {"C01": "fails on this engine", "C03": "holds"}


def test_a_passing_nuance_scenario_makes_it_hold_with_nuance():
    report = verdicts([feature(scenario("a", "passed", ["claim.C02"]),
                               scenario("b", "passed", ["claim.C02", "nuance"]))], None)
    assert by_claim(report) == {"C02": "holds with nuance"}


def test_skipped_scenarios_alone_are_not_run():
    report = verdicts([feature(scenario("a", "skipped", ["claim.C04"]))], None)
    assert by_claim(report) == {"C04": "not run"}


def test_the_failure_and_the_evidence_reach_markdown_and_html():
    report = verdicts([feature(
        scenario("one layer", "failed", ["claim.C01"], error="observed: 1 layer <b>",
                 evidence=[("layers", {"count": 1})]))], None)
    text = markdown(report)
    assert "fails on this engine" in text and "observed: 1 layer" in text and '"count": 1' in text
    page = html_page(report)
    assert "&lt;b&gt;" in page and "<b>" not in page.split("<body>")[1].replace(
        "<b>failed</b>", "")

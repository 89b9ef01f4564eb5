"""The claims report: verdicts from scenario outcomes, claims.json against its schema, and what
the Markdown and HTML pages show. Scenarios are parsed by behave and given the outcomes a run
would give them."""

from __future__ import annotations

import json
import re
import sys

import full_run
import jsonschema
import pytest
from behave.model_type import Status
from behave.parser import parse_feature

from docker_claims.evidence import ClaimFailed, NotMeasured, as_json
from docker_claims.runner.exit_status import ExitStatus
from docker_claims.runner.report import console, measured, page, summary, words
from docker_claims.runner.report.data import (
    EVIDENCE_ATTRIBUTE,
    FACTS_ATTRIBUTE,
    SCHEMA,
    RunRecord,
    build,
    scenario_key,
)

FEATURE = """
Feature: Layers (C01, C02)

  @claim.C01
  Rule: An image is a stack of layers
    docker的镜像是一层一层的
    (a docker image is made of layers, one on top of another)

    Scenario: one layer per step
      Given an image
      Then it has layers

    Scenario: one history row per step
      Given an image
      Then it has rows

  @claim.C02
  Rule: A lookup falls through the layers
    在寻找一个文件时,是一层一层的去寻找的
    (a file is looked up layer by layer)

    Scenario: the upper version is read
      Given an image
      Then it reads the upper version

    @nuance
    Scenario: A deleted file is not found although a lower layer holds it
      Given an image
      Then the file is not found
"""


def features(text: str = FEATURE):
    return [parse_feature(text, filename="features/layers.feature")]


def scenarios(parsed):
    return {s.name: s for f in parsed for s in f.walk_scenarios()}


def outcome(scenario, *statuses, error: BaseException | None = None, evidence=()):
    """Give each step of `scenario` its status; the first bad one gets `error`."""
    for step, status in zip(scenario.all_steps, statuses):
        step.status = Status[status]
        step.duration = 0.25
        if status in ("failed", "error") and error is not None:
            step.exception = error
            step.error_message = str(error)
    scenario.clear_status()
    setattr(scenario, EVIDENCE_ATTRIBUTE, list(evidence))


def run_record(parsed, **kwargs) -> RunRecord:
    selected = {scenario_key(s) for f in parsed for s in f.walk_scenarios()}
    return RunRecord(id="0123456789", selected=kwargs.pop("selected", selected), **kwargs)


def verdicts(report):
    return {c["id"]: c["verdict"] for c in report["claims"]}


def all_passed(parsed):
    for scenario in scenarios(parsed).values():
        outcome(scenario, "passed", "passed")


def test_every_scenario_passed_is_holds_and_a_passing_nuance_is_named():
    parsed = features()
    all_passed(parsed)
    report = build(parsed, run_record(parsed))
    assert verdicts(report) == {"C01": "holds", "C02": "holds_with_nuance"}
    c02 = report["claims"][1]
    assert words.reason(c02, report["run"]) == (
        "A deleted file is not found although a lower layer holds it")
    assert report["run"]["exit_status"] == {"code": 0, "name": "ok", "reason": None}


def test_a_failed_check_fails_the_claim_with_the_check_and_what_the_engine_showed():
    parsed = features()
    all_passed(parsed)
    outcome(scenarios(parsed)["one layer per step"], "passed", "failed",
            error=ClaimFailed("the image has 1 layer, not 3", {"layers": [b"sha"]}))
    report = build(parsed, run_record(parsed))
    assert verdicts(report)["C01"] == "fails"
    problem = report["claims"][0]["scenarios"][0]["problem"]
    assert problem["message"] == "the image has 1 layer, not 3"
    assert problem["step"] == "Then it has layers"
    assert problem["observed"] == {"layers": [{"bytes": {"size": 3, "text": "sha"}}]}
    assert report["run"]["exit_status"]["code"] == ExitStatus.FAILS
    assert report["run"]["exit_status"]["reason"] == "C01 fails on this engine"


def test_an_error_of_the_suite_is_could_not_be_measured_never_fails():
    parsed = features()
    all_passed(parsed)
    outcome(scenarios(parsed)["the upper version is read"], "error", "skipped",
            error=RuntimeError("the engine refused the host reader: authorization denied"))
    report = build(parsed, run_record(parsed))
    assert verdicts(report)["C02"] == "could_not_be_measured"
    assert "fails" not in verdicts(report).values()
    status = report["run"]["exit_status"]
    assert status["code"] == ExitStatus.INCONCLUSIVE
    assert "C02 could not be measured" in status["reason"]
    assert "authorization denied" in status["reason"]


def test_a_reading_of_the_suite_cut_short_is_not_measured_and_shows_what_it_read():
    parsed = features()
    all_passed(parsed)
    outcome(scenarios(parsed)["one layer per step"], "passed", "error",
            error=NotMeasured("the helper did not list the layer directory", {"output": "x\n"}))
    report = build(parsed, run_record(parsed))
    assert verdicts(report)["C01"] == "could_not_be_measured"
    problem = report["claims"][0]["scenarios"][0]["problem"]
    assert problem["message"] == "the helper did not list the layer directory"
    assert problem["observed"] == {"output": "x\n"} and problem["type"] == "NotMeasured"


def test_an_interrupted_run_is_incomplete_and_fails_nothing():
    parsed = features()
    each = scenarios(parsed)
    outcome(each["one layer per step"], "passed", "passed")
    outcome(each["one history row per step"], "passed", "error", error=KeyboardInterrupt())
    report = build(parsed, run_record(parsed, interrupted_by="SIGINT"))
    assert verdicts(report) == {"C01": "incomplete", "C02": "incomplete"}
    states = [s["status"] for c in report["claims"] for s in c["scenarios"]]
    assert states == ["passed", "interrupted", "not_run", "not_run"]
    assert report["run"]["exit_status"]["code"] == ExitStatus.INTERRUPTED
    assert words.notices(report["run"])[0][0] == "interrupted"


def test_a_partial_selection_is_incomplete_and_says_which_scenarios_ran():
    parsed = features()
    each = scenarios(parsed)
    outcome(each["the upper version is read"], "passed", "passed")
    record = run_record(parsed, selected={scenario_key(each["the upper version is read"])},
                        selection={"tags": None, "names": [],
                                   "locations": ["features/layers.feature:22"]})
    report = build(parsed, record)
    assert verdicts(report) == {"C02": "incomplete"}
    assert words.reason(report["claims"][0], report["run"]) == (
        "1 of its 2 scenarios selected: features/layers.feature:22")
    assert report["run"]["exit_status"]["code"] == ExitStatus.OK


def with_a_skip(reason: str) -> dict:
    """The report of a run whose C01 history scenario was skipped for `reason`."""
    parsed = features()
    all_passed(parsed)
    skipped = scenarios(parsed)["one history row per step"]
    outcome(skipped, "skipped", "skipped")
    skipped.skip(reason)
    return build(parsed, run_record(parsed))


def test_a_skipped_scenario_makes_the_claim_not_measured_with_the_reason():
    report = with_a_skip("DOCKER_CLAIMS_NODE2 is not set: there is no second engine")
    assert verdicts(report)["C01"] == "not_measured"
    assert words.reason(report["claims"][0], report["run"]) == (
        "1 of 2 scenarios skipped: DOCKER_CLAIMS_NODE2 is not set: there is no second engine")
    assert report["run"]["exit_status"]["code"] == ExitStatus.OK


def test_a_run_that_reached_no_engine_says_why_and_is_not_measured():
    parsed = features()
    report = build(parsed, run_record(parsed, stopped_because="no Docker engine answers"))
    assert report["run"]["exit_status"] == {
        "code": 3, "name": "inconclusive", "reason": "no Docker engine answers"}


@pytest.mark.parametrize("case", ["holds", "fails", "interrupted", "stopped"])
def test_claims_json_matches_its_schema(case):
    parsed = features()
    all_passed(parsed)
    kwargs = {"interrupted": {"interrupted_by": "SIGTERM"},
              "stopped": {"stopped_because": "no engine"}}.get(case, {})
    if case == "fails":
        outcome(scenarios(parsed)["one layer per step"], "passed", "failed",
                error=ClaimFailed("no", {"mode": 0o644, "content": b"\x00\xff"}))
    record = run_record(parsed, fingerprint=FINGERPRINT, **kwargs)
    for scenario, value in zip(scenarios(parsed).values(), EVIDENCE):
        setattr(scenario, EVIDENCE_ATTRIBUTE, [("observed", value)])
    report = json.loads(json.dumps(build(parsed, record)))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema, format_checker=jsonschema.FormatChecker())


FINGERPRINT = {"endpoint": "unix:///var/run/docker.sock", "engine_version": "20.10.24",
               "api_version": "1.41", "os": "linux", "arch": "amd64", "kernel": "6.1",
               "operating_system": "Debian", "storage_driver": "overlay2",
               "image_store": "graphdriver", "cgroup_version": "1", "cgroup_driver": "cgroupfs",
               "rootless": False, "docker_root_dir": "/var/lib/docker"}
EVIDENCE = [{"content": b"hello\n", "mode": 0o755, "size": 1982256},
            frozenset({"b", "a"}), (0, "out"), {"history": [{"CreatedBy": "", "Size": 0}]}]


def test_evidence_is_typed_never_a_repr():
    assert as_json(b"hi\n") == {"bytes": {"size": 3, "text": "hi\n"}}
    assert as_json(b"\x00\xff") == {"bytes": {"size": 2, "hex": "00ff"}}
    assert as_json(frozenset({"b", "a"})) == ["a", "b"]
    text = json.dumps(as_json(EVIDENCE))
    assert "b'" not in text and "frozenset" not in text


def test_the_report_shows_bytes_as_text_or_hex_modes_in_octal_and_sizes_exact():
    value = as_json({"content": b"hello\n", "raw": b"\x00\x01", "mode": 0o644,
                     "size": 1982256})
    text = words.as_text(value)
    assert "6 bytes, as text" in text and "| hello" in text
    assert "2 bytes, in hex" in text and "00 01" in text
    assert "mode: 0o644" in text and "size: 1982256 bytes" in text
    page = words.as_html(value)
    assert "0o644" in page and "1982256 bytes" in page and "00 01" in page


def test_the_job_summary_folds_the_evidence_and_stays_under_its_limit():
    parsed = features()
    all_passed(parsed)
    big = {"blob": b"x" * 200_000}
    for scenario in scenarios(parsed).values():
        setattr(scenario, EVIDENCE_ATTRIBUTE, [("big", big)] * 5)
    report = build(parsed, run_record(parsed))
    text = summary.markdown(report)
    assert "| C01 | ✅ holds |" in text
    assert text.count("<details>") == 2 and "</details>" in text
    assert len(text.encode()) < words.SUMMARY_LIMIT
    small = summary.markdown(report, limit=5000)
    assert "The evidence is left out here" in small and "xxxx" not in small


def test_the_page_links_summary_to_claims_and_back_and_escapes_what_it_shows():
    parsed = features()
    all_passed(parsed)
    outcome(scenarios(parsed)["one layer per step"], "passed", "failed",
            error=ClaimFailed("saw <b>1</b> layer"))
    html = page.html_page(build(parsed, run_record(parsed)), report_dir="reports")
    assert "<meta name='viewport'" in html and "Noto Sans CJK SC" in html
    for anchor in re.findall(r"href='#([^']+)'", html):
        assert f"id='{anchor}'" in html
    assert "href='../features/layers.feature#L9'" in html
    assert "saw &lt;b&gt;1&lt;/b&gt; layer" in html


def test_the_engine_settings_that_change_what_claims_show_are_said():
    parsed = features()
    all_passed(parsed)
    engine = {**FINGERPRINT, "rootless": True, "native_diff": False}
    report = build(parsed, run_record(parsed, fingerprint=engine))
    html = page.html_page(report)
    assert "rootless, no native overlay diff" in html
    assert "a rootless engine" in html and "diffs layers by metadata" in html
    assert "diffs layers by metadata" in summary.markdown(report)


# What a run measured, and the steps as Gherkin shows them.

STEPS_FEATURE = '''
Feature: Steps with data (C08)

  @claim.C08
  Rule: Start makes namespaces
    在启动后,docker会创建独立的名称空间
    (after the start, docker creates namespaces)

    Background:
      Given the article's session:
        """
        [root@node01 ~]# docker create -ti busybox sh
        533e04b09b6f956bbe3526f35fc77b0d9e6bb92d9f3e6705d5a08c677acfe40c
        """

    Scenario: own namespaces
      Then it is in namespaces of each kind:
        | kind |
        | net  |
        | pid  |

    @nuance
    Scenario: The user namespace stays the runtime's
      Then it shares the user namespace
'''


def test_steps_keep_their_docstrings_and_tables_in_every_report():
    parsed = features(STEPS_FEATURE)
    all_passed(parsed)
    report = build(parsed, run_record(parsed))
    steps = report["claims"][0]["scenarios"][0]["steps"]
    assert steps[0]["docstring"].startswith("[root@node01 ~]# docker create -ti busybox sh")
    assert steps[1]["table"] == {"headings": ["kind"], "rows": [["net"], ["pid"]]}
    assert steps[0]["table"] is None and steps[1]["docstring"] is None
    html = page.html_page(report)
    assert "<pre class='docstring'>\"\"\"\n[root@node01 ~]# docker create" in html
    assert "<table class='gherkin'><tr><th scope='col'>kind</th></tr><tr><td>net</td>" in html
    text = summary.markdown(report)
    assert '      """\n      [root@node01 ~]# docker create -ti busybox sh' in text
    assert "      | kind |\n      | net  |\n      | pid  |" in text


def test_the_facts_of_checks_are_kept_per_scenario_and_merged_per_claim():
    parsed = features(STEPS_FEATURE)
    all_passed(parsed)
    own, nuance = scenarios(parsed).values()
    setattr(own, FACTS_ATTRIBUTE, {"started": {"own_namespaces": ["net", "pid"]},
                                   "shared_namespace": "net"})
    outcome(nuance, "passed", "failed", error=ClaimFailed(
        "the container has a user namespace of its own", {}, facts={
            "namespaces": {"user": {"is": "own", "set_by": "no --userns-remap"}},
            "shared_namespace": "user"}))
    setattr(nuance, FACTS_ATTRIBUTE, {"started": {"netns_entry": "3a960bf7f4af"}})
    report = build(parsed, run_record(parsed))
    claim = report["claims"][0]
    assert claim["scenarios"][1]["facts"] == {
        "started": {"netns_entry": "3a960bf7f4af"}, "shared_namespace": "user",
        "namespaces": {"user": {"is": "own", "set_by": "no --userns-remap"}}}
    assert claim["measured"] == {
        "started": {"own_namespaces": ["net", "pid"], "netns_entry": "3a960bf7f4af"},
        "shared_namespace": "net", "namespaces": {"user": {"is": "own",
                                                           "set_by": "no --userns-remap"}}}
    line = measured.line(claim)
    assert line.startswith("own net and pid namespaces; netns entry `3a960bf7f4af`")
    assert "the stop: not observed" in line
    assert "user namespace own (no --userns-remap)" in line  # a failing claim says its nuances


def test_reasons_show_markdown_code_as_code_and_claims_answer_both_anchors():
    html = page.html_page(with_a_skip("`docker` is not on PATH: install the docker CLI"))
    assert "<code>docker</code> is not on PATH" in html
    assert "`docker`" not in html
    assert "id='C01'" in html and "id='c01'" in html and "href='#C01'" in html


def test_the_console_says_what_each_claim_measured(capsys):
    parsed = features()
    all_passed(parsed)
    setattr(scenarios(parsed)["one layer per step"], FACTS_ATTRIBUTE,
            {"layers": {"count": 6, "filesystem_steps": 6}})
    report = build(parsed, run_record(parsed))
    console.final_lines(report, [], sys.stdout)
    out = capsys.readouterr().out.splitlines()
    at = out.index("  C01  holds")
    assert out[at + 1] == ("       measured: 6 layers for the 6 filesystem-changing steps; "
                           "the layers' contents: not observed; the history: not observed")


def test_a_full_runs_claims_json_matches_its_schema():
    """The facts, sessions and steps of a real run (tests/unit/full_run.py) are as the schema
    says."""
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(full_run.load(), schema, format_checker=jsonschema.FormatChecker())

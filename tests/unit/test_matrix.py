"""The claims x engines matrix and the comparison of two runs (no engine needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from docker_claims.runner import cli, matrix
from docker_claims.runner.exit_status import ExitStatus
from docker_claims.runner.report import words

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def written_by_the_report(tmp_path_factory) -> Path:
    """A claims.json as runner.report writes it at the end of a behave run: a tiny suite whose
    claims hold, fail, and are not measured, run through the claims formatter."""
    root = tmp_path_factory.mktemp("report")
    (root / "features" / "steps").mkdir(parents=True)
    (root / "features" / "mini.feature").write_text(textwrap.dedent("""\
        Feature: Mini
          The article: 镜像是一层一层的
          ("an image is a stack of layers")

          @claim.C01
          Scenario: it holds
            Given it goes well

          @claim.C02
          Scenario: it fails
            Given it goes badly

          @claim.C03
          Scenario: it is not measured
            Given it is skipped
        """), encoding="utf-8")
    (root / "features" / "steps" / "mini.py").write_text(textwrap.dedent("""\
        from behave import given

        @given("it goes well")
        def well(context):
            pass

        @given("it goes badly")
        def badly(context):
            assert False, "the engine did otherwise"

        @given("it is skipped")
        def skipped(context):
            context.scenario.skip("no second node")
        """), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "behave", "--no-capture", "-f",
                    "docker_claims.runner.report.data:ClaimsFormatter", "-o",
                    str(root / "out" / "claims.md"), "features"],
                   cwd=root, env=env, capture_output=True, text=True, timeout=120)
    return root / "out" / "claims.json"


def test_the_matrix_reads_the_claims_json_the_report_writes(written_by_the_report):
    """If runner.report changes claims.json's schema, this fails: update load_run with it."""
    run = matrix.load_run(written_by_the_report)
    assert run.name == "out"
    verdicts = {claim: found.verdict for claim, found in run.claims.items()}
    assert verdicts["C01"].startswith("holds")
    assert verdicts["C02"].startswith("fails")
    assert "holds" not in verdicts["C03"] and "fails" not in verdicts["C03"]
    failed = run.claims["C02"].scenarios[0]
    assert failed.status == "failed" and "the engine did otherwise" in failed.reason
    skipped = run.claims["C03"].scenarios[0]
    assert skipped.status == "skipped" and skipped.reason == "no second node"


def engine(**facts) -> dict:
    return {"engine_version": "20.10.24", "storage_driver": "overlay2",
            "image_store": "graphdriver", "cgroup_version": "1", "cgroup_driver": "cgroupfs",
            "rootless": False, "kernel": "6.1", "os": "linux", "arch": "amd64", **facts}


def run_of(name: str, facts: dict, **verdicts) -> matrix.EngineRun:
    claims = {}
    for claim, (verdict, *scenarios) in verdicts.items():
        claims[claim] = matrix.Claim(claim, f"sentence {claim}", verdict, tuple(
            matrix.Scenario(*s) for s in scenarios))
    return matrix.EngineRun(name, f"{name}/claims.json", facts, claims)


HOLDS = ("holds", ("a", "passed"), ("b", "passed"))
SKIPS_B = ("holds", ("a", "passed"),
           ("b", "skipped", None, "the storage driver 'vfs' shows no UpperDir"))
FAILS = ("fails on this engine", ("a", "passed"),
         ("b", "failed", "the container shares its user namespace, although the engine remaps "
          "users\nobserved: {...}"))


def test_each_cell_is_an_icon_a_count_and_the_numbers_of_its_notes_each_said_once():
    runs = [run_of("overlay2", engine(), C04=HOLDS, C08=HOLDS),
            run_of("docker26", engine(engine_version="26.1.5"), C04=HOLDS, C08=HOLDS),
            run_of("vfs", engine(storage_driver="vfs"), C04=SKIPS_B, C08=HOLDS),
            run_of("vfs-too", engine(storage_driver="vfs"), C04=SKIPS_B, C08=HOLDS),
            run_of("userns", engine(), C04=HOLDS, C08=FAILS)]
    found = matrix.build(runs)
    rows = {claim: cells for claim, _, cells in found.rows}
    assert [cell.differs for cell in rows["C04"]] == [False, False, True, True, False]
    assert rows["C04"][2].measured == "1/2 passed"
    assert rows["C04"][2].notes == rows["C04"][3].notes == (1,)
    assert found.notes[0] == ("C04: 1 scenario not measured: the storage driver 'vfs' shows no "
                              "UpperDir")
    assert rows["C08"][4].notes == (2,) and rows["C08"][4].verdict == "fails"
    assert found.notes[1].startswith("C08: 1 scenario failed: the container shares its user")
    assert len(found.notes) == 2 and not any(cell.notes for cell in rows["C08"][:4])


def test_a_nuance_is_one_note_shared_by_every_cell_it_explains():
    nuanced = ("holds with nuance", ("a", "passed"), ("b", "passed", None, None, None, True))
    runs = [run_of("a", engine(), C02=nuanced), run_of("b", engine(), C02=nuanced)]
    found = matrix.build(runs)
    (_, _, cells), = found.rows
    assert [cell.notes for cell in cells] == [(1,), (1,)]
    assert found.notes == ("C02 holds with a nuance: b",)


def test_a_row_where_all_engines_agree_has_no_notes():
    runs = [run_of("a", engine(), C01=HOLDS), run_of("b", engine(storage_driver="vfs"),
                                                     C01=HOLDS)]
    (_, _, cells), = matrix.build(runs).rows
    assert not any(cell.differs or cell.notes for cell in cells)


def test_an_errors_traceback_is_told_by_its_last_line():
    scenario = matrix.Scenario("x", "error", "Traceback (most recent call last):\n  File ...\n"
                               "docker.errors.APIError: bind source path does not exist")
    assert scenario.reason == "docker.errors.APIError: bind source path does not exist"


def test_markdown_and_html_head_columns_by_the_engine_and_number_the_notes():
    runs = [run_of("overlay2", engine(), C04=HOLDS),
            run_of("vfs|odd", engine(storage_driver="vfs", rootless=True), C04=SKIPS_B)]
    found = matrix.build(runs)
    text = matrix.markdown(found)
    assert ("| claim | 20.10.24<br>overlay2<br>graphdriver store<br>cgroup v1<br>`overlay2` | "
            "20.10.24<br>vfs<br>graphdriver store<br>cgroup v1, rootless<br>`vfs\\|odd` |"
            in text)
    assert "| C04 | ✅ 2/2 passed | **✅ 1/2 passed <sup>1</sup>** |" in text
    assert "1. C04: 1 scenario not measured: the storage driver 'vfs' shows no UpperDir" in text
    page = matrix.html_page(found)
    assert "differs" in page and "vfs|odd" in page and "<script" not in page
    assert "href='#note-1'" in page and "id='note-1'" in page


def test_compare_lists_the_verdicts_that_changed_with_their_scenarios():
    old = run_of("old", engine(), C04=HOLDS, C08=HOLDS)
    new = run_of("new", engine(engine_version="28.5.2"), C04=HOLDS, C08=FAILS)
    (change,), left_out = matrix.compare(old, new)
    assert (change.claim, change.old, change.new) == ("C08", "holds", "fails on this engine")
    assert change.scenarios == ("b: passed -> failed (the container shares its user namespace, "
                                "although the engine remaps users)",)
    assert left_out == []


NOT_MEASURED = ("not measured", ("a", "passed"),
                ("b", "skipped", None, "DOCKER_CLAIMS_NODE2 is not set"))


def test_compare_leaves_out_what_either_run_could_not_measure_and_says_so():
    old = run_of("old", engine(), C04=HOLDS, C08=HOLDS, C14=NOT_MEASURED)
    new = run_of("new", engine(), C04=NOT_MEASURED, C14=HOLDS)
    changes, left_out = matrix.compare(old, new)
    assert changes == []
    assert left_out == ["C04: not measured in the new run (DOCKER_CLAIMS_NODE2 is not set)",
                        "C08: not in the new run",
                        "C14: not measured in the old run (DOCKER_CLAIMS_NODE2 is not set)"]


@pytest.mark.parametrize(("old_run", "new_run", "says"), [
    ({}, {"selection": {"tags": "@claim.C02", "names": [], "locations": []}},
     "they selected different scenarios: the old run was the whole suite; the new run was a "
     "selection (--tags=@claim.C02)"),
    ({}, {"interrupted_by": "SIGINT"}, "the new run (new.json) does not stand for its engine: "
     "it was interrupted by SIGINT"),
    ({"stopped_because": "docker-claims cannot run: no Docker engine answers",
      "stopped_during": "connecting to the engine"}, {},
     "the old run (old.json) does not stand for its engine: it stopped while connecting to the "
     "engine: docker-claims cannot run: no Docker engine answers"),
])
def test_compare_says_why_two_runs_are_not_comparable_and_invents_no_change(
        tmp_path, capsys, old_run, new_run, says):
    old = write(tmp_path / "old.json", run_of("old", engine(), C01=HOLDS), old_run)
    new = write(tmp_path / "new.json", run_of("new", engine(), C02=FAILS), new_run)
    assert cli.main(["compare", str(old), str(new)]) == ExitStatus.NOT_COMPARABLE == 4
    out = capsys.readouterr().out
    assert f"not comparable: {says}" in out.replace(str(tmp_path) + "/", "")
    assert "->" not in out


def test_compare_of_a_run_that_reached_no_engine_is_not_comparable(tmp_path, capsys):
    old = write(tmp_path / "old.json", run_of("old", engine(), C01=HOLDS))
    new = write(tmp_path / "new.json", run_of("new", {}, C01=NOT_MEASURED))
    assert cli.main(["compare", str(old), str(new)]) == ExitStatus.NOT_COMPARABLE
    assert "it reached no engine" in capsys.readouterr().out


def write(path: Path, run: matrix.EngineRun, facts: dict | None = None) -> Path:
    """The run as claims.json holds it: verdicts as codes; `facts`, its `run` part."""
    codes = {word: code for code, word in words.VERDICT_WORDS.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema_version": 2, "engine": run.engine, "run": {
        "selection": None, "interrupted_by": None, "stopped_because": None, **(facts or {})},
        "claims": [
        {"id": c.claim, "sentence": {"original": c.article, "meaning": ""},
         "verdict": codes[c.verdict],
         "scenarios": [{"name": s.name, "status": s.status,
                        "problem": {"message": s.error} if s.error else None,
                        "skip_reason": s.skip_reason} for s in c.scenarios]}
        for c in run.claims.values()]}), encoding="utf-8")
    return path


def test_the_matrix_command_writes_markdown_and_html(tmp_path, capsys):
    a = write(tmp_path / "m" / "overlay2" / "claims.json", run_of("x", engine(), C04=HOLDS))
    b = write(tmp_path / "m" / "vfs" / "claims.json",
              run_of("y", engine(storage_driver="vfs"), C04=SKIPS_B))
    default = write(tmp_path / "m" / "default" / "claims.json", run_of("z", engine(), C04=HOLDS))
    out = tmp_path / "table"
    assert cli.main(["matrix", str(a), str(b), "-o", str(out)]) == ExitStatus.OK
    header = (out / "matrix.md").read_text(encoding="utf-8").splitlines()[4]
    assert header.index("`overlay2`") < header.index("`vfs`")
    assert (out / "matrix.html").is_file()
    assert "| C04 |" in capsys.readouterr().out
    assert cli.main(["matrix", str(b), str(a), str(default), "-o", str(out)]) == ExitStatus.OK
    header = (out / "matrix.md").read_text(encoding="utf-8").splitlines()[4]
    assert header.index("`default`") < header.index("`vfs`") < header.index("`overlay2`")


def test_compare_exits_1_when_a_verdict_changed_and_0_when_none_did(tmp_path, capsys):
    old = write(tmp_path / "old.json", run_of("old", engine(), C08=HOLDS))
    new = write(tmp_path / "new.json", run_of("new", engine(), C08=FAILS))
    assert cli.main(["compare", str(old), str(new)]) == ExitStatus.FAILS
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == ["C08: holds -> fails on this engine",
                       "    b: passed -> failed (the container shares its user namespace, "
                       "although the engine remaps users)"]
    assert cli.main(["compare", str(old), str(old)]) == ExitStatus.OK
    assert capsys.readouterr().out.splitlines()[-1] == "no verdict changed"
    unmeasured = write(tmp_path / "none.json", run_of("none", engine(), C14=NOT_MEASURED))
    assert cli.main(["compare", str(unmeasured), str(unmeasured)]) \
        == ExitStatus.NOT_COMPARABLE  # nothing compared is never "no verdict changed"
    assert capsys.readouterr().out.splitlines()[-1].startswith("nothing compared")


@pytest.mark.parametrize("content, says", [
    (None, "cannot be read"),
    ("not json", "is not JSON"),
    ('{"claims": {}}', "is not a claims report"),
    ('{"claims": [{"verdict": "holds"}]}', "a claim lacks 'id'"),
])
def test_bad_input_is_a_usage_error_naming_the_file_and_writes_nothing(tmp_path, capsys,
                                                                        content, says):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    out = tmp_path / "table"
    assert cli.main(["matrix", str(bad), "-o", str(out)]) == ExitStatus.USAGE
    error = capsys.readouterr().err
    assert str(bad) in error and says in error
    assert not out.exists()


def test_a_nuance_that_holds_differently_is_told_with_its_reason(tmp_path):
    """C08's cgroup namespace holds everywhere, as the configuration says: shared on cgroup v1,
    own on v2 or with --default-cgroupns-mode private. The cells say which, and why."""
    def report(expected, because, **facts):
        evidence = [{"label": "cgroup namespace",
                     "value": {"expected": expected, "because": because}}]
        return {"engine": engine(**facts), "claims": [{
            "id": "C08", "verdict": "holds_with_nuance", "sentence": {"original": "x"},
            "scenarios": [{"name": "cgroup", "status": "passed", "evidence": evidence}]}]}

    paths = []
    for name, args in (("v1", ("shared", "mode 'host'")), ("also-v1", ("shared", "mode 'host'")),
                       ("v2", ("own", "mode 'private'"))):
        path = tmp_path / name / "claims.json"
        path.parent.mkdir()
        path.write_text(json.dumps(report(*args, cgroup_version="2" if name == "v2" else "1")),
                        encoding="utf-8")
        paths.append(path)
    found = matrix.build([matrix.load_run(p) for p in paths])
    (_, _, cells), = found.rows
    assert [cell.differs for cell in cells] == [False, False, True]
    assert [[found.notes[n - 1] for n in cell.notes] for cell in cells] == [
        ["C08, cgroup: shared (mode 'host')"]] * 2 + [["C08, cgroup: own (mode 'private')"]]

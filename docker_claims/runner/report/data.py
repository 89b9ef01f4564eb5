"""The claims report: the article's claims in order, each with its verdict and its evidence.

A behave formatter (`claims`, configured in tox.ini) that writes one report three ways:
claims.json for machines (its shape: claims.schema.json beside this module), claims.html for
people, claims.md for a GitHub job summary. This module makes the data; page, summary and
console show it.

A claim's verdict comes from its scenarios of this run, each of them in one of these states:
passed; failed (a check failed: the engine behaved otherwise than the claim says); error (the
suite's own machinery failed: a helper refused, the engine lost); skipped (with the reason);
interrupted (stopped by Ctrl-C or SIGTERM); not_run (the run ended before it). Then:

- fails: a scenario failed, whatever the others did;
- could_not_be_measured: a scenario met an error of the suite, none failed;
- incomplete: the run was interrupted before all of the claim's scenarios ended, or the
  selection left some of its scenarios out;
- not_measured: a scenario was skipped (no second node, no docker CLI, the storage driver);
- holds_with_nuance: every scenario passed, and some show what the article leaves out (@nuance);
- holds: every scenario of the claim ran and passed.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from behave.formatter.base import Formatter

import docker_claims
from docker_claims.evidence import ClaimFailed, Observed, as_json, merge_facts
from docker_claims.runner import spec
from docker_claims.runner.exit_status import ExitStatus, of_run
from docker_claims.runner.interrupts import INTERRUPTS
from docker_claims.runner.report import page, summary

SCHEMA_VERSION = 2
SCHEMA = Path(__file__).with_name("claims.schema.json")
CLAIM = re.compile(r"^claim\.(C\d\d)$")
NUANCE_TAG = "nuance"
EVIDENCE_ATTRIBUTE = "claims_evidence"
"""Set on each scenario by the after_scenario hook: the ledger of what its steps observed."""
FACTS_ATTRIBUTE = "claims_facts"
"""Set beside it: the facts its checks established (evidence.Observation), for the line of
what the run measured."""


class Verdict(str, Enum):
    HOLDS = "holds"
    HOLDS_WITH_NUANCE = "holds_with_nuance"
    FAILS = "fails"
    NOT_MEASURED = "not_measured"
    COULD_NOT_BE_MEASURED = "could_not_be_measured"
    INCOMPLETE = "incomplete"


@dataclass
class RunRecord:
    """What a run is, beyond its scenarios: kept by the runner, filled in by the hooks."""

    id: str
    started: datetime.datetime = field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    selection: dict[str, Any] | None = None
    """What the command line selected ({"tags", "names", "locations"}), None for the suite."""
    selected: set[tuple[str, int]] = field(default_factory=set)
    """The selected scenarios, as (feature file, line), fixed before the run starts."""
    finished: datetime.datetime | None = None
    fingerprint: dict[str, Any] | None = None
    interrupted_by: str | None = None
    """SIGINT or SIGTERM when the run was interrupted."""
    stopped_because: str | None = None
    """Why the run measured nothing more (no engine, no scenario selected, the engine lost)."""
    stopped_during: str | None = None
    """What the run was doing when it stopped (runner.hooks' phases: "connecting to the
    engine", "building the fixture images", "scenario <name>"...), for the report's top."""
    in_suite: dict[str, int] = field(default_factory=dict)
    """Scenarios per claim in the whole suite ("" counts them all), whatever was selected."""
    report_dir: Path | None = None
    published: bool = False
    """Whether the run's report and JUnit replaced the last whole run's (`published`)."""
    junit_target: str | None = None
    """Where a published run's JUnit goes (the configured junit directory); it is written
    under runs/<run id>/junit first."""


def scenario_key(scenario) -> tuple[str, int]:
    return (relative_path(scenario.location.filename), scenario.line)


def claim_of(scenario) -> str | None:
    for tag in scenario.effective_tags:
        match = CLAIM.match(str(tag))
        if match:
            return match.group(1)
    return None


def split_sentence(text: str) -> dict[str, str]:
    """The article's sentence as spec reads it from a Rule, `<original> (<meaning>)`, in its
    two parts."""
    original, meaning = spec.quote(text)
    return {"original": original, "meaning": meaning}


def relative_path(filename: str) -> str:
    path = os.path.abspath(filename)
    here = os.getcwd()
    return os.path.relpath(path, here) if path.startswith(here + os.sep) else path


def _interrupt(exception: BaseException | None) -> bool:
    return isinstance(exception, KeyboardInterrupt)


def _first_bad_step(scenario):
    return next((step for step in scenario.all_steps
                 if step.status.name in ("failed", "error", "hook_error", "undefined",
                                         "pending", "cleanup_error")), None)


def scenario_status(scenario, record: RunRecord) -> str:
    status = scenario.status.name
    if status == "passed":
        return "passed"
    if status in ("untested", "executing"):
        return "not_run"
    if status == "skipped":
        if scenario.skip_reason:
            return "skipped"
        return "not_run" if record.interrupted_by or record.stopped_because else "skipped"
    step = _first_bad_step(scenario)
    if step is not None and _interrupt(step.exception):
        return "interrupted"
    if step is None and record.interrupted_by:
        return "interrupted"  # a hook or cleanup cut short by the interrupt
    if step is not None and step.status.name == "failed" and isinstance(step.exception,
                                                                       AssertionError):
        return "failed"
    return "error"


def _step_status(step, scenario_state: str) -> str:
    status = step.status.name
    if status in ("passed", "failed", "skipped"):
        return status
    if status in ("untested", "executing"):
        return "not_run"
    if _interrupt(step.exception) or (scenario_state == "interrupted" and status != "passed"):
        return "interrupted"
    return "error"


def _problem(scenario, state: str) -> dict[str, Any] | None:
    """What went wrong in a failed, erring or interrupted scenario: the step, the message,
    and for a failed check what the engine showed."""
    if state not in ("failed", "error", "interrupted"):
        return None
    step = _first_bad_step(scenario)
    exception = getattr(step, "exception", None) if step else getattr(scenario, "exception", None)
    if isinstance(exception, Observed):
        message, observed = exception.message, as_json(exception.observed) or None
    elif exception is not None and state != "interrupted":
        message, observed = f"{type(exception).__name__}: {exception}".strip(), None
    elif state == "interrupted":
        message, observed = "interrupted", None
    else:
        message = (getattr(step, "error_message", None) or scenario.error_message
                   or "a hook failed (see the run's output)")
        observed = None
    return {
        "step": f"{step.keyword} {step.name}" if step else None,
        "line": step.line if step else None,
        "type": type(exception).__name__ if exception is not None else None,
        "message": str(message).strip(),
        "observed": observed,
        "traceback": (step.error_message if step is not None and state == "error"
                      and step.error_message else None),
    }


def _facts(scenario) -> dict[str, Any]:
    """What the scenario's checks established: those that passed, then the failing one's."""
    facts = merge_facts({}, getattr(scenario, FACTS_ATTRIBUTE, None) or {})
    step = _first_bad_step(scenario)
    failed = getattr(step, "exception", None) if step is not None else None
    if isinstance(failed, ClaimFailed):
        merge_facts(facts, failed.facts)
    return as_json(facts)


def _step_data(step, scenario_state: str) -> dict[str, Any]:
    """A step as Gherkin shows it: keyword, text, and its docstring or table."""
    table = None
    if step.table is not None:
        table = {"headings": list(step.table.headings),
                 "rows": [list(row.cells) for row in step.table.rows]}
    return {"keyword": step.keyword, "text": step.name, "line": step.line,
            "status": _step_status(step, scenario_state),
            "duration_seconds": round(step.duration, 3),
            "docstring": str(step.text) if step.text is not None else None, "table": table}


def scenario_data(scenario, record: RunRecord) -> dict[str, Any]:
    state = scenario_status(scenario, record)
    feature, line = scenario_key(scenario)
    return {
        "name": scenario.name,
        "feature": feature,
        "line": line,
        "status": state,
        "nuance": NUANCE_TAG in scenario.effective_tags,
        "duration_seconds": round(scenario.duration, 3),
        "skip_reason": (scenario.skip_reason or None) if state == "skipped" else None,
        "problem": _problem(scenario, state),
        "steps": [_step_data(step, state) for step in scenario.all_steps],
        "evidence": [{"label": label, "value": as_json(value)}
                     for label, value in getattr(scenario, EVIDENCE_ATTRIBUTE, None) or ()],
        "facts": _facts(scenario),
    }


def decide(scenarios: list[dict], in_suite: int) -> Verdict:
    states = [s["status"] for s in scenarios]
    if "failed" in states:
        return Verdict.FAILS
    if "error" in states:
        return Verdict.COULD_NOT_BE_MEASURED
    if "interrupted" in states or "not_run" in states or len(scenarios) < in_suite:
        return Verdict.INCOMPLETE
    if "skipped" in states or not scenarios:
        return Verdict.NOT_MEASURED
    if any(s["nuance"] for s in scenarios):
        return Verdict.HOLDS_WITH_NUANCE
    return Verdict.HOLDS


def claim_facts(scenarios: list[dict]) -> dict[str, Any]:
    """What a claim's scenarios established, merged in their order (evidence.merge_facts)."""
    facts: dict[str, Any] = {}
    for s in scenarios:
        merge_facts(facts, s["facts"])
    return facts


def build(features: Iterable, record: RunRecord) -> dict[str, Any]:
    """The report's data (claims.json) from behave's features after the run."""
    claims: dict[str, dict[str, Any]] = {}
    sentences = spec.sentences(features)
    in_suite: dict[str, int] = {"": 0}
    selected = 0
    for feature in features:
        for scenario in feature.walk_scenarios():
            claim = claim_of(scenario)
            in_suite[""] += 1
            if claim:
                in_suite[claim] = in_suite.get(claim, 0) + 1
            if scenario_key(scenario) not in record.selected:
                continue
            selected += 1
            if claim is None:
                continue
            entry = claims.setdefault(claim, {"id": claim,
                                              "sentence": split_sentence(sentences.get(claim, "")),
                                              "scenarios": []})
            entry["scenarios"].append(scenario_data(scenario, record))
    in_suite = record.in_suite or in_suite
    ordered = []
    for claim in sorted(claims):
        entry = claims[claim]
        entry["scenarios_in_suite"] = count = in_suite.get(claim, len(entry["scenarios"]))
        entry["verdict"] = decide(entry["scenarios"], count).value
        entry["measured"] = claim_facts(entry["scenarios"])
        ordered.append(entry)
    totals = {"in_suite": in_suite[""], "selected": selected}
    for state in ("passed", "failed", "error", "skipped", "interrupted", "not_run"):
        totals[state] = sum(s["status"] == state for c in ordered for s in c["scenarios"])
    finished = record.finished or datetime.datetime.now(datetime.timezone.utc)
    report = {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "id": record.id,
            "started": record.started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "duration_seconds": round((finished - record.started).total_seconds(), 3),
            "suite": {"version": docker_claims.__version__, "commit": _commit()},
            "selection": record.selection,
            "interrupted_by": record.interrupted_by,
            "stopped_because": record.stopped_because,
            "stopped_during": record.stopped_during,
            "totals": totals,
        },
        "engine": record.fingerprint,
        "claims": ordered,
    }
    status, reason = of_run(report["run"], report["claims"])
    report["run"]["exit_status"] = {"code": int(status), "name": status.name.lower(),
                                    "reason": reason}
    return report


def _commit() -> str | None:
    """The suite's git commit, when it runs from a checkout."""
    root = Path(docker_claims.__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def write(report: dict[str, Any], directory: Path) -> list[Path]:
    """claims.json, claims.html and claims.md in `directory`; their paths, HTML first. Each file
    is written beside itself under a name of the run's own, then renamed over the old one, so
    that two runs finishing together never leave a file made of both."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "claims.html", directory / "claims.md", directory / "claims.json"]
    texts = [page.html_page(report, str(directory)), summary.markdown(report),
             json.dumps(report, indent=2, ensure_ascii=False) + "\n"]
    for path, text in zip(paths, texts):
        replace_atomically(path, text.encode("utf-8"), report["run"]["id"])
    return paths


def replace_atomically(path: Path, data: bytes, run_id: str) -> None:
    """`path` holds `data`, written under a temporary name first and renamed over it (a rename
    within one directory is atomic)."""
    staged = path.with_name(f".{path.name}.{run_id}.tmp")
    try:
        staged.write_bytes(data)
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


class ClaimsFormatter(Formatter):
    """Writes the report when behave closes its formatters, at the end of the run. Its output
    file names the report's directory: a run of the whole suite that ended and measured
    (`published`) replaces the report there; any other run (a selection, an interrupted run, one
    that measured nothing or could not start) writes in runs/<run id>/ below it, so that the
    last whole run's report stays. The runner (behave_runner) binds the run's record and
    features to it first. Where the directory cannot be written, the report goes to a temporary
    directory, and the run says where and ends inconclusive: nothing measured is lost."""

    name = "claims"
    description = "the article's claims with verdicts and evidence (HTML, Markdown, JSON)"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.record: RunRecord | None = None
        self.features: list = []
        self.report: dict[str, Any] | None = None
        self.paths: list[Path] = []

    def bind(self, record: RunRecord, features: list) -> None:
        self.record, self.features = record, features

    def feature(self, feature) -> None:
        if self.record is None:  # under behave's own runner: what it shows is what ran
            self.features.append(feature)

    @property
    def directory(self) -> Path:
        name = getattr(self.stream_opener, "name", None)
        return Path(name).parent if name and name != "-" else Path("reports")

    def close(self) -> None:
        if self.config.dry_run:
            return  # nothing measured, by design
        if self.record is None:  # behave's own runner: no selection known, nor run id
            self.record = RunRecord(id=secrets.token_hex(5), selected={
                scenario_key(s) for f in self.features for s in f.walk_scenarios()
                if s.status.name != "untested" or s.should_run(self.config)})
        self.record.finished = datetime.datetime.now(datetime.timezone.utc)
        if INTERRUPTS.received and not self.record.interrupted_by:  # during the cleanup
            self.record.interrupted_by = INTERRUPTS.first
        self.report = build(self.features, self.record)
        self.record.published = published(self.report)
        directory = self.directory
        if not self.record.published:
            directory = directory / "runs" / self.record.id
        try:
            self.paths = write(self.report, directory)
            if not self.record.published:
                prune(self.directory / "runs", keep=KEEP_RUNS)
        except OSError as error:
            self._write_elsewhere(directory, error)
        self.record.report_dir = self.paths[0].parent
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            with open(summary_file, "a", encoding="utf-8") as stream:
                stream.write(self.paths[1].read_text(encoding="utf-8"))

    def _write_elsewhere(self, directory: Path, error: OSError) -> None:
        """The report where it can be written (a temporary directory), and the run ending
        inconclusive, saying why and where the report is."""
        self.record.published = False
        elsewhere = elsewhere_for(self.record.id)
        reason = (f"the report could not be written to {directory}/ ({error.strerror or error}): "
                  f"it is in {elsewhere}/ instead; make {directory}/ writable, or name "
                  "another with `-f claims -o DIR/claims.md`")
        self.record.stopped_because = self.record.stopped_because or reason
        self.record.stopped_during = self.record.stopped_during or "writing the report"
        self.report["run"]["stopped_because"] = self.record.stopped_because
        self.report["run"]["stopped_during"] = self.record.stopped_during
        status, why = of_run(self.report["run"], self.report["claims"])
        self.report["run"]["exit_status"] = {"code": int(status), "name": status.name.lower(),
                                             "reason": why}
        self.paths = write(self.report, elsewhere)


KEEP_RUNS = 20
"""How many reports of partial runs runs/ keeps (the oldest go first)."""


def elsewhere_for(run_id: str) -> Path:
    """Where a run's report and JUnit go when their directory cannot be written: a directory
    of the run's own in the machine's temporary directory."""
    path = Path(tempfile.gettempdir()) / f"docker-claims-report-{run_id}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def published(report: dict[str, Any]) -> bool:
    """Whether a run's report replaces the last whole run's: a run of the whole suite that
    ended and measured (its exit status is OK or FAILS: not a selection, not interrupted, not
    stopped, not inconclusive)."""
    run = report["run"]
    return not run["selection"] and run["exit_status"]["code"] in (ExitStatus.OK,
                                                                   ExitStatus.FAILS)


def prune(runs: Path, keep: int) -> None:
    if not runs.is_dir():
        return
    kept = sorted((d for d in runs.iterdir() if (d / "claims.json").is_file()),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for old in kept[keep:]:
        shutil.rmtree(old, ignore_errors=True)

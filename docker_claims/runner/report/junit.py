"""JUnit XML for CI: behave's own, with each test case named by its claim, skip reasons in
<skipped message=...>, and a run that measured nothing as one error, not as skips.

The runner puts this reporter in the place of behave's (behave has no setting for it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

from behave.reporter.junit import JUnitReporter

from docker_claims.runner.report.data import (
    RunRecord,
    claim_of,
    elsewhere_for,
    replace_atomically,
    scenario_key,
    scenario_status,
)

RUN_SUITE = "TESTS-docker-claims.xml"


class ClaimsJUnitReporter(JUnitReporter):
    def __init__(self, config, record: RunRecord):
        super().__init__(config)
        self.record = record
        self.cases = 0

    @property
    def show_skipped(self) -> bool:
        return True  # a skip with its reason is shown; what the selection left out never is

    def feature(self, feature) -> None:
        if not any(scenario_key(s) in self.record.selected for s in feature.walk_scenarios()):
            return
        if self.record.stopped_because and all(s.status.name in ("untested", "skipped")
                                               for s in feature.walk_scenarios()):
            return  # nothing of it ran: end() writes the one error that says why
        try:
            super().feature(feature)
        except OSError:  # its directory cannot be written: the report's fallback takes it
            self.config.junit_directory = str(elsewhere_for(self.record.id) / "junit")
            self.record.junit_target = None
            super().feature(feature)

    def _process_scenario(self, scenario, report) -> None:
        if scenario_key(scenario) not in self.record.selected:
            return
        before = len(report.testcases)
        super()._process_scenario(scenario, report)
        if len(report.testcases) == before:
            return
        self.cases += 1
        case = report.testcases[-1]
        claim = claim_of(scenario)
        if claim:
            case.set("name", f"{claim}: {scenario.name}")
            properties = ElementTree.Element("properties")
            ElementTree.SubElement(properties, "property", name="claim", value=claim)
            case.insert(0, properties)
        state = scenario_status(scenario, self.record)
        if state in ("interrupted", "not_run"):
            for element in case.findall("error") + case.findall("skipped"):
                case.remove(element)
            if scenario.status.is_error():
                report.counts_errors -= 1
            if scenario.status.name != "skipped":
                report.counts_skipped += 1
            why = (f"interrupted by {self.record.interrupted_by}" if self.record.interrupted_by
                   else f"not run: {self.record.stopped_because or 'the run stopped'}")
            skipped = ElementTree.Element("skipped", message=why)
            case.insert(1 if claim else 0, skipped)
            return
        for skipped in case.findall("skipped"):
            skipped.set("message", scenario.skip_reason or "skipped")

    def end(self) -> None:
        if self.record.stopped_because and not self.cases:
            write_run_error(self.config.junit_directory, self.record.stopped_because)
        super().end()
        if self.record.published and self.record.junit_target:
            publish(self.config.junit_directory, self.record.junit_target, self.record.id)


def publish(written: str, target: str, run_id: str) -> None:
    """Move a published run's JUnit files, written under runs/<run id>/junit, into the
    configured directory, each renamed over the last whole run's; files of that run which no
    file of this one replaces (a feature file since removed, the error of a run that measured
    nothing) go."""
    os.makedirs(target, exist_ok=True)
    mine = sorted(name for name in os.listdir(written) if name.endswith(".xml")) \
        if os.path.isdir(written) else []
    for name in mine:
        with open(os.path.join(written, name), "rb") as source:
            replace_atomically(Path(target, name), source.read(), run_id)
    for name in os.listdir(target):
        if name.endswith(".xml") and name not in mine:
            with contextlib.suppress(FileNotFoundError):  # another run's publish took it
                os.remove(os.path.join(target, name))
    shutil.rmtree(written, ignore_errors=True)
    run_dir = os.path.dirname(os.path.normpath(written))
    for emptied in (run_dir, os.path.dirname(run_dir)):  # runs/<run id>/, then runs/
        with contextlib.suppress(OSError):  # not empty: another run's report is there
            os.rmdir(emptied)


def write_run_error(directory: str, reason: str) -> None:
    """One test suite with one test case in error: why the run measured nothing."""
    os.makedirs(directory, exist_ok=True)
    suite = ElementTree.Element("testsuite", name="docker-claims", tests="1", errors="1",
                                failures="0", skipped="0", time="0")
    case = ElementTree.SubElement(suite, "testcase", classname="docker-claims",
                                  name="the run measures the article's claims", time="0")
    error = ElementTree.SubElement(case, "error", type="NotMeasured", message=reason)
    error.text = reason
    ElementTree.ElementTree(suite).write(os.path.join(directory, RUN_SUITE), encoding="utf-8",
                                         xml_declaration=True)

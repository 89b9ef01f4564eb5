"""The suite's behave runner (`runner = docker_claims.runner.behave_runner:ClaimsRunner` in
tox.ini): behave's own, plus what a run of the claims needs around it.

- It fixes the selection before the run (a selection of nothing ends the run at once, exit 3,
  saying so), so that the report, the console and JUnit show only what was selected.
- It keeps the run's record (id, start, interruption, why nothing was measured) for the
  report, and gives the run id to the session (hooks).
- It ends the run with an ExitStatus (behave's own main returns only 0 or 1), after the
  formatters have written the reports and the console has said one line per claim.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from behave.reporter.junit import JUnitReporter
from behave.runner import Runner
from behave.runner_util import collect_feature_locations, parse_features

from docker_claims.engine.scope import Run
from docker_claims.runner.exit_status import ExitStatus
from docker_claims.runner.interrupts import INTERRUPTS
from docker_claims.runner.report import words
from docker_claims.runner.report.console import final_lines
from docker_claims.runner.report.data import (
    ClaimsFormatter,
    RunRecord,
    build,
    claim_of,
    scenario_key,
)
from docker_claims.runner.report.junit import ClaimsJUnitReporter, write_run_error


class ClaimsRunner(Runner):
    def __init__(self, config):
        super().__init__(config)
        INTERRUPTS.install()  # from the start: an early Ctrl-C is an interruption too
        self.record = RunRecord(id=Run().id, selection=selection(config))
        if self.record.selection:
            config.show_skipped = False  # what the selection left out is not news
        one_claims_report(config)
        if config.junit_directory:  # beside the claims report, published with it (junit.py)
            self.record.junit_target = config.junit_directory
            config.junit_directory = os.path.join(
                os.path.dirname(os.path.normpath(config.junit_directory)) or ".", "runs",
                self.record.id, "junit")
        config.reporters = [ClaimsJUnitReporter(config, self.record)
                            if isinstance(r, JUnitReporter) else r for r in config.reporters]
        self.noise = BehaveNoise(sys.stdout)
        sys.stdout = self.noise

    def abort(self, reason=None):
        """behave aborts with "KeyboardInterrupt" or "HOOK-ERROR in <hook>: KeyboardInterrupt"
        when a signal arrives; say which signal interrupted the run instead."""
        if INTERRUPTS.received or "KeyboardInterrupt" in str(reason or ""):
            self.record.interrupted_by = self.record.interrupted_by or INTERRUPTS.first or "SIGINT"
            reason = f"interrupted by {self.record.interrupted_by}"
        super().abort(reason=reason)

    def stop(self, reason: str, during: str | None = None) -> None:
        """The run can measure nothing (more): no engine, its start failed on the engine, the
        engine lost (`during`: what the run was doing). The hooks call it. The reason is said
        once, by the run's last lines (behave's abort would print it first)."""
        if self.record.stopped_because is None:
            self.record.stopped_because = " ".join(reason.split())
            self.record.stopped_during = during
        if self.context is not None:
            self.aborted = True

    def run_model(self, features=None):
        features = self.features if features is None else features
        self.record.selected = {scenario_key(s) for feature in features
                                for s in feature.walk_scenarios() if s.should_run(self.config)}
        self.record.in_suite = suite_counts(self.config)
        for formatter in self.formatters:
            if hasattr(formatter, "bind"):
                formatter.bind(self.record, features)
        if not self.record.selected:
            self.record.stopped_because = nothing_selected(self.record)
            if self.config.junit:
                write_run_error(self.config.junit_directory, self.record.stopped_because)
            return True
        try:
            return super().run_model(features)
        except KeyboardInterrupt:  # after the scenarios: in after_all or a cleanup
            self.record.interrupted_by = self.record.interrupted_by or INTERRUPTS.first \
                or "SIGINT"
            return True

    def run(self):
        try:
            failed = super().run()
        finally:
            sys.stdout = self.noise.stream
        if self.config.dry_run:
            return failed  # a dry run measures nothing: behave's own outcome
        claims = next((f for f in self.formatters if isinstance(f, ClaimsFormatter)), None)
        report = claims.report if claims is not None and claims.report else None
        if report is None:
            report = build(self.features, self.record)
        final_lines(report, claims.paths if claims is not None else [])
        if self.undefined_steps and self.config.show_snippets:
            from behave.runner_util import print_undefined_step_snippets
            print_undefined_step_snippets(self.undefined_steps,
                                          colored=self.config.has_colored_mode())
        status = ExitStatus(report["run"]["exit_status"]["code"])
        if self.undefined_steps and status == ExitStatus.OK:
            status = ExitStatus.INCONCLUSIVE
        raise SystemExit(int(status))


def one_claims_report(config) -> None:
    """A claims formatter named on the command line replaces the configured one. argparse
    appends the command line's `-f`/`-o` to the configuration's, so that `behave -f claims -o
    DIR/claims.md` (scripts/engine-matrix) also wrote the configured reports/claims.*: every
    `claims` but the last, and its output, are dropped."""
    named = [index for index, name in enumerate(config.format) if name == ClaimsFormatter.name]
    for index in reversed(named[:-1]):
        del config.format[index]
        if index < len(config.outputs):
            del config.outputs[index]


def selection(config) -> dict[str, Any] | None:
    """What the command line selected; None when it runs the whole suite."""
    tags = config.tags
    tags = " and ".join(tags) if isinstance(tags, (list, tuple)) else (tags or "")
    locations = [str(p) for p in config.paths if not os.path.isdir(str(p))]
    chosen = {"tags": tags or None, "names": list(config.name or []), "locations": locations}
    return chosen if any(chosen.values()) else None


def suite_counts(config) -> dict[str, int]:
    """How many scenarios each claim has in the whole suite (every feature file beside the
    ones given), so that a selection knows what it left out."""
    base = config.base_dir or os.getcwd()
    root = os.path.join(base, "features") if os.path.isdir(os.path.join(base, "features")) \
        else base
    counts: dict[str, int] = {"": 0}
    for feature in parse_features(collect_feature_locations([root]), language=config.lang):
        for scenario in feature.walk_scenarios():
            counts[""] += 1
            claim = claim_of(scenario)
            if claim:
                counts[claim] = counts.get(claim, 0) + 1
    return counts


def nothing_selected(record: RunRecord) -> str:
    claims = sorted(k for k in record.in_suite if k)
    known = f"; the claims are tagged @claim.{claims[0]} to @claim.{claims[-1]}" if claims else ""
    return (f"the selection {words.selection_text(record.selection) or '(none)'} "
            f"matches none of the suite's {record.in_suite.get('', 0)} scenarios{known}")


class BehaveNoise:
    """sys.stdout during a run, without two lines behave 1.3 prints on its own: "USING
    RUNNER: ..." (every run) and "ABORTED: By user." (also when the run stopped for want of an
    engine); the run's last lines say what happened instead."""

    DROPPED = ("USING RUNNER:", "ABORTED: By user.")

    def __init__(self, stream):
        self.stream = stream
        self.swallow_newline = False

    def write(self, text: str) -> int:
        if text.strip().startswith(self.DROPPED):
            self.swallow_newline = True
            return len(text)
        if self.swallow_newline and text == "\n":
            self.swallow_newline = False
            return len(text)
        self.swallow_newline = False
        return self.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)

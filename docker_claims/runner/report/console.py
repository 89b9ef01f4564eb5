"""The console: each scenario once as it ends, and at the end one line per claim.

In a CI log (no terminal) every scenario is one line when it ends, with its counter, state,
claim, name, place and time; a scenario that failed, erred or was interrupted adds its steps,
each once with its state, and what went wrong. In a terminal the same lines scroll by, and one
more line at the bottom, rewritten in place, shows the scenario and step under way.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from typing import Any, TextIO

from behave.formatter.base import Formatter

from docker_claims.runner.report import measured, words
from docker_claims.runner.report.data import (
    RunRecord,
    claim_of,
    relative_path,
    scenario_key,
    scenario_status,
)

STATE_WORDS = {"passed": "passed", "failed": "FAILED", "error": "ERROR", "skipped": "skipped",
               "interrupted": "interrupted", "not_run": "not run"}
COLORS = {"passed": "32", "failed": "31", "error": "33", "skipped": "2", "interrupted": "35",
          "not_run": "2", "holds": "32", "holds_with_nuance": "32", "fails": "31",
          "could_not_be_measured": "33", "not_measured": "2", "incomplete": "35"}


def colored(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and \
        os.environ.get("TERM") != "dumb"


def paint(text: str, state: str, color: bool) -> str:
    return f"\x1b[{COLORS[state]}m{text}\x1b[0m" if color and state in COLORS else text


class ConsoleFormatter(Formatter):
    """`claims.console`: the run's progress, each line once (see the module's docstring)."""

    name = "claims.console"
    description = "each scenario once as it ends; in a terminal, the step under way in place"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.stream = self.open()
        self.live = self.stream.isatty()
        self.color = colored(self.stream)
        self.record: RunRecord | None = None
        self.total = 0
        self.done = 0
        self.current = None
        self.current_step = None
        self.live_shown = False

    def bind(self, record: RunRecord, features: list) -> None:
        self.record = record
        self.total = len(record.selected)

    # -- behave's formatter protocol ------------------------------------------------------
    def feature(self, feature) -> None:
        self._end_scenario()
        if self.record is None or any(scenario_key(s) in self.record.selected
                                      for s in feature.walk_scenarios()):
            self._line(f"{relative_path(feature.filename)}: {feature.name}")

    def scenario(self, scenario) -> None:
        self._end_scenario()
        if self.record is not None and scenario_key(scenario) not in self.record.selected:
            return
        self.current = scenario
        self.current_step = None
        self._show_live()

    def match(self, match) -> None:
        pass

    def step(self, step) -> None:
        pass

    def result(self, step) -> None:
        self._show_live(after=step)

    def eof(self) -> None:
        self._end_scenario()

    def close(self) -> None:
        self._end_scenario()
        self._clear_live()
        self.stream.flush()

    # -- output ---------------------------------------------------------------------------
    def _counter(self) -> str:
        width = len(str(self.total)) if self.total else 1
        return f"[{self.done:>{width}}/{self.total}]" if self.total else f"[{self.done}]"

    def _show_live(self, after=None) -> None:
        """In a terminal: the scenario under way and its next step, rewritten in place."""
        if not self.live or self.current is None:
            return
        steps = list(self.current.all_steps)
        upcoming = next((s for s in steps if s.status.name == "untested"), None)
        doing = f" | {upcoming.keyword} {upcoming.name}" if upcoming is not None else ""
        claim = claim_of(self.current) or "    "
        text = f"[{self.done + 1}/{self.total or '?'}] {claim} {self.current.name}{doing}"
        width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
        if len(text) > width:
            text = text[:width - 1] + "…"
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self.live_shown = True

    def _clear_live(self) -> None:
        if self.live_shown:
            self.stream.write("\r\x1b[K")
            self.live_shown = False

    def _line(self, text: str) -> None:
        self._clear_live()
        self.stream.write(text + "\n")
        self.stream.flush()

    def _end_scenario(self) -> None:
        scenario, self.current = self.current, None
        if scenario is None:
            return
        self.done += 1
        record = self.record or RunRecord(id="")
        state = scenario_status(scenario, record)
        feature, line = scenario_key(scenario)
        claim = claim_of(scenario) or "   "
        word = paint(f"{STATE_WORDS[state]:<8}", state, self.color)
        why = f": {first_sentence(scenario.skip_reason)}" if state == "skipped" else ""
        self._line(f"  {self._counter()} {word} {claim} {scenario.name} "
                   f"({feature}:{line}, {scenario.duration:.2f} s){why}")
        if state in ("failed", "error", "interrupted"):
            for step in scenario.all_steps:
                step_state = step.status.name
                self._line(f"      {step_state:<8} {step.keyword} {step.name} "
                           f"(line {step.line}, {step.duration:.2f} s)")
                if step.error_message and step_state != "passed":
                    for text in step.error_message.rstrip().splitlines():
                        self._line(f"        {text}")


def first_sentence(text: str | None) -> str:
    """The first sentence of a reason (the report has all of it)."""
    return SENTENCE_END.split((text or "skipped").strip(), maxsplit=1)[0]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")


def final_lines(report: dict[str, Any], paths: list, stream: TextIO = sys.stdout) -> None:
    """The totals, then per claim a line of its verdict (and why when it is not a plain
    "holds") and one of what the run measured of it, where the reports are, and the exit
    status with its reason when it is not 0."""
    color = colored(stream)
    run = report["run"]
    write = stream.write
    write("\n")
    ended = run["totals"]["selected"] - run["totals"]["not_run"] - run["totals"]["interrupted"]
    if report["claims"] and ended:
        write(f"{words.totals_line(run)} in {run['duration_seconds']:.1f} s.\n"
              f"Claims of run {run['id']}:\n")
        for claim in report["claims"]:
            line = words.verdict_line(claim, run)
            ident, _, rest = line.partition("  ")
            verdict = words.word(claim["verdict"])
            rest = rest.replace(verdict, paint(verdict, claim["verdict"], color), 1)
            write(f"  {ident}  {rest}\n")
            what = measured.line(claim)
            if what:
                write(f"       measured: {what}\n")
    if not run["stopped_because"]:  # else the exit status's reason says it
        for _kind, text in words.notices(run):
            write(f"{text}\n")
    if paths:
        write("Reports: " + "  ".join(str(p) for p in paths) + "\n")
    stream.flush()
    status = run["exit_status"]
    if status["code"]:
        print(f"docker-claims: exit {status['code']} ({status['name'].replace('_', ' ')}): "
              f"{status['reason']}", file=sys.stderr, flush=True)

"""The Markdown report: a GitHub job summary or PR comment, short (the verdict table, then
the evidence folded in <details>), under GitHub's size limit."""

from __future__ import annotations

import html
from typing import Any

from docker_claims.runner.report.words import (
    EVIDENCE_CHARS,
    STATUS_MARKS,
    SUMMARY_LIMIT,
    TITLE,
    VERDICT_MARKS,
    as_text,
    engine_line,
    engine_notes,
    notices,
    reason,
    totals_line,
    word,
)


def markdown(report: dict[str, Any], limit: int = SUMMARY_LIMIT) -> str:
    """The job summary: the verdicts in a table, then each claim's scenarios and evidence
    folded in <details>; without the evidence when that would pass `limit`."""
    text = _markdown(report, evidence=True)
    if len(text.encode("utf-8")) > limit:
        text = _markdown(report, evidence=False)
    return text


def _markdown(report: dict[str, Any], evidence: bool) -> str:
    run = report["run"]
    suite = run["suite"]
    lines = [f"# {TITLE}", "",
             f"Run `{run['id']}`, started {run['started']}, {run['duration_seconds']:.1f} s; "
             f"{totals_line(run)}; docker-claims {suite['version']}"
             + (f" ({suite['commit']})" if suite.get("commit") else "") + ".", "",
             f"Engine: {engine_line(report['engine'])}.", ""]
    notes = engine_notes(report["engine"])
    if notes:
        lines += [*(f"- {note}" for note in notes), ""]
    for kind, text in notices(run):
        lines += [f"> **{kind}**: {text}", ""]
    if report["claims"]:
        lines += ["| claim | verdict | the article says | why |", "|---|---|---|---|"]
        for claim in report["claims"]:
            sentence = claim["sentence"]
            said = sentence["original"] + (f" ({sentence['meaning']})" if sentence["meaning"]
                                           else "")
            why = reason(claim, run) or ""
            lines.append(f"| {claim['id']} | {VERDICT_MARKS[claim['verdict']]} "
                         f"{word(claim['verdict'])} | {_cell(said)} | {_cell(why)} |")
        lines.append("")
    for claim in report["claims"]:
        lines += ["<details>", f"<summary>{claim['id']} {html.escape(word(claim['verdict']))}: "
                  f"{len(claim['scenarios'])} scenarios</summary>", ""]
        for s in claim["scenarios"]:
            lines.append(f"- {STATUS_MARKS[s['status']]} **{_cell(s['name'])}** "
                         f"({s['status'].replace('_', ' ')}, {s['duration_seconds']:.2f} s, "
                         f"`{s['feature']}:{s['line']}`)")
            if s["skip_reason"]:
                lines.append(f"  - skipped: {_cell(s['skip_reason'])}")
            if s["problem"]:
                problem = s["problem"]
                lines.append(f"  - at `{problem['step']}`: {_cell(problem['message'])}")
                if problem["observed"] and evidence:
                    lines += _fenced("the engine showed", problem["observed"])
            if evidence:
                for item in s["evidence"]:
                    lines += _fenced(item["label"], item["value"])
        lines += ["", "</details>", ""]
    if not evidence:
        lines.append("The evidence is left out here to keep this summary short: it is in "
                     "claims.html and claims.json.")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def _fenced(label: str, value: Any) -> list[str]:
    text = as_text(value).strip("\n")
    if len(text) > EVIDENCE_CHARS:
        text = text[:EVIDENCE_CHARS] + "\n... (cut here; claims.html shows all of it)"
    return [f"  - {_cell(label)}:", "", "    ```", *("    " + x for x in text.splitlines()),
            "    ```"]



"""The Markdown report: a GitHub job summary or PR comment, short (the verdict table with what
each claim measured, then per claim, folded in <details>, the article's session beside the
replay, the scenarios as Gherkin shows them and their evidence), under GitHub's size limit."""

from __future__ import annotations

import html
from typing import Any

from docker_claims.runner.report import measured, replays
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
    nuances,
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
        lines += ["| claim | verdict | the article says | what this run measured |",
                  "|---|---|---|---|"]
        for claim in report["claims"]:
            sentence = claim["sentence"]
            said = sentence["original"] + (f" ({sentence['meaning']})" if sentence["meaning"]
                                           else "")
            lines.append(f"| {claim['id']} | {VERDICT_MARKS[claim['verdict']]} "
                         f"{word(claim['verdict'])} | {_cell(said)} | "
                         f"{_why_and_measured(claim, run)} |")
        lines.append("")
    for claim in report["claims"]:
        lines += ["<details>", f"<summary>{claim['id']} {html.escape(word(claim['verdict']))}: "
                  f"{len(claim['scenarios'])} scenarios</summary>", ""]
        exchanges = replays.side_by_side(claim)
        if exchanges:
            lines += _session(exchanges)
        for s in claim["scenarios"]:
            lines.append(f"- {STATUS_MARKS[s['status']]} **{_cell(s['name'])}** "
                         f"({s['status'].replace('_', ' ')}, {s['duration_seconds']:.2f} s, "
                         f"`{s['feature']}:{s['line']}`)")
            lines += _gherkin(s["steps"])
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


def _why_and_measured(claim: dict[str, Any], run: dict[str, Any]) -> str:
    said = nuances(claim) if claim["verdict"] == "holds_with_nuance" else [
        reason(claim, run) or ""]
    what = measured.line(claim)
    if what:
        said.append(f"**measured:** {what}")
    return "<br>".join(_cell(text) for text in said if text)


def _gherkin(steps: list[dict[str, Any]]) -> list[str]:
    """A scenario's steps as the feature file has them, docstrings and tables included."""
    out = ["", "    ```gherkin"]
    for st in steps:
        out.append(f"    {st['keyword']} {st['text']}")
        if st.get("docstring") is not None:
            out += ['      """', *(f"      {line}" for line in st["docstring"].splitlines()),
                    '      """']
        if st.get("table"):
            rows = [st["table"]["headings"], *st["table"]["rows"]]
            widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
            out += ["      | " + " | ".join(cell.ljust(width) for cell, width in
                                           zip(row, widths)) + " |" for row in rows]
    return [*out, "    ```", ""]


NOTHING = "(printed nothing)"
FIELD_MARKS = {True: "✅ as the article's", False: "❌ not as the article's",
               None: "≠ differs, as expected"}


def _session(exchanges: list[replays.Exchange]) -> list[str]:
    """The article's session beside the replay, command by command, with the checks' marks."""
    out = ["**The article's session beside this engine's.** "
           + _cell(replays.verdict(exchanges)), ""]
    for e in exchanges:
        replayed = e.replayed or ""
        out.append(f"{e.index + 1}. `$ {e.command}`"
                   + (f", replayed as `{replayed}`" if replayed.startswith("docker ")
                      else f", replayed {_cell(replayed)}" if replayed
                      else ", not replayed in this run"))
        out += ["", "   the article printed:", "", "   ```",
                *(f"   {line}" for line in e.article or [NOTHING]), "   ```", ""]
        if e.printed is not None:
            out += ["   this engine printed:", "", "   ```",
                    *(f"   {line}" for line in e.printed or [NOTHING]), "   ```", ""]
        if e.fields:
            out += ["   | field | article | engine | compared |", "   |---|---|---|---|"]
            out += [f"   | {_cell(name)} | {_code(f['article'])} | {_code(f['engine'])} | "
                    f"{FIELD_MARKS[f['matches']]} |" for name, f in e.fields.items()]
            out.append("")
    return out


def _code(value: str | None) -> str:
    if value is None:
        return "–"
    return f"`{_cell(value)}`" if value else "(empty)"


def _fenced(label: str, value: Any) -> list[str]:
    text = as_text(value).strip("\n")
    if len(text) > EVIDENCE_CHARS:
        text = text[:EVIDENCE_CHARS] + "\n... (cut here; claims.html shows all of it)"
    return [f"  - {_cell(label)}:", "", "    ```", *("    " + x for x in text.splitlines()),
            "    ```"]



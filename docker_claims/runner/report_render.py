"""How the claims report reads: its words, and its HTML and Markdown pages.

The data (report.build, claims.json) holds states and values; every word a reader sees is made
here: the verdicts' wording, the one-line reasons, evidence shown with bytes as text or hex,
modes in octal and sizes exact.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
from typing import Any

VERDICT_WORDS = {
    "holds": "holds",
    "holds_with_nuance": "holds with nuance",
    "fails": "fails on this engine",
    "not_measured": "not measured",
    "could_not_be_measured": "could not be measured",
    "incomplete": "incomplete",
}
STATUS_MARKS = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️",
                "interrupted": "⏹️", "not_run": "⏹️"}
VERDICT_MARKS = {"holds": "✅", "holds_with_nuance": "✅", "fails": "❌", "not_measured": "⏭️",
                 "could_not_be_measured": "⚠️", "incomplete": "⏹️"}
HTML_MARKS = {"holds": "✓", "holds_with_nuance": "✓", "fails": "✗", "not_measured": "–",
              "could_not_be_measured": "!", "incomplete": "…", "passed": "✓", "failed": "✗",
              "error": "!", "skipped": "–", "interrupted": "■", "not_run": "…"}
"""Marks drawn by any text font (the emoji of STATUS_MARKS need an emoji font)."""
TITLE = "Docker 镜像和容器的区别: the article's claims, measured"
SUMMARY_LIMIT = 512 * 1024
"""The job summary's size cap, well under GitHub's 1 MiB for a step's summary."""
EVIDENCE_CHARS = 2000
"""How much of one piece of evidence the job summary shows (claims.html shows all)."""

FINGERPRINT_NOTES = {
    "rootless": lambda v: ("a rootless engine: containers and the helper that reads the engine "
                           "host run in the engine's own user namespace") if v else None,
    "native_diff": lambda v: None if v in (None, True) else (
        "the storage driver diffs layers by metadata (mode, owner, size, mtime), not content: "
        "a file rewritten with the same size and time makes no layer"),
    "image_store": lambda v: ("the containerd image store shows no storage-driver directories: "
                              "the scenarios that read them are skipped (C04)")
    if v and v != "graphdriver" else None,
    "cgroup_version": lambda v: ("cgroup v1: containers share the host's cgroup namespace unless "
                                 "the engine or the container asks otherwise (C08)")
    if str(v) == "1" else None,
}
"""What a fingerprint value changes in what the claims show, where it changes something."""


def word(verdict: str) -> str:
    return VERDICT_WORDS[verdict]


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def reason(claim: dict[str, Any], run: dict[str, Any]) -> str | None:
    """Why a claim has its verdict, in one line (None for a plain "holds")."""
    verdict, scenarios = claim["verdict"], claim["scenarios"]
    if verdict == "holds":
        return None
    if verdict == "holds_with_nuance":
        nuances = [s["name"] for s in scenarios if s["nuance"]]
        return "; ".join(nuances)
    if verdict in ("fails", "could_not_be_measured"):
        state = "failed" if verdict == "fails" else "error"
        bad = next(s for s in scenarios if s["status"] == state)
        return f"{bad['name']}: {_first_line(bad['problem']['message'])}"
    if verdict == "incomplete":
        ended = sum(s["status"] in ("passed", "failed", "error", "skipped") for s in scenarios)
        if any(s["status"] in ("interrupted", "not_run") for s in scenarios):
            why = (f"interrupted by {run['interrupted_by']}" if run.get("interrupted_by")
                   else "the run stopped (see its top)")
            return f"{why}: {ended} of {len(scenarios)} scenarios ended"
        return (f"{len(scenarios)} of its {claim['scenarios_in_suite']} scenarios selected: "
                + "; ".join(f"{s['feature']}:{s['line']}" for s in scenarios))
    skipped = [s for s in scenarios if s["status"] == "skipped"]
    reasons = list(dict.fromkeys(_first_line(s["skip_reason"]) or "skipped" for s in skipped))
    return f"{len(skipped)} of {len(scenarios)} scenarios skipped: " + "; ".join(reasons)


def verdict_line(claim: dict[str, Any], run: dict[str, Any]) -> str:
    why = reason(claim, run)
    return f"{claim['id']}  {word(claim['verdict'])}" + (f": {why}" if why else "")


def totals_line(run: dict[str, Any]) -> str:
    """The scenarios' outcomes, shaped as behave's summary line ("61 scenarios passed, 0
    failed, 3 skipped"), with what was selected of the suite."""
    totals = run["totals"]
    passed = totals["passed"]
    parts = [f"{passed} scenario{'' if passed == 1 else 's'} passed", f"{totals['failed']} failed"]
    parts += [f"{totals[k]} {k.replace('_', ' ')}" for k in
              ("error", "skipped", "interrupted", "not_run") if totals[k]]
    scope = (f" ({totals['selected']} of the suite's {totals['in_suite']} selected)"
             if totals["selected"] != totals["in_suite"] else "")
    return ", ".join(parts) + scope


def selection_text(selection: dict[str, Any] | None) -> str | None:
    if not selection:
        return None
    parts = []
    if selection.get("tags"):
        parts.append(f"--tags={selection['tags']}")
    parts += [f"--name={name}" for name in selection.get("names") or ()]
    parts += list(selection.get("locations") or ())
    return " ".join(parts)


def engine_line(engine: dict[str, Any] | None) -> str:
    if not engine:
        return "none: the run did not reach an engine"
    return (f"Docker Engine {engine['engine_version']} (API {engine['api_version']}), "
            f"{engine['os']}/{engine['arch']}, storage {engine['storage_driver']}, image store "
            f"{engine['image_store']}, cgroup v{engine['cgroup_version']}"
            f"{', rootless' if engine.get('rootless') else ''}"
            f"{', no native overlay diff' if engine.get('native_diff') is False else ''}"
            f", at {engine['endpoint']}")


def engine_notes(engine: dict[str, Any] | None) -> list[str]:
    """What this engine's settings change in what the claims show."""
    notes = []
    for key, value in (engine or {}).items():
        note = FINGERPRINT_NOTES.get(key, lambda v: None)(value)
        if note:
            notes.append(note)
    return notes


def notices(run: dict[str, Any]) -> list[tuple[str, str]]:
    """What the top of a report says before any verdict: (kind, text)."""
    said = []
    if run["interrupted_by"]:
        said.append(("interrupted", f"Interrupted by {run['interrupted_by']}: the verdicts are "
                     "those of the scenarios that ended; the others are marked incomplete."))
    if run["stopped_because"]:
        said.append(("stopped", f"Nothing (more) was measured: {run['stopped_because']}"))
    selection = selection_text(run["selection"])
    if selection:
        said.append(("selection", f"A selection: {selection} ran {run['totals']['selected']} of "
                     f"{run['totals']['in_suite']} scenarios; the claims it left out are not "
                     "shown, and a claim with scenarios left out is incomplete."))
    return said


# -- values -------------------------------------------------------------------------------

def _is_bytes(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"bytes"} and isinstance(value["bytes"],
                                                                               dict)


def _scalar(key: str | None, value: Any) -> str:
    """A scalar as a reviewer reads it: modes in octal, sizes exact with their unit."""
    name = (key or "").lower()
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int) and (name == "mode" or name.endswith("_mode")):
        return f"0o{value:o}"
    if isinstance(value, int) and "size" in name:
        return f"{value} bytes"
    return str(value)


def _bytes_text(value: dict) -> tuple[str, str]:
    """(caption, body) of an observed byte string."""
    body = value["bytes"]
    size = body["size"]
    if "text" in body:
        shown = len(body["text"].encode("utf-8"))
        more = f", first {shown} shown" if shown < size else ""
        return f"{size} bytes, as text{more}", body["text"]
    raw = bytes.fromhex(body["hex"])
    lines = [f"{i:08x}  {raw[i:i + 16].hex(' '):<47}" for i in range(0, len(raw), 16)]
    more = f", first {len(raw)} shown" if len(raw) < size else ""
    return f"{size} bytes, in hex{more}", "\n".join(lines)


def as_text(value: Any, key: str | None = None, indent: str = "") -> str:
    """An evidence value as indented text (the job summary)."""
    if _is_bytes(value):
        caption, body = _bytes_text(value)
        lines = body.splitlines() or [""]
        return f"({caption})\n" + "\n".join(f"{indent}  | {line}" for line in lines)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "\n" + "\n".join(f"{indent}{k}: {as_text(v, k, indent + '  ')}"
                                for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(not isinstance(v, (dict, list)) for v in value):
            return ", ".join(_scalar(key, v) for v in value)
        return "\n" + "\n".join(f"{indent}- {as_text(v, key, indent + '  ').lstrip()}"
                                for v in value)
    return _scalar(key, value)


def as_html(value: Any, key: str | None = None) -> str:
    """An evidence value as HTML: tables for objects and rows, bytes as text or a hex dump."""
    esc = html.escape
    if _is_bytes(value):
        caption, body = _bytes_text(value)
        return f"<figure class='bytes'><figcaption>{esc(caption)}</figcaption>" \
               f"<pre>{esc(body)}</pre></figure>"
    if isinstance(value, dict):
        if not value:
            return "<span class='empty'>(empty)</span>"
        rows = "".join(f"<tr><th scope='row'>{esc(str(k))}</th><td>{as_html(v, k)}</td></tr>"
                       for k, v in value.items())
        return f"<div class='scroll'><table class='kv'>{rows}</table></div>"
    if isinstance(value, list):
        if not value:
            return "<span class='empty'>(none)</span>"
        if all(not isinstance(v, (dict, list)) for v in value):
            return "<ul class='flat'>" + "".join(f"<li>{esc(_scalar(key, v))}</li>"
                                                 for v in value) + "</ul>"
        if all(isinstance(v, dict) and not _is_bytes(v) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in columns)
            body = "".join("<tr>" + "".join(f"<td>{as_html(v.get(c), c) if c in v else ''}</td>"
                                            for c in columns) + "</tr>" for v in value)
            return f"<div class='scroll'><table class='rows'><tr>{head}</tr>{body}</table></div>"
        return "<ol class='items'>" + "".join(f"<li>{as_html(v, key)}</li>" for v in value) \
            + "</ol>"
    text = _scalar(key, value)
    return f"<code>{esc(text)}</code>" if "\n" not in text else f"<pre>{esc(text)}</pre>"


# -- links --------------------------------------------------------------------------------

def source_link(feature: str, line: int, report_dir: str | None) -> str:
    """Where a scenario is: its line on GitHub when the run is a GitHub Actions job, else the
    feature file relative to the report."""
    server, repository = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    sha = os.environ.get("GITHUB_SHA")
    if server and repository and sha and not os.path.isabs(feature):
        return f"{server}/{repository}/blob/{sha}/{feature}#L{line}"
    if report_dir is None or os.path.isabs(feature):
        return posixpath.join(*feature.split(os.sep)) + f"#L{line}"
    relative = os.path.relpath(os.path.abspath(feature), os.path.abspath(report_dir))
    return relative.replace(os.sep, "/") + f"#L{line}"


def claim_anchor(claim_id: str) -> str:
    return claim_id.lower()


def scenario_anchor(claim_id: str, index: int) -> str:
    return f"{claim_id.lower()}-{index + 1}"


# -- markdown -----------------------------------------------------------------------------

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


# -- html ---------------------------------------------------------------------------------

STYLE = """
:root{color-scheme:light;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#59636e;
--line:#d1d9e0;--bg2:#f6f8fa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;line-height:1.5;color:#1f2328;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",
"Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",
sans-serif;overflow-wrap:break-word}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono CJK SC",
monospace;font-size:.9em}
pre{white-space:pre-wrap;background:var(--bg2);padding:.5rem;margin:.25rem 0;border-radius:4px}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-top:1px solid var(--line);
padding-top:1rem}h3{font-size:1rem;margin:.5rem 0}
table{border-collapse:collapse;margin:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid var(--line)}
.scroll{overflow-x:auto;max-width:100%}
.notice{border-left:4px solid var(--warn);background:#fff8c5;padding:.5rem .75rem;margin:.5rem 0}
.notice.interrupted{border-color:var(--bad);background:#ffebe9;font-weight:600}
.verdict{font-weight:600;white-space:nowrap}
.v-holds,.v-holds_with_nuance,.s-passed{color:var(--ok)}
.v-fails,.s-failed{color:var(--bad)}
.v-could_not_be_measured,.s-error{color:var(--warn)}
.v-not_measured,.v-incomplete,.s-skipped,.s-interrupted,.s-not_run{color:var(--muted)}
.sentence .meaning{color:var(--muted)}
.scenario{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.75rem 0}
.steps td.status{white-space:nowrap}.steps td.time{text-align:right;white-space:nowrap}
.problem{border-left:4px solid var(--bad);padding-left:.5rem}
details{margin:.25rem 0}summary{cursor:pointer}
ul.flat{margin:0;padding-left:1.2rem}
.top{font-size:.9em}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}
dl.run dt{font-weight:600}dl.run dd{margin:0}
table.verdicts td:first-child{white-space:nowrap;font-weight:600}
@media (max-width:40rem){body{padding:.5rem}dl.run{grid-template-columns:1fr}
dl.run dd{margin-bottom:.4rem}th,td{padding:.2rem .3rem}
table.verdicts,table.verdicts tbody,table.verdicts tr,table.verdicts td{display:block}
table.verdicts tr:first-child{display:none}
table.verdicts tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.verdicts td{border:0;padding:.1rem 0}
table.verdicts td:first-child,table.verdicts td.verdict{display:inline-block;margin-right:.5rem}}
"""


def html_page(report: dict[str, Any], report_dir: str | None = None) -> str:
    """The report for reviewers; `report_dir`, where it is written, makes its links to the
    feature files relative."""
    esc = html.escape
    run = report["run"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>docker-claims run {esc(run['id'])}</title><style>{STYLE}</style></head>"
             f"<body><header id='top'><h1>{esc(TITLE)}</h1>"]
    for kind, text in notices(run):
        parts.append(f"<p class='notice {kind}' data-notice='{kind}'>{esc(text)}</p>")
    parts.append(_run_details(report))
    parts.append("</header><main>")
    if report["claims"]:
        parts.append("<section id='summary'><h2>Verdicts</h2><div class='scroll'>"
                     "<table class='verdicts'><tr><th scope='col'>claim</th>"
                     "<th scope='col'>verdict</th><th scope='col'>the article says</th>"
                     "<th scope='col'>why</th></tr>")
        for claim in report["claims"]:
            parts.append(
                f"<tr data-claim='{esc(claim['id'])}'><td><a href='#{claim_anchor(claim['id'])}'>"
                f"{esc(claim['id'])}</a></td>{_verdict_cell(claim)}"
                f"<td>{_sentence(claim['sentence'])}</td>"
                f"<td>{esc(reason(claim, run) or '')}</td></tr>")
        parts.append("</table></div></section>")
    for claim in report["claims"]:
        parts.append(_claim_section(claim, run, report_dir))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _verdict_cell(claim: dict[str, Any]) -> str:
    verdict = claim["verdict"]
    return (f"<td class='verdict v-{verdict}' data-verdict='{verdict}'>"
            f"{HTML_MARKS[verdict]} {html.escape(word(verdict))}</td>")


def _sentence(sentence: dict[str, str]) -> str:
    esc = html.escape
    meaning = (f" <span class='meaning' lang='en'>({esc(sentence['meaning'])})</span>"
               if sentence["meaning"] else "")
    return f"<span class='sentence'><span lang='zh-Hans'>{esc(sentence['original'])}</span>" \
           f"{meaning}</span>"


def _run_details(report: dict[str, Any]) -> str:
    esc = html.escape
    run, engine = report["run"], report["engine"]
    suite = run["suite"]
    exit_status = run["exit_status"]
    rows = [("run", f"<code>{esc(run['id'])}</code>"),
            ("started", esc(run["started"])),
            ("duration", f"{run['duration_seconds']:.1f} s"),
            ("scenarios", esc(totals_line(run))),
            ("exit status", f"{exit_status['code']} ({esc(exit_status['name'])})"
             + (f": {esc(exit_status['reason'])}" if exit_status.get("reason") else "")),
            ("suite", f"docker-claims {esc(suite['version'])}"
             + (f" (commit <code>{esc(suite['commit'])}</code>)" if suite.get("commit") else "")),
            ("engine", esc(engine_line(engine)))]
    notes = engine_notes(engine)
    if notes:
        rows.append(("what it changes", "<ul class='flat'>" + "".join(
            f"<li>{esc(note)}</li>" for note in notes) + "</ul>"))
    details = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    fingerprint = ""
    if engine:
        lines = []
        for key, value in engine.items():
            note = FINGERPRINT_NOTES.get(key, lambda v: None)(value)
            lines.append(f"<tr><th scope='row'>{esc(key)}</th><td>{as_html(value, key)}</td>"
                         f"<td>{esc(note or '')}</td></tr>")
        fingerprint = ("<details class='fingerprint'><summary>The engine's fingerprint, and what "
                       "it changes</summary><div class='scroll'><table>"
                       + "".join(lines) + "</table></div></details>")
    return f"<dl class='run'>{details}</dl>{fingerprint}"


def _claim_section(claim: dict[str, Any], run: dict[str, Any], report_dir: str | None) -> str:
    esc = html.escape
    why = reason(claim, run)
    out = [f"<section class='claim' id='{claim_anchor(claim['id'])}' "
           f"data-claim='{esc(claim['id'])}'><h2>{esc(claim['id'])}: "
           f"<span class='verdict v-{claim['verdict']}' data-verdict='{claim['verdict']}'>"
           f"{HTML_MARKS[claim['verdict']]} {esc(word(claim['verdict']))}</span></h2>"
           f"<p>{_sentence(claim['sentence'])}</p>"]
    if why:
        out.append(f"<p class='why'>{esc(why)}</p>")
    for index, s in enumerate(claim["scenarios"]):
        out.append(_scenario(claim["id"], index, s, report_dir))
    out.append("<p class='top'><a href='#top'>back to the top</a></p></section>")
    return "".join(out)


def _scenario(claim_id: str, index: int, s: dict[str, Any], report_dir: str | None) -> str:
    esc = html.escape
    link = source_link(s["feature"], s["line"], report_dir)
    nuance = " <em>(a nuance the article leaves out)</em>" if s["nuance"] else ""
    out = [f"<article class='scenario' id='{scenario_anchor(claim_id, index)}'>"
           f"<h3><span class='s-{s['status']}' data-status='{s['status']}'>"
           f"{HTML_MARKS[s['status']]} {esc(s['status'].replace('_', ' '))}</span> "
           f"{esc(s['name'])}{nuance}</h3>"
           f"<p><a class='source' href='{esc(link)}'>{esc(s['feature'])}:{s['line']}</a>, "
           f"{s['duration_seconds']:.2f} s</p>"]
    if s["skip_reason"]:
        out.append(f"<p class='skip'>skipped: {esc(s['skip_reason'])}</p>")
    steps = "".join(
        f"<tr><td class='status s-{st['status']}'>{HTML_MARKS[st['status']]} "
        f"{esc(st['status'].replace('_', ' '))}</td><td><b>{esc(st['keyword'])}</b> "
        f"{esc(st['text'])}</td><td class='time'>{st['duration_seconds']:.2f} s</td></tr>"
        for st in s["steps"])
    out.append(f"<div class='scroll'><table class='steps'>{steps}</table></div>")
    problem = s["problem"]
    if problem:
        kind = {"failed": "The check that failed", "error": "The suite's own error",
                "interrupted": "Interrupted"}[s["status"]]
        out.append(f"<div class='problem'><p><b>{kind}</b>"
                   + (f" at <code>{esc(problem['step'])}</code>" if problem["step"] else "")
                   + f":</p><pre>{esc(problem['message'])}</pre>")
        if problem["observed"]:
            out.append(f"<p>What the engine showed:</p>{as_html(problem['observed'])}")
        if problem["traceback"]:
            out.append(f"<details><summary>traceback</summary><pre>"
                       f"{esc(problem['traceback'])}</pre></details>")
        out.append("</div>")
    for item in s["evidence"]:
        out.append(f"<details class='evidence'><summary>{esc(item['label'])}</summary>"
                   f"{as_html(item['value'])}</details>")
    out.append("</article>")
    return "".join(out)

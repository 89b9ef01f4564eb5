"""The HTML report, for people in a browser: run details, the verdicts linked to each claim and
back, each scenario's steps and its labelled evidence; a CJK-capable font stack and a
viewport, so that it reads on a phone."""

from __future__ import annotations

import html
from typing import Any

from docker_claims.runner.report.words import (
    FINGERPRINT_NOTES,
    HTML_MARKS,
    TITLE,
    as_html,
    claim_anchor,
    engine_line,
    engine_notes,
    notices,
    reason,
    scenario_anchor,
    source_link,
    totals_line,
    word,
)

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

"""The HTML report, for reviewers in a browser: run details, the verdicts with what was measured,
linked to each claim and back (#C02 or #c02), each claim's replay of the article's session beside
the article's, each scenario's steps as Gherkin shows them (docstrings, tables) and its labelled
evidence. One static file, no external resource: controls to expand or collapse everything and
to show only the failed, nuanced or unmeasured claims; a CJK-capable font stack and a layout
that reads on a phone (tables and long lines scroll in their own box, never the page)."""

from __future__ import annotations

import html
from typing import Any

from docker_claims.runner.report import measured, replays
from docker_claims.runner.report.words import (
    FINGERPRINT_NOTES,
    HTML_MARKS,
    TITLE,
    as_html,
    claim_anchor,
    engine_line,
    engine_notes,
    inline_html,
    notices,
    nuances,
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
[hidden]{display:none!important}
body{margin:0 auto;max-width:72rem;padding:1rem;line-height:1.5;color:#1f2328;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",
"Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",
sans-serif;overflow-wrap:break-word}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono CJK SC",
monospace;font-size:.9em}
code{background:var(--bg2);padding:0 .2em;border-radius:3px}
pre{white-space:pre-wrap;background:var(--bg2);padding:.5rem;margin:.25rem 0;border-radius:4px}
pre code{background:none;padding:0}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-top:1px solid var(--line);
padding-top:1rem}h3{font-size:1rem;margin:.5rem 0}
table{border-collapse:collapse;margin:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid var(--line)}
.scroll{overflow-x:auto;max-width:100%}
.notice{border-left:4px solid var(--warn);background:#fff8c5;padding:.5rem .75rem;margin:.5rem 0}
.notice.interrupted{border-color:var(--bad);background:#ffebe9;font-weight:600}
.verdict{font-weight:600;white-space:nowrap}
.v-holds,.v-holds_with_nuance,.s-passed,.f-match{color:var(--ok)}
.v-fails,.s-failed,.f-mismatch{color:var(--bad)}
.v-could_not_be_measured,.s-error{color:var(--warn)}
.v-not_measured,.v-incomplete,.s-skipped,.s-interrupted,.s-not_run,.f-differs{color:var(--muted)}
.sentence .meaning{color:var(--muted)}
.measured{margin:.25rem 0}.measured b{font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.75rem 0}
.controls button{font:inherit;padding:.2rem .6rem;border:1px solid var(--line);
border-radius:6px;background:#fff;cursor:pointer}
.controls button[aria-pressed=true]{background:#ddf4ff;border-color:#54aeff}
details.scenario{border:1px solid var(--line);border-radius:6px;padding:.4rem .75rem;
margin:.5rem 0}
details.scenario>summary{font-weight:600}
.steps td.status{white-space:nowrap}.steps td.time{text-align:right;white-space:nowrap}
.steps pre.docstring{margin:.25rem 0 .25rem 1rem}
.steps table.gherkin{margin-left:1rem}.steps table.gherkin td,.steps table.gherkin th{
border:1px solid var(--line);padding:.1rem .4rem}
.problem{border-left:4px solid var(--bad);padding-left:.5rem}
details{margin:.25rem 0}summary{cursor:pointer}
ul.flat{margin:0;padding-left:1.2rem}
.top{font-size:.9em}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}
dl.run dt{font-weight:600}dl.run dd{margin:0;min-width:0}
table.verdicts td:first-child{white-space:nowrap;font-weight:600}
table.verdicts td.measured{min-width:16rem}
.session{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.75rem 0}
.session ol{padding-left:0;list-style:none;margin:0}
.exchange{border-top:1px solid var(--line);padding:.5rem 0}
.exchange .command{font-weight:600}
.exchange .pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.5rem}
.exchange figure{margin:0;min-width:0}.exchange figcaption{font-size:.85em;color:var(--muted)}
.exchange pre.out{white-space:pre;overflow-x:auto;min-height:2em}
.exchange .replayed{font-size:.85em;color:var(--muted)}
table.fields td:last-child{white-space:nowrap}
table.fields td{color:#1f2328}table.fields td:last-child,table.fields td:first-child{color:inherit}
table.verdicts th{white-space:nowrap}
ul.nuances{margin:0;padding-left:1.2rem}
@media (max-width:40rem){body{padding:.5rem}dl.run{grid-template-columns:1fr}
dl.run dd{margin-bottom:.4rem}th,td{padding:.2rem .3rem}
table.verdicts,table.verdicts tbody,table.verdicts tr,table.verdicts td{display:block}
table.verdicts tr:first-child{display:none}
table.verdicts tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.verdicts td{border:0;padding:.1rem 0}table.verdicts td.measured{min-width:0}
table.verdicts td:first-child,table.verdicts td.verdict{display:inline-block;margin-right:.5rem}
.exchange .pair{grid-template-columns:minmax(0,1fr)}
table.fields,table.fields tbody,table.fields tr,table.fields td{display:block}
table.fields tr:first-child{display:none}
table.fields tr{border-bottom:1px solid var(--line);padding:.3rem 0}
table.fields td{border:0;padding:0;white-space:normal}
table.fields td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
"""

SCRIPT = """
(function(){
  var controls=document.getElementById('controls');controls.hidden=false;
  function all(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
  document.getElementById('expand-all').onclick=function(){all(true);};
  document.getElementById('collapse-all').onclick=function(){all(false);};
  controls.querySelectorAll('[data-filter]').forEach(function(button){
    button.onclick=function(){
      var wanted=button.dataset.filter;
      controls.querySelectorAll('[data-filter]').forEach(function(b){
        b.setAttribute('aria-pressed',String(b===button));});
      document.querySelectorAll('[data-group]').forEach(function(el){
        el.hidden=wanted!=='all'&&el.dataset.group!==wanted;});
    };
  });
  function reveal(){
    var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
    var el=document.getElementById(id)||document.getElementById(id.toUpperCase());
    if(!el)return;
    for(var up=el;up;up=up.parentElement){if(up.tagName==='DETAILS')up.open=true;
      if(up.hidden)up.hidden=false;}
    el.scrollIntoView();
  }
  window.addEventListener('hashchange',reveal);reveal();
})();
"""

GROUPS = {"fails": "failed", "holds_with_nuance": "nuance", "not_measured": "not-measured",
          "could_not_be_measured": "not-measured", "incomplete": "not-measured",
          "holds": "holds"}
"""The filter a verdict falls under (could not be measured is no failure of the claim)."""
FILTERS = (("all", "all"), ("failed", "failed"), ("nuance", "with a nuance"),
           ("not-measured", "not measured"))


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
        parts.append(f"<p class='notice {kind}' data-notice='{kind}'>{inline_html(text)}</p>")
    parts.append(_run_details(report))
    parts.append("</header><main>")
    if report["claims"]:
        parts.append(_controls(report["claims"]))
        parts.append("<section id='summary'><h2>Verdicts</h2><div class='scroll'>"
                     "<table class='verdicts'><tr><th scope='col'>claim</th>"
                     "<th scope='col'>verdict</th><th scope='col'>the article says</th>"
                     "<th scope='col'>what this run measured</th></tr>")
        for claim in report["claims"]:
            anchor = claim_anchor(claim["id"])
            parts.append(
                f"<tr data-claim='{esc(claim['id'])}' data-group='{GROUPS[claim['verdict']]}'>"
                f"<td><a href='#{anchor}'>{esc(claim['id'])}</a></td>{_verdict_cell(claim)}"
                f"<td>{_sentence(claim['sentence'])}</td>"
                f"<td class='measured'>{_why_and_measured(claim, run)}</td></tr>")
        parts.append("</table></div></section>")
    for claim in report["claims"]:
        parts.append(_claim_section(claim, run, report_dir))
    parts.append(f"</main><script>{SCRIPT}</script></body></html>\n")
    return "".join(parts)


def _controls(claims: list[dict[str, Any]]) -> str:
    """Expand/collapse all and the filter (shown by the script: without it, nothing to do)."""
    counts = {group: sum(GROUPS[c["verdict"]] == group for c in claims) for group, _ in FILTERS}
    counts["all"] = len(claims)
    filters = "".join(
        f"<button type='button' data-filter='{group}' aria-pressed='{str(group == 'all').lower()}'"
        f">{label} ({counts[group]})</button>" for group, label in FILTERS)
    return ("<nav id='controls' class='controls' hidden aria-label='report controls'>"
            "<button type='button' id='expand-all'>expand all</button>"
            "<button type='button' id='collapse-all'>collapse all</button>"
            f"<span>show:</span>{filters}</nav>")


def _why_and_measured(claim: dict[str, Any], run: dict[str, Any]) -> str:
    """Why the verdict (when it is not a plain holds), then what the run measured."""
    why = reason(claim, run)
    line = measured.line(claim)
    out = []
    if claim["verdict"] == "holds_with_nuance":
        out.append("<ul class='why nuances'>" + "".join(
            f"<li>{inline_html(nuance)}</li>" for nuance in nuances(claim)) + "</ul>")
    elif why:
        out.append(f"<p class='why'>{inline_html(why)}</p>")
    if line:
        out.append(f"<p class='measured' data-measured='{html.escape(claim['id'])}'>"
                   f"<b>measured:</b> {inline_html(line)}</p>")
    return "".join(out)


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
             + (f": {inline_html(exit_status['reason'])}" if exit_status.get("reason") else "")),
            ("suite", f"docker-claims {esc(suite['version'])}"
             + (f" (commit <code>{esc(suite['commit'])}</code>)" if suite.get("commit") else "")),
            ("engine", esc(engine_line(engine)))]
    notes = engine_notes(engine)
    if notes:
        rows.append(("what it changes", "<ul class='flat'>" + "".join(
            f"<li>{inline_html(note)}</li>" for note in notes) + "</ul>"))
    details = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    fingerprint = ""
    if engine:
        lines = []
        for key, value in engine.items():
            note = FINGERPRINT_NOTES.get(key, lambda v: None)(value)
            lines.append(f"<tr><th scope='row'>{esc(key)}</th><td>{as_html(value, key)}</td>"
                         f"<td>{inline_html(note or '')}</td></tr>")
        fingerprint = ("<details class='fingerprint'><summary>The engine's fingerprint, and what "
                       "it changes</summary><div class='scroll'><table>"
                       + "".join(lines) + "</table></div></details>")
    return f"<dl class='run'>{details}</dl>{fingerprint}"


def _claim_section(claim: dict[str, Any], run: dict[str, Any], report_dir: str | None) -> str:
    esc = html.escape
    ident = claim["id"]
    anchor = claim_anchor(ident)
    alias = f"<span id='{anchor.lower()}'></span>" if anchor.lower() != anchor else ""
    out = [f"<section class='claim' id='{anchor}' data-claim='{esc(ident)}' "
           f"data-group='{GROUPS[claim['verdict']]}'>{alias}<h2>{esc(ident)}: "
           f"<span class='verdict v-{claim['verdict']}' data-verdict='{claim['verdict']}'>"
           f"{HTML_MARKS[claim['verdict']]} {esc(word(claim['verdict']))}</span></h2>"
           f"<p>{_sentence(claim['sentence'])}</p>", _why_and_measured(claim, run)]
    exchanges = replays.side_by_side(claim)
    if exchanges:
        out.append(_session(ident, exchanges))
    for index, s in enumerate(claim["scenarios"]):
        out.append(_scenario(ident, index, s, report_dir))
    out.append("<p class='top'><a href='#top'>back to the top</a></p></section>")
    return "".join(out)


NOTHING = "(printed nothing)"
MATCHES = {True: "true", False: "false", None: "differs"}
FIELD_MARKS = {True: ("f-match", "✓ as the article's"), False: ("f-mismatch", "✗ not as the "
               "article's"), None: ("f-differs", "≠ differs, as expected")}


def _session(claim_id: str, exchanges: list[replays.Exchange]) -> str:
    """The article's session beside the replay, command by command, with each field the
    checks compared."""
    esc = html.escape
    out = [f"<section class='session' id='{claim_id}-session' data-session='{claim_id}'>"
           "<h3>The article's session beside this engine's</h3>"
           f"<p class='session-verdict'>{esc(replays.verdict(exchanges))}</p><ol>"]
    for e in exchanges:
        article = "\n".join(e.article) or NOTHING
        if not e.was_replayed:
            engine = "<p class='replayed'>not replayed in this run</p>"
        elif e.printed is None:
            engine = f"<p class='replayed'>replayed {esc(e.replayed or '')}</p>"
        else:
            how = (f"ran <code>{esc(e.replayed)}</code>" if (e.replayed or "").startswith(
                "docker ") else f"replayed as {esc(e.replayed or '')}")
            engine = (f"<pre class='out'>{esc(chr(10).join(e.printed) or NOTHING)}</pre>"
                      f"<p class='replayed'>{how}"
                      + (f" ({inline_html(e.scenario)})" if e.scenario else "") + "</p>")
        out.append(f"<li class='exchange' data-exchange='{e.index}' "
                   f"data-mismatched='{len(e.mismatched)}'>"
                   f"<p class='command'><code>$ {esc(e.command)}</code></p><div class='pair'>"
                   f"<figure class='article'><figcaption>the article printed</figcaption>"
                   f"<pre class='out'>{esc(article)}</pre></figure>"
                   f"<figure class='engine'><figcaption>this engine printed</figcaption>{engine}"
                   "</figure></div>")
        if e.fields:
            rows = "".join(
                f"<tr class='{FIELD_MARKS[f['matches']][0]}' data-field='{esc(name)}' "
                f"data-matches='{MATCHES[f['matches']]}'><td>{esc(name)}</td>"
                f"<td data-label='article'>{_value(f['article'])}</td>"
                f"<td data-label='engine'>{_value(f['engine'])}</td>"
                f"<td>{FIELD_MARKS[f['matches']][1]}</td></tr>"
                for name, f in e.fields.items())
            out.append("<div class='scroll'><table class='fields'><tr><th scope='col'>field</th>"
                       "<th scope='col'>article</th><th scope='col'>engine</th><th scope='col'>"
                       f"compared</th></tr>{rows}</table></div>")
        out.append("</li>")
    out.append("</ol></section>")
    return "".join(out)


def _value(value: str | None) -> str:
    if value is None:
        return "<span class='empty'>–</span>"
    return f"<code>{html.escape(value)}</code>" if value else "<span class='empty'>(empty)</span>"


def _step(st: dict[str, Any]) -> str:
    esc = html.escape
    below = ""
    if st.get("docstring") is not None:
        below += f"<pre class='docstring'>\"\"\"\n{esc(st['docstring'])}\n\"\"\"</pre>"
    if st.get("table"):
        table = st["table"]
        head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in table["headings"])
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                       for row in table["rows"])
        below += f"<div class='scroll'><table class='gherkin'><tr>{head}</tr>{body}</table></div>"
    return (f"<tr><td class='status s-{st['status']}'>{HTML_MARKS[st['status']]} "
            f"{esc(st['status'].replace('_', ' '))}</td><td><b>{esc(st['keyword'])}</b> "
            f"{esc(st['text'])}{below}</td>"
            f"<td class='time'>{st['duration_seconds']:.2f} s</td></tr>")


def _scenario(claim_id: str, index: int, s: dict[str, Any], report_dir: str | None) -> str:
    esc = html.escape
    link = source_link(s["feature"], s["line"], report_dir)
    nuance = " <em>(a nuance the article leaves out)</em>" if s["nuance"] else ""
    opened = " open" if s["status"] in ("failed", "error", "interrupted") else ""
    out = [f"<details class='scenario' id='{scenario_anchor(claim_id, index)}'{opened}>"
           f"<summary><span class='s-{s['status']}' data-status='{s['status']}'>"
           f"{HTML_MARKS[s['status']]} {esc(s['status'].replace('_', ' '))}</span> "
           f"{inline_html(s['name'])}{nuance}</summary>"
           f"<p><a class='source' href='{esc(link)}'>{esc(s['feature'])}:{s['line']}</a>, "
           f"{s['duration_seconds']:.2f} s</p>"]
    if s["skip_reason"]:
        out.append(f"<p class='skip'>skipped: {inline_html(s['skip_reason'])}</p>")
    steps = "".join(_step(st) for st in s["steps"])
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
        out.append(f"<details class='evidence'><summary>{inline_html(item['label'])}</summary>"
                   f"{as_html(item['value'])}</details>")
    out.append("</details>")
    return "".join(out)

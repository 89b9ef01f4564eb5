"""The report's words: what each verdict is called, the one-line reasons and notices, what an
engine's settings change, evidence values as a reviewer reads them (bytes as text or hex,
modes in octal, sizes exact), and where a scenario's source is."""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from typing import Any

from docker_claims.runner.report import measured

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
        return "; ".join(nuances(claim))
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


def nuances(claim: dict[str, Any]) -> list[str]:
    """Each nuance the claim's scenarios showed: its name, and what the run measured of it."""
    said = []
    for s in claim["scenarios"]:
        if s["nuance"]:
            value = measured.nuance_value(claim["id"], s)
            said.append(s["name"] + (f": {value}" if value else ""))
    return said


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
        return "unknown: the run could use no engine (its top says why)"
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
        during = run.get("stopped_during")
        said.append(("stopped", f"The run stopped{f' while {during}' if during else ''}: "
                     f"{run['stopped_because']}"))
    selection = selection_text(run["selection"])
    if selection:
        said.append(("selection", f"A selection: {selection} ran {run['totals']['selected']} of "
                     f"{run['totals']['in_suite']} scenarios; the claims it left out are not "
                     "shown, and a claim with scenarios left out is incomplete."))
    return said



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
    """A claim's anchor, as its id is written (#C02); the page answers #c02 too."""
    return claim_id


def scenario_anchor(claim_id: str, index: int) -> str:
    return f"{claim_id}-{index + 1}"


CODE_SPAN = re.compile(r"`([^`\n]+)`")


def inline_html(text: str | None) -> str:
    """A line of the report's own words or the engine's as HTML: escaped, and its Markdown
    code spans (`docker ps -a`) as code, never as raw backticks."""
    parts = CODE_SPAN.split(text or "")
    return "".join(f"<code>{html.escape(part)}</code>" if odd else html.escape(part)
                   for odd, part in ((n % 2 == 1, part) for n, part in enumerate(parts)))



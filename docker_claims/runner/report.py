"""The claims report: the article's claims in order, each with its verdict and its evidence.

A behave formatter (`-f claims`, configured in pyproject.toml) that writes, beside its output
file, the same report three ways: Markdown (a GitHub job summary or PR comment), HTML (for a
browser) and JSON (for machines). Verdicts come from the scenarios' outcomes in this run:

- holds: every scenario of the claim passed;
- holds with nuance: it holds, and scenarios tagged @nuance show what the article leaves out;
- fails on this engine: a scenario of the claim failed (its message carries what was seen);
- not run: no scenario of the claim ran (filtered out, skipped, or the run was aborted).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from behave.formatter.base import Formatter

from docker_claims.evidence import render
from docker_claims.runner import spec

CLAIM = re.compile(r"^claim\.(C\d\d)$")
FINGERPRINT_KEY = "docker_claims.fingerprint"
EVIDENCE_ATTRIBUTE = "claims_evidence"
"""Set on each scenario by the after_scenario hook: the ledger of what its steps observed."""


@dataclass
class ScenarioOutcome:
    name: str
    location: str
    status: str
    nuance: bool
    error: str | None = None
    skip_reason: str | None = None
    evidence: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class ClaimVerdict:
    claim: str
    article: str
    verdict: str = "not run"
    scenarios: list[ScenarioOutcome] = field(default_factory=list)

    def decide(self) -> None:
        ran = [s for s in self.scenarios if s.status in ("passed", "failed", "error")]
        if any(s.status in ("failed", "error") for s in self.scenarios):
            self.verdict = "fails on this engine"
        elif not ran:
            self.verdict = "not run"
        elif any(s.nuance for s in ran):
            self.verdict = "holds with nuance"
        else:
            self.verdict = "holds"


def verdicts(features: list, fingerprint: dict | None) -> dict:
    """The report's data, from behave's features after the run."""
    claims: dict[str, ClaimVerdict] = {}
    sentences = spec.sentences(features)
    for feature in features:
        for scenario in feature.walk_scenarios():
            tags = set(scenario.effective_tags)
            for tag in sorted(tags):
                match = CLAIM.match(tag)
                if not match:
                    continue
                claim = claims.setdefault(match.group(1), ClaimVerdict(
                    match.group(1), sentences.get(match.group(1), "")))
                claim.scenarios.append(_outcome(scenario, "nuance" in tags))
    for claim in claims.values():
        claim.decide()
    ordered = [asdict(claims[key]) for key in sorted(claims)]
    return {"engine": fingerprint, "claims": ordered}


def _outcome(scenario, nuance: bool) -> ScenarioOutcome:
    status = scenario.status.name
    error = next((step.error_message for step in scenario.steps
                  if step.status.name in ("failed", "error") and step.error_message), None)
    if status in ("failed", "error") and error is None:
        error = "a hook failed (see the run's output)"
    return ScenarioOutcome(
        name=scenario.name, location=str(scenario.location), status=status, nuance=nuance,
        error=error, skip_reason=getattr(scenario, "skip_reason", None) or None,
        evidence=list(getattr(scenario, EVIDENCE_ATTRIBUTE, []) or []))


def markdown(report: dict) -> str:
    lines = ["# Claims of 'Docker 镜像和容器的区别', measured", ""]
    engine = report.get("engine")
    lines += [f"Engine: {_engine_line(engine)}", "", "| claim | verdict | scenarios |",
              "|---|---|---|"]
    for claim in report["claims"]:
        passed = sum(s["status"] == "passed" for s in claim["scenarios"])
        lines.append(f"| {claim['claim']} | {claim['verdict']} | "
                     f"{passed}/{len(claim['scenarios'])} passed |")
    for claim in report["claims"]:
        lines += ["", f"## {claim['claim']}: {claim['verdict']}", "", claim["article"], ""]
        for s in claim["scenarios"]:
            mark = {"passed": "✅", "failed": "❌", "error": "❌"}.get(s["status"], "⏭")
            nuance = " (nuance)" if s["nuance"] else ""
            lines.append(f"- {mark} {s['name']}{nuance}: {s['status']} ({s['location']})")
            if s["skip_reason"]:
                lines.append(f"  - skipped: {s['skip_reason']}")
            if s["error"]:
                lines += ["", "  ```", *("  " + x for x in s["error"].splitlines()), "  ```"]
            for what, observed in s["evidence"]:
                text = render(observed)
                if len(text) > 1500:
                    text = text[:1500] + "\n... (truncated; full evidence in claims.json)"
                lines += [f"  - {what}:", "", "    ```json",
                          *("    " + x for x in text.splitlines()), "    ```"]
    return "\n".join(lines) + "\n"


def html_page(report: dict) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr class='{esc(c['verdict'].split()[0])}'><td>{esc(c['claim'])}</td>"
        f"<td>{esc(c['verdict'])}</td><td>{esc(c['article'])}</td></tr>"
        for c in report["claims"])
    details = []
    for claim in report["claims"]:
        items = []
        for s in claim["scenarios"]:
            evidence = "".join(f"<details><summary>{esc(what)}</summary><pre>"
                               f"{esc(render(observed))}</pre></details>"
                               for what, observed in s["evidence"])
            error = f"<pre class='error'>{esc(s['error'])}</pre>" if s["error"] else ""
            skip = f"<p>skipped: {esc(s['skip_reason'])}</p>" if s["skip_reason"] else ""
            items.append(f"<li><b>{esc(s['status'])}</b> {esc(s['name'])}"
                         f"{' (nuance)' if s['nuance'] else ''} <small>{esc(s['location'])}"
                         f"</small>{skip}{error}{evidence}</li>")
        details.append(f"<h2 id='{esc(claim['claim'])}'>{esc(claim['claim'])}: "
                       f"{esc(claim['verdict'])}</h2><p>{esc(claim['article'])}</p>"
                       f"<ul>{''.join(items)}</ul>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>docker-claims report</title><style>"
            "body{font-family:sans-serif;max-width:70em;margin:auto}"
            "td{padding:.2em .6em;border-bottom:1px solid #ddd}.holds td{background:#e6ffe6}"
            ".fails td{background:#ffe6e6}.not td{background:#eee}pre{overflow:auto;"
            "background:#f6f6f6;padding:.5em}.error{background:#fff0f0}</style></head><body>"
            "<h1>Claims of 'Docker 镜像和容器的区别', measured</h1>"
            f"<p>Engine: {esc(_engine_line(report.get('engine')))}</p>"
            f"<table><tr><th>claim</th><th>verdict</th><th>the article</th></tr>{rows}</table>"
            f"{''.join(details)}</body></html>\n")


def _engine_line(engine: dict | None) -> str:
    if not engine:
        return "unknown (the run did not reach the engine)"
    return (f"Docker Engine {engine['engine_version']} (API {engine['api_version']}), "
            f"{engine['os']}/{engine['arch']}, storage {engine['storage_driver']}, image store "
            f"{engine['image_store']}, cgroup v{engine['cgroup_version']}"
            f"{', rootless' if engine['rootless'] else ''} at {engine['endpoint']}")


class ClaimsFormatter(Formatter):
    """Writes claims.md (to its output file) and claims.json / claims.html beside it."""

    name = "claims"
    description = "the article's claims with verdicts and evidence (Markdown, HTML, JSON)"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.features: list = []

    def feature(self, feature) -> None:
        self.features.append(feature)

    def close(self) -> None:
        fingerprint = self.config.userdata.get(FINGERPRINT_KEY)
        report = verdicts(self.features, json.loads(fingerprint) if fingerprint else None)
        stream = self.open()
        stream.write(markdown(report))
        name = getattr(self.stream_opener, "name", None)
        if name and name != "-":
            base = Path(name).with_suffix("")
            base.with_suffix(".json").write_text(
                json.dumps(report, indent=2, ensure_ascii=False, default=repr), encoding="utf-8")
            base.with_suffix(".html").write_text(html_page(report), encoding="utf-8")
        self.close_stream()

"""The HTML report as a browser shows it (headless Chromium), at desktop and phone widths: every
link leads somewhere that exists, the verdicts shown are claims.json's, nothing is wider than
the screen. The report is made from the suite's own features, with outcomes covering every
verdict; screenshots go to reports/browser/ for a person to look at."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from behave.model_type import Status
from behave.parser import parse_file
from chromium import Browser, executable

from docker_claims.evidence import ClaimFailed
from docker_claims.runner.report import words
from docker_claims.runner.report.data import (
    EVIDENCE_ATTRIBUTE,
    RunRecord,
    build,
    scenario_key,
    write,
)

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "reports" / "browser"
WIDTHS = {"desktop": (1280, 900, False), "phone": (390, 844, True)}

pytestmark = pytest.mark.skipif(
    executable() is None,
    reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")

PAGE_FACTS = """(() => {
  const shown = el => !!el && el.getClientRects().length > 0 && el.offsetWidth > 0;
  const verdictOf = el => ({verdict: el.dataset.verdict, text: el.innerText.trim(),
                            shown: shown(el)});
  return {
    links: [...document.querySelectorAll('a[href]')].map(a => ({
      href: a.getAttribute('href'), url: a.href,
      target: a.getAttribute('href').startsWith('#')
        ? !!document.getElementById(a.getAttribute('href').slice(1)) : null})),
    rows: [...document.querySelectorAll('tr[data-claim]')].map(tr => Object.assign(
      {claim: tr.dataset.claim}, verdictOf(tr.querySelector('[data-verdict]')))),
    sections: [...document.querySelectorAll('section.claim')].map(s => Object.assign(
      {claim: s.dataset.claim}, verdictOf(s.querySelector('h2 [data-verdict]')))),
    notices: [...document.querySelectorAll('[data-notice]')].map(n => n.dataset.notice),
    width: document.documentElement.scrollWidth, viewport: window.innerWidth,
    font: getComputedStyle(document.body).fontFamily,
  };
})()"""


def outcomes(features) -> None:
    """Every verdict once: C01 holds, C02 a nuance, C03 fails, C04 not measured, C05 could
    not be measured, and from C12 on the run is interrupted."""
    by_claim: dict[str, list] = {}
    for feature in features:
        for scenario in feature.walk_scenarios():
            claim = next(t[6:] for t in scenario.effective_tags if t.startswith("claim."))
            by_claim.setdefault(claim, []).append(scenario)
    for claim, scenarios in by_claim.items():
        for index, scenario in enumerate(scenarios):
            steps = list(scenario.all_steps)
            states = ["passed"] * len(steps)
            error = None
            if claim == "C03" and index == 0:
                states[-1] = "failed"
                error = ClaimFailed("the image's layers changed after the container wrote",
                                    {"layer": {"mode": 0o644, "size": 1982256,
                                               "content": b"\x7fELF\x02\x01\x01\x00"},
                                     "expected": "镜像的层是只读的"})
            elif claim == "C04" and index == 2:
                states = ["skipped"] * len(steps)
            elif claim == "C05" and index == 1:
                states[0] = "error"
                error = RuntimeError("403 Client Error: authorization denied by plugin")
            elif claim >= "C12":
                states = ["untested"] * len(steps)
                if claim == "C12" and index == 0:
                    states[0] = "error"
                    error = KeyboardInterrupt()
            for step, state in zip(steps, states):
                step.status = Status[state]
                step.duration = 0.125
                if state in ("failed", "error"):
                    step.exception, step.error_message = error, str(error)
            scenario.clear_status()
            if claim == "C04" and index == 2:
                scenario.skip("the storage driver shows no layer directories (containerd "
                              "image store)")
            setattr(scenario, EVIDENCE_ATTRIBUTE, [
                ("file read", {"path": "/claims/shadowed.txt", "content": b"upper\n",
                               "mode": 0o100644, "size": 6}),
                ("history", [{"CreatedBy": "/bin/sh -c #(nop) COPY file:" + "a" * 64 + " in /",
                              "Comment": "Imported from -", "Size": 1982256}] * 3)])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    features = [parse_file(str(path)) for path in sorted((ROOT / "features").glob("*.feature"))]
    outcomes(features)
    record = RunRecord(id="0123456789abcdef"[:10], interrupted_by="SIGINT",
                       selected={scenario_key(s) for f in features for s in f.walk_scenarios()})
    report = json.loads(json.dumps(build(features, record)))
    directory = tmp_path_factory.mktemp("report")
    write(report, directory)
    return report, directory / "claims.html"


@pytest.fixture(scope="module")
def browser():
    opened = Browser()
    yield opened
    opened.close()


def _feature_line(url: str) -> tuple[Path, int]:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)), int(parsed.fragment[1:])


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_report_in_chromium_links_true_and_shows_the_json_verdicts(written, browser,
                                                                      width):
    report, page = written
    pixels, height, mobile = WIDTHS[width]
    browser.open(page, pixels, height, mobile)
    facts = browser.evaluate(PAGE_FACTS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(SHOTS / f"{width}.png")

    expected = {c["id"]: c["verdict"] for c in report["claims"]}
    assert set(expected.values()) == set(words.VERDICT_WORDS), "a verdict is untested"
    for shown in (facts["rows"], facts["sections"]):
        assert {s["claim"]: s["verdict"] for s in shown} == expected
        for s in shown:
            assert s["shown"], f"{s['claim']}'s verdict is not visible at {width} width"
            assert s["text"].endswith(words.word(s["verdict"])), s
    assert facts["notices"][0] == "interrupted"

    anchors = [link for link in facts["links"] if link["target"] is not None]
    assert anchors and all(link["target"] for link in anchors), anchors
    assert {f"#{c['id'].lower()}" for c in report["claims"]} <= {a["href"] for a in anchors}
    sources = [link for link in facts["links"] if link["target"] is None]
    assert len(sources) == sum(len(c["scenarios"]) for c in report["claims"])
    for link in sources:
        path, line = _feature_line(link["url"])
        assert path.is_file(), link
        there = path.read_text().splitlines()[line - 1].strip()
        assert there.startswith(("Scenario", "|")), (link, there)  # a scenario, or its row

    assert facts["width"] <= facts["viewport"], f"wider than a {width} screen: {facts}"
    assert "Noto Sans CJK SC" in facts["font"]


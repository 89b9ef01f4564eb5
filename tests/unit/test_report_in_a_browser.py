"""The reports as a reviewer sees them: headless Chromium (the distribution's, driven by
Playwright) at a laptop's and a phone's width. claims.html of a full run (tests/unit/full_run.py)
shows each claim's sentence, verdict and what was measured, and C14's and C15's sessions beside
the article's; claims.html of a run with every verdict links true and shows claims.json's
verdicts; the controls expand, collapse and filter; matrix.html of eleven engines fits a laptop
with its notes below. Nothing is wider than the screen. Screenshots go to reports/screenshots/
(CI keeps them as artifacts)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import full_run
import pytest
from behave.model_type import Status
from behave.parser import parse_file

from docker_claims.claims.transcripts import Transcript
from docker_claims.evidence import ClaimFailed
from docker_claims.runner import matrix
from docker_claims.runner.report import words
from docker_claims.runner.report.data import (
    EVIDENCE_ATTRIBUTE,
    RunRecord,
    build,
    scenario_key,
    write,
)

playwright = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "reports" / "screenshots"
CHROMIUM = (shutil.which("chromium") or shutil.which("chromium-browser")
            or shutil.which("google-chrome"))
WIDTHS = {"laptop": (1400, 900), "phone": (390, 844)}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (Debian: apt-get install chromium fonts-noto-cjk; .ci/run "
           "installs it)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium of the distribution (Playwright downloads none here), with a fresh
    profile, no network beyond the files it is given."""
    profile = tempfile.mkdtemp(prefix="dclaims-chromium-")
    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def opened(browser, path: Path, width: str, anchor: str = ""):
    page = browser.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(path.resolve().as_uri() + anchor)
    return page


def shoot(page, name: str, selector: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if selector:
        page.locator(selector).first.screenshot(path=SHOTS / f"{name}.png")
    else:
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def no_page_wide_scroll(page) -> None:
    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px viewport"


# A full run's report.

@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    report = full_run.load()
    directory = tmp_path_factory.mktemp("full-run")
    write(report, directory)
    return report, directory / "claims.html"


VISIBLE_CLAIMS = """() => [...document.querySelectorAll('tr[data-claim]')].map(tr => ({
  claim: tr.dataset.claim, verdict: tr.querySelector('[data-verdict]').dataset.verdict,
  text: tr.innerText, shown: tr.getClientRects().length > 0 && tr.offsetWidth > 0,
  measured: (tr.querySelector('[data-measured]') || {innerText: ''}).innerText,
  section: (s => s && s.getClientRects().length > 0 &&
            (s.querySelector('[data-measured]') || {innerText: ''}).innerText)(
            document.getElementById(tr.dataset.claim))}))"""

SESSION = """(claim) => {
  const box = document.querySelector(`[data-session='${claim}']`);
  if (!box || box.getClientRects().length === 0) return null;
  return {verdict: box.querySelector('.session-verdict').innerText,
          exchanges: [...box.querySelectorAll('.exchange')].map(e => ({
            command: e.querySelector('.command').innerText,
            article: e.querySelector('.article').innerText,
            engine: e.querySelector('.engine').innerText,
            marks: [...e.querySelectorAll('tr[data-field]')].map(r => r.dataset.matches),
            shown: e.querySelector('.engine').getClientRects().length > 0}))};
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_each_claim_shows_its_sentence_verdict_and_what_was_measured(browser, full_report,
                                                                     width):
    report, path = full_report
    page = opened(browser, path, width)
    shoot(page, f"claims-{width}")
    shown = {row["claim"]: row for row in page.evaluate(VISIBLE_CLAIMS)}
    assert list(shown) == [f"C{n:02}" for n in range(1, 16)]
    for claim in report["claims"]:
        row = shown[claim["id"]]
        assert row["shown"], f"{claim['id']} is not visible at the {width} width"
        assert row["verdict"] == claim["verdict"]
        assert words.word(claim["verdict"]) in row["text"]
        assert claim["sentence"]["original"] in row["text"]
        for said in (row["measured"], row["section"]):
            assert said and said.startswith("measured: "), (claim["id"], said)
            assert len(said) > len("measured: ") + 20 and "not observed" not in said, said
    no_page_wide_scroll(page)
    page.close()


@pytest.mark.parametrize("claim", ["C15", "C14"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_articles_session_is_shown_beside_the_engines(browser, full_report, claim, width):
    report, path = full_report
    page = opened(browser, path, width, f"#{claim}-session")
    found = page.evaluate(SESSION, claim)
    assert found is not None, f"no side-by-side session for {claim}"
    shoot(page, f"{claim}-session-{width}", f"[data-session='{claim}']")
    assert found["verdict"].startswith("The engine printed what the article printed")
    article = Transcript.parse(next(step["docstring"] for step in next(
        c for c in report["claims"] if c["id"] == claim)["scenarios"][0]["steps"]
        if step["docstring"]))
    assert [e["command"] for e in found["exchanges"]] == [f"$ {c}" for c in article.commands()]
    for exchange, quoted in zip(found["exchanges"], article.exchanges):
        assert exchange["shown"]
        assert "\n".join(quoted.output) in exchange["article"]
        assert "not replayed" not in exchange["engine"], exchange
    marks = [m for e in found["exchanges"] for m in e["marks"]]
    assert marks.count("true") >= 10 and "false" not in marks and "differs" in marks
    no_page_wide_scroll(page)
    page.close()


def test_the_controls_expand_collapse_filter_and_anchors_lead_to_claims(browser, full_report):
    report, path = full_report
    page = opened(browser, path, "laptop")
    count_open = "[...document.querySelectorAll('details')].filter(d => d.open).length"
    total = page.evaluate("document.querySelectorAll('details').length")
    page.click("#expand-all")
    assert page.evaluate(count_open) == total > 100
    page.click("#collapse-all")
    assert page.evaluate(count_open) == 0
    page.click("[data-filter='nuance']")
    nuanced = {c["id"] for c in report["claims"] if c["verdict"] == "holds_with_nuance"}
    visible = {row["claim"] for row in page.evaluate(VISIBLE_CLAIMS) if row["shown"]}
    assert visible == nuanced and len(nuanced) == 6  # C02, C04, C08, C11, C13, C15
    shoot(page, "claims-filtered-laptop")
    page.click("[data-filter='all']")
    assert all(row["shown"] for row in page.evaluate(VISIBLE_CLAIMS))
    page.close()
    for anchor in ("#C02", "#c02"):
        page = opened(browser, path, "laptop", anchor)
        top = page.evaluate("document.getElementById('C02').getBoundingClientRect().top")
        assert abs(top) < 5, f"{anchor} does not lead to C02 (its top at {top} px)"
        page.close()
    page = opened(browser, path, "laptop", "#C15-3")
    assert page.evaluate("document.getElementById('C15-3').open")
    page.close()


# A run with every verdict.

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
                scenario.skip("the storage driver shows no layer directories (the containerd "
                              "image store): `docker info` says so")
            setattr(scenario, EVIDENCE_ATTRIBUTE, [
                ("file read", {"path": "/claims/shadowed.txt", "content": b"upper\n",
                               "mode": 0o100644, "size": 6}),
                ("`docker history`", [{"CreatedBy": "/bin/sh -c #(nop) COPY file:" + "a" * 64
                                       + " in /", "Comment": "Imported from -",
                                       "Size": 1982256}] * 3)])


@pytest.fixture(scope="module")
def every_verdict(tmp_path_factory):
    features = [parse_file(str(path)) for path in sorted((ROOT / "features").glob("*.feature"))]
    outcomes(features)
    record = RunRecord(id="0123456789abcdef"[:10], interrupted_by="SIGINT",
                       selected={scenario_key(s) for f in features for s in f.walk_scenarios()})
    report = json.loads(json.dumps(build(features, record)))
    directory = tmp_path_factory.mktemp("report")
    write(report, directory)
    return report, directory / "claims.html"


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
    backticks: document.body.innerText.includes('`'),
    font: getComputedStyle(document.body).fontFamily,
  };
})()"""


def _feature_line(url: str) -> tuple[Path, int]:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)), int(parsed.fragment[1:])


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_verdict_is_shown_as_claims_json_says_and_every_link_leads_somewhere(
        browser, every_verdict, width):
    report, path = every_verdict
    page = opened(browser, path, width)
    page.click("#expand-all")
    facts = page.evaluate(PAGE_FACTS)
    shoot(page, f"every-verdict-{width}")

    expected = {c["id"]: c["verdict"] for c in report["claims"]}
    assert set(expected.values()) == set(words.VERDICT_WORDS), "a verdict is untested"
    for shown in (facts["rows"], facts["sections"]):
        assert {s["claim"]: s["verdict"] for s in shown} == expected
        for s in shown:
            assert s["shown"], f"{s['claim']}'s verdict is not visible at {width} width"
            assert s["text"].endswith(words.word(s["verdict"])), s
    assert facts["notices"][0] == "interrupted"
    assert not facts["backticks"], "Markdown backticks are shown raw"

    anchors = [link for link in facts["links"] if link["target"] is not None]
    assert anchors and all(link["target"] for link in anchors), anchors
    assert {f"#{c['id']}" for c in report["claims"]} <= {a["href"] for a in anchors}
    sources = [link for link in facts["links"] if link["target"] is None]
    assert len(sources) == sum(len(c["scenarios"]) for c in report["claims"])
    for link in sources:
        path, line = _feature_line(link["url"])
        assert path.is_file(), link
        there = path.read_text().splitlines()[line - 1].strip()
        assert there.startswith(("Scenario", "|")), (link, there)  # a scenario, or its row
    no_page_wide_scroll(page)
    assert "Noto Sans CJK SC" in facts["font"]
    page.close()


# The claims x engines matrix, as CI makes it of eleven engines.

ENGINES = {
    "cgroupns-private": {}, "docker26": {"engine_version": "26.1.5+dfsg1"},
    "docker26-containerd": {"engine_version": "26.1.5+dfsg1", "storage_driver": "overlayfs",
                            "image_store": "containerd"},
    "docker28": {"engine_version": "28.5.2+dfsg4", "cgroup_version": "2"},
    "docker28-containerd": {"engine_version": "28.5.2+dfsg4", "storage_driver": "overlayfs",
                            "image_store": "containerd", "cgroup_version": "2"},
    "rootless": {"rootless": True}, "rootless-pidns": {"rootless": True}, "ssh": {},
    "userns-remap": {}, "vfs": {"storage_driver": "vfs"}, "default": {},
}
"""The configurations of scripts/engines, as their fingerprints differ from the default's."""

UNMEASURED = {"vfs": "C04", "rootless": "C08"}
"""Claims those engines leave not measured, with a long reason."""
LONG_REASON = ("the engine does not start a helper container in its host's pid namespace "
               "(--pid=host), which reading /proc/<pid>/ns and the engine host's mount table "
               "needs. It answered: failed to create shim task: OCI runtime create failed")


@pytest.fixture(scope="module")
def eleven_engines(tmp_path_factory):
    directory = tmp_path_factory.mktemp("matrix")
    paths = []
    for name, differs in ENGINES.items():
        report = full_run.load()
        report["engine"] = {**report["engine"], "engine_version": "20.10.24+dfsg1", **differs}
        if name in UNMEASURED:
            claim = next(c for c in report["claims"] if c["id"] == UNMEASURED[name])
            claim["verdict"] = "not_measured"
            for scenario in claim["scenarios"][2:]:
                scenario["status"], scenario["skip_reason"] = "skipped", LONG_REASON
        path = directory / name / "claims.json"
        path.parent.mkdir()
        path.write_text(json.dumps(report), encoding="utf-8")
        paths.append(path)
    found = matrix.build(matrix.default_first([matrix.load_run(p) for p in paths]))
    page = directory / "matrix.html"
    page.write_text(matrix.html_page(found), encoding="utf-8")
    return found, page


MATRIX_FACTS = """() => {
  const table = document.querySelector('table.matrix');
  const lines = cell => { const s = getComputedStyle(cell);
    return (cell.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom))
           / parseFloat(s.lineHeight); };
  const cells = [...table.querySelectorAll('td, thead tr.identity th')];
  return {table: table.scrollWidth, box: table.parentElement.clientWidth,
          tallest: Math.max(...cells.map(lines)),
          columns: [...table.querySelectorAll('thead tr.names th')].map(th => th.innerText),
          marks: [...table.querySelectorAll('td sup a')].map(a => a.getAttribute('href')),
          notes: [...document.querySelectorAll('ol.notes li')].map(li => li.id)};
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_matrix_fits_with_its_notes_numbered_below(browser, eleven_engines, width):
    found, path = eleven_engines
    page = opened(browser, path, width)
    shoot(page, f"matrix-{width}")
    facts = page.evaluate(MATRIX_FACTS)
    assert facts["columns"][:2] == ["claim", "default"]
    assert len(facts["columns"]) == 12
    assert facts["tallest"] < 4.5, f"a cell is {facts['tallest']:.1f} lines tall"
    if width == "laptop":
        assert facts["table"] <= facts["box"], facts
    assert set(facts["marks"]) == {f"#{note}" for note in facts["notes"]}
    assert len(facts["notes"]) == len(found.notes)
    assert sum(LONG_REASON in note for note in found.notes) == 2  # C04 on vfs, C08 rootless
    no_page_wide_scroll(page)
    page.close()

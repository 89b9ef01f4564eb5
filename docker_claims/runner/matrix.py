"""Claims x engines: which of the article's sentences depend on the engine.

Each run of the suite writes its verdicts to a claims.json (runner.report). `docker-claims
matrix A.json B.json ...` puts several of them side by side, one column per engine, one row
per claim: each cell is the claim's verdict on that engine, and where the engines disagree, the
cell that differs says why, with the engine's facts that set it apart (image store, storage
driver, cgroup version, user-namespace remapping...) and what its scenarios said (the failure's
first line, the reason a scenario was not measured). `docker-claims compare OLD.json NEW.json`
lists the verdicts that changed between two runs (an engine upgrade, say).

claims.json is read in one place, `load_run`, so that a change of its schema shows up there
(and in its test) rather than as a wrong table.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from docker_claims.runner import expected
from docker_claims.runner.exit_status import ExitStatus
from docker_claims.runner.report import words

FACTS = ("engine_version", "storage_driver", "image_store", "cgroup_version", "cgroup_driver",
         "rootless", "userns_remap", "swarm", "native_diff", "security_options", "kernel", "os",
         "arch")
"""The engine facts (from a run's fingerprint) that may explain why verdicts differ."""

FACT_WORDS = {"engine_version": "Docker", "storage_driver": "storage", "image_store":
              "image store", "cgroup_driver": "cgroup driver", "kernel": "kernel", "os": "os",
              "arch": "arch"}



class MatrixInputError(ValueError):
    """A file given to `matrix` or `compare` is not a claims report: the message says which and
    why."""


@dataclass(frozen=True)
class Scenario:
    name: str
    status: str
    error: str | None = None
    skip_reason: str | None = None
    expected: str | None = None
    """What the engine's configuration made the scenario expect, where its check says
    (`expected` and `because` in its evidence: "own: the engine remaps users ..."): a nuance
    that holds everywhere may hold differently on each engine."""
    nuance: bool = False
    """A scenario tagged @nuance: what it shows the article leaves out."""

    @property
    def reason(self) -> str | None:
        """What the scenario said when it did not pass, in a line: a failure's message, an
        error's exception (the last line of its traceback), a skip's reason."""
        text = self.error if self.status in ("failed", "error") else self.skip_reason
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not lines:
            return None
        return lines[-1] if lines[0].startswith("Traceback") else lines[0]


@dataclass(frozen=True)
class Claim:
    claim: str
    article: str
    verdict: str
    scenarios: tuple[Scenario, ...] = ()

    def count(self, *statuses: str) -> int:
        return sum(s.status in statuses for s in self.scenarios)

    @property
    def signature(self) -> tuple:
        """What two engines must share for their cells to say the same."""
        return (self.verdict,
                tuple(sorted((s.name, s.status, s.expected or "") for s in self.scenarios)))


@dataclass(frozen=True)
class EngineRun:
    """One run's verdicts, read from its claims.json."""

    name: str
    path: str
    engine: dict
    claims: dict[str, Claim] = field(default_factory=dict)
    run: dict = field(default_factory=dict)
    """claims.json's `run`: its selection, whether it was interrupted or stopped, its exit
    status (what says whether its verdicts stand for the engine: `not_comparable`)."""

    def facts(self) -> dict[str, str]:
        """Fact -> how it reads ("image store containerd", "cgroup v2", "userns")."""
        found = {}
        for key in FACTS:
            value = self.engine.get(key)
            if key == "security_options":
                for option in value or ():
                    name = str(option).split(",")[0].replace("name=", "", 1)
                    if name not in ("seccomp", "apparmor", "selinux"):
                        found[f"security:{name}"] = name
            elif key in ("rootless", "userns_remap"):
                if value:
                    found[key] = {"rootless": "rootless", "userns_remap": "userns-remap"}[key]
            elif key == "swarm":
                if value == "active":
                    found[key] = "a swarm node"
            elif key == "native_diff":
                if value is False:
                    found[key] = "no native overlay diff"
            elif key == "cgroup_version" and value:
                found[key] = f"cgroup v{value}"
            elif value not in (None, "", "?"):
                found[key] = f"{FACT_WORDS[key]} {value}"
        return found

    def describe(self) -> str:
        if not self.engine:
            return "engine unknown (the run did not reach it)"
        e = self.engine
        return (f"Docker {e.get('engine_version', '?')}, {e.get('storage_driver', '?')}, "
                f"{e.get('image_store', '?')} image store, cgroup v{e.get('cgroup_version', '?')}"
                + (", rootless" if e.get("rootless") else "")
                + (", userns-remap" if e.get("userns_remap") else "")
                + (", a swarm node" if e.get("swarm") == "active" else "")
                + "".join(f", {text}" for key, text in self.facts().items()
                          if key.startswith("security:")))


def _expected(evidence) -> str | None:
    """"own: because ..." from a scenario's evidence items whose value says what was expected
    and why (claims.namespaces.check_namespace_as_configured), joined; None without any."""
    found = []
    for item in evidence or ():
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, dict) and "expected" in value and "because" in value:
            found.append(f"{value['expected']} ({value['because']})")
    return "; ".join(found) or None


def load_run(path: Path | str, name: str | None = None) -> EngineRun:
    """Read one claims.json (runner.report's JSON) into an EngineRun; MatrixInputError, naming
    the file and what is wrong with it, when it is not one. `name` defaults to the directory of
    a file called claims.json (reports/matrix/<config>/claims.json), else the file's stem."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatrixInputError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MatrixInputError(f"{path}: is not JSON ({error}); give the claims.json that "
                               "`behave` writes beside claims.md") from None
    if not isinstance(document, dict) or not isinstance(document.get("claims"), list):
        raise MatrixInputError(f"{path}: is not a claims report (no list of claims); give the "
                               "claims.json that `behave` writes beside claims.md")
    claims: dict[str, Claim] = {}
    try:
        for item in document["claims"]:
            scenarios = tuple(Scenario(s["name"], s["status"],
                                       (s.get("problem") or {}).get("message"),
                                       s.get("skip_reason"), _expected(s.get("evidence")),
                                       bool(s.get("nuance")))
                              for s in item.get("scenarios", ()))
            sentence = item.get("sentence") or {}
            article = sentence.get("original", "") + (
                f" ({sentence['meaning']})" if sentence.get("meaning") else "")
            claims[item["id"]] = Claim(item["id"], article,
                                       words.word(item["verdict"]), scenarios)
    except (KeyError, TypeError) as error:
        raise MatrixInputError(f"{path}: a claim lacks {error} (a claims.json of another "
                               "version of docker-claims?)") from None
    if name is None:
        name = path.parent.name if path.name == "claims.json" and path.parent.name else path.stem
    return EngineRun(name, str(path), document.get("engine") or {}, claims,
                     document.get("run") or {})


@dataclass(frozen=True)
class Cell:
    verdict: str
    """The verdict's code (holds, holds_with_nuance, fails, ...), or "absent"."""
    passed: int = 0
    total: int = 0
    notes: tuple[int, ...] = ()
    """The numbers of the notes that explain the cell (Matrix.notes, from 1)."""
    differs: bool = False
    """Its verdict or its scenarios' outcomes differ from its row's usual ones."""

    @property
    def measured(self) -> str:
        return f"{self.passed}/{self.total} passed" if self.total else "not in this run"


@dataclass(frozen=True)
class Matrix:
    runs: tuple[EngineRun, ...]
    rows: tuple[tuple[str, str, tuple[Cell, ...]], ...]
    """(claim, article, one cell per run)."""
    notes: tuple[str, ...] = ()
    """Every note once, numbered from 1 in the order the table first needs them."""


def build(runs: list[EngineRun]) -> Matrix:
    ids = sorted({claim for run in runs for claim in run.claims})
    rows = []
    notes: dict[str, int] = {}
    for claim_id in ids:
        article = next((run.claims[claim_id].article for run in runs
                        if claim_id in run.claims and run.claims[claim_id].article), "")
        rows.append((claim_id, article, _row(runs, claim_id, notes)))
    return Matrix(tuple(runs), tuple(rows), tuple(notes))


def cell_notes(claim: Claim) -> list[str]:
    """What explains a cell: the nuances its claim holds with, what its scenarios that did not
    pass said (how many said it), and what a nuance expected of this engine and why."""
    said = []
    nuances = [s.name for s in claim.scenarios if s.nuance]
    if claim.verdict == words.word("holds_with_nuance") and nuances:
        said.append(f"{claim.claim} holds with a nuance: " + "; ".join(nuances))
    outcomes = Counter((s.status, s.reason) for s in claim.scenarios
                       if s.status != "passed" and s.reason)
    for (status, reason), count in outcomes.items():
        state = {"failed": "failed", "error": "could not be measured"}.get(status,
                                                                          "not measured")
        said.append(f"{claim.claim}: {plural(count, 'scenario')} {state}: {reason}")
    said += [f"{claim.claim}, {s.name}: {s.expected}" for s in claim.scenarios if s.expected]
    return said


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _row(runs: list[EngineRun], claim_id: str, notes: dict[str, int]) -> tuple[Cell, ...]:
    found = [run.claims.get(claim_id) for run in runs]
    signatures = [c.signature if c else None for c in found]
    usual, _ = Counter(signatures).most_common(1)[0]
    cells = []
    for claim, signature in zip(found, signatures):
        if claim is None:
            cells.append(Cell("absent", differs=signature != usual))
            continue
        numbers = tuple(sorted(notes.setdefault(text, len(notes) + 1)
                               for text in cell_notes(claim)))
        cells.append(Cell(VERDICT_CODES.get(claim.verdict, claim.verdict),
                          claim.count("passed"), len(claim.scenarios), numbers,
                          signature != usual))
    return tuple(cells)


VERDICT_CODES = {said: code for code, said in words.VERDICT_WORDS.items()}
ICONS = {"holds": "✓", "holds_with_nuance": "✓", "fails": "✗", "not_measured": "–",
         "could_not_be_measured": "!", "incomplete": "…", "absent": "·"}
EMOJI = {**words.VERDICT_MARKS, "absent": "·"}


def identity(run: EngineRun) -> list[str]:
    """The engine a column stands for, from its run's fingerprint, in four short lines:
    version, storage driver, image store, cgroup version (and rootless)."""
    e = run.engine
    if not e:
        return ["no engine reached"]
    return [str(e.get("engine_version", "?")), str(e.get("storage_driver", "?")),
            f"{e.get('image_store', '?')} store",
            f"cgroup v{e.get('cgroup_version', '?')}" + "".join(
                f", {word}" for key, word in (("rootless", "rootless"), ("userns_remap", "userns"))
                if e.get(key)) + (", swarm" if e.get("swarm") == "active" else "")]


LEGEND = ("Columns: each run, by its directory's name, and its Docker Engine: version, storage "
          "driver, image store, cgroup version. Cells: ✓ holds (with a nuance where a note says "
          "so), ✗ fails on this engine, – not measured, ! could not be measured, … incomplete; "
          "n/m: the claim's scenarios that passed; numbers: the notes below.")


def _marks(cell: Cell) -> str:
    return ",".join(str(n) for n in cell.notes)


def markdown(matrix: Matrix) -> str:
    runs = matrix.runs
    lines = ["# Claims x engines", "", LEGEND.replace("✓", "✅").replace("✗", "❌"), "",
             "| claim | " + " | ".join(
                 "<br>".join(_md(line) for line in identity(run)) + f"<br>`{_md(run.name)}`"
                 for run in runs) + " |", "|---|" + "---|" * len(runs)]
    for claim_id, _, cells in matrix.rows:
        shown = []
        for cell in cells:
            text = f"{EMOJI[cell.verdict]} {cell.measured}"
            if cell.notes:
                text += f" <sup>{_marks(cell)}</sup>"
            shown.append(f"**{text}**" if cell.differs else text)
        lines.append(f"| {claim_id} | " + " | ".join(shown) + " |")
    if matrix.notes:
        lines += ["", "Notes:", ""]
        lines += [f"{n}. {_md(note)}" for n, note in enumerate(matrix.notes, 1)]
    lines += ["", "The engines:", "", "| column | engine | claims.json |", "|---|---|---|"]
    lines += [f"| `{_md(run.name)}` | {_md(run.describe())} | `{run.path}` |" for run in runs]
    lines += ["", "The article's sentences:", ""]
    lines += [f"- {claim_id}: {_md(article)}" for claim_id, article, _ in matrix.rows if article]
    return "\n".join(lines) + "\n"


def _md(text: str, limit: int = 0) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


MATRIX_STYLE = """
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",system-ui,
sans-serif;margin:0 auto;padding:.5rem;max-width:1400px;color:#1f2328;line-height:1.35;
overflow-wrap:break-word}
h1{font-size:1.3rem;margin:.25rem 0 .5rem}h2{font-size:1.1rem}p{margin:.4rem 0}
.legend{font-size:.85em;color:#59636e}
.table{overflow:auto;max-width:100%;max-height:calc(100vh - 1rem);border:1px solid #d1d9e0}
table{border-collapse:separate;border-spacing:0;font-size:.8rem}
th,td{border-right:1px solid #d1d9e0;border-bottom:1px solid #d1d9e0;padding:.2rem .35rem;
vertical-align:top;text-align:left}
table.matrix thead th{position:sticky;z-index:2;background:#f6f8fa;font-weight:normal}
table.matrix thead tr.names th{top:0;height:1.7rem;white-space:nowrap;font-weight:600}
table.matrix thead tr.identity th{top:1.7rem;font-size:.72rem;line-height:1.3;
white-space:nowrap}
table.matrix thead tr.identity th b{font-size:.8rem}
table.matrix tbody th,table.matrix thead th:first-child{position:sticky;left:0;z-index:1;
background:#f6f8fa}
table.matrix thead th:first-child{z-index:3}
table.matrix td{white-space:nowrap}
td.holds{background:#dafbe1}td.holds_with_nuance{background:#eef9ef}
td.fails{background:#ffebe9}td.could_not_be_measured{background:#fff8c5}
td.not_measured,td.incomplete,td.absent{background:#eaeef2}
td.differs{box-shadow:inset 0 0 0 2px #bf8700}
td sup a{text-decoration:none}
ol.notes{padding-left:1.5rem;font-size:.9em}ol.notes li:target{background:#fff8c5}
"""


def html_page(matrix: Matrix) -> str:
    """The table in one static file: the claim column and the header stay in sight while the
    table scrolls in its box (a phone's width); each note numbered once below it."""
    esc = html.escape
    names = "".join(f"<th scope='col' title='{esc(run.path)}'>{esc(run.name)}</th>"
                    for run in matrix.runs)
    identities = "".join(
        f"<th scope='col' title='{esc(run.describe())}'><b>{esc(identity(run)[0])}</b><br>"
        + "<br>".join(esc(line) for line in identity(run)[1:]) + "</th>"
        for run in matrix.runs)
    body = []
    for claim_id, article, cells in matrix.rows:
        shown = "".join(
            f"<td class='{cell.verdict}{' differs' if cell.differs else ''}' "
            f"data-verdict='{cell.verdict}' title='{esc(_word(cell.verdict))}'>"
            f"{ICONS[cell.verdict]} {esc(cell.measured)}"
            + (" <sup>" + ",".join(f"<a href='#note-{n}'>{n}</a>" for n in cell.notes)
               + "</sup>" if cell.notes else "") + "</td>"
            for cell in cells)
        body.append(f"<tr><th scope='row' title='{esc(article)}'>{esc(claim_id)}</th>"
                    f"{shown}</tr>")
    notes = "".join(f"<li id='note-{n}'>{esc(note)}</li>"
                    for n, note in enumerate(matrix.notes, 1))
    engines = "".join(f"<tr><td>{esc(run.name)}</td><td>{esc(run.describe())}</td>"
                      f"<td><code>{esc(run.path)}</code></td></tr>" for run in matrix.runs)
    sentences = "".join(f"<li><b>{esc(claim_id)}</b>: {esc(article)}</li>"
                        for claim_id, article, _ in matrix.rows if article)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>docker-claims: claims x engines</title><style>{MATRIX_STYLE}</style>"
            "</head><body><h1>Claims of 'Docker 镜像和容器的区别' x engines</h1>"
            f"<p class='legend'>{esc(LEGEND)} A cell outlined differs from its row's usual "
            "outcome.</p>"
            "<div class='table'><table class='matrix'><thead><tr class='names'>"
            f"<th scope='col' rowspan='2'>claim</th>{names}</tr>"
            f"<tr class='identity'>{identities}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table></div>"
            f"<h2>Notes</h2><ol class='notes'>{notes}</ol>"
            "<h2>The engines</h2><div class='table'><table class='engines'><thead><tr>"
            "<th>column</th><th>engine</th><th>claims.json</th></tr></thead><tbody>"
            f"{engines}</tbody></table></div>"
            f"<h2>The article's sentences</h2><ul>{sentences}</ul></body></html>\n")


def _word(verdict: str) -> str:
    return words.VERDICT_WORDS.get(verdict, verdict)


@dataclass(frozen=True)
class Change:
    claim: str
    old: str
    new: str
    scenarios: tuple[str, ...]
    """The scenarios whose outcome made the difference, each with what the new run said."""


UNCOMPARED = ("not measured", "could not be measured", "incomplete")
"""Verdicts that say what a run could not measure, not what the engine did: a claim with one
of them on either side is left out of the comparison (and said so), never a change."""


def not_comparable(run: EngineRun) -> str | None:
    """Why a run's verdicts do not stand for its engine as a whole (None when they do): it was
    interrupted, it stopped (no engine, its start failed, the engine lost), or it reached no
    engine."""
    facts = run.run
    if facts.get("interrupted_by"):
        return f"it was interrupted by {facts['interrupted_by']}"
    if facts.get("stopped_because"):
        during = f" while {facts['stopped_during']}" if facts.get("stopped_during") else ""
        return f"it stopped{during}: {_first(facts['stopped_because'])}"
    if not run.engine:
        return "it reached no engine"
    return None


def incomparable(old: EngineRun, new: EngineRun) -> str | None:
    """Why two runs cannot be compared (None when they can): either is not comparable, or they
    selected different scenarios (two runs of the same selection compare what it selects)."""
    for which, run in (("old", old), ("new", new)):
        why = not_comparable(run)
        if why:
            return f"the {which} run ({run.path}) does not stand for its engine: {why}"
    chosen = {which: words.selection_text(run.run.get("selection"))
              for which, run in (("old", old), ("new", new))}
    if chosen["old"] != chosen["new"]:
        return "they selected different scenarios: " + "; ".join(
            f"the {which} run was " + (f"a selection ({text})" if text else "the whole suite")
            for which, text in chosen.items())
    return None


def compare(old: EngineRun, new: EngineRun) -> tuple[list[Change], list[str]]:
    """The claims whose verdict changed from `old` to `new`, each with the scenarios whose
    outcome changed (and what the new run said of them); and the claims left out, each with
    why (not measured, could not be measured or incomplete in either run, absent from one)."""
    changes, left_out = [], []
    for claim_id in sorted(set(old.claims) | set(new.claims)):
        before, after = old.claims.get(claim_id), new.claims.get(claim_id)
        if before is None or after is None:
            left_out.append(f"{claim_id}: not in the {'old' if before is None else 'new'} run")
            continue
        unsure = [(which, claim) for which, claim in (("old", before), ("new", after))
                  if claim.verdict in UNCOMPARED]
        if unsure:
            which, claim = unsure[0]
            reasons = list(dict.fromkeys(s.reason for s in claim.scenarios
                                         if s.status != "passed" and s.reason))
            left_out.append(f"{claim_id}: {claim.verdict} in the {which} run"
                            + (f" ({reasons[0]})" if reasons else ""))
            continue
        if before.verdict == after.verdict:
            continue
        then = {s.name: s for s in before.scenarios}
        lines = []
        for scenario in after.scenarios:
            previous = then.get(scenario.name)
            if previous is None or previous.status != scenario.status:
                lines.append(f"{scenario.name}: {previous.status if previous else 'absent'} -> "
                             f"{scenario.status}"
                             + (f" ({scenario.reason})" if scenario.reason
                                and scenario.status != "passed" else ""))
        changes.append(Change(claim_id, before.verdict, after.verdict, tuple(lines)))
    return changes, left_out


def _first(text: str) -> str:
    return " ".join(text.split())[:200]


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The `matrix` and `compare` subcommands (they read files only: no engine needed)."""
    table = commands.add_parser(
        "matrix", help="put the claims.json of runs on several engines "
        "side by side: a claims x engines table (Markdown and HTML)",
        description="Read the claims.json of runs on several engines (reports/claims.json of "
        "each) and write a claims x engines table, matrix.md and matrix.html: each cell the "
        "claim's verdict on that engine, with the engine fact behind any difference. Reads "
        "files only; no engine is needed.")
    table.add_argument("reports", nargs="+", type=Path, metavar="CLAIMS.json")
    table.add_argument("--write-expected", type=Path, metavar="FILE",
                       help="also write these runs' verdicts, as the ones each configuration is "
                       "expected to have, into FILE (the drift watch's; other configurations "
                       "in it are kept): review the diff, then commit it")
    table.add_argument("-o", "--output", type=Path, default=Path("reports/matrix"),
                       help="directory for matrix.md and matrix.html (default: reports/matrix)")
    table.set_defaults(offline=_matrix_command)
    changed = commands.add_parser(
        "compare", help="list the verdicts that changed between two "
        "runs (exit 1 when some did)",
        description="List the claims whose verdict differs between two runs' claims.json (an "
        "engine upgrade, say), one line each, then the scenarios that made the difference. "
        "A claim not measured, not measurable or incomplete in either run is left out, and "
        "said so. Exit 0 when no verdict changed, 1 when some did, 4 when the runs cannot be "
        "compared (one was interrupted, stopped or reached no engine, or they selected "
        "different scenarios). Reads files only; no engine is needed.")
    changed.add_argument("runs", nargs="+", type=Path, metavar="RUN.json",
                         help="OLD.json NEW.json; with --expected, any number of runs")
    changed.add_argument("--expected", type=Path, metavar="FILE",
                         help="compare each run with the verdicts FILE expects of its "
                         "configuration (the directory its claims.json is in), not with "
                         "another run: a table of every claim whose verdict is not the one "
                         "expected, exit 1 when there is one")
    changed.set_defaults(offline=_compare_command)


def _matrix_command(args: argparse.Namespace) -> int:
    names = Counter(load_name(path) for path in args.reports)
    runs = [load_run(path, None if names[load_name(path)] == 1 else str(path))
            for path in args.reports]
    if args.write_expected:
        for run in runs:
            why = not_comparable(run) or (f"it was a selection ({words.selection_text(sel)})"
                                          if (sel := run.run.get("selection")) else None)
            if why:
                raise MatrixInputError(f"{run.path}: its verdicts cannot be the expected ones: "
                                       f"{why}")
        written = expected.write(args.write_expected, {
            load_name(Path(run.path)): {c: claim.verdict for c, claim in run.claims.items()}
            for run in runs})
        print(f"wrote the expected verdicts of {', '.join(written)} into {args.write_expected}: "
              "review the diff, then commit it", file=sys.stderr)
    found = build(default_first(runs))
    args.output.mkdir(parents=True, exist_ok=True)
    text = markdown(found)
    (args.output / "matrix.md").write_text(text, encoding="utf-8")
    (args.output / "matrix.html").write_text(html_page(found), encoding="utf-8")
    sys.stdout.write(text)
    print(f"wrote {args.output / 'matrix.md'} and {args.output / 'matrix.html'}",
          file=sys.stderr)
    return ExitStatus.OK


DEFAULT = "default"
"""The run that the matrix puts first: the engine a user has (scripts/engines/default-up)."""


def default_first(runs: list[EngineRun]) -> list[EngineRun]:
    """The run named "default" first (else the first given), the others in the order given."""
    first = next((run for run in runs if run.name == DEFAULT), runs[0] if runs else None)
    return [first, *(run for run in runs if run is not first)] if first else []


def load_name(path: Path) -> str:
    return path.parent.name if path.name == "claims.json" and path.parent.name else path.stem


def _compare_command(args: argparse.Namespace) -> int:
    if args.expected:
        return _compare_expected(args.expected, args.runs)
    if len(args.runs) != 2:
        raise MatrixInputError(f"compare takes two runs, OLD.json NEW.json (got {len(args.runs)})"
                               "; with --expected FILE, any number")
    old, new = (load_run(path, str(path)) for path in args.runs)
    print(f"old: {old.describe()} ({old.path})\nnew: {new.describe()} ({new.path})")
    why = incomparable(old, new)
    if why:
        print(f"not comparable: {why}")
        return ExitStatus.NOT_COMPARABLE
    changes, left_out = compare(old, new)
    for change in changes:
        print(f"{change.claim}: {change.old} -> {change.new}")
        for line in change.scenarios:
            print(f"    {line}")
    for line in left_out:
        print(f"not compared: {line}")
    if changes:
        return ExitStatus.FAILS
    if len(left_out) == len(set(old.claims) | set(new.claims)):
        print("nothing compared: no claim has a verdict in both runs")
        return ExitStatus.NOT_COMPARABLE
    print("no verdict changed")
    return ExitStatus.OK


def _why(claim: Claim) -> str:
    """Why a claim has its verdict, in a line: what its scenarios that did not pass said, else
    the nuances that held."""
    said = list(dict.fromkeys(s.reason for s in claim.scenarios
                              if s.status != "passed" and s.reason))
    if said:
        return "; ".join(said)
    nuances = [s.name for s in claim.scenarios if s.nuance]
    return ("every scenario passed; the nuances: " + "; ".join(nuances) if nuances
            else "every scenario passed")


def _compare_expected(path: Path, paths: list[Path]) -> int:
    """Each run against the verdicts the file expects of its configuration: the drift table."""
    wanted = expected.load(path)
    observed, incomparable_runs = {}, []
    for run_path in paths:
        run = load_run(run_path, str(run_path))
        why = not_comparable(run) or (f"it was a selection ({words.selection_text(sel)})"
                                      if (sel := run.run.get("selection")) else None)
        if why:
            incomparable_runs.append(f"{run.path}: {why}")
            continue
        observed[load_name(run_path)] = (
            {c: claim.verdict for c, claim in run.claims.items()},
            {c: _why(claim) for c, claim in run.claims.items()})
    found = expected.drifts(wanted, observed)
    compared = ", ".join(sorted(set(observed) & set(wanted))) or "none"
    for line in incomparable_runs:
        print(f"not comparable: {line}")
    for config in expected.unwatched(wanted, observed):
        print(f"not watched: {path} expects nothing of {config} (to watch it: docker-claims "
              f"matrix --write-expected {path} .../{config}/claims.json, review, commit)")
    if found:
        print(f"verdicts not as {path} expects (configurations compared: {compared}):\n")
        sys.stdout.write(expected.table(found))
        print(f"\nA change the engine really made is accepted by writing it into {path} "
              "(docker-claims matrix --write-expected), reviewing the diff and committing it.")
        return ExitStatus.FAILS
    if incomparable_runs:
        return ExitStatus.NOT_COMPARABLE
    if not set(observed) & set(wanted):
        print(f"nothing compared: {path} expects nothing of any configuration given")
        return ExitStatus.NOT_COMPARABLE
    print(f"every verdict is as {path} expects (configurations compared: {compared})")
    return ExitStatus.OK


def run_offline(args: argparse.Namespace) -> int | None:
    """Run a subcommand that reads files only; None for the others. Bad input: a message and
    the usage exit status, nothing written."""
    command = getattr(args, "offline", None)
    if command is None:
        return None
    try:
        return command(args)
    except (MatrixInputError, expected.ExpectedError) as error:
        print(f"docker-claims {args.command}: {error}", file=sys.stderr)
        return ExitStatus.USAGE

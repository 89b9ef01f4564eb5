"""`docker-claims parallel -j N [behave args]`: one run, its scenarios spread over N behave
processes.

Scenarios are independent (each makes and removes its own containers), so they can run side by
side. This process opens the run (one lease, every fixture image built once) and starts N
`behave` workers that join it (DOCKER_CLAIMS_RUN, see docker_claims.session), each over its
share of the selected scenarios: the longest first, onto the least loaded worker, by the times
of the last JUnit report. Each worker runs in a directory of its own holding links to the
project's behave configuration, so that the files it writes (JUnit, the claims report) do not
collide; they are merged into the places the configuration names. The exit status is 0 when
every worker passed. SIGINT or SIGTERM is passed on to the workers, whose cleanups run, then the
run is closed; if this process is killed outright, the workers notice and stop themselves.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import engine
from .fixtures import BusyboxMissing, FixtureSpec
from .session import (
    INTERRUPTS,
    JOIN_LOCKS,
    JOIN_RUN,
    JOIN_WORKER,
    PARENT_FD,
    Session,
    fixture_lock,
)

CONFIG_FILES = ("behave.ini", ".behaverc", "setup.cfg", "tox.ini", "pyproject.toml")
"""Where behave looks for its configuration, in the current directory."""

WORKER_OPTIONS = ("--no-skipped", "--junit", "-D",
                  "behave.reporter.junit.show_skipped_always=true")
"""Each worker prints only the scenarios it runs, yet writes every one to JUnit (those of
others as skipped), so that scenarios skipped at run time (and why) reach the merged files."""

MAX_DEFAULT_JOBS = 8
"""The most workers started when -j is not given (one per CPU of the engine)."""

DEFAULT_COST = 1.0
"""Seconds a scenario is taken to last when no earlier JUnit report says."""


@dataclass(frozen=True)
class Scenario:
    location: str  # absolute feature file path and line, as behave takes it
    name: str
    cost: float = DEFAULT_COST


@dataclass
class Plan:
    """What the user's behave arguments select, and the arguments that are not paths."""

    scenarios: list[Scenario]
    options: list[str]
    junit: bool
    junit_directory: Path
    outputs: list[tuple[str, str | None]] = field(default_factory=list)  # (format, file)
    junit_names: list[str] = field(default_factory=list)
    """What a plain behave run names each feature in JUnit (`lookup`, `sub.lookup`)."""


def isolated_cwd(project: Path, directory: Path) -> Path:
    """A directory where behave reads the project's configuration but writes its relative
    outputs (JUnit, report files) apart from the project's: links to the config files."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        if (project / name).is_file():
            (directory / name).symlink_to((project / name).resolve())
    return directory


def fixture_specs() -> list[FixtureSpec]:
    """Every fixture the library defines (module-level FixtureSpec values), to build up front."""
    import docker_claims

    found: dict[str, FixtureSpec] = {}
    for module in pkgutil.iter_modules(docker_claims.__path__):
        loaded = importlib.import_module(f"docker_claims.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, FixtureSpec):
                found.setdefault(repr(value), value)
    return list(found.values())


def plan(args: list[str], costs: dict[str, float] | None = None) -> Plan:
    """The scenarios behave would run with `args`, as it selects them (paths, tags, names,
    excludes), with their expected costs."""
    from behave.configuration import Configuration, setup_parser
    from behave.runner_util import collect_feature_locations, parse_features

    config = Configuration(list(args))
    locations = [loc for loc in collect_feature_locations(config.paths or ["features"])
                 if not config.exclude(loc.filename)]
    known = costs if costs is not None else {}
    scenarios, junit_names = [], []
    for feature in parse_features(locations, language=config.lang):
        junit_name = _junit_name(feature.filename, config.paths or ["features"])
        if junit_name:
            junit_names.append(junit_name)
        for scenario in feature.walk_scenarios():
            if scenario.should_run(config):
                scenarios.append(Scenario(f"{Path(feature.filename).resolve()}:{scenario.line}",
                                          scenario.name,
                                          known.get(scenario.name.strip(), DEFAULT_COST)))
    formats = list(config.format or [])
    names = [getattr(output, "name", None) for output in config.outputs or []]
    outputs = [(fmt, names[i] if i < len(names) else None) for i, fmt in enumerate(formats)]
    return Plan(scenarios, _options_only(setup_parser(), list(args)), bool(config.junit),
                Path(config.junit_directory or "reports"), outputs, junit_names)


def _junit_name(filename: str, paths: list[str]) -> str | None:
    """As behave's JUnit reporter names a feature when its file is under a path given; None
    when none is (behave then names it from its base directory, as the workers do too)."""
    for path in paths:
        if filename.startswith(path):
            stem = filename[len(path) + 1:].rsplit(".", 1)[0]
            return stem.replace("\\", "/").replace("/", ".")
    return None


def _options_only(parser, args: list[str]) -> list[str]:
    """`args` without the positional paths (workers get their scenarios as locations)."""
    paths = list(parser.parse_args(args).paths)
    options, takes_value = [], False
    for token in args:
        if takes_value:
            options.append(token)
            takes_value = False
        elif token.startswith("-") and token != "-":
            options.append(token)
            action = parser._option_string_actions.get(token.split("=", 1)[0])
            takes_value = "=" not in token and action is not None and action.nargs is None
        elif token in paths:
            paths.remove(token)
        else:
            options.append(token)
    return options


def last_costs(junit_directory: Path) -> dict[str, float]:
    """Scenario name -> seconds, from the JUnit files of an earlier run (if any)."""
    costs: dict[str, float] = {}
    for path in sorted(junit_directory.glob("TESTS-*.xml")):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError):
            continue
        for case in root.iter("testcase"):
            if case.find("skipped") is None and case.get("time"):
                costs[case.get("name", "").strip()] = float(case.get("time"))
    return costs


def split(scenarios: list[Scenario], workers: int) -> list[list[Scenario]]:
    """Longest first onto the least loaded worker; each share in file order."""
    shares: list[list[Scenario]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(shares)
    for scenario in sorted(scenarios, key=lambda s: -s.cost):
        lightest = loads.index(min(loads))
        shares[lightest].append(scenario)
        loads[lightest] += scenario.cost
    return [sorted(share, key=_file_order) for share in shares if share]


def _file_order(scenario: Scenario) -> tuple[str, int]:
    path, _, line = scenario.location.rpartition(":")
    return path, int(line)


@dataclass
class _Worker:
    number: int
    directory: Path
    process: subprocess.Popen
    log: Path
    share: list[Scenario]
    started: float
    ended: float | None = None


def main(jobs: int | None, args: list[str]) -> int:
    """Run the selected scenarios over `jobs` workers (None: the engine's CPUs, at most 8);
    the merged exit status."""
    cwd = Path.cwd()
    started = time.monotonic()
    try:
        selection = plan(args)
        selection = plan(args, last_costs(cwd / selection.junit_directory))
    except SystemExit as error:  # behave's parser already said what is wrong
        return int(error.code or 2)
    if not selection.scenarios:
        print("docker-claims parallel: no scenario selected", file=sys.stderr)
        return 1
    try:
        session = Session.open(prepare=fixture_specs())
    except (engine.EngineUnavailable, BusyboxMissing) as error:
        print(f"docker-claims cannot run: {error}", file=sys.stderr)
        return 2
    workers: list[_Worker] = []
    status, counts = 0, {}
    try:
        print(f"docker-claims run {session.run.id} on {session.fingerprint.summary()}",
              file=sys.stderr, flush=True)
        jobs = jobs or max(1, min(MAX_DEFAULT_JOBS, session.client.info().get("NCPU") or 1))
        shares = split(selection.scenarios, jobs)
        claimed = _claim(session, fixture_specs())
        workers = _start(session, selection, shares)  # they start up while fixtures build
        built = _build(session, claimed)
        print(f"docker-claims parallel: {len(selection.scenarios)} scenarios over "
              f"{len(shares)} workers; {len(built)} fixture images ready "
              f"({time.monotonic() - started:.1f} s)", file=sys.stderr, flush=True)
        status = _wait(workers)
    except KeyboardInterrupt as interrupt:
        print(f"docker-claims parallel: {interrupt or 'interrupted'}: stopping the workers",
              file=sys.stderr, flush=True)
        with INTERRUPTS.cleaning_up():
            _stop(workers)
        status = 130
    except BaseException:
        with INTERRUPTS.cleaning_up():
            _stop(workers)
        raise
    finally:
        with INTERRUPTS.cleaning_up():
            try:
                counts = _merge(selection, workers, cwd)
            finally:
                session.close()
    _summary(workers, counts, status, time.monotonic() - started)
    return status


def _locks(session: Session) -> Path:
    """Where the run's processes lock the fixture they build (see session.fixture_lock)."""
    directory = session.workdir / "locks"
    directory.mkdir(exist_ok=True)
    return directory


def _claim(session: Session, specs: list[FixtureSpec]) -> list[tuple[FixtureSpec, ExitStack]]:
    """Take every fixture's lock before the workers start: a worker that needs one before it
    is built waits for it instead of building it too."""
    digest = hashlib.sha256(session.fixtures.busybox()).hexdigest()
    claimed = []
    for spec in specs:
        lock = ExitStack()
        lock.enter_context(fixture_lock(_locks(session), spec.content_hash(digest)))
        claimed.append((spec, lock))
    return claimed


def _build(session: Session, claimed: list[tuple[FixtureSpec, ExitStack]]) -> list:
    """Build each claimed fixture once, letting go of its lock as soon as it is there."""
    built = []
    session.fixtures.prepare(spec for spec, _ in claimed)
    try:
        for spec, lock in claimed:
            with lock:
                built.append(session.fixtures.image(spec))
    finally:
        for _, lock in claimed:
            lock.close()
    return built


def _start(session: Session, selection: Plan, shares: list[list[Scenario]]) -> list[_Worker]:
    locks = _locks(session)
    reader, writer = os.pipe()  # the workers' sign that this process is alive (see session)
    workers = []
    try:
        for number, share in enumerate(shares, 1):
            directory = isolated_cwd(Path.cwd(), session.workdir / f"w{number}")
            listing = directory / "scenarios.txt"
            listing.write_text("".join(f"{s.location}\n" for s in share))
            log = directory / "output.txt"
            env = {**os.environ, JOIN_RUN: session.run.id, JOIN_WORKER: f"w{number}",
                   JOIN_LOCKS: str(locks), PARENT_FD: str(reader)}
            command = [sys.executable, "-m", "behave", *selection.options, *WORKER_OPTIONS,
                       "--junit-directory", str(directory / "junit"), f"@{listing}"]
            with open(log, "wb") as out:
                process = subprocess.Popen(command, cwd=directory, env=env, stdout=out,
                                           stderr=subprocess.STDOUT, pass_fds=(reader,),
                                           start_new_session=True)
            workers.append(_Worker(number, directory, process, log, share, time.monotonic()))
    finally:
        os.close(reader)
    _keep_open.append(writer)
    return workers


_keep_open: list[int] = []
"""Write ends of the workers' pipes: open for as long as this process lives."""


def _wait(workers: list[_Worker]) -> int:
    status = 0
    pending = list(workers)
    while pending:
        for worker in list(pending):
            code = worker.process.poll()
            if code is None:
                continue
            worker.ended = time.monotonic()
            pending.remove(worker)
            _replay(worker)
            status = status or (1 if code else 0)
        time.sleep(0.05)
    return status


def _stop(workers: list[_Worker]) -> None:
    """Interrupt the workers that still run and wait for their cleanups."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(2)  # SIGINT: behave winds down, cleanups run
    for worker in workers:
        worker.process.wait()
        if worker.ended is None:
            worker.ended = time.monotonic()
            _replay(worker)


def _replay(worker: _Worker) -> None:
    took = (worker.ended or time.monotonic()) - worker.started
    print(f"\n== worker w{worker.number}: {len(worker.share)} scenarios, exit "
          f"{worker.process.returncode}, {took:.1f} s", flush=True)
    with open(worker.log, "rb") as log:
        shutil.copyfileobj(log, sys.stdout.buffer)
    sys.stdout.flush()


def _merge(selection: Plan, workers: list[_Worker], cwd: Path) -> dict[str, int]:
    """The workers' JUnit files and report files, merged where the configuration puts them;
    returns the scenarios' outcomes, counted."""
    if not workers:
        return {}
    counts = merge_junit([w.directory / "junit" for w in workers],
                         cwd / selection.junit_directory if selection.junit else None,
                         selection.junit_names)
    for fmt, name in selection.outputs:
        if not name or name == "-" or Path(name).is_absolute():
            continue  # stdout was replayed; an absolute path was shared by the workers
        made = [w.directory for w in workers if (w.directory / name).exists()]
        if not made:
            continue
        target = cwd / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "claims" or fmt.endswith(":ClaimsFormatter"):
            merge_claims([(d / name, d) for d in made], target, cwd)
        else:
            with open(target, "wb") as out:
                for directory in made:
                    out.write((directory / name).read_bytes())
    return counts


def merge_junit(directories: list[Path], target: Path | None,
                names: list[str] = ()) -> dict[str, int]:
    """One JUnit file per feature (written into `target` unless None): each scenario's result
    from the worker that ran it (the others list it as skipped), counts recomputed, and each
    feature named as a plain behave run names it (`names`; a worker, given its scenarios as
    absolute locations, names them from its base directory: `features.lookup`). Returns how
    many scenarios passed, failed (or errored) and were skipped."""
    merged: dict[str, ET.Element] = {}
    cases: dict[str, dict[tuple[str, str], ET.Element]] = {}
    for directory in directories:
        for path in sorted(directory.glob("TESTS-*.xml")):
            root = ET.parse(path).getroot()
            stem = path.name[len("TESTS-"):-len(".xml")]
            name = _renamed(stem, names)
            if name != stem:
                _rename_suite(root, stem, name)
            key_name = f"TESTS-{name}.xml"
            suite = merged.setdefault(key_name, root)
            held = cases.setdefault(key_name, {})
            for case in root.findall("testcase"):
                key = (case.get("classname", ""), case.get("name", ""))
                if key not in held or (_skipped(held[key]) and not _skipped(case)):
                    held[key] = case
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for name, suite in merged.items():
        for case in suite.findall("testcase"):
            suite.remove(case)
        chosen = list(cases[name].values())
        suite.extend(chosen)
        suite.set("tests", str(len(chosen)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in chosen)))
        suite.set("errors", str(sum(c.find("error") is not None for c in chosen)))
        suite.set("skipped", str(sum(_skipped(c) for c in chosen)))
        suite.set("time", f"{sum(float(c.get('time') or 0) for c in chosen):.6f}")
        for case in chosen:
            counts[_outcome(case)] += 1
        if target is not None:
            target.mkdir(parents=True, exist_ok=True)
            ET.ElementTree(suite).write(target / name, encoding="utf-8", xml_declaration=True)
    return counts


def _renamed(stem: str, names: list[str]) -> str:
    matches = [name for name in names if stem == name or stem.endswith(f".{name}")]
    return max(matches, key=len) if matches else stem


def _rename_suite(suite: ET.Element, old: str, new: str) -> None:
    for element in (suite, *suite.findall("testcase")):
        for attribute in ("name", "classname"):
            value = element.get(attribute)
            if value is not None and value.startswith(f"{old}."):
                element.set(attribute, new + value[len(old):])


def _skipped(case: ET.Element) -> bool:
    return case.find("skipped") is not None or case.get("status") in ("skipped", "untested")


def _outcome(case: ET.Element) -> str:
    if (case.find("failure") is not None or case.find("error") is not None
            or case.get("status") in ("failed", "error", "hook_error")):
        return "failed"
    return "skipped" if _skipped(case) else "passed"


def merge_claims(parts: list[tuple[Path, Path]], target: Path, cwd: Path) -> None:
    """The claims report of the whole run from the workers' reports (each a pair: the report
    file the formatter wrote, with its claims.json beside it, and the worker's directory): each
    scenario's outcome from the worker that ran it, verdicts decided again, locations as a run
    from `cwd` shows them; written as the formatter does (Markdown at `target`, JSON and HTML
    beside it)."""
    from .report import ClaimVerdict, ScenarioOutcome, html_page, markdown

    engine_facts = None
    claims: dict[str, ClaimVerdict] = {}
    outcomes: dict[tuple[str, str], dict] = {}
    for written, worker_dir in parts:
        part = written.with_suffix(".json")
        if not part.exists():
            continue
        report = json.loads(part.read_text(encoding="utf-8"))
        engine_facts = engine_facts or report.get("engine")
        for claim in report.get("claims", []):
            claims.setdefault(claim["claim"], ClaimVerdict(claim["claim"], claim["article"]))
            for scenario in claim["scenarios"]:
                scenario["location"] = _relocated(scenario["location"], worker_dir, cwd)
                key = (claim["claim"], scenario["location"])
                held = outcomes.get(key)
                if held is None or (held["status"] in ("skipped", "untested")
                                    and scenario["status"] not in ("skipped", "untested")):
                    outcomes[key] = scenario
    for (claim_id, _location), scenario in sorted(outcomes.items(),
                                                   key=lambda kv: _location_order(kv[0])):
        claims[claim_id].scenarios.append(ScenarioOutcome(**scenario))
    for verdict in claims.values():
        verdict.decide()
    report = {"engine": engine_facts, "claims": [asdict(claims[key]) for key in sorted(claims)]}
    target.write_text(markdown(report), encoding="utf-8")
    base = target.with_suffix("")
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=repr), encoding="utf-8")
    base.with_suffix(".html").write_text(html_page(report), encoding="utf-8")


def _relocated(location: str, worker_dir: Path, cwd: Path) -> str:
    """A location a worker printed (relative to its own directory), as seen from `cwd`."""
    path, sep, line = location.rpartition(":")
    if not sep:
        return location
    absolute = Path(os.path.normpath(worker_dir / path))
    try:
        return f"{absolute.relative_to(cwd)}:{line}"
    except ValueError:
        return f"{absolute}:{line}"


def _location_order(key: tuple[str, str]) -> tuple[str, str, int]:
    claim, location = key
    path, _, line = location.rpartition(":")
    return claim, path, int(line) if line.isdigit() else 0


def _summary(workers: list[_Worker], counts: dict[str, int], status: int, took: float) -> None:
    codes = ", ".join(f"w{w.number} exit {w.process.returncode}" for w in workers)
    outcome = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"\ndocker-claims parallel: {outcome or 'no scenario ran'} ({codes}); {took:.1f} s: "
          f"{'passed' if status == 0 else 'FAILED'}", file=sys.stderr, flush=True)

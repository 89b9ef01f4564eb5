"""Through a lying engine, the claims fail: the proof that their checks check.

Each test runs one claim alone (`behave --tags=@claim.Cnn`) with DOCKER_HOST (and, for C14,
DOCKER_CLAIMS_NODE2) pointing at a lying proxy (lying_proxy.py) that falsifies one kind of
answer (lies.py), and expects that claim red: a scenario of it failed on a ClaimFailed, and
the lie was told (through the proxy telling no lie, every claim stays green: test_full_runs.py).
The runs are real
behave runs, started side by side (RUNS_AT_ONCE) as soon as the first test of this module asks,
for the tests selected: two runs on one engine are a case the suite supports anyway.
"""

from __future__ import annotations

import contextlib
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from xml.etree import ElementTree

import pytest
from behave_runs import remove_tree, start
from lies import MARK, Telling, tellings
from lying_proxy import LyingProxy, first_engine

from docker_claims.engine.config import settings

pytestmark = pytest.mark.lies

RUNS_AT_ONCE = 5
"""Behave runs through proxies at the same time: the engine, not this process, is the limit
(on 2 CPUs, the module took 46.7 s with 3 at once and 42.5 s with 5)."""

RUN_TIMEOUT = 600


@dataclass
class Outcome:
    """What one behave run through the proxies gave."""

    exit_code: int
    scenarios: list[dict]  # name, status, message (of the failing step)
    told: list[str]
    output: str

    def failed(self) -> list[dict]:
        """The scenarios that failed on a check (ClaimFailed), not on an error of the suite."""
        return [s for s in self.scenarios if s["status"] == "failed"
                and s["raised"] == "ClaimFailed"]

    def ran(self) -> list[dict]:
        return [s for s in self.scenarios if s["status"] in ("passed", "failed", "error")]

    def broken(self) -> list[dict]:
        return [s for s in self.scenarios if s["status"] in ("failed", "error")]

    def describe(self) -> str:
        lines = [f"exit {self.exit_code}; lies told: {self.told[:10] or 'none'}"]
        lines += [f"  {s['status']}: {s['name']}" + (f"\n    {s['raised']}: {s['message'][:600]}"
                                                     if s["message"] else "")
                  for s in self.ran()]
        return "\n".join(lines) + "\n-- output (end) --\n" + self.output[-3000:]


def scenarios_of(reports: Path) -> list[dict]:
    """Each scenario of the run's JUnit reports (wherever under `reports` the run put them):
    name, status, and, when it failed, the type of what it raised and its message (a
    ClaimFailed carries what the engine showed)."""
    found = []
    for report in sorted(reports.rglob("*.xml")):
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            found.append({"name": case.get("name", "").strip(),
                          "status": case.get("status"),
                          "raised": problem.get("type", "") if problem is not None else "",
                          "message": problem.get("message", "") if problem is not None else ""})
    return found


def run_through(telling: Telling, first: str, node2: Optional[str],
                directory: Path) -> Outcome:
    selection = [f"--tags=@claim.{telling.claim}"]
    with contextlib.ExitStack() as stack:
        proxy = stack.enter_context(LyingProxy(first, telling.lies))
        env = {"DOCKER_HOST": proxy.url}
        proxies = [proxy]
        if node2:
            second = stack.enter_context(LyingProxy(node2, telling.node2_lies))
            env["DOCKER_CLAIMS_NODE2"] = second.url
            proxies.append(second)
        run = start(directory, *selection, env=env)
        try:
            code = run.wait(timeout=RUN_TIMEOUT)
        finally:
            run.kill()
        told = [line for p in proxies for line in p.told]
    return Outcome(code, scenarios_of(directory / "reports"), told, run.output())


@pytest.fixture(scope="module")
def runs(request, session):
    """The selected tests' behave runs, started side by side at once; each test waits for its
    own."""
    first = first_engine()
    if first is None:
        pytest.skip("the engine is not reached through a plain unix or tcp address: the lying "
                    "proxy cannot stand in front of it")
    node2 = settings().node2
    wanted = {item.callspec.params["telling"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")}
    chosen = {t.name: t for t in tellings()
              if t.name in wanted}
    workdir = Path(tempfile.mkdtemp(prefix="docker-claims-lies-"))
    request.addfinalizer(lambda: remove_tree(workdir))
    pool = ThreadPoolExecutor(RUNS_AT_ONCE, thread_name_prefix="lie-run")
    request.addfinalizer(lambda: pool.shutdown(wait=True, cancel_futures=True))
    started: dict[str, Future] = {}
    for number, (name, telling) in enumerate(chosen.items()):
        needs_node2 = bool(telling.node2_lies)
        if needs_node2 and not node2:
            continue
        started[name] = pool.submit(run_through, telling, first, node2,
                                    workdir / f"run-{number}")
    return started, chosen


NAMES = [t.name for t in tellings()]


@pytest.mark.parametrize("telling", NAMES)
def test_a_lie_turns_its_claim_red(runs, telling):
    started, chosen = runs
    if telling not in started:
        pytest.skip("no second engine (DOCKER_CLAIMS_NODE2): the lie is told there")
    outcome = started[telling].result()
    told = chosen[telling]
    lies = told.all_lies()
    assert all(lie.told for lie in lies), (
        f"lies never told: {[lie.name for lie in lies if not lie.told]}: the claim does not "
        f"ask what they falsify\n{outcome.describe()}")
    failed = outcome.failed()  # an assertion (ClaimFailed): not an error of the suite
    assert outcome.exit_code == 1 and failed, (
        f"{told.claim} stayed green (or could not be measured) through the lie "
        f"{telling!r}:\n{outcome.describe()}")
    if told.grouped:
        caught = {lie.name for lie in lies for s in failed
                  if f"{MARK}: {lie.name}" in s["message"]}
        assert caught == {lie.name for lie in lies}, (
            f"no scenario of {told.claim} failed on the lies "
            f"{sorted({lie.name for lie in lies} - caught)}\n{outcome.describe()}")

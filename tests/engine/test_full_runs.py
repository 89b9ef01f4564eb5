"""Two full runs at once against one engine, one of them through the lying proxy telling no lie.

What a whole run must show, asked of one pair of runs (each full run costs the engine what the
whole suite costs, so the properties below share them):
- both pass and leave nothing labelled: names, fixture builds (the classic builder's cache is
  shared between runs), netns checks and sweeps of two runs at once do not collide;
- through the proxy telling no lie every claim stays green: the lie tests (test_lies.py) turn a
  claim red by one falsified answer, not by the proxy itself;
- neither touches the user's things (named like the article's own), judged by the engine's
  event stream during the runs, while another client removes a container of its own;
- neither report names another owner's container or image: a decoy of each, named with a
  random word, is on the engine during the runs and nowhere in their reports.
"""

from __future__ import annotations

import json
import secrets
import string
import time
import uuid
from dataclasses import dataclass

import pytest
from behave_runs import BehaveRun, labelled, remove_tree, start
from lying_proxy import LyingProxy, first_engine
from user_state import BAIT, article_state, epoch, state_of, touching, users_things

from docker_claims.engine.scope import ignoring_gone
from docker_claims.runner.report import measured, replays

RUN_TIMEOUT = 600


@dataclass
class FullRuns:
    direct: BehaveRun
    proxied: BehaveRun
    codes: tuple[int, int]
    events: list[dict]
    things: dict[str, dict[str, str]]
    before: dict
    after: dict
    decoys: tuple[str, ...]
    """What names the decoys: their random word, their ids in full and cut to 12 digits."""


@pytest.fixture(scope="module")
def full_runs(session, tmp_path_factory, request):
    first = first_engine()
    if first is None:
        pytest.skip("the engine is not reached through a plain unix or tcp address: the lying "
                    "proxy cannot stand in front of it")
    client = session.client
    test_id = uuid.uuid4().hex[:12]
    image = article_state(client, request.addfinalizer, test_id)
    things = users_things(client, test_id)
    assert things["container"] and things["image"], things
    before = state_of(client, things)
    decoys = _decoys(client, image, test_id, request.addfinalizer)
    # Another client's own container, removed by that client during the runs: a comparison of
    # the whole engine before and after would call that the runs' doing.
    other = client.containers.create(image.id, ["true"], network_mode="none",
                                     labels={BAIT: f"other-{test_id}"})
    request.addfinalizer(ignoring_gone(lambda: other.remove(force=True)))  # if a run never starts
    directory = tmp_path_factory.mktemp("full-runs")
    request.addfinalizer(lambda: remove_tree(directory))
    since = client.info().get("SystemTime")  # the engine's clock: events are stamped by it
    started = time.time()
    with LyingProxy(first, []) as proxy:
        direct = start(directory / "direct")
        proxied = start(directory / "proxied", env={"DOCKER_HOST": proxy.url})
        try:
            other.remove(force=True)
            codes = (direct.wait(timeout=RUN_TIMEOUT), proxied.wait(timeout=RUN_TIMEOUT))
        finally:
            direct.kill()
            proxied.kill()
    until = epoch(since) + int(time.time() - started) + 2
    events = list(client.api.events(since=epoch(since), until=until, decode=True))
    return FullRuns(direct, proxied, codes, events, things, before, state_of(client, things),
                    decoys)


def _decoys(client, image, test_id: str, defer) -> tuple[str, ...]:
    """A container and an image of another owner's, named with a random word (letters no
    report holds by chance), removed when the module's tests end."""
    word = "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
    container = client.containers.create(image.id, ["true"], name=f"{word}-box",
                                         network_mode="none", labels={BAIT: f"decoy-{test_id}"})
    defer(ignoring_gone(lambda: container.remove(force=True)))
    committed = container.commit(repository=word, tag="decoy",
                                 conf={"Labels": {BAIT: f"decoy-{test_id}"}})
    defer(ignoring_gone(lambda: client.images.remove(committed.id, force=True)))
    ids = (container.id, committed.id.split(":")[-1])
    return (word, *ids, *(full[:12] for full in ids))


def test_two_full_runs_at_once_both_pass_and_leave_nothing(session, full_runs):
    runs = (full_runs.direct, full_runs.proxied)
    ids = [run.run_id(timeout=0) for run in runs]
    assert ids[0] != ids[1]
    assert full_runs.codes == (0, 0), "\n\n".join(run.output()[-6000:] for run in runs)
    for run_id in ids:
        assert labelled(session.client, run_id) == []


def test_through_the_proxy_telling_no_lie_every_claim_stays_green(full_runs):
    output = full_runs.proxied.output()
    assert full_runs.codes[1] == 0, output[-6000:]
    assert " 0 failed" in output and "scenarios passed" in output, output[-3000:]


def test_no_report_names_another_owners_container_or_image(full_runs):
    found = {}
    for run in (full_runs.direct, full_runs.proxied):
        for path in sorted((run.cwd / "reports").rglob("*")):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                found.update({f"{path}: {needle}": True for needle in full_runs.decoys
                              if needle in text})
    assert (full_runs.direct.cwd / "reports" / "claims.json").is_file()
    assert not found, f"a report names a decoy: {sorted(found)}"


def test_neither_run_touches_the_users_things(full_runs):
    assert full_runs.events, "the engine reported no event during two whole runs"
    assert touching(full_runs.events, full_runs.things) == [], "a run touched the user's things"
    assert full_runs.after == full_runs.before, "the user's things changed during the runs"


def test_a_full_runs_report_says_what_each_claim_measured(full_runs):
    """The reports' measured line is made from the facts the checks return: on a real run,
    every claim that holds has each of its template's facts (none "not observed"), each nuance
    its measured value, and C15's replay is laid beside the article's session, every compared
    field as the article's (the unit tests read a kept report; this one proves the facts and
    the templates still meet)."""
    report = json.loads((full_runs.direct.cwd / "reports" / "claims.json").read_text())
    for claim in report["claims"]:
        if claim["verdict"] not in ("holds", "holds_with_nuance"):
            continue
        line = measured.line(claim)
        assert line and measured.NOT_OBSERVED not in line, (claim["id"], line)
        for scenario in claim["scenarios"]:
            if scenario["nuance"]:
                assert measured.nuance_value(claim["id"], scenario), (claim["id"], scenario)
    c15 = next(c for c in report["claims"] if c["id"] == "C15")
    exchanges = replays.side_by_side(c15) if c15["verdict"] == "holds" else None
    if exchanges is not None:
        assert all(e.was_replayed and e.fields and not e.mismatched for e in exchanges)

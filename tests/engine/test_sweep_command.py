"""`docker-claims sweep --dry-run` predicts `docker-claims sweep`: the same selection, per run
its state and age, and the resources removed; a live run is removed only with --force.

The runs here are made by hand, one per state: a lease created and not started (starting), a
lease running (alive), a lease that has exited (dead), and no lease yet (young). Other runs on
the engine (other people's tests) are left out of every assertion. A run that opens meanwhile
sweeps the dead run too, by design: what it took first is gone rather than listed, and the
test checks that it is gone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from docker_claims.engine.fixtures import BASE
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.scope import Run, ignoring_gone, remove_container, wait_until

ROOT = Path(__file__).resolve().parents[2]
RUN_LINE = re.compile(r"^(?:kept )?run (\w+) is (\w+), (\S+) old \((.*)\)")


def docker_claims(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "docker_claims.runner.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def per_run(output: str) -> dict[str, dict]:
    """Run id -> its state, age and the resource lines printed under it."""
    runs: dict[str, dict] = {}
    current = None
    for line in output.splitlines():
        found = RUN_LINE.match(line)
        if found:
            current = runs.setdefault(found.group(1), {"state": found.group(2),
                                                       "age": found.group(3), "lines": []})
        elif line.startswith("  ") and current is not None:
            current["lines"].append(line.strip())
        else:
            current = None
    return runs


def labelled(client, run_id: str) -> list[str]:
    selector = {"label": f"{LABEL_RUN}={run_id}"}
    return ([c["Names"][0].lstrip("/") for c in client.api.containers(all=True, filters=selector)]
            + [v["Name"] for v in client.api.volumes(filters=selector).get("Volumes") or []])


@pytest.fixture
def runs(session, request):
    """Four runs by hand, each a created container and a volume, and its lease as named."""
    client, image = session.client, session.fixtures.image(BASE).id
    made = {state: Run() for state in ("starting", "alive", "dead", "young")}

    def make(run: Run) -> None:
        container = client.containers.create(image, ["true"], name=run.name("ctr"),
                                             labels=run.labels("subject"), network_mode="none")
        request.addfinalizer(lambda: remove_container(client, container.id))
        volume = client.volumes.create(name=run.name("vol"), labels=run.labels("subject"))
        request.addfinalizer(ignoring_gone(lambda: client.api.remove_volume(volume.name)))

    def lease(run: Run, command: list[str]):
        container = client.containers.create(image, command, name=run.lease_name,
                                             labels=run.labels("lease"), stdin_open=True,
                                             network_mode="none")
        request.addfinalizer(lambda: remove_container(client, container.id))
        return container

    for run in made.values():
        make(run)
    lease(made["starting"], ["cat"])
    lease(made["alive"], ["cat"]).start()  # stdin open, nobody writes: cat waits
    dead = lease(made["dead"], ["true"])
    dead.start()
    dead.wait(timeout=30)
    assert wait_until(lambda: client.containers.get(made["alive"].lease_name).status
                      == "running", timeout=30), "the alive run's lease did not start"
    return {state: run.id for state, run in made.items()}


def test_the_dry_run_lists_what_the_sweep_then_removes(session, runs):
    client, dead = session.client, Run(runs["dead"])
    made = [f"container {dead.prefix}-ctr-0", f"volume {dead.prefix}-vol-1",
            f"container {dead.lease_name}"]  # the lease goes last
    dry = docker_claims("sweep", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    listed = per_run(dry.stdout)
    for state in ("starting", "alive", "young"):
        assert listed[runs[state]]["state"] == state, dry.stdout
        assert re.fullmatch(r"\d+[smhd]", listed[runs[state]]["age"]), dry.stdout
        assert listed[runs[state]]["lines"] == [], dry.stdout  # kept: nothing to remove
    predicted = listed.get(dead.id, {}).get("lines", [])
    assert predicted == [line for line in made if line in predicted], dry.stdout
    for line in made:  # what the dry run left out, a concurrent run's sweep had taken first
        assert line in predicted or line.split()[1] not in labelled(client, dead.id), dry.stdout
    if dead.id in listed:
        assert listed[dead.id]["state"] == "dead", dry.stdout

    real = docker_claims("sweep")
    assert real.returncode == 0, real.stdout + real.stderr
    swept = per_run(real.stdout)
    removed = [line.removeprefix("removed ") for line in swept.get(dead.id, {}).get("lines", [])]
    assert removed == [line for line in predicted if line in removed], real.stdout
    assert labelled(client, dead.id) == []
    for state in ("starting", "alive", "young"):
        assert swept[runs[state]]["state"] == state, real.stdout
        assert len(labelled(client, runs[state])) == (2 if state == "young" else 3)


def test_a_live_run_is_removed_only_with_force_and_the_command_says_so(session, runs):
    client, alive = session.client, runs["alive"]
    refused = docker_claims("sweep", "--run", alive)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert f"run {alive} is alive" in refused.stderr and "--force" in refused.stderr
    assert len(labelled(client, alive)) == 3

    dry = docker_claims("sweep", "--dry-run", "--run", alive, "--force")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    predicted = per_run(dry.stdout)[alive]["lines"]
    assert len(predicted) == 3

    forced = docker_claims("sweep", "--run", alive, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"run {alive} is alive" in forced.stderr and "anyway (--force)" in forced.stderr
    assert per_run(forced.stdout)[alive]["lines"] == [f"removed {line}" for line in predicted]
    assert labelled(client, alive) == []
    assert len(labelled(client, runs["starting"])) == 3  # only the named run


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["sweep", "dry run"])
def test_sweeping_a_run_the_engine_has_nothing_of_says_there_is_no_such_run(session, dry_run):
    """A typo in --run is told, not taken for a clean engine."""
    run_id = Run().id
    done = docker_claims("sweep", "--run", run_id, *dry_run)
    assert (done.returncode, done.stdout) == (3, ""), done.stderr
    assert done.stderr == (f"docker-claims: no run {run_id} on this engine: nothing is labelled "
                           f"{LABEL_RUN}={run_id} there ('docker-claims sweep --dry-run' lists "
                           "the runs it has)\n")

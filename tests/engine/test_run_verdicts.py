"""Real `behave` runs, each checked by its report and its exit status: a one-scenario selection,
a helper the engine refuses, a second node that cannot serve (an interrupted run:
test_interruption.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from behave.parser import parse_file
from behave_runs import FEATURES, ROOT, report_of, start, verdicts

from docker_claims.runner.exit_status import ExitStatus

REFUSING_ENVIRONMENT = '''
"""The project's hooks, on an engine that refuses the suite's helper containers, as an
engine with an authorization plugin answers (403, "authorization denied by plugin")."""
import docker.api.container
from docker.errors import APIError

from docker_claims.engine.labels import LABEL_ROLE

_create = docker.api.container.ContainerApiMixin.create_container


def _refusing(self, image, *args, **kwargs):
    if (kwargs.get("labels") or {}).get(LABEL_ROLE) == "helper":
        raise APIError("403 Client Error: Forbidden",
                       explanation="authorization denied by plugin test-authz: no helpers")
    return _create(self, image, *args, **kwargs)


docker.api.container.ContainerApiMixin.create_container = _refusing

from docker_claims.runner.hooks import (  # noqa: E402,F401
    after_scenario, after_step, before_all, before_scenario)
'''


def test_a_one_scenario_selection_is_incomplete_and_keeps_the_full_report(session, tmp_path):
    feature, first = next((path, s) for path in sorted(FEATURES.glob("*.feature"))
                          for s in parse_file(str(path)).walk_scenarios()
                          if "claim.C02" in s.effective_tags)
    directory = tmp_path / "run"
    full = directory / "reports" / "claims.json"
    full.parent.mkdir(parents=True)
    full.write_text('{"the last full run": true}')
    run = start(directory, features=Path(f"{feature}:{first.line}"))
    code = run.wait(timeout=300)
    run_id = run.run_id()
    assert code == ExitStatus.OK, run.output()
    report = report_of(run.cwd, run_id)
    assert verdicts(report) == {"C02": "incomplete"}
    claim = report["claims"][0]
    assert [s["name"] for s in claim["scenarios"]] == [first.name]
    assert claim["scenarios_in_suite"] > 1
    assert report["run"]["selection"]["locations"]
    assert json.loads(full.read_text()) == {"the last full run": True}
    assert f"C02  incomplete: 1 of its {claim['scenarios_in_suite']} scenarios selected" \
        in run.output()
    junit = list((run.cwd / "reports" / "runs" / run_id / "junit").glob("*.xml"))
    assert junit and "claim" in junit[0].read_text()


def test_a_helper_the_engine_refuses_is_could_not_be_measured(session, tmp_path):
    features = tmp_path / "src" / "features"
    features.mkdir(parents=True)
    for path in FEATURES.glob("*.feature"):
        (features / path.name).symlink_to(path)
    (features / "steps").symlink_to(ROOT / "steps")
    (features / "environment.py").write_text(REFUSING_ENVIRONMENT)
    run = start(tmp_path / "run", "--tags=@claim.C07", features=features)
    code = run.wait(timeout=300)
    run_id = run.run_id()
    assert code == ExitStatus.INCONCLUSIVE, run.output()
    report = report_of(run.cwd, run_id)
    assert verdicts(report) == {"C07": "could_not_be_measured"}
    errors = [s["problem"] for s in report["claims"][0]["scenarios"] if s["status"] == "error"]
    assert errors and "authorization denied by plugin" in errors[0]["message"]
    assert "C07 could not be measured" in run.output()


def test_a_named_second_node_that_is_the_first_engine_exits_non_zero_saying_so(session,
                                                                            tmp_path):
    own = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    run = start(tmp_path / "run", "--tags=@claim.C14", env={"DOCKER_CLAIMS_NODE2": own})
    code = run.wait(timeout=300)
    assert code == ExitStatus.INCONCLUSIVE, run.output()
    report = report_of(run.cwd, run.run_id())
    assert verdicts(report) == {"C14": "could_not_be_measured"}
    assert "is the suite's own engine" in run.output().splitlines()[-1]


def test_a_named_second_node_that_does_not_answer_exits_non_zero_saying_so(session, tmp_path):
    run = start(tmp_path / "run", "--tags=@claim.C14",
                env={"DOCKER_CLAIMS_NODE2": f"unix://{tmp_path}/no-engine.sock"})
    code = run.wait(timeout=300)
    assert code == ExitStatus.INCONCLUSIVE, run.output()
    assert "does not answer" in run.output().splitlines()[-1]

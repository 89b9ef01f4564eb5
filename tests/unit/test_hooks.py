"""The run's hooks find what a selection needs before its first scenario: the fixture images
its steps name, read through behave's own step registry (no step text outside steps/)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
from types import SimpleNamespace
from behave.configuration import Configuration
from behave.runner import Runner
from behave.runner_util import parse_features
from behave.step_registry import registry
from docker_claims.runner import hooks

config = Configuration(sys.argv[1:], load_config=False)
runner = Runner(config)
runner.setup_paths()
runner.load_step_definitions()
runner.features.extend(parse_features(runner.feature_locations()))
runner.step_registry = registry
found = hooks._fixtures_named(SimpleNamespace(_runner=runner, config=config))
print(json.dumps([spec.name for spec in found]))
"""
"""Loads the project's steps in a process of its own (behave's step registry is global)."""


def fixtures_named(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, "features", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(("selection", "named"), [
    ("--tags=@claim.C01", ["layered"]),
    ("--tags=@claim.C15", ["busybox"]),
    ("--tags=@claim.C12", ["configured"]),
    ("--tags=@claim.C99", []),
])
def test_the_fixtures_a_selection_names_are_found_through_its_steps(selection, named):
    assert fixtures_named(selection) == named


def test_the_whole_suite_names_each_fixture_once():
    assert sorted(fixtures_named()) == ["busybox", "configured", "layered"]

"""docs/engines.md's table of faults is the one the engine tests assert (tests/engine/
fault_table.py): no fault said handled that no test injects, no test outcome the docs
misstate."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fault_table():
    spec = importlib.util.spec_from_file_location(
        "fault_table", ROOT / "tests" / "engine" / "fault_table.py")
    module = sys.modules.setdefault("fault_table", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)  # dataclasses look their module up in sys.modules
    return module.FAULTS


def test_the_docs_table_of_faults_is_the_tests_table():
    rows = [f"| {f.fault} | {f.injected} | {f.exit} | {f.report} | `{f.test}` |"
            for f in fault_table()]
    docs = (ROOT / "docs" / "engines.md").read_text(encoding="utf-8").splitlines()
    shown = [line for line in docs if line.startswith("| ") and "`test_" in line]
    assert shown == rows, "regenerate the Faults table of docs/engines.md from fault_table.py"


def test_the_exit_statuses_of_the_table_are_the_rules():
    from docker_claims.runner.exit_status import ExitStatus

    assert {f.exit for f in fault_table()} <= {int(s) for s in ExitStatus}

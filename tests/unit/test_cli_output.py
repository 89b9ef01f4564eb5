"""docker_claims.engine.cli_output, no engine needed: the CLI's sizes, a run as evidence."""

import pytest

from docker_claims.engine.cli_output import CliRun, human_size


@pytest.mark.parametrize("size, printed", [
    (0, "0B"), (999, "999B"), (1000, "1kB"), (1_240_000, "1.24MB"), (1_985_484, "1.99MB"),
    (999_600, "1e+03kB"), (1_500_000_000, "1.5GB"),
])
def test_sizes_are_printed_as_the_cli_prints_them(size, printed):
    assert human_size(size) == printed


def test_a_run_is_evidence_with_the_whole_command():
    ran = CliRun(("load", "--help"), 1, "out", "err")
    assert ran.evidence() == {"command": "docker load --help", "exit_code": 1, "stdout": "out",
                              "stderr": "err"}

"""docker_claims.engine.cli_output, no engine needed: the CLI's sizes, a run as evidence."""

import pytest

from docker_claims.engine.cli_output import CliRun, human_size, parse_table


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


PS = ("CONTAINER ID   IMAGE     COMMAND   CREATED         STATUS    PORTS     NAMES\n"
      "533e04b09b6f   busybox   \"sh\"      9 seconds ago   Created             dclaims-0a-cli-1\n"
      "3a960bf7f4af   nginx     \"nginx\"   2 days ago      Up 2 days           quokka_pet\n"
      "77aa00bb11cc   busybox   \"sh\"      1 minute ago    Exited (0)          dclaims-0a-cli-2\n")


def test_a_listing_cut_to_the_runs_rows_counts_the_others_and_shows_none_of_them():
    ours = CliRun(("ps", "-a"), 0, PS, "").only_rows("NAMES", lambda n: n.startswith("dclaims-0a-"))
    assert "quokka_pet" not in ours.stdout and "nginx" not in ours.stdout
    lines = PS.splitlines()
    assert ours.stdout.splitlines() == [lines[0], lines[1], lines[3],
                                        "(1 more row, not this run's, left out)"]
    table = parse_table(PS.splitlines()).only("NAMES", lambda n: n.startswith("dclaims-0a-"))
    assert [row["NAMES"] for row in table.rows] == ["dclaims-0a-cli-1", "dclaims-0a-cli-2"]
    assert table.others == 1 and table.columns[-1] == "NAMES"

"""docker_claims.runner.expected, no engine needed: the drift watch's file of expected verdicts,
written from runs, and runs compared with it (through the docker-claims command)."""

import json

import pytest
from test_matrix import FAILS, HOLDS, NOT_MEASURED, engine, run_of, write

from docker_claims.runner import cli, expected
from docker_claims.runner.exit_status import ExitStatus


@pytest.fixture
def matrix_runs(tmp_path):
    """Two configurations' claims.json, as scripts/engine-matrix lays them out."""
    return [write(tmp_path / "m" / "default" / "claims.json",
                  run_of("default", engine(), C01=HOLDS, C14=NOT_MEASURED)),
            write(tmp_path / "m" / "vfs" / "claims.json",
                  run_of("vfs", engine(storage_driver="vfs"), C01=HOLDS, C14=NOT_MEASURED))]


def test_the_file_written_from_runs_holds_each_configurations_verdicts(tmp_path, matrix_runs):
    path = tmp_path / "expected.json"
    assert cli.main(["matrix", *map(str, matrix_runs), "-o", str(tmp_path / "out"),
                     "--write-expected", str(path)]) == ExitStatus.OK
    assert expected.load(path) == {"default": {"C01": "holds", "C14": "not_measured"},
                                   "vfs": {"C01": "holds", "C14": "not_measured"}}
    # a later write of one configuration keeps the others
    again = write(tmp_path / "n" / "vfs" / "claims.json",
                  run_of("vfs", engine(storage_driver="vfs"), C01=FAILS, C14=NOT_MEASURED))
    cli.main(["matrix", str(again), "-o", str(tmp_path / "out"), "--write-expected", str(path)])
    assert expected.load(path)["vfs"]["C01"] == "fails"
    assert expected.load(path)["default"]["C01"] == "holds"


def test_runs_as_expected_pass_and_a_changed_verdict_is_a_table_row(tmp_path, matrix_runs,
                                                                    capsys):
    path = tmp_path / "expected.json"
    expected.write(path, {"default": {"C01": "holds", "C14": "not measured"},
                          "vfs": {"C01": "holds", "C14": "not measured"}})
    assert cli.main(["compare", "--expected", str(path), *map(str, matrix_runs)]) == 0
    assert "every verdict is as" in capsys.readouterr().out
    document = json.loads(path.read_text())
    document["configurations"]["vfs"]["C01"] = "fails"
    path.write_text(json.dumps(document))
    assert cli.main(["compare", "--expected", str(path), *map(str, matrix_runs)]) == 1
    out = capsys.readouterr().out
    assert "| C01 | vfs | fails on this engine | holds | every scenario passed |" in out
    assert "default" not in out.split("|---|")[1]  # only the changed cell is a row


def test_a_configuration_without_expectations_and_a_selection_are_said(tmp_path, matrix_runs,
                                                                       capsys):
    path = tmp_path / "expected.json"
    expected.write(path, {"default": {"C01": "holds", "C14": "not measured"}})
    assert cli.main(["compare", "--expected", str(path), *map(str, matrix_runs)]) == 0
    out = capsys.readouterr().out
    assert f"not watched: {path} expects nothing of vfs" in out
    assert "(configurations compared: default)" in out
    assert cli.main(["compare", "--expected", str(path), str(matrix_runs[1])]) \
        == ExitStatus.NOT_COMPARABLE  # a watch that compared nothing is never green
    assert "nothing compared" in capsys.readouterr().out
    selection = write(tmp_path / "s" / "default" / "claims.json",
                      run_of("default", engine(), C01=HOLDS),
                      {"selection": {"tags": "@claim.C01", "names": [], "locations": []}})
    assert cli.main(["compare", "--expected", str(path), str(selection)]) \
        == ExitStatus.NOT_COMPARABLE
    assert "it was a selection (--tags=@claim.C01)" in capsys.readouterr().out
    assert cli.main(["matrix", str(selection), "-o", str(tmp_path / "o"),
                     "--write-expected", str(path)]) == ExitStatus.USAGE
    assert "cannot be the expected ones" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "says"), [
    ("not json", "is not JSON"),
    ('{"format": 9, "configurations": {}}', "no expected-verdicts file of format 1"),
    ('{"format": 1, "configurations": {"vfs": {"C01": "hold"}}}', "unknown verdicts"),
])
def test_a_file_that_is_no_expected_verdicts_file_is_refused_saying_why(tmp_path, content,
                                                                        says, matrix_runs,
                                                                        capsys):
    path = tmp_path / "expected.json"
    path.write_text(content)
    assert cli.main(["compare", "--expected", str(path), str(matrix_runs[0])]) \
        == ExitStatus.USAGE
    assert says in capsys.readouterr().err


def test_a_configuration_may_be_expected_to_have_anothers_verdicts(tmp_path, matrix_runs):
    """The newest release of an engine, watched against the last release measured."""
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"format": 1, "configurations": {
        "default": {"C01": "holds", "C14": "not_measured"}, "vfs": {"same_as": "default"}}}))
    assert expected.load(path)["vfs"] == {"C01": "holds", "C14": "not_measured"}
    assert cli.main(["compare", "--expected", str(path), *map(str, matrix_runs)]) == 0
    expected.write(path, {"default": {"C01": "fails on this engine"}})
    assert json.loads(path.read_text())["configurations"]["vfs"] == {"same_as": "default"}
    path.write_text(json.dumps({"format": 1, "configurations": {"vfs": {"same_as": "nothing"}}}))
    with pytest.raises(expected.ExpectedError, match="no configuration of verdicts"):
        expected.load(path)

"""behave, started from the repository's root, reads the suite's configuration from tox.ini: the
claims formatter and the console, their outputs, the runner, JUnit. (behave reads
pyproject.toml, then tox.ini, each replacing what the one before said, and an INI file always
resets the formatter aliases: the configuration must be in tox.ini, and in it alone.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from behave.configuration import Configuration

if sys.version_info >= (3, 11):
    import tomllib
else:  # behave needs tomli on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(monkeypatch):
    """behave's configuration as `behave` sees it from the root, with no option given."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HOME", str(ROOT / "no-such-home"))  # no ~/.behaverc of the user's
    return Configuration([])


def test_the_claims_report_is_written_under_reports(config):
    assert config.format == ["claims"]
    assert [os.path.relpath(path, ROOT) for path in config.outfiles] == ["reports/claims.md"]
    assert config.more_formatters["claims"] == ("docker_claims.runner.report.data:"
                                                "ClaimsFormatter")


def test_the_console_is_the_suite_s_and_prints_each_line_once(config):
    assert config.default_format == "claims.console"
    assert config.more_formatters["claims.console"] == ("docker_claims.runner.report.console:"
                                                        "ConsoleFormatter")
    assert "-" not in config.outfiles and "claims.console" not in config.format


def test_the_runner_junit_and_paths_are_the_suite_s(config):
    assert config.runner == "docker_claims.runner.behave_runner:ClaimsRunner"
    assert config.junit and config.junit_directory == "reports/junit"
    assert [os.path.relpath(path, ROOT) for path in config.paths] == ["features"]
    assert not config.summary


def test_behave_is_configured_in_tox_ini_only():
    """A [tool.behave] table in pyproject.toml would be read first and then overridden, its
    formatters emptied: two places to keep in step, one of them without effect."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "behave" not in pyproject.get("tool", {})
    for other in ("setup.cfg", "behave.ini", ".behaverc"):
        assert not (ROOT / other).exists(), f"{other} would be read after tox.ini"


def test_html_pretty_names_behave_html_pretty_formatter(config, tmp_path):
    """`behave -f html-pretty -o x.html`, that formatter's documented name, works under this
    configuration (tox.ini resets the alias the package registers, so it names it again)."""
    assert config.more_formatters["html-pretty"] == ("behave_html_pretty_formatter:"
                                                     "PrettyHTMLFormatter")
    pytest.importorskip("behave_html_pretty_formatter",
                        reason="pip install -e '.[html-pretty]' to use it")
    page = tmp_path / "x.html"
    done = subprocess.run([sys.executable, "-m", "behave", "--dry-run", "-f", "html-pretty",
                           "-o", str(page)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Scenario" in page.read_text(encoding="utf-8")

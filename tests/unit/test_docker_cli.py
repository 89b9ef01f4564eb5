"""docker_claims.engine.docker_cli, no engine needed: which CLI, for which engine, run how."""

import os

import pytest

from docker_claims.engine import docker_cli
from docker_claims.engine.cli_output import CliRun
from docker_claims.engine.config import settings
from docker_claims.engine.docker_cli import Cli
from docker_claims.evidence import ClaimFailed


def test_no_cli_is_a_reason_to_skip(monkeypatch):
    monkeypatch.setenv("DOCKER_CLAIMS_CLI", "/nonexistent/docker")
    with pytest.raises(docker_cli.CliUnavailable, match="DOCKER_CLAIMS_CLI=/nonexistent"):
        docker_cli.find_cli()
    monkeypatch.delenv("DOCKER_CLAIMS_CLI")
    settings.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(docker_cli.CliUnavailable, match="none on PATH"):
        docker_cli.find_cli()


def test_the_cli_gets_the_engine_settings_of_this_process(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://engine.example:2376")
    monkeypatch.setenv("DOCKER_CONTEXT", "elsewhere")
    env = docker_cli.engine_environment()
    assert env["DOCKER_HOST"] == "tcp://engine.example:2376"
    assert env["DOCKER_CONTEXT"] == "elsewhere"
    assert env["DOCKER_CLI_HINTS"] == "false"


def test_the_cli_for_the_second_engine_does_not_carry_the_first_ones_settings(monkeypatch):
    monkeypatch.setenv("DOCKER_CONTEXT", "desktop-linux")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", "/certs")
    monkeypatch.setenv("DOCKER_HOST", "tcp://first:2376")
    env = docker_cli.node_environment("unix:///run/docker-claims-node2/docker.sock")
    assert env["DOCKER_HOST"] == "unix:///run/docker-claims-node2/docker.sock"
    assert not {"DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"} & set(env)


class FakeClient:
    def __init__(self, engine_id):
        self.engine_id = engine_id

    def info(self):
        return {"ID": self.engine_id}


class FakeCli(Cli):
    def run(self, *args, stdin=None, timeout=0):
        return CliRun(tuple(args), 0, "ENGINE-A\n", "")


def test_a_cli_talking_to_another_engine_is_refused():
    cli = FakeCli("/usr/bin/docker", {"DOCKER_HOST": "tcp://fake:2375"}, "the fake engine")
    assert docker_cli._checked(cli, FakeClient("ENGINE-A")) is cli
    with pytest.raises(docker_cli.CliElsewhere, match="does not reach the fake engine"):
        docker_cli._checked(cli, FakeClient("ENGINE-B"))


def test_a_failing_cli_command_fails_with_its_words():
    cli = Cli("/bin/sh", {}, "a fabricated engine")
    with pytest.raises(ClaimFailed, match="failed on a fabricated engine") as failed:
        cli.ok("-c", "echo 'Error response from daemon: no such image' >&2; exit 1")
    assert "no such image" in str(failed.value)


def test_a_file_given_as_stdin_is_the_commands_standard_input(tmp_path):
    source = tmp_path / "input.tar"
    source.write_bytes(b"tar bytes\n")
    cat = Cli("/bin/cat", dict(os.environ), "no engine")
    assert cat.run(stdin=source).stdout == "tar bytes\n"
    assert cat.run().stdout == ""  # no file: an empty standard input, never this process's


def test_labels_become_cli_flags():
    labels = {"b": "2", "a": "1"}
    assert docker_cli.label_flags(labels) == ["--label", "a=1", "--label", "b=2"]
    assert docker_cli.label_changes(labels) == ["--change", "LABEL a=1", "--change", "LABEL b=2"]

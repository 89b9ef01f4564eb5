"""docker_claims.engine.nodes, no engine needed: a second engine not named, or silent."""

import time

import pytest

from docker_claims.engine import nodes


def test_no_second_engine_named_says_how_to_start_one(monkeypatch):
    monkeypatch.delenv(nodes.ENV, raising=False)
    with pytest.raises(nodes.NodeUnavailable, match="DOCKER_CLAIMS_NODE2 is not set") as error:
        nodes.connect()
    assert "scripts/node2-up" in str(error.value)


def test_a_second_engine_that_does_not_answer_is_reported_within_seconds(monkeypatch):
    monkeypatch.setenv(nodes.ENV, "unix:///nonexistent/docker-claims-node2.sock")
    started = time.monotonic()
    with pytest.raises(nodes.NodeUnavailable, match="does not answer") as error:
        nodes.connect()
    assert time.monotonic() - started < 15
    assert "scripts/node2-up" in str(error.value)
    assert "unix:///nonexistent/docker-claims-node2.sock" in str(error.value)

"""The Docker-in-Docker second node (DOCKER_CLAIMS_NODE2=dind): a container of the first
engine, the one privileged one, labelled and removed with the run."""

import contextlib

import pytest

from docker_claims.engine import nodes
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.scope import Resources, Run


def test_a_dind_node_is_another_engine_and_leaves_nothing(session):
    run = Run()
    with contextlib.ExitStack() as stack:
        resources = Resources(session.client, run, stack.callback)
        try:
            node = nodes.open_node(session.client, nodes.DIND, resources=resources)
        except nodes.NodeUnavailable as error:
            pytest.skip(str(error))
        stack.callback(node.client.close)
        assert node.engine_id and node.engine_id != session.client.info()["ID"]
        assert node.url.startswith("tcp://127.0.0.1:")
        assert node.client.ping()
    api = session.client.api
    selector = {"label": f"{LABEL_RUN}={run.id}"}
    assert api.containers(all=True, filters=selector) == []
    assert api.images(filters=selector) == []
    assert (api.volumes(filters=selector).get("Volumes") or []) == []


def test_without_resources_a_dind_node_is_refused_with_the_reason(session):
    with pytest.raises(nodes.NodeUnavailable, match="Docker-in-Docker node is started for a run"):
        nodes.open_node(session.client, nodes.DIND)

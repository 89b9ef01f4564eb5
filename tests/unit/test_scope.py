"""docker_claims.engine.scope, no engine needed: a run's names and labels, removals."""

import pytest
from docker.errors import APIError, NotFound

from docker_claims.engine.labels import LABEL_ROLE, LABEL_RUN
from docker_claims.engine.scope import Run, ignoring_gone, remove_container


def test_run_names_are_unique_and_carry_the_run_id():
    run = Run()
    names = {run.name("ctr") for _ in range(50)}
    assert len(names) == 50
    assert all(name.startswith(f"dclaims-{run.id}-ctr-") for name in names)


def test_two_runs_never_share_an_id():
    assert len({Run().id for _ in range(200)}) == 200


def test_labels_name_the_run_and_the_role():
    run = Run()
    assert run.labels("lease") == {LABEL_RUN: run.id, LABEL_ROLE: "lease"}
    assert run.owns(run.labels("x")) and not run.owns({LABEL_RUN: "someone-else"})
    assert not run.owns(None)


def test_removal_of_something_already_gone_is_done():
    def gone():
        raise NotFound("no such container")

    ignoring_gone(gone)()


def test_removal_failing_otherwise_is_reported():
    def busy():
        raise APIError("conflict: unable to remove, image is being used")

    with pytest.raises(APIError):
        ignoring_gone(busy)()


class RemovingElsewhere:
    """An engine on which another caller is removing the container: listed for a while yet."""

    def __init__(self, inspections_left: int):
        self.inspections_left = inspections_left
        self.inspected = 0
        self.api = self

    def remove_container(self, container_id, force, v):
        raise APIError(f"removal of container {container_id} is already in progress")

    def inspect_container(self, container_id):
        self.inspected += 1
        if self.inspected > self.inspections_left:
            raise NotFound("no such container")
        return {"Id": container_id, "State": {"Dead": True}}


def test_a_container_another_caller_is_removing_is_waited_for_until_gone():
    engine = RemovingElsewhere(inspections_left=3)
    remove_container(engine, "c0ffee")
    assert engine.inspected == 4  # returned only once the engine no longer had it

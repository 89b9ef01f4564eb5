from datetime import timezone

import pytest
from docker.errors import APIError, NotFound

from docker_claims.engine.labels import LABEL_ROLE, LABEL_RUN
from docker_claims.engine.scope import Run, ignoring_gone
from docker_claims.engine.sweep import _parse_time


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


@pytest.mark.parametrize("text, expected", [
    ("2026-11-28T12:07:38.123456789Z", "2026-11-28T12:07:38.123456+00:00"),
    ("2026-11-28T13:07:38.5+01:00", "2026-11-28T12:07:38.500000+00:00"),
    ("2026-11-28T12:07:38Z", "2026-11-28T12:07:38+00:00"),
])
def test_engine_timestamps_with_nanoseconds_and_offsets_parse(text, expected):
    parsed = _parse_time(text)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.astimezone(timezone.utc).isoformat() == expected


def test_an_unreadable_timestamp_is_none():
    assert _parse_time("yesterday") is None and _parse_time(None) is None

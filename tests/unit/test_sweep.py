"""docker_claims.engine.sweep, no engine needed: a run's state, the engine's timestamps."""

from datetime import timezone

import pytest

from docker_claims.engine.sweep import _parse_time, _state


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


NOW = 1_000_000.0


@pytest.mark.parametrize("lease, newest, state", [
    ({"State": "running", "Created": NOW - 9000}, 9000, "alive"),
    ({"State": "paused", "Created": NOW - 10}, 10, "alive"),
    ({"State": "created", "Created": NOW - 10}, 10, "starting"),
    ({"State": "created", "Created": NOW - 900}, 900, "dead"),
    ({"State": "exited", "Created": NOW - 10}, 5, "dead"),
    (None, 10, "young"),
    (None, 900, "dead"),
])
def test_a_runs_state_comes_from_its_lease_then_its_age(lease, newest, state):
    found, why = _state(lease, NOW, newest)
    assert found == state and why


def test_without_the_engines_clock_a_run_without_a_lease_is_kept():
    found, why = _state(None, None, None)
    assert found == "young" and "clock" in why

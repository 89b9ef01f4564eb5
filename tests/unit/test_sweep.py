"""docker_claims.engine.sweep, no engine needed: the engine's timestamps, read."""

from datetime import timezone

import pytest

from docker_claims.engine.sweep import _parse_time


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

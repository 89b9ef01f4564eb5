"""docker_claims.engine.containers, no engine needed: the writes script, a listing that waits."""

import pytest
from observed import WRITES

from docker_claims.claims import container_layer
from docker_claims.engine import containers
from docker_claims.evidence import ClaimFailed


def test_the_writes_script_adds_changes_and_deletes():
    script = containers.writes_script(WRITES)[2]
    assert "rm '/claims/gone.txt'" in script
    assert "> '/claims/new.txt'" in script and "> '/claims/old.txt'" in script


class _LaggingList:
    """An engine whose container list shows the container running for its first `lag` reads
    after inspect already says exited (Docker 26, right after wait())."""

    def __init__(self, lag: int):
        self.reads, self.lag = 0, lag
        self.api = self

    def containers(self, all, filters):  # noqa: A002 - the SDK's name
        self.reads += 1
        state = "running" if self.reads <= self.lag else "exited"
        return [{"Id": "c1", "Names": ["/n"], "State": state, "Status": state}]


class _Exited:
    id, name = "c1", "n"
    attrs = {"State": {"Status": "exited"}}

    def reload(self):
        pass


def test_the_listing_waits_until_the_list_shows_the_state_inspect_has():
    """The list lagged behind wait() on Docker 26 (7 in 150): C05 read it too early."""
    engine = _LaggingList(lag=3)
    resources = type("R", (), {"client": engine})()
    rows = containers.listing(resources, _Exited(), timeout=5)
    assert rows[0]["state"] == "exited" and engine.reads == 4


def test_the_listing_gives_the_last_reading_when_the_list_never_catches_up():
    engine = _LaggingList(lag=10**6)
    resources = type("R", (), {"client": engine})()
    rows = containers.listing(resources, _Exited(), timeout=0.3)
    assert rows[0]["state"] == "running"
    with pytest.raises(ClaimFailed, match="listed as 'running', not 'exited'"):
        container_layer.check_listed_with_state(rows, "c1", "exited")

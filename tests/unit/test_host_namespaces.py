"""docker_claims.engine.host_namespaces, no engine needed: its readings parsed, its waits."""

import pytest
from observed import KEY, LEFT, MOUNTED, PROC, proc

from docker_claims.claims import namespaces
from docker_claims.engine import host_namespaces, mounts
from docker_claims.evidence import NotMeasured


def test_the_proc_reading_is_parsed():
    found = proc()
    assert found["ppid"] == 7063 and found["parent_cmd"].startswith("/usr/bin/containerd-shim")
    assert set(found["ns"]) == set(namespaces.KINDS) == set(found["parent_ns"])


def test_an_incomplete_proc_reading_is_not_measured():
    with pytest.raises(NotMeasured, match="incomplete"):
        host_namespaces.parse_proc(7085, PROC.replace("#end\n", ""))


def test_reading_the_mount_table_stops_as_soon_as_the_namespace_is_gone():
    seen = iter([mounts.parse_mount(KEY, MOUNTED), mounts.parse_mount(KEY, LEFT)])
    last, waited = host_namespaces.wait_unmounted(lambda: next(seen), timeout=5, interval=0)
    assert not last.is_namespace and waited < 5


def test_reading_the_mount_table_gives_up_within_two_seconds():
    last, waited = host_namespaces.wait_unmounted(lambda: mounts.parse_mount(KEY, MOUNTED),
                                             interval=0.05)
    assert last.is_namespace and 2.0 <= waited < 3.0


def test_a_netns_listing_cut_short_is_not_measured():
    assert host_namespaces._parse_entries("default\nabc\n#end\n") == {"default", "abc"}
    with pytest.raises(NotMeasured) as failed:
        host_namespaces._parse_entries("default\n0123456789ab\nls: ./x: I/O error\n")
    assert "0123456789ab" not in str(failed.value) + repr(failed.value.observed)
    assert failed.value.observed["errors"] == ["ls: ./x: I/O error"]


class SwarmEngine:
    """What swarm_setting asks of an engine: `docker info` and its overlay networks."""

    def __init__(self, state, networks=()):
        self.state, self.networks_listed, self.asked = state, list(networks), []
        self.api = self

    def info(self):
        return {"Swarm": {"LocalNodeState": self.state}} if self.state else {}

    def networks(self, filters=None):
        self.asked.append(filters)
        return self.networks_listed


def test_a_swarm_nodes_own_entries_are_its_ingress_sandboxes():
    engine = SwarmEngine("active", [
        {"Id": "zzzzzzzzzz1111111111aaaaa", "Name": "theirs", "Ingress": False},
        {"Id": "vg6yiuz1vwqe7d0c3bkd8hl3c", "Name": "ingress", "Ingress": True}])
    setting = host_namespaces.swarm_setting(engine)
    assert setting.entries == {"ingress_sbox", "1-vg6yiuz1vw"}
    assert engine.asked == [{"driver": "overlay"}]


@pytest.mark.parametrize("engine", [SwarmEngine("inactive"), SwarmEngine(""),
                                    SwarmEngine("locked"), SwarmEngine("active", [])])
def test_an_engine_out_of_a_swarm_or_without_ingress_keeps_no_swarm_entry(engine):
    setting = host_namespaces.swarm_setting(engine)
    assert setting.entries == frozenset()
    assert setting.node_state == (engine.state or "inactive")

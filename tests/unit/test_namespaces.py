"""docker_claims.claims.namespaces, no engine needed: C07-C08 checks fail on contrary facts."""

import pytest
from observed import KEY, LEFT, MOUNTED, REMOVED, proc

from docker_claims.claims import namespaces
from docker_claims.engine import mounts
from docker_claims.engine.records import NetnsListing, SwarmSetting
from docker_claims.evidence import ClaimFailed, NotMeasured

NETNS = "/var/run/docker/netns"
CREATED = {"Status": "created", "Pid": 0, "SandboxKey": "", "SandboxID": "",
           "NetworkMode": "none"}
STARTED = {"Status": "running", "Pid": 4242, "SandboxKey": f"{NETNS}/429ef8e60d2d",
           "SandboxID": "429ef8e60d2d2a19", "NetworkMode": "none"}
HOST = {**STARTED, "SandboxKey": f"{NETNS}/default", "NetworkMode": "host"}


def listing(*entries):
    return NetnsListing(NETNS, frozenset(entries))


# C07

def test_a_created_container_has_no_process_and_no_sandbox():
    namespaces.check_no_process(CREATED)
    namespaces.check_no_sandbox(CREATED)


def test_a_started_container_has_a_process():
    with pytest.raises(ClaimFailed, match="has process 4242"):
        namespaces.check_no_process(STARTED)


@pytest.mark.parametrize("found", [STARTED, {**CREATED, "SandboxKey": f"{NETNS}/abc"},
                                   {**CREATED, "SandboxID": "abc"}])
def test_a_sandbox_before_start_fails(found):
    with pytest.raises(ClaimFailed, match="already has a network sandbox"):
        namespaces.check_no_sandbox(found)


def test_an_entry_that_appears_with_start_is_new():
    found = namespaces.check_entry_new(listing("default", "stale1"), STARTED["SandboxKey"],
                                       listing("default", "stale1", "429ef8e60d2d"))
    assert found["entry"] == "429ef8e60d2d"


@pytest.mark.parametrize("before, key, after, match", [
    (listing("429ef8e60d2d"), STARTED["SandboxKey"], listing("429ef8e60d2d"), "already there"),
    (listing(), "", listing("x"), "no sandbox key"),
    (listing(), STARTED["SandboxKey"], listing("other"), "not listed after start"),
    (listing(), "/elsewhere/429ef8e60d2d", listing("429ef8e60d2d"), "not in the netns directory"),
])
def test_an_entry_not_born_with_start_fails(before, key, after, match):
    with pytest.raises(ClaimFailed, match=match):
        namespaces.check_entry_new(before, key, after)


def test_on_a_swarm_node_the_engines_own_entries_are_no_containers_and_change_nothing():
    """A swarm node's netns directory holds sandboxes of the engine's own before any start: C07
    compares the container's own entry, never a count."""
    swarm = SwarmSetting("active", "vg6yiuz1vwqe7d0c3bkd8hl3c")
    before = NetnsListing(NETNS, frozenset({"1-vg6yiuz1vw", "ingress_sbox"}), swarm)
    after = NetnsListing(NETNS, before.entries | {"429ef8e60d2d"}, swarm)
    found = namespaces.check_entry_new(before, STARTED["SandboxKey"], after)
    assert found["listed_after_start"]["entries"] == ["1-vg6yiuz1vw", "429ef8e60d2d",
                                                      "ingress_sbox"]
    with pytest.raises(ClaimFailed, match="already there"):
        namespaces.check_entry_new(after, STARTED["SandboxKey"], after)


OTHERS = ("0123456789ab", "ba9876543210", "1-zzzzzzzzzz")
"""Entries of whoever else uses the engine: other containers', another overlay network's."""


@pytest.mark.parametrize("check", [
    lambda before, after: namespaces.check_entry_new(before, STARTED["SandboxKey"], after),
    lambda before, after: namespaces.check_entry_is_sandbox_key(STARTED, after),
    lambda before, after: namespaces.check_no_own_netns(HOST, before, after),
])
def test_the_evidence_of_a_listing_names_the_containers_and_the_engines_entries_only(check):
    swarm = SwarmSetting("active", "vg6yiuz1vwqe7d0c3bkd8hl3c")
    engine = {"default", "ingress_sbox", "1-vg6yiuz1vw"}
    before = NetnsListing(NETNS, frozenset({*engine, *OTHERS}), swarm)
    after = NetnsListing(NETNS, before.entries | {"429ef8e60d2d"}, swarm)
    shown = repr(check(before, after))
    assert not [entry for entry in OTHERS if entry in shown]
    assert all(entry in shown for entry in engine)
    assert "'other_entries': 3" in shown


def test_a_failure_shows_no_other_containers_entry():
    before = NetnsListing(NETNS, frozenset({"default", *OTHERS}))
    with pytest.raises(ClaimFailed) as failed:
        namespaces.check_entry_new(before, STARTED["SandboxKey"], before)
    assert not [entry for entry in OTHERS if entry in str(failed.value)
                or entry in repr(failed.value.observed)]


# C08: the entry named by the sandbox key

def test_the_sandbox_key_names_a_listed_entry():
    namespaces.check_entry_is_sandbox_key(STARTED, listing("default", "429ef8e60d2d"))


@pytest.mark.parametrize("found, entries", [
    (STARTED, ("default", "stale")),                        # no such entry
    (CREATED, ("default",)),                                # not started
    ({**STARTED, "SandboxKey": "/run/other/429ef8e60d2d"}, ("429ef8e60d2d",)),
])
def test_a_sandbox_key_without_its_entry_fails(found, entries):
    with pytest.raises(ClaimFailed):
        namespaces.check_entry_is_sandbox_key(found, listing(*entries))


# C08: namespaces of the init process and its runtime parent

@pytest.mark.parametrize("kind", namespaces.OWN_AT_START)
def test_own_namespaces_hold_and_fail_when_shared(kind):
    namespaces.check_own_namespace(proc(), kind)
    with pytest.raises(ClaimFailed, match=f"shares its {kind} namespace"):
        namespaces.check_own_namespace(proc(**{kind: proc()["parent_ns"][kind]}), kind)


def test_own_namespaces_of_several_kinds_name_every_kind_shared():
    kinds = list(namespaces.OWN_AT_START)
    assert set(namespaces.check_own_namespaces(proc(), kinds)) == set(kinds)
    parents = proc()["parent_ns"]
    with pytest.raises(ClaimFailed, match="shares its pid, ipc namespace") as failed:
        namespaces.check_own_namespaces(proc(pid=parents["pid"], ipc=parents["ipc"]), kinds)
    assert failed.value.observed["shared"] == ["pid", "ipc"]


def test_a_shared_user_namespace_holds_and_fails_when_remapped():
    namespaces.check_shared_namespace(proc(), "user")
    with pytest.raises(ClaimFailed, match="user namespace of its own"):
        namespaces.check_shared_namespace(proc(user="user:[4026532999]"), "user")


@pytest.mark.parametrize("check", [namespaces.check_own_namespace,
                                   namespaces.check_shared_namespace])
def test_unreadable_namespaces_never_count_as_equal_or_different(check):
    unreadable = proc(net="")
    unreadable["parent_ns"]["net"] = ""
    with pytest.raises(NotMeasured, match="could not be read"):
        check(unreadable, "net")


def _attrs(**host_config):
    return {"HostConfig": host_config}


@pytest.mark.parametrize("mode, version, own", [
    ("private", "1", True),   # --default-cgroupns-mode private on cgroup v1: its own
    ("host", "2", False),     # --cgroupns host on cgroup v2: the runtime's
    ("", "1", False),         # the container names no mode: the engine's default by version
    ("", "2", True),
])
def test_the_cgroup_namespace_expected_follows_the_containers_cgroupns_mode(mode, version, own):
    expected = namespaces.expected_cgroup_namespace(_attrs(CgroupnsMode=mode), version)
    assert expected.own is own
    assert expected.configuration["container_cgroupns_mode"] == mode


def test_a_cgroup_namespace_against_the_containers_mode_fails_saying_the_mode():
    shared, own = proc(), proc(cgroup="cgroup:[4026532185]")
    private = namespaces.expected_cgroup_namespace(_attrs(CgroupnsMode="private"), "1")
    assert namespaces.check_namespace_as_configured(own, private)["expected"] == "own"
    with pytest.raises(ClaimFailed, match="shares its cgroup namespace.*'private'") as failed:
        namespaces.check_namespace_as_configured(shared, private)
    assert failed.value.observed["configuration"]["container_cgroupns_mode"] == "private"
    host = namespaces.expected_cgroup_namespace(_attrs(CgroupnsMode="host"), "2")
    with pytest.raises(ClaimFailed, match="cgroup namespace of its own.*'host'"):
        namespaces.check_namespace_as_configured(own, host)
    with pytest.raises(ClaimFailed, match="no known default"):
        namespaces.expected_cgroup_namespace(_attrs(), "3")


REMAPPING = {"SecurityOptions": ["name=seccomp,profile=default", "name=userns"]}
PLAIN = {"SecurityOptions": ["name=seccomp,profile=default"]}
ROOTLESS = {"SecurityOptions": ["name=seccomp,profile=default", "name=rootless"]}


@pytest.mark.parametrize("info, mode, own", [
    (REMAPPING, "", True),       # --userns-remap: a user namespace of its own
    (REMAPPING, "host", False),  # opted out (needed with --pid=host or --network=host)
    (PLAIN, "", False),
    (ROOTLESS, "", False),       # shares the rootless namespace with its runtime parent
])
def test_the_user_namespace_expected_follows_the_engines_remapping_and_the_containers_mode(
        info, mode, own):
    expected = namespaces.expected_user_namespace(info, _attrs(UsernsMode=mode))
    assert expected.own is own


def test_a_user_namespace_against_the_configuration_fails_saying_why():
    shared, own = proc(), proc(user="user:[4026532999]")
    remapped = namespaces.expected_user_namespace(REMAPPING, _attrs(UsernsMode=""))
    namespaces.check_namespace_as_configured(own, remapped)
    with pytest.raises(ClaimFailed, match="shares its user namespace.*remaps users"):
        namespaces.check_namespace_as_configured(shared, remapped)
    plain = namespaces.expected_user_namespace(PLAIN, _attrs(UsernsMode=""))
    namespaces.check_namespace_as_configured(shared, plain)
    with pytest.raises(ClaimFailed, match="user namespace of its own.*does not remap"):
        namespaces.check_namespace_as_configured(own, plain)


# C08: the host network, and the entry after a stop

def test_the_host_network_gets_no_entry_of_its_own():
    namespaces.check_no_own_netns(HOST, listing("default"), listing("default"))
    namespaces.check_no_own_netns({**HOST, "SandboxKey": f"{NETNS}/shared"}, listing("shared"),
                                  listing("shared"))


def test_a_new_entry_on_the_host_network_fails():
    with pytest.raises(ClaimFailed, match="got a new netns entry"):
        namespaces.check_no_own_netns(STARTED, listing("default"),
                                      listing("default", "429ef8e60d2d"))


def test_a_namespace_mount_is_told_from_the_file_left_behind():
    mounted = mounts.parse_mount(KEY, MOUNTED)
    assert mounted.is_namespace and mounted.path == "/run/docker/netns/429ef8e60d2d"
    namespaces.check_namespace_mounted(mounted)
    with pytest.raises(ClaimFailed, match="still a namespace mount"):
        namespaces.check_namespace_unmounted(mounted, 2.0)
    for output, file_left in ((LEFT, True), (REMOVED, False)):
        gone = mounts.parse_mount(KEY, output)
        assert gone.file_present is file_left
        assert namespaces.check_namespace_unmounted(gone, 0.0)["entry_file"].startswith(
            "left" if file_left else "removed")
        with pytest.raises(ClaimFailed, match="not a namespace mount"):
            namespaces.check_namespace_mounted(gone)

"""C07-C08: namespaces come with `start`, not with `create`.

The checks compare what the engine host shows (engine.host_namespaces: its netns directory, a
sandbox key's mount, the namespaces of a container's init process and of its runtime parent)
with what the article says. They compare the container's own netns entry, never a count of
entries: other containers come and go, the engine keeps sandboxes of its own (a swarm node's
ingress), and a stopped container's entry file lingers until the engine's garbage collector
removes it. What they record of a listing names the container's entry and the engine's own,
and counts the others (NetnsListing.evidence): those are whoever else uses the engine.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from docker_claims.engine.mounts import NetnsMount
from docker_claims.engine.records import NetnsListing
from docker_claims.evidence import ClaimFailed, Observation, expect, require

KINDS = ("net", "pid", "mnt", "uts", "ipc", "user", "cgroup")
"""The namespaces of /proc/<pid>/ns compared here (time namespaces are left out)."""

OWN_AT_START = ("net", "pid", "mnt", "uts", "ipc")
"""The namespaces the article's claim is about: the container gets its own of each."""


def entry_of(sandbox_key: str) -> str:
    return posixpath.basename(sandbox_key)


def check_no_process(found: dict) -> Observation:
    """C07: a created container has no process: State.Pid is 0."""
    expect(found.get("Pid") == 0 and found.get("Status") == "created",
           f"the container has process {found.get('Pid')} in state {found.get('Status')!r}",
           inspect=found)
    return Observation(found, {"created": {"pid": found.get("Pid"),
                                           "status": found.get("Status")}})


def check_no_sandbox(found: dict) -> dict:
    """C07: a created container has no network sandbox: no sandbox key, no sandbox id."""
    expect(not found.get("SandboxKey") and not found.get("SandboxID"),
           "the container already has a network sandbox", inspect=found)
    return Observation(found, {"created": {"sandbox_key": found.get("SandboxKey") or ""}})


def check_entry_new(before: NetnsListing, sandbox_key: str, after: NetnsListing,
                    facts: dict | None = None) -> Observation:
    """C07: the netns entry a container has after start was not there while it was created
    (`facts`: a caller's, kept with a failure)."""
    entry = entry_of(sandbox_key)
    facts = {**(facts or {}), "netns_entry": {"entry": entry, "entries_before": len(
        before.entries), "entries_after": len(after.entries)}}
    observed = {"sandbox_key": sandbox_key, "directory": before.directory,
                "listed_before_start": before.evidence(entry),
                "listed_after_start": after.evidence(entry)}
    expect(bool(sandbox_key), "the started container has no sandbox key", facts=facts,
           **observed)
    expect(posixpath.dirname(sandbox_key) == before.directory,
           "the sandbox key is not in the netns directory that was listed", facts=facts,
           **observed)
    expect(entry in after.entries, f"the container's entry {entry} is not listed after start",
           facts=facts, **observed)
    expect(entry not in before.entries,
           f"the container's entry {entry} was already there before start", facts=facts,
           **observed)
    return Observation({"entry": entry, **observed}, facts)


def check_entry_is_sandbox_key(found: dict, listing: NetnsListing) -> dict:
    """C08: a started container's sandbox key names an entry of the engine's netns directory."""
    key = found.get("SandboxKey") or ""
    observed = {"inspect": found, "listed": listing.evidence(entry_of(key))}
    expect((found.get("Pid") or 0) > 0, "the container has no process", **observed)
    expect(bool(key) and posixpath.dirname(key) == listing.directory,
           "the sandbox key is not an entry of the engine's netns directory", **observed)
    expect(entry_of(key) in listing.entries,
           f"the netns directory has no entry {entry_of(key)}", **observed)
    return Observation({"entry": entry_of(key), **observed},
                       {"started": {"netns_entry": entry_of(key)}})


def _pair(found: dict, kind: str) -> tuple[str, str]:
    mine, parents = found["ns"].get(kind, ""), found["parent_ns"].get(kind, "")
    require(bool(mine) and bool(parents) and mine.startswith(f"{kind}:["),
            f"the {kind} namespaces of the process and its parent could not be read",
            observed=found)
    return mine, parents


def check_own_namespace(found: dict, kind: str) -> dict:
    """C08: the container's init process is in another `kind` namespace than its parent."""
    mine, parents = _pair(found, kind)
    expect(mine != parents, f"the container shares its {kind} namespace with its runtime parent",
           kind=kind, container=mine, runtime_parent=parents, observed=found)
    return {"kind": kind, "container": mine, "runtime_parent": parents,
            "parent_cmd": found.get("parent_cmd")}


def check_own_namespaces(found: dict, kinds: list[str]) -> dict:
    """C08: the init process is in another namespace than its parent, of each kind in `kinds`;
    a failure names every kind shared, not only the first."""
    shared = [kind for kind in kinds if len(set(_pair(found, kind))) == 1]
    expect(not shared, f"the container shares its {', '.join(shared)} namespace with its runtime "
           "parent", shared=shared, observed=found)
    return Observation({kind: check_own_namespace(found, kind) for kind in kinds},
                       {"started": {"own_namespaces": list(kinds)}})


def check_shared_namespace(found: dict, kind: str) -> dict:
    """C08 nuance: the container's init process is in its parent's `kind` namespace."""
    mine, parents = _pair(found, kind)
    expect(mine == parents, f"the container has a {kind} namespace of its own",
           kind=kind, container=mine, runtime_parent=parents, observed=found)
    return Observation({"kind": kind, "container": mine, "runtime_parent": parents,
                        "parent_cmd": found.get("parent_cmd")}, {"shared_namespace": kind})


@dataclass(frozen=True)
class Expected:
    """Whether a container should have a namespace of a kind of its own, and the engine's and
    the container's configuration that says so (the nuance's evidence; `setting`, that
    configuration in a few words)."""

    kind: str
    own: bool
    because: str
    configuration: dict
    setting: str = ""


CGROUP_DEFAULT = {"1": "host", "2": "private"}
"""The engine's default cgroupns mode by cgroup version, for engines whose containers do not
say theirs (HostConfig.CgroupnsMode is empty before API 1.41)."""


def expected_user_namespace(engine_info: dict, container_attrs: dict) -> Expected:
    """C08 nuance: a container gets a user namespace of its own only when the engine remaps
    users (`--userns-remap`: `name=userns` among its security options) and the container does
    not opt out (HostConfig.UsernsMode "host"). A rootless engine's containers share the
    rootless user namespace with their runtime parent."""
    options = [str(option) for option in engine_info.get("SecurityOptions") or []]
    remaps = any("name=userns" in option for option in options)
    mode = (container_attrs.get("HostConfig") or {}).get("UsernsMode") or ""
    configuration = {"engine_security_options": options, "container_userns_mode": mode}
    if remaps and mode != "host":
        return Expected("user", True, "the engine remaps users (--userns-remap: name=userns) "
                        "and the container does not opt out (UsernsMode is not \"host\")",
                        configuration, "--userns-remap")
    why = ("the container opts out of the engine's remapping (UsernsMode \"host\")" if remaps
           else "the engine does not remap users (no name=userns among its security options)")
    return Expected("user", False, why, configuration,
                    "UsernsMode host" if remaps else "no --userns-remap")


def expected_cgroup_namespace(container_attrs: dict, cgroup_version: str) -> Expected:
    """C08 nuance: the container's cgroupns mode (HostConfig.CgroupnsMode: "private" or "host",
    from `--cgroupns` or the engine's `--default-cgroupns-mode`) says whether it gets a cgroup
    namespace of its own; only where the container does not say is the engine's default for
    its cgroup version assumed (host on v1, private on v2)."""
    mode = (container_attrs.get("HostConfig") or {}).get("CgroupnsMode") or ""
    configuration = {"container_cgroupns_mode": mode, "cgroup_version": str(cgroup_version)}
    if mode in ("private", "host"):
        return Expected("cgroup", mode == "private",
                        f"the container's cgroupns mode is {mode!r}", configuration,
                        f"cgroupns {mode}")
    default = CGROUP_DEFAULT.get(str(cgroup_version))
    expect(default is not None, f"the container names no cgroupns mode and cgroup version "
           f"{cgroup_version!r} has no known default", **configuration)
    return Expected("cgroup", default == "private", f"the container names no cgroupns mode: the "
                    f"engine's default on cgroup v{cgroup_version} is {default!r}", configuration,
                    f"cgroupns {default}, cgroup v{cgroup_version}'s default")


def check_namespace_as_configured(found: dict, expected: Expected) -> dict:
    """C08 nuance: the container has a namespace of kind `expected.kind` of its own, or shares
    its runtime parent's, as the engine's and the container's configuration say."""
    check = check_own_namespace if expected.own else check_shared_namespace
    try:
        observed = check(found, expected.kind)
    except ClaimFailed as failed:
        raise ClaimFailed(f"{failed.args[0].splitlines()[0]}, although {expected.because}",
                          {**failed.observed, "configuration": expected.configuration}) from None
    return Observation({**observed, "expected": "own" if expected.own else "shared",
                        "because": expected.because, "configuration": expected.configuration},
                       {"namespaces": {expected.kind: {
                           "is": "own" if expected.own else "shared",
                           "set_by": expected.setting}}})


def check_no_own_netns(found: dict, before: NetnsListing, after: NetnsListing) -> dict:
    """C08 nuance: a container on the host network gets no netns entry of its own (its sandbox
    key names the engine's `default` entry, or one that was there before it started)."""
    key = found.get("SandboxKey") or ""
    entry = entry_of(key)
    observed = {"inspect": found, "listed_before_start": before.evidence(entry),
                "listed_after_start": after.evidence(entry)}
    expect(entry == "default" or entry in before.entries,
           f"the container got a new netns entry {entry!r}", **observed)
    return Observation({"entry": entry, **observed},
                       {"host_network": {"netns_entry": entry, "new_entry": False}})


def _mount_evidence(mount: NetnsMount) -> dict:
    return {"sandbox_key": mount.sandbox_key, "mount_point": mount.path,
            "mounted_there": list(mount.mounted), "entry_file_present": mount.file_present,
            "mount_table_of": mount.read_from}


def check_namespace_mounted(mount: NetnsMount) -> dict:
    """C08: a running container's sandbox key is a namespace (`nsfs`) mounted on the engine
    host: the namespace exists, and the engine holds it there."""
    observed = _mount_evidence(mount)
    expect(mount.is_namespace, f"{mount.path} is not a namespace mount on the engine host",
           **observed)
    return Observation(observed, {"started": {"netns_mounted": True}})


def check_namespace_unmounted(mount: NetnsMount, waited: float) -> dict:
    """C08: once the container stops, its network namespace is gone: the entry is no longer a
    namespace mount. Whether the file itself is left for the engine's garbage collector is
    reported (a nuance), never waited for."""
    observed = {**_mount_evidence(mount), "waited_s": waited,
                "entry_file": ("left, empty, for the engine's garbage collector"
                               if mount.file_present else "removed at once")}
    expect(not mount.is_namespace, f"{mount.path} is still a namespace mount {waited} s after "
           "the stop", **observed)
    return Observation(observed, {"stopped": {"netns_mounted": False,
                                              "entry_file_left": mount.file_present}})

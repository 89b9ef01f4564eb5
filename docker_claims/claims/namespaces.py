"""C07-C08: namespaces come with `start`, not with `create`.

Two views of the engine host, both through the host reader (engine.host: one helper
container, never privileged, network none):

- the engine's netns directory (`/run/docker/netns` on a Linux engine), bound read-only;
- a process's namespaces, `readlink /proc/<pid>/ns/<kind>`, in the host's pid namespace. The
  container's init process is compared with its runtime parent (PPid in /proc/<pid>/status,
  the shim that runc leaves behind).

At a stop the engine unmounts the container's network namespace at once: its netns entry stops
being an `nsfs` mount in the engine host's mount table, and is left an empty file that the
engine's garbage collector removes up to a minute later (Docker 28: at once). So whether a
namespace exists is read from the mount table, never from the directory listing, and checks
compare the container's own entry, never a count.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docker.models.containers import Container

from docker_claims.engine.host import HostReader
from docker_claims.engine.scope import wait_until
from docker_claims.evidence import ClaimFailed, expect

KINDS = ("net", "pid", "mnt", "uts", "ipc", "user", "cgroup")
"""The namespaces of /proc/<pid>/ns compared here (time namespaces are left out)."""

OWN_AT_START = ("net", "pid", "mnt", "uts", "ipc")
"""The namespaces the article's claim is about: the container gets its own of each."""

UNMOUNT_TIMEOUT = 2.0
"""Seconds the namespace may take to be unmounted after `stop` returns (it is at once)."""

NSFS = "nsfs"
"""The filesystem type of a mounted namespace in the mount table."""

PROC_SCRIPT = r"""
p=$1
[ -r /proc/$p/status ] || { echo "error no process $p"; exit 3; }
pp=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status)
echo "ppid $pp"
echo "parent_cmd $(tr '\0' ' ' < /proc/$pp/cmdline | cut -c1-160)"
for n in net pid mnt uts ipc user cgroup; do
  echo "self $n $(readlink /proc/$p/ns/$n)"
  echo "parent $n $(readlink /proc/$pp/ns/$n)"
done
echo "#end"
"""


@dataclass(frozen=True)
class Listing:
    """The engine's netns directory at one moment: its path and the names of its entries."""

    directory: str
    entries: frozenset[str]


def sandbox(container: Container) -> dict[str, Any]:
    """What `inspect` says of a container's process and network sandbox."""
    container.reload()
    settings = container.attrs.get("NetworkSettings") or {}
    found = container.attrs.get("State") or {}
    return {"Status": found.get("Status"), "Pid": found.get("Pid"),
            "SandboxKey": settings.get("SandboxKey") or "",
            "SandboxID": settings.get("SandboxID") or "",
            "NetworkMode": (container.attrs.get("HostConfig") or {}).get("NetworkMode")}


def _parse_entries(output: str) -> frozenset[str]:
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end",
           "the helper could not list the engine's netns directory", output=output)
    return frozenset(line for line in lines[:-1] if line)


LIST_SCRIPT = "ls -1a \"$1\" | grep -v '^\\.\\.\\?$'; echo '#end'"


def list_netns(reader: HostReader) -> Listing:
    """The entries of the engine's netns directory now (the reader sees it live)."""
    code, output = reader.run(LIST_SCRIPT, reader.seen_at(reader.netns))
    expect(code == 0, f"the helper could not list {reader.netns}", exit_code=code,
           output=output)
    return Listing(reader.netns, _parse_entries(output))


MOUNT_SCRIPT = r"""
key=$1; inside=$2
p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$3/status)
[ -n "$p" ] && [ -r /proc/$p/mountinfo ] || { echo "error no mount table of $p"; exit 3; }
root=/proc/$p/root
out=; rest=$key; hops=0
while [ -n "$rest" ]; do
  rest=${rest#/}; comp=${rest%%/*}
  case $rest in */*) rest=/${rest#*/};; *) rest=;; esac
  case $comp in ''|.) continue;; ..) out=${out%/*}; continue;; esac
  if [ -L "$root$out/$comp" ]; then
    hops=$((hops+1)); [ $hops -gt 40 ] && { echo "error symlink loop in $key"; exit 3; }
    t=$(readlink "$root$out/$comp")
    case $t in /*) out=; rest=$t$rest;; *) rest=/$t$rest;; esac
  else out=$out/$comp; fi
done
echo "process $p $(tr '\0' ' ' < /proc/$p/cmdline | cut -c1-160)"
echo "path ${out:-/}"
awk -v want="${out:-/}" '$5 == want { for (i = 7; i <= NF; i++) if ($i == "-") {
  print "mount " $(i+1); break } }' /proc/$p/mountinfo
if [ -e "$inside" ]; then echo "file present"; else echo "file absent"; fi
echo "#end"
"""
"""Where the engine host mounts a sandbox key, read in the mount table of the host reader's
runtime parent (a process of the engine host's mount namespace, alive while the reader is):
its path with symlinks resolved in that process's root (/var/run is /run), the filesystem
types mounted there, and whether the file itself is there (the reader's own view)."""


@dataclass(frozen=True)
class NetnsMount:
    """What the engine host's mount table says of one netns entry at one moment."""

    sandbox_key: str
    path: str
    mounted: tuple[str, ...]
    file_present: bool
    read_from: str

    @property
    def is_namespace(self) -> bool:
        return NSFS in self.mounted


def netns_mount(reader: HostReader, sandbox_key: str) -> NetnsMount:
    """Whether the sandbox key is a mounted namespace on the engine host now."""
    expect(bool(sandbox_key), "the container has no sandbox key to look up", sandbox_key="")
    reader.needs_host_pids("the engine host's mount table")
    code, output = reader.run(MOUNT_SCRIPT, sandbox_key, reader.seen_at(sandbox_key),
                              str(reader.pid))
    expect(code == 0, "the helper could not read the engine host's mount table",
           exit_code=code, output=output)
    return parse_mount(sandbox_key, output)


def parse_mount(sandbox_key: str, output: str) -> NetnsMount:
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end", "the helper's mount table reading is incomplete",
           output=output)
    fields: dict[str, list[str]] = {}
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        fields.setdefault(word, []).append(rest.strip())
    return NetnsMount(sandbox_key, (fields.get("path") or [sandbox_key])[0],
                      tuple(fields.get("mount", ())), fields.get("file") == ["present"],
                      (fields.get("process") or ["?"])[0])


def wait_unmounted(now: Callable[[], NetnsMount], *, timeout: float = UNMOUNT_TIMEOUT,
                   interval: float = 0.1) -> tuple[NetnsMount, float]:
    """Read the mount table until the entry is no namespace mount, for at most `timeout`
    seconds: (the last reading, seconds waited)."""
    started = time.monotonic()
    last: list[NetnsMount] = []

    def unmounted() -> bool:
        last[:] = [now()]
        return not last[0].is_namespace

    wait_until(unmounted, timeout=timeout, interval=interval)
    return last[0], round(time.monotonic() - started, 2)


def entry_of(sandbox_key: str) -> str:
    return posixpath.basename(sandbox_key)


def check_no_process(found: dict) -> dict:
    """C07: a created container has no process: State.Pid is 0."""
    expect(found.get("Pid") == 0 and found.get("Status") == "created",
           f"the container has process {found.get('Pid')} in state {found.get('Status')!r}",
           inspect=found)
    return found


def check_no_sandbox(found: dict) -> dict:
    """C07: a created container has no network sandbox: no sandbox key, no sandbox id."""
    expect(not found.get("SandboxKey") and not found.get("SandboxID"),
           "the container already has a network sandbox", inspect=found)
    return found


def check_entry_new(before: Listing, sandbox_key: str, after: Listing) -> dict:
    """C07: the netns entry a container has after start was not there while it was created."""
    entry = entry_of(sandbox_key)
    observed = {"sandbox_key": sandbox_key, "directory": before.directory,
                "listed_before_start": sorted(before.entries),
                "listed_after_start": sorted(after.entries)}
    expect(bool(sandbox_key), "the started container has no sandbox key", **observed)
    expect(posixpath.dirname(sandbox_key) == before.directory,
           "the sandbox key is not in the netns directory that was listed", **observed)
    expect(entry in after.entries, f"the container's entry {entry} is not listed after start",
           **observed)
    expect(entry not in before.entries,
           f"the container's entry {entry} was already there before start", **observed)
    return {"entry": entry, **observed}


def check_entry_is_sandbox_key(found: dict, listing: Listing) -> dict:
    """C08: a started container's sandbox key names an entry of the engine's netns directory."""
    key = found.get("SandboxKey") or ""
    observed = {"inspect": found, "directory": listing.directory,
                "entries": sorted(listing.entries)}
    expect((found.get("Pid") or 0) > 0, "the container has no process", **observed)
    expect(bool(key) and posixpath.dirname(key) == listing.directory,
           "the sandbox key is not an entry of the engine's netns directory", **observed)
    expect(entry_of(key) in listing.entries,
           f"the netns directory has no entry {entry_of(key)}", **observed)
    return {"entry": entry_of(key), **observed}


def process_namespaces(reader: HostReader, pid: int) -> dict:
    """The namespaces of process `pid` on the engine host and of its parent, read by the
    host reader (the host's pid namespace, only CAP_SYS_PTRACE added, never privileged)."""
    expect(isinstance(pid, int) and pid > 0, "no process to look at", pid=pid)
    reader.needs_host_pids(f"/proc/{pid}")
    code, output = reader.run(PROC_SCRIPT, str(pid))
    expect(code == 0, f"the helper could not read /proc/{pid}", exit_code=code, output=output)
    return parse_proc(pid, output)


def parse_proc(pid: int, output: str) -> dict:
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end", "the helper's /proc reading is incomplete",
           output=output)
    found: dict[str, Any] = {"pid": pid, "ns": {}, "parent_ns": {}}
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        if word == "ppid":
            found["ppid"] = int(rest) if rest.strip().isdigit() else None
        elif word == "parent_cmd":
            found["parent_cmd"] = rest.strip()
        elif word in ("self", "parent"):
            kind, _, ns = rest.partition(" ")
            found["ns" if word == "self" else "parent_ns"][kind] = ns.strip()
    return found


def _pair(found: dict, kind: str) -> tuple[str, str]:
    mine, parents = found["ns"].get(kind, ""), found["parent_ns"].get(kind, "")
    expect(bool(mine) and bool(parents) and mine.startswith(f"{kind}:["),
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
    return {kind: check_own_namespace(found, kind) for kind in kinds}


def check_shared_namespace(found: dict, kind: str) -> dict:
    """C08 nuance: the container's init process is in its parent's `kind` namespace."""
    mine, parents = _pair(found, kind)
    expect(mine == parents, f"the container has a {kind} namespace of its own",
           kind=kind, container=mine, runtime_parent=parents, observed=found)
    return {"kind": kind, "container": mine, "runtime_parent": parents,
            "parent_cmd": found.get("parent_cmd")}


@dataclass(frozen=True)
class Expected:
    """Whether a container should have a namespace of a kind of its own, and the engine's and
    the container's configuration that says so (the nuance's evidence)."""

    kind: str
    own: bool
    because: str
    configuration: dict


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
                        configuration)
    why = ("the container opts out of the engine's remapping (UsernsMode \"host\")" if remaps
           else "the engine does not remap users (no name=userns among its security options)")
    return Expected("user", False, why, configuration)


def expected_cgroup_namespace(container_attrs: dict, cgroup_version: str) -> Expected:
    """C08 nuance: the container's cgroupns mode (HostConfig.CgroupnsMode: "private" or "host",
    from `--cgroupns` or the engine's `--default-cgroupns-mode`) says whether it gets a cgroup
    namespace of its own; only where the container does not say is the engine's default for
    its cgroup version assumed (host on v1, private on v2)."""
    mode = (container_attrs.get("HostConfig") or {}).get("CgroupnsMode") or ""
    configuration = {"container_cgroupns_mode": mode, "cgroup_version": str(cgroup_version)}
    if mode in ("private", "host"):
        return Expected("cgroup", mode == "private",
                        f"the container's cgroupns mode is {mode!r}", configuration)
    default = CGROUP_DEFAULT.get(str(cgroup_version))
    expect(default is not None, f"the container names no cgroupns mode and cgroup version "
           f"{cgroup_version!r} has no known default", **configuration)
    return Expected("cgroup", default == "private", f"the container names no cgroupns mode: the "
                    f"engine's default on cgroup v{cgroup_version} is {default!r}", configuration)


def check_namespace_as_configured(found: dict, expected: Expected) -> dict:
    """C08 nuance: the container has a namespace of kind `expected.kind` of its own, or shares
    its runtime parent's, as the engine's and the container's configuration say."""
    check = check_own_namespace if expected.own else check_shared_namespace
    try:
        observed = check(found, expected.kind)
    except ClaimFailed as failed:
        raise ClaimFailed(f"{failed.args[0].splitlines()[0]}, although {expected.because}",
                          {**failed.observed, "configuration": expected.configuration}) from None
    return {**observed, "expected": "own" if expected.own else "shared",
            "because": expected.because, "configuration": expected.configuration}


def check_no_own_netns(found: dict, before: Listing, after: Listing) -> dict:
    """C08 nuance: a container on the host network gets no netns entry of its own (its sandbox
    key names the engine's `default` entry, or one that was there before it started)."""
    key = found.get("SandboxKey") or ""
    entry = entry_of(key)
    observed = {"inspect": found, "listed_before_start": sorted(before.entries),
                "listed_after_start": sorted(after.entries)}
    expect(entry == "default" or entry in before.entries,
           f"the container got a new netns entry {entry!r}", **observed)
    return {"entry": entry, **observed}


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
    return observed


def check_namespace_unmounted(mount: NetnsMount, waited: float) -> dict:
    """C08: once the container stops, its network namespace is gone: the entry is no longer a
    namespace mount. Whether the file itself is left for the engine's garbage collector is
    reported (a nuance), never waited for."""
    observed = {**_mount_evidence(mount), "waited_s": waited,
                "entry_file": ("left, empty, for the engine's garbage collector"
                               if mount.file_present else "removed at once")}
    expect(not mount.is_namespace, f"{mount.path} is still a namespace mount {waited} s after "
           "the stop", **observed)
    return observed

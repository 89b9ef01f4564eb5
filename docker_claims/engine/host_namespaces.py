"""The engine host's namespaces, read by the host reader (engine.host: one helper container,
never privileged, network none), for C07, C08 and C15.

Two views of the engine host:

- the engine's netns directory (`/run/docker/netns` on a Linux engine), bound read-only;
- a process's namespaces, `readlink /proc/<pid>/ns/<kind>`, in the host's pid namespace, beside
  its runtime parent's (PPid in /proc/<pid>/status, the shim that runc leaves behind); and the
  engine host's mount table, as that parent sees it.

At a stop the engine unmounts the container's network namespace at once: its netns entry stops
being an `nsfs` mount in the engine host's mount table, and is left an empty file that the
engine's garbage collector removes up to a minute later (Docker 28: at once). So whether a
namespace exists is read from the mount table, never from the directory listing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from docker import DockerClient
from docker.models.containers import Container

from docker_claims.engine.host import HostReader
from docker_claims.engine.mounts import NetnsMount, parse_mount
from docker_claims.engine.records import NetnsListing, SwarmSetting
from docker_claims.engine.scope import wait_until
from docker_claims.evidence import expect, require

UNMOUNT_TIMEOUT = 2.0
"""Seconds the namespace may take to be unmounted after `stop` returns (it is at once)."""


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


LIST_SCRIPT = "ls -1a \"$1\" | grep -v '^\\.\\.\\?$'; echo '#end'"


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


def sandbox(container: Container) -> dict[str, Any]:
    """What `inspect` says of a container's process and network sandbox."""
    container.reload()
    settings = container.attrs.get("NetworkSettings") or {}
    found = container.attrs.get("State") or {}
    return {"Status": found.get("Status"), "Pid": found.get("Pid"),
            "SandboxKey": settings.get("SandboxKey") or "",
            "SandboxID": settings.get("SandboxID") or "",
            "NetworkMode": (container.attrs.get("HostConfig") or {}).get("NetworkMode")}


def _unlisted(output: str) -> dict[str, Any]:
    """What a failed listing may show: its error lines, and how many other lines it printed
    (they may be entries of other containers, which a report names nowhere)."""
    lines = output.splitlines()
    errors = [line for line in lines if line.startswith(("ls:", "grep:", "sh:", "reader:"))]
    return {"errors": errors, "other_lines": len(lines) - len(errors)}


def _parse_entries(output: str) -> frozenset[str]:
    lines = output.splitlines()
    require(bool(lines) and lines[-1] == "#end",
            "the helper could not list the engine's netns directory", **_unlisted(output))
    return frozenset(line for line in lines[:-1] if line)


def swarm_setting(client: DockerClient) -> SwarmSetting:
    """Whether the engine is a swarm node (`docker info`'s Swarm.LocalNodeState) and, if it
    is, its swarm's ingress network (the overlay network the engine marks Ingress)."""
    state = ((client.info().get("Swarm") or {}).get("LocalNodeState")) or "inactive"
    if state != "active":
        return SwarmSetting(state)
    ingress = [network.get("Id") or "" for network
               in client.api.networks(filters={"driver": "overlay"}) if network.get("Ingress")]
    return SwarmSetting(state, ingress[0] if ingress else "")


def list_netns(reader: HostReader) -> NetnsListing:
    """The entries of the engine's netns directory now (the reader sees it live), with the
    engine's swarm setting, which says which entries are its swarm's."""
    swarm = swarm_setting(reader.container.client)
    code, output = reader.run(LIST_SCRIPT, reader.seen_at(reader.netns))
    require(code == 0, f"the helper could not list {reader.netns}", exit_code=code,
            **_unlisted(output))
    return NetnsListing(reader.netns, _parse_entries(output), swarm)


def netns_mount(reader: HostReader, sandbox_key: str) -> NetnsMount:
    """Whether the sandbox key is a mounted namespace on the engine host now."""
    expect(bool(sandbox_key), "the container has no sandbox key to look up", sandbox_key="")
    reader.needs_host_pids("the engine host's mount table")
    code, output = reader.run(MOUNT_SCRIPT, sandbox_key, reader.seen_at(sandbox_key),
                              str(reader.pid))
    require(code == 0, "the helper could not read the engine host's mount table",
            exit_code=code, output=output)
    return parse_mount(sandbox_key, output)


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


def process_namespaces(reader: HostReader, pid: int) -> dict:
    """The namespaces of process `pid` on the engine host and of its parent, read by the
    host reader (the host's pid namespace, only CAP_SYS_PTRACE added, never privileged)."""
    expect(isinstance(pid, int) and pid > 0, "no process to look at", pid=pid)
    reader.needs_host_pids(f"/proc/{pid}")
    code, output = reader.run(PROC_SCRIPT, str(pid))
    require(code == 0, f"the helper could not read /proc/{pid}", exit_code=code, output=output)
    return parse_proc(pid, output)


def parse_proc(pid: int, output: str) -> dict:
    lines = output.splitlines()
    require(bool(lines) and lines[-1] == "#end", "the helper's /proc reading is incomplete",
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

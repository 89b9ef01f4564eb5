"""The engine host, read through one helper container: never from this machine's filesystem.

What C04, C06, C07, C08 and C15 look at lives on the engine host (which may be a VM or another
machine): the engine's netns directory, the storage driver's layer directories, and /proc. A
`HostReader` is one helper container that sees exactly those, started once (per session, or per
test) and asked by `exec`, which costs a tenth of a container start:

- the netns directory (`/run/docker/netns` on a Linux engine) at /host/netns: its path is the
  directory of a sandbox key the engine gives a started probe container, never assumed;
- the storage driver's directory (DockerRootDir/<driver>, as `docker info` names them) at
  /host/storage;
- the host's pid namespace (`--pid=host`) with only CAP_SYS_PTRACE added, for /proc/<pid>/ns.

Both directories are bound read-only and non-recursively: the helper sees their entries but none
of the mounts under them (other containers' network namespaces and root filesystems), so it
holds none of them alive. Never privileged, network none, labelled with the run, removed with
the scope that started it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from docker.models.containers import Container

from docker_claims.engine.scope import Resources, remove_container
from docker_claims.evidence import expect

NETNS = "/host/netns"
STORAGE = "/host/storage"

IDLE = ["cat"]
"""The reader's and the probe's only process: it waits on an open stdin, doing nothing."""


def _bind(source: str, target: str) -> dict:
    """A read-only, non-recursive bind mount (API 1.40+): the directory's own entries only."""
    return {"Type": "bind", "Source": source, "Target": target, "ReadOnly": True,
            "BindOptions": {"NonRecursive": True}}


def netns_dir(resources: Resources, image: str) -> str:
    """The engine's netns directory: the directory of a started probe's sandbox key."""
    probe = resources.container(image, IDLE, role="helper", kind="helper", stdin_open=True,
                                network_mode="none")
    try:
        probe.start()
        probe.reload()
        key = (probe.attrs.get("NetworkSettings") or {}).get("SandboxKey") or ""
    finally:
        remove_container(resources.client, probe.id)
    expect(bool(key), "a started container has no sandbox key: the engine names no netns "
           "directory", probe=probe.id)
    return posixpath.dirname(key)


def storage_dir(resources: Resources) -> str:
    """Where the storage driver keeps its layer directories: DockerRootDir/<driver>."""
    info = resources.client.info()
    return posixpath.join(info.get("DockerRootDir") or "/var/lib/docker",
                          info.get("Driver") or "overlay2")


@dataclass
class HostReader:
    """One running helper container and the engine-host directories it sees."""

    container: Container
    netns: str
    storage: str
    pid: int = 0
    """The reader's own process on the engine host: its parent (the runtime's shim) lives in
    the engine host's mount namespace for as long as the reader runs."""

    @classmethod
    def start(cls, resources: Resources, image: str) -> HostReader:
        """Start the reader (its removal goes to `resources`' cleanup, like any container)."""
        netns, storage = netns_dir(resources, image), storage_dir(resources)
        container = resources.container(
            image, IDLE, role="helper", kind="helper", stdin_open=True, network_mode="none",
            pid_mode="host", userns_mode="host",  # --userns-remap refuses --pid=host without it
            cap_add=["SYS_PTRACE"], mounts=[_bind(netns, NETNS), _bind(storage, STORAGE)])
        container.start()
        container.reload()
        return cls(container, netns, storage, (container.attrs.get("State") or {}).get("Pid", 0))

    def seen_at(self, host_path: str) -> str:
        """Where the reader sees a directory of the engine host (the netns directory, or one
        under the storage driver's)."""
        for host, inside in ((self.netns, NETNS), (self.storage, STORAGE)):
            if host_path == host or host_path.startswith(host.rstrip("/") + "/"):
                return inside + host_path[len(host.rstrip("/")):]
        expect(False, f"{host_path} is neither the engine's netns directory nor under its "
               "storage driver's directory, the only places the host reader sees",
               netns_dir=self.netns, storage_dir=self.storage)
        raise AssertionError("unreachable")

    def run(self, script: str, *args: str) -> tuple[int, str]:
        """`sh -c script` in the reader: (exit code, output)."""
        code, output = self.container.exec_run(["sh", "-c", script, "reader", *args])
        return code, output.decode("utf-8", "replace")

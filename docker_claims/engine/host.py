"""The engine host, read through a helper container: never from this machine's filesystem.

What C04, C06, C07, C08 and C15 look at lives on the engine host (which may be a VM or another
machine): the engine's netns directory, the storage driver's layer directories, and /proc. A
`HostReader` is one helper container that sees those, started once (per session, or per test)
and asked by `exec`, which costs a tenth of a container start. It asks the engine only for what
its reads need:

- the netns directory (`/run/docker/netns` on a Linux engine) at /host/netns: its path is the
  directory of a sandbox key the engine gives a started probe container, never assumed;
- the directory that holds the storage driver's layer directories, at /host/storage: where the
  probe's own root overlay has its upper directory (DockerRootDir/overlay2 on overlay2, the
  snapshotter's snapshots directory on the containerd image store), else DockerRootDir/<driver>
  where the engine host has it;
- what names the layer directories where nothing the engine's API says does (engine.mounts):
  where the probe's root is no overlay, the engine's layer database
  (DockerRootDir/image/<driver>/layerdb, at /host/layerdb: vfs); on the containerd image
  store, the snapshotter's metadata file (metadata.db beside its snapshots directory, at
  /host/snapshots.db), for containers that are not running;
- only when asked (`host_pids`): the host's pid namespace (`--pid=host`) with only
  CAP_SYS_PTRACE added, for /proc/<pid>/ns and the engine host's mount table. Some engines
  cannot give it (rootless Docker 20.10 unless rootlesskit runs with --pidns): the start then
  raises HostPidsRefused, whose message is the reason those reads are not measured.

Directories are bound read-only and non-recursively: the helper sees their entries but none of
the mounts under them (other containers' network namespaces and root filesystems), so it holds
none of them alive. On an engine that remaps user namespaces (`userns` in its security options)
the reader opts out (`--userns=host`): a container in the host's pid namespace must, and the
host's directories are then read as the host's root reads them. Never privileged, network none,
labelled with the run, removed with the scope that started it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from docker.errors import APIError
from docker.models.containers import Container

from docker_claims.engine import mounts
from docker_claims.engine.connection import first_line, has_security_option
from docker_claims.engine.scope import Resources, remove_container
from docker_claims.evidence import NotMeasured, expect, require

NETNS = "/host/netns"
STORAGE = "/host/storage"
LAYERDB = "/host/layerdb"
SNAPSHOTS_DB = "/host/snapshots.db"

IDLE = ["cat"]
"""The reader's and the probe's only process: it waits on an open stdin, doing nothing."""

MISSING_SOURCE = re.compile(r"bind source path does not exist: (\S+)")
"""How the engine refuses a bind of a directory its host lacks (at create, since Docker 17.06)."""


class HostPidsRefused(RuntimeError):
    """The engine does not start a helper in its host's pid namespace. The message says what
    the engine answered and how to get an engine that does: the reason why the scenarios that
    read /proc or the engine host's mount table are not measured on it."""


def _bind(source: str, target: str) -> dict:
    """A read-only, non-recursive bind mount (API 1.40+): the directory's own entries only."""
    return {"Type": "bind", "Source": source, "Target": target, "ReadOnly": True,
            "BindOptions": {"NonRecursive": True}}


def _probe(resources: Resources, image: str,
           running: Container | None = None) -> tuple[str, str]:
    """(the engine's netns directory, a container's own mount table), asked of `running` (a
    running container of the run with a network namespace of its own, such as its lease) or
    else of a probe container started for it."""
    probe = running or resources.container(image, IDLE, role="helper", kind="helper",
                                           stdin_open=True, network_mode="none")
    try:
        if running is None:
            probe.start()
        probe.reload()
        key = (probe.attrs.get("NetworkSettings") or {}).get("SandboxKey") or ""
        code, table = probe.exec_run(mounts.ROOT_MOUNT_COMMAND)
    finally:
        if running is None:
            remove_container(resources.client, probe.id)
    expect(bool(key), "a started container has no sandbox key: the engine names no netns "
           "directory", probe=probe.id)
    return posixpath.dirname(key), table.decode("utf-8", "replace") if code == 0 else ""


def storage_dir(info: dict, probe_mounts: str = "") -> str:
    """Where the storage driver keeps its layer directories: where a probe container's root
    overlay has its upper directory (overlay2's DockerRootDir/overlay2; the containerd image
    store's snapshots directory, which is not DockerRootDir/overlayfs), else
    DockerRootDir/<driver>."""
    return mounts.layer_root(mounts.root_mount(probe_mounts)) or posixpath.join(
        info.get("DockerRootDir") or "/var/lib/docker", info.get("Driver") or "overlay2")


def naming_files(info: dict, probe_mounts: str, storage: str) -> dict[str, str]:
    """What else the reader binds to name layer directories (engine host path -> where the
    reader sees it): the engine's layer database where the probe's root is no overlay (vfs),
    the snapshotter's metadata where its layers are a snapshotter's."""
    if mounts.layer_root(mounts.root_mount(probe_mounts)) is None:
        return {posixpath.join(info.get("DockerRootDir") or "/var/lib/docker", "image",
                               info.get("Driver") or "vfs", "layerdb"): LAYERDB}
    metadata = mounts.snapshots_metadata(storage)
    return {metadata: SNAPSHOTS_DB} if metadata else {}


def host_pids_refused(info: dict, error: APIError) -> HostPidsRefused:
    """Why the engine gave no helper its host's pid namespace, and what to do about it."""
    said = str(error.explanation or first_line(error)).strip()  # the runtime's reason is last
    if has_security_option(info, "rootless"):
        fix = ("This engine is rootless: its rootlesskit runs without --pidns, so the engine's "
               "\"host\" pid namespace is the user's own, where it may not mount /proc "
               "(moby#41457). Restart it with DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--pidns "
               "(for the systemd user unit: `systemctl --user edit docker`, "
               "[Service] Environment=DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--pidns), or use a "
               "newer engine, which gives such containers /proc without it (moby#41893: "
               "rootless Docker 26.1 does)")
    else:
        fix = "Use an engine that allows --pid=host containers"
    return HostPidsRefused(
        "the engine does not start a helper container in its host's pid namespace "
        f"(--pid=host), which reading /proc/<pid>/ns and the engine host's mount table needs. "
        f"It answered: {said}. {fix}.")


@dataclass
class HostReader:
    """One running helper container and the engine-host directories it sees."""

    container: Container
    netns: str
    storage: str
    """The storage driver's directory, or "" where the engine host has none."""
    pid: int = 0
    """The reader's own process on the engine host: its parent (the runtime's shim) lives in
    the engine host's mount namespace for as long as the reader runs."""
    host_pids: bool = False
    """Whether the reader is in the engine host's pid namespace (sees its /proc)."""
    layerdb: str = ""
    """The engine's layer database directory, where the reader binds it, else ""."""
    snapshots_db: str = ""
    """The containerd snapshotter's metadata file, where the reader binds it, else ""."""

    @classmethod
    def start(cls, resources: Resources, image: str, *, host_pids: bool = False,
              probe: Container | None = None) -> HostReader:
        """Start the reader (its removal goes to `resources`' cleanup, like any container).
        Raises HostPidsRefused when `host_pids` is asked for and the engine will not. `probe`:
        a running container of the run, with a network namespace of its own, that tells the
        netns directory and the storage driver's directory (else a probe is started)."""
        info = resources.client.info()
        netns, mounts = _probe(resources, image, probe)
        layers = storage_dir(info, mounts)
        naming = naming_files(info, mounts, layers)
        options: dict = {"userns_mode": "host"} if has_security_option(info, "userns") else {}
        if host_pids:
            options.update(pid_mode="host", cap_add=["SYS_PTRACE"])
        container, bound = _create(resources, image,
                                   {netns: NETNS, layers: STORAGE, **naming}, options)
        try:
            container.start()
        except APIError as error:
            if host_pids:
                raise host_pids_refused(info, error) from error
            raise
        container.reload()
        seen = {inside: host for host, inside in naming.items() if host in bound}
        return cls(container, netns, layers if layers in bound else "",
                   (container.attrs.get("State") or {}).get("Pid", 0), host_pids,
                   seen.get(LAYERDB, ""), seen.get(SNAPSHOTS_DB, ""))

    def needs_host_pids(self, what: str) -> None:
        """Refuse (a misuse of the suite, never a claim's failure) to read `what` through a
        reader that does not see the engine host's processes."""
        if not self.host_pids:
            raise ValueError(f"reading {what} needs the host reader that sees the engine "
                             "host's processes (HostReader.start(..., host_pids=True))")

    def seen_at(self, host_path: str) -> str:
        """Where the reader sees a path of the engine host (the netns directory, or one under
        the storage driver's directory or the layer database, or the snapshotter's
        metadata)."""
        for host, inside in ((self.netns, NETNS), (self.storage, STORAGE),
                             (self.layerdb, LAYERDB), (self.snapshots_db, SNAPSHOTS_DB)):
            if host and (host_path == host or host_path.startswith(host.rstrip("/") + "/")):
                return inside + host_path[len(host.rstrip("/")):]
        raise NotMeasured(f"{host_path} is neither the engine's netns directory nor under its "
                          "storage driver's directory, the only places the host reader sees",
                          {"netns_dir": self.netns,
                           "storage_dir": self.storage or "(none on the engine host)",
                           "layer_database": self.layerdb or "(not bound)",
                           "snapshotter_metadata": self.snapshots_db or "(not bound)"})

    def read_bytes(self, host_path: str) -> bytes:
        """A file of the engine host, whole, as its bytes (`cat` in the reader), asked again
        like `run` when its output comes back empty."""
        for _ in range(3):
            code, output = self.container.exec_run(["cat", self.seen_at(host_path)])
            if output:
                break
        require(code == 0, f"the helper could not read {host_path}", exit_code=code,
                output=output[:300].decode("utf-8", "replace"))
        return output

    def run(self, script: str, *args: str) -> tuple[int, str]:
        """`sh -c script` in the reader: (exit code, output). Every reader script prints
        something; an exec whose output comes back empty lost it (the engine can drop a short
        exec's output before the attach catches up: docker-py#2042, seen about once a run on
        Docker 26), and is asked again, at most twice: the scripts only read."""
        for _ in range(3):
            code, output = self.container.exec_run(["sh", "-c", script, "reader", *args])
            if output:
                break
        return code, output.decode("utf-8", "replace")


def _create(resources: Resources, image: str, wanted: dict[str, str],
            options: dict) -> tuple[Container, set[str]]:
    """Create the reader with a bind of each wanted directory the engine host has: a source it
    lacks is refused at create, named in the engine's answer, and left out."""
    binds = dict(wanted)
    while True:
        try:
            container = resources.container(
                image, IDLE, role="helper", kind="helper", stdin_open=True,
                network_mode="none",
                mounts=[_bind(host, inside) for host, inside in binds.items()], **options)
            return container, set(binds)
        except APIError as error:
            missing = MISSING_SOURCE.search(str(error.explanation or error))
            if not missing or missing.group(1) not in binds:
                raise
            del binds[missing.group(1)]

"""A second node without root on the host: Docker-in-Docker, a container of the first engine.

`DOCKER_CLAIMS_NODE2=dind` asks for it. testcontainers starts it (its reaper, Ryuk, stays off:
it must be pulled from a registry, and the run's label sweep and lease are the backstop): a
dockerd in a container, listening on TCP inside, reached over the port the first engine
publishes. It is the one container of the suite allowed `privileged` (a dockerd needs it);
like every other, it is named and labelled with the run and removed with it, its data on a
volume of the run's (dockerd's layers cannot live on an overlay root).

The image is the official `docker:dind` where the engine has it or a registry answers;
offline, an image imported from the engine binaries at hand on this machine (dockerd,
containerd, its shim, runc, docker-init, with the shared libraries they load), when their
architecture is the engine's; otherwise there is no such node, and why is said.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

from docker.errors import APIError, DockerException, ImageNotFound

from docker_claims.engine import connection
from docker_claims.engine.fixtures import elf_facts, find_busybox
from docker_claims.engine.scope import Resources

OFFICIAL = "docker:dind"
PORT = 2375
READY_TIMEOUT = 90.0
BINARIES = ("dockerd", "containerd", "containerd-shim-runc-v2", "runc", "docker-init",
            "docker-proxy")
"""What a dockerd needs on its PATH to run containers (docker-proxy only to publish ports)."""

DAEMON = ["dockerd", f"--host=tcp://0.0.0.0:{PORT}", "--tls=false", "--bridge=none",
          "--iptables=false", "--ip6tables=false", "--ip-masq=false"]
"""No TLS (the port is published to the first engine's host only: 127.0.0.1), no bridge, no
iptables rules: the node's containers need no network."""


class DindUnavailable(RuntimeError):
    """No Docker-in-Docker node can be made here: the message says why and what to do."""


def engine_url() -> str:
    """Where the first engine is, as testcontainers must be told (it reads DOCKER_HOST, not the
    docker context)."""
    for _, how in connection.candidates():
        if how.get("base_url"):
            return how["base_url"]
        return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    return "unix:///var/run/docker.sock"


def start(resources: Resources, timeout: float = READY_TIMEOUT) -> str:
    """Start a Docker-in-Docker node for the run: its DOCKER_HOST-style address (tcp://...).
    Its removal (and its volume's) is registered with `resources`."""
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import DockerContainer

    testcontainers_config.ryuk_disabled = True
    image = dind_image(resources)
    data = resources.volume(role="node")
    node = (DockerContainer(image, docker_client_kw={"environment": {
                "DOCKER_HOST": engine_url()}}, name=resources.run.name("dind"),
                labels=resources.run.labels("node"), privileged=True,
                env={"PATH": "/usr/local/bin:/usr/local/sbin:/usr/bin:/bin:/usr/sbin:/sbin"},
                volumes=[(data.name, "/var/lib/docker", "rw")])
            .with_command(DAEMON))
    # Published on the engine host's loopback only: an unauthenticated, privileged dockerd
    # must not be reachable from its network (testcontainers binds every address).
    node.ports[f"{PORT}/tcp"] = ("127.0.0.1", None)
    try:
        node.start()
    except (DockerException, OSError) as error:
        said = str(getattr(error, "explanation", None) or connection.first_line(error))
        hint = (" (the engine cannot give a privileged container every capability: its "
                "capability bounding set lacks some, as in a sandbox; a Docker-in-Docker node "
                "needs --privileged)" if "apply caps" in said else "")
        raise DindUnavailable(f"the Docker-in-Docker node did not start: {said}{hint}") \
            from error
    finally:
        container = getattr(node, "_container", None)
        if container is not None:
            resources.defer(lambda: resources.client.api.remove_container(
                container.id, force=True, v=True))
    try:
        # Published on the loopback: where the engine is this machine's (a unix socket), that
        # is 127.0.0.1, whatever testcontainers guesses (it may take the bridge's gateway).
        host = ("127.0.0.1" if engine_url().startswith("unix://")
                else node.get_container_host_ip())
        url = f"tcp://{host}:{node.get_exposed_port(PORT)}"
    except (DockerException, OSError) as error:  # testcontainers: ConnectionError
        raise DindUnavailable(f"the engine publishes no port of the Docker-in-Docker node "
                              f"({connection.first_line(error)}): it needs an engine with a "
                              "bridge network (this one may run with --bridge=none)") from error
    _wait_ready(url, node, timeout)
    return url


def _wait_ready(url: str, node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            client = connection.client_for({"base_url": url, "tls": False}, 5)
            client.ping()
            client.close()
            return
        except (DockerException, OSError) as error:
            last = connection.first_line(error)
        node.get_wrapped_container().reload()
        if node.get_wrapped_container().status != "running":
            logs = node.get_wrapped_container().logs(tail=15).decode("utf-8", "replace")
            raise DindUnavailable(f"the Docker-in-Docker node's dockerd exited:\n{logs}")
        time.sleep(0.5)
    raise DindUnavailable(f"the Docker-in-Docker node at {url} did not answer within "
                          f"{timeout:.0f} s ({last})")


def dind_image(resources: Resources) -> str:
    """The official image where the engine has it or can pull it; else one imported from the
    engine binaries on this machine (removed with the run)."""
    client = resources.client
    try:
        client.images.get(OFFICIAL)
        return OFFICIAL
    except ImageNotFound:
        pass
    try:
        client.images.pull(OFFICIAL)
        resources.defer(lambda: _remove_quietly(resources, OFFICIAL))
        return OFFICIAL
    except (DockerException, OSError) as pulled:
        reason = connection.first_line(pulled)
    try:
        return local_image(resources)
    except DindUnavailable as error:
        raise DindUnavailable(f"no {OFFICIAL} image (pulling it failed: {reason}), and "
                              f"none can be made here: {error}") from None


def _remove_quietly(resources: Resources, reference: str) -> None:
    with contextlib.suppress(APIError):
        resources.client.images.remove(reference)


def local_image(resources: Resources) -> str:
    """An image of the engine binaries at hand, imported FROM nothing: the binaries, the shared
    libraries they load (as `ldd` names them), a static busybox as its shell."""
    found = {name: shutil.which(name, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                            "/sbin:/bin") for name in BINARIES}
    missing = [name for name, path in found.items() if path is None and name != "docker-proxy"]
    if missing:
        raise DindUnavailable(f"{', '.join(missing)} not on this machine (Debian/Ubuntu: "
                              "apt-get install docker.io)")
    engine_arch = resources.client.version().get("Arch", "amd64")
    arch = elf_facts(Path(found["dockerd"]))[0]
    if arch != engine_arch:
        raise DindUnavailable(f"this machine's dockerd is built for {arch}, the engine runs "
                              f"{engine_arch}")
    busybox = find_busybox()
    if busybox is None:
        raise DindUnavailable("no static busybox for the node's shell (apt-get install "
                              "busybox-static)")
    tarball = resources.run.name("dind-rootfs")
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{tarball}.tar"
    try:
        _write_rootfs(path, {name: p for name, p in found.items() if p}, busybox)
        return resources.import_image(path, ['CMD ["dockerd"]'], role="node").id
    finally:
        path.unlink(missing_ok=True)


def _libraries(binary: str) -> set[str]:
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    found = set()
    for line in out.splitlines():
        parts = line.split()
        for part in parts:
            if part.startswith("/") and os.path.exists(part):
                found.add(part)
    return found


def _write_rootfs(path: Path, binaries: dict[str, str], busybox: Path) -> None:
    libraries = set().union(*(_libraries(p) for p in binaries.values()))
    with tarfile.open(path, "w") as tar:
        for directory in ("bin", "usr/local/bin", "tmp", "run", "var/lib/docker", "etc",
                          "proc", "sys", "dev"):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
        for name, source in binaries.items():
            tar.add(os.path.realpath(source), f"usr/local/bin/{name}")
        for library in sorted(libraries):
            tar.add(os.path.realpath(library), library.lstrip("/"))
        tar.add(str(busybox), "bin/busybox")
        for applet in ("sh", "mount", "umount", "modprobe"):
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(info)
        empty = tarfile.TarInfo("etc/hosts")
        tar.addfile(empty, io.BytesIO(b""))


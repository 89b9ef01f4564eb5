"""Fixture images, built FROM scratch with a static busybox: no registry needed.

The busybox comes from DOCKER_CLAIMS_BUSYBOX, else from PATH or /bin/busybox (Debian and
Ubuntu: package busybox-static). Only where none is found and a registry answers is a pinned
busybox image pulled, and its binary used the same way. Each fixture is built once per run,
keyed by the hash of everything that goes into it (its tag names that hash), and labelled
with the run in its first step.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import struct
import tarfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from docker.errors import APIError, BuildError, DockerException, ImageNotFound
from docker.models.images import Image

from docker_claims.engine.config import settings
from docker_claims.engine.dockerfile import changes_filesystem
from docker_claims.engine.scope import Resources, remove_container

PULL_FALLBACK = "busybox:1.36.1"
"""Pulled only when no static busybox is on this machine and a registry answers."""


ELF_MACHINES = {3: "386", 8: "mips", 20: "ppc", 21: "ppc64le", 22: "s390x", 40: "arm",
                62: "amd64", 183: "arm64", 243: "riscv64"}


class BusyboxMissing(RuntimeError):
    """No usable static busybox: the message says how to get one."""


class ContextFile(NamedTuple):
    """A file of a fixture's build context. `mtime` is part of what a layer diff compares:
    storage drivers without a native diff (vfs; overlay2 where "Native Overlay Diff" is false,
    such as rootless) tell a changed file by mode, owner, size and mtime, never by content."""

    path: str
    content: bytes
    mtime: int = 0


@dataclass(frozen=True)
class FixtureSpec:
    """A fixture image: Dockerfile instructions (after `FROM scratch`) and the files they use.

    `busybox` is always in the build context; `files` maps context paths to contents.
    `after`: a fixture whose build begins with every filesystem step of this one; it is built
    first, and this one takes those steps from its build cache (that fixture's own, never
    another image's).
    """

    name: str
    instructions: tuple[str, ...]
    files: tuple[ContextFile, ...] = ()
    after: FixtureSpec | None = None

    def dockerfile(self, labels: dict[str, str]) -> str:
        """The run's labels come first, so that every step image of the build carries them
        (the containerd image store keeps config-only step images after the fixture's removal:
        unlabelled, they were left behind, found by no sweep)."""
        return "\n".join(("FROM scratch", *(_label(labels) if labels else ()),
                          *self.instructions, ""))

    def content_hash(self, busybox_digest: str) -> str:
        digest = hashlib.sha256(busybox_digest.encode())
        for part in (self.name, *self.instructions):
            digest.update(part.encode() + b"\0")
        for path, content, mtime in self.files:
            digest.update(f"{path}\0{mtime}\0".encode() + hashlib.sha256(content).digest())
        return digest.hexdigest()[:16]

    def file(self, path: str) -> bytes:
        return next(f.content for f in self.files if f.path == path)


def _label(labels: dict[str, str]) -> tuple[str]:
    return ("LABEL " + " ".join(f'"{key}"="{value}"' for key, value in sorted(labels.items())),)


LAYERED = FixtureSpec(
    name="layered",
    instructions=(
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        "COPY lower/ /claims/",
        "COPY upper/ /claims/",
        'RUN ["/bin/busybox", "rm", "/claims/deleted.txt"]',
        "ENV CLAIMS_FIXTURE=layered",
        'CMD ["sh"]',
    ),
    files=(
        ContextFile("lower/shadowed.txt", b"shadowed.txt as written by the lower layer\n"),
        ContextFile("lower/lower-only.txt", b"lower-only.txt, written by the lower layer only\n"),
        ContextFile("lower/deleted.txt",
                    b"deleted.txt, written by the lower layer, deleted above\n"),
        ContextFile("upper/shadowed.txt",
                    b"shadowed.txt as rewritten by the upper layer, which hides the lower one\n",
                    mtime=86400),
    ),
)
"""Five filesystem layers: a file overridden above, one only below, one deleted above. The
upper `shadowed.txt` differs from the lower one in size and mtime, not only in content, so that
every storage driver's diff sees the `COPY upper/` layer change it (vfs compares size and mtime:
with both equal, that layer came out empty and the engine dropped it)."""

WRITES = {
    "/claims/added-by-container.txt": "added",
    "/claims/shadowed.txt": "changed",
    "/claims/lower-only.txt": "deleted",
}
"""What a container does to the layered fixture's files (C03, C04, C11), as `docker diff` names
it."""

BASE = FixtureSpec(
    name="busybox",
    after=LAYERED,
    instructions=(
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'CMD ["sh"]',
    ),
)
"""The article's `busybox`: one static binary and its applet links."""

CONFIGURED = FixtureSpec(
    name="configured",
    instructions=(
        *(step for step in LAYERED.instructions if changes_filesystem(step)),
        "ENV CLAIMS_GREETING=configured",
        "WORKDIR /claims",
        'CMD ["sh", "-c", "echo \\"$CLAIMS_GREETING in $PWD\\" && cat shadowed.txt"]',
    ),
    files=LAYERED.files,
    after=LAYERED,
)
"""LAYERED's layers with a config that matters: a command that needs its ENV and WORKDIR, to
show what an import loses and what `changes` give back (C12)."""


HELPER = LAYERED
"""The image the run's own containers run (its lease, its host reader): the fixture every run
builds first (the others are built `after` it), whose busybox applets (cat, sh, find, ...) they
need. The article's `busybox` (BASE) is built only for the scenarios that name it."""


def find_busybox() -> Path | None:
    """A static busybox on this machine, or None."""
    named = settings().busybox
    if named:
        return named
    for candidate in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if candidate and Path(candidate).is_file() and elf_facts(Path(candidate))[1]:
            return Path(candidate)
    return None


def elf_facts(path: Path) -> tuple[str | None, bool]:
    """(architecture in Docker's words, is statically linked) of an ELF file."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF":
            return None, False
        is64, endian = head[4] == 2, "<" if head[5] == 1 else ">"
        machine = struct.unpack_from(endian + "H", head, 18)[0]
        if is64:
            phoff, = struct.unpack_from(endian + "Q", head, 32)
            phentsize, phnum = struct.unpack_from(endian + "HH", head, 54)
        else:
            phoff, = struct.unpack_from(endian + "I", head, 28)
            phentsize, phnum = struct.unpack_from(endian + "HH", head, 42)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    interp = any(struct.unpack_from(endian + "I", table, i * phentsize)[0] == 3  # PT_INTERP
                 for i in range(phnum))
    return ELF_MACHINES.get(machine), not interp





BUILDS_AT_ONCE = 3
"""Fixtures built side by side. Over ssh:// each build holds one of the client's sessions
(engine.ssh.SESSIONS) for as long as it takes, beside the lease's and the run's own."""


@dataclass
class Fixtures:
    """Builds fixture images for one run, each at most once (thread-safe). Builds asked for
    ahead (`prepare`) go on side by side in the background; `image` waits for its own."""

    resources: Resources
    _built: dict[str, Future] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # _future recurses
    _busybox: bytes | None = None
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(BUILDS_AT_ONCE,
                                                   thread_name_prefix="fixture-build"))

    def prepare(self, specs: Iterable[FixtureSpec]) -> None:
        """Start building each fixture not yet built or building, without waiting."""
        for spec in specs:
            self._future(spec)

    def image(self, spec: FixtureSpec) -> Image:
        return self._future(spec).result()

    def _future(self, spec: FixtureSpec) -> Future:
        busybox = self.busybox()
        key = spec.content_hash(hashlib.sha256(busybox).hexdigest())
        with self._lock:
            if key not in self._built:
                first = self._future(spec.after) if spec.after else None
                self._built[key] = self._pool.submit(self._build_after, first, spec, key,
                                                     busybox)
            return self._built[key]

    def _build_after(self, first: Future | None, spec: FixtureSpec, key: str,
                     busybox: bytes) -> Image:
        return self._build(spec, key, busybox, cache_from=[first.result().id] if first else [])

    def settle(self) -> None:
        """Wait for builds still going on (before the run's cleanup, which would miss an image
        that appears after it); their errors were or will be told by `image`."""
        with self._lock:
            pending = list(self._built.values())
        wait(pending)
        self._pool.shutdown(wait=True)

    def context_files(self, spec: FixtureSpec) -> dict[str, bytes]:
        """The files of the fixture's build context but its Dockerfile, by path: what its COPY
        steps copied (C01 compares each layer with them)."""
        return {"busybox": self.busybox(), **{file.path: file.content for file in spec.files}}

    def dockerfile(self, spec: FixtureSpec) -> str:
        """The Dockerfile the fixture was built from (its steps are C01's yardstick)."""
        return spec.dockerfile(self._labels())

    def _labels(self) -> dict[str, str]:
        return self.resources.run.labels("fixture")

    def _build(self, spec: FixtureSpec, key: str, busybox: bytes,
               cache_from: list[str]) -> Image:
        context = build_context(spec, spec.dockerfile(self._labels()), busybox)
        tag = self.tag(spec, key)
        try:
            # The cache is only the run's own fixture named by `after` (cache_from: a hit must
            # be one of its ancestors), or none at all: a step cached by another run (or by the
            # user) would become a parent of this fixture, and removing either image would then
            # pull it from under the other.
            image, _ = self.resources.client.images.build(
                fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True,
                nocache=not cache_from, cache_from=cache_from or None, network_mode="none")
        except BuildError as error:
            lines = "".join(step.get("stream", "") or step.get("error", "")
                            for step in error.build_log)
            raise RuntimeError(
                f"fixture {spec.name!r} failed to build: {error.msg}\n{lines}") from error
        return self.resources.image(image)

    def tag(self, spec: FixtureSpec, key: str) -> str:
        """What the run's build of the fixture `key` is tagged: its name and what it is built
        from, for people reading `docker images`."""
        return f"{self.resources.run.prefix}-{spec.name}:{key[:12]}"

    def busybox(self) -> bytes:
        if self._busybox is None:
            self._busybox = self._find_or_pull()
        return self._busybox

    def _find_or_pull(self) -> bytes:
        engine_arch = self.resources.client.version().get("Arch", "amd64")
        path = find_busybox()
        if path is not None:
            if not path.is_file():
                raise BusyboxMissing(f"DOCKER_CLAIMS_BUSYBOX={path} is not a file")
            arch, static = elf_facts(path)
            if not static:
                raise BusyboxMissing(f"{path} is not a static binary: fixtures are built FROM "
                                     "scratch and need busybox-static")
            if arch != engine_arch:
                raise BusyboxMissing(
                    f"{path} is built for {arch}, the engine runs {engine_arch}: set "
                    f"DOCKER_CLAIMS_BUSYBOX to a static busybox for {engine_arch}")
            return path.read_bytes()
        try:
            return self._pulled_busybox()
        except DockerException as error:
            raise BusyboxMissing(
                "no static busybox found (DOCKER_CLAIMS_BUSYBOX unset; none on PATH or at "
                f"/bin/busybox) and pulling {PULL_FALLBACK} failed ({error}). Install one "
                "(Debian/Ubuntu: apt-get install busybox-static; Fedora: dnf install "
                "busybox; macOS: download a static build for the engine's architecture) and "
                "set DOCKER_CLAIMS_BUSYBOX=/path/to/busybox") from None

    def _pulled_busybox(self) -> bytes:
        """Take /bin/busybox out of a pulled image; remove the image if we brought it."""
        client = self.resources.client
        try:
            client.images.get(PULL_FALLBACK)
            had_it = True
        except ImageNotFound:
            had_it = False
            client.images.pull(PULL_FALLBACK)
        try:
            holder = client.containers.create(PULL_FALLBACK, ["true"], network_mode="none",
                                              name=self.resources.run.name("helper"),
                                              labels=self.resources.run.labels("helper"))
            try:
                stream, _ = holder.get_archive("/bin/busybox")
                with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
                    member = tar.extractfile(tar.getmembers()[0])
                    return member.read() if member else b""
            finally:
                remove_container(client, holder.id)
        finally:
            if not had_it:
                with contextlib.suppress(APIError):
                    client.images.remove(PULL_FALLBACK)


def build_context(spec: FixtureSpec, dockerfile: str, busybox: bytes) -> io.BytesIO:
    """A fixture's build context; fixed mtimes and modes keep the builder's cache keys stable."""
    files = [ContextFile("Dockerfile", dockerfile.encode()), ContextFile("busybox", busybox),
             *spec.files]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, content, mtime in sorted(files):
            info = tarfile.TarInfo(path)
            info.size, info.mtime = len(content), mtime
            info.mode = 0o755 if path == "busybox" else 0o644
            tar.addfile(info, io.BytesIO(content))
    buffer.seek(0)
    return buffer

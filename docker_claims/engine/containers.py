"""What a container holds and does, asked of the engine: the mechanisms the claims use.

Create, start, stop, exec, `diff`, `cp` both ways, `commit`, `export`, the `ps -a` listing and
`inspect`'s State; a container that runs a script to its end; the export of a fresh container
of an image. Nothing here decides a verdict: the claims' checks compare what these return."""

from __future__ import annotations

import io
import posixpath
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from docker.errors import NotFound
from docker.models.containers import Container
from docker.models.images import Image

from docker_claims.engine import archives
from docker_claims.engine.archives import ArchiveError
from docker_claims.engine.images import command_of
from docker_claims.engine.mounts import ROOT_MOUNT_COMMAND
from docker_claims.engine.records import ancestors
from docker_claims.engine.scope import Resources, remove_container, wait_until
from docker_claims.evidence import expect

DIFF_KINDS = {0: "changed", 1: "added", 2: "deleted"}
"""`docker diff` Kind codes, in the words the CLI prints (C, A, D)."""


IDLE = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait']
"""A main process that stays up until stopped, and stops at once (cleanly) on SIGTERM."""


STOP_TIMEOUT = 10
"""Seconds `stop` waits before it kills (IDLE leaves well before)."""


def writes_script(writes: dict[str, str]) -> list[str]:
    """A command that adds, changes and deletes the files `writes` names (for the image's sh)."""
    parts = []
    for path, kind in sorted(writes.items()):
        if kind == "deleted":
            parts.append(f"rm '{path}'")
        else:
            parts.append(f"mkdir -p '{posixpath.dirname(path)}'"
                         f" && echo '{kind} by a container' > '{path}'")
    return ["sh", "-c", " && ".join(parts) or "true"]


def run_writes(resources: Resources, image: Image, writes: dict[str, str]) -> Container:
    """A container of `image` that made `writes` and exited (it is kept, stopped). Before it
    exits it prints its mount table: where a storage driver names no layer directories in
    GraphDriver.Data (the containerd image store), its root filesystem's overlay mount, which
    exists only while it runs, does (engine.storage.logged_root_mount reads it back)."""
    script = f"{writes_script(writes)[-1]} && {' '.join(ROOT_MOUNT_COMMAND)}"
    return run_script(resources, image, script)


def exec_writes(container: Container, writes: dict[str, str]) -> None:
    """Make `writes` inside the running container (through its own shell)."""
    code, output = container.exec_run(writes_script(writes))
    expect(code == 0, "writing in the running container failed", exit_code=code,
           output=output.decode("utf-8", "replace"))


def changes(container: Container) -> dict[str, str]:
    """`docker diff`: path -> added, changed or deleted."""
    return {item["Path"]: DIFF_KINDS.get(item["Kind"], str(item["Kind"]))
            for item in container.diff() or []}


def state(container: Container) -> dict[str, Any]:
    """The parts of `inspect`'s State that say whether and how the container ran."""
    container.reload()
    found = container.attrs.get("State") or {}
    return {key: found.get(key) for key in ("Status", "Running", "Pid", "StartedAt",
                                            "FinishedAt", "ExitCode")}


def commit(resources: Resources, container: Container) -> Image:
    """`docker commit`, the new image labelled with the run and adopted for removal."""
    image = container.commit(conf={"Labels": resources.labels("subject")})
    return resources.image(image.id)


LIST_SETTLE_TIMEOUT = 10.0
"""Seconds the engine's container list may lag behind the container's state: right after
`wait()` returns, Docker 26's `/containers/json` can still show the container running."""


def listing(resources: Resources, container: Container, *, settled: bool = True,
            timeout: float = LIST_SETTLE_TIMEOUT) -> list[dict]:
    """`docker ps -a --filter name=...`: what the engine lists, running or not.

    `settled`: the list is read again, for at most `timeout` seconds, until it shows the
    container in the state its inspect has (the list may lag behind it, never the other way);
    the last reading is returned either way, and the check decides."""
    def rows() -> list[dict]:
        found = resources.client.api.containers(all=True, filters={"name": container.name})
        return [{"id": row.get("Id"), "names": row.get("Names"), "state": row.get("State"),
                 "status": row.get("Status")} for row in found]

    found = rows()
    if not settled:
        return found
    current = state(container)["Status"]

    def caught_up() -> bool:
        nonlocal found
        if not any(row["id"] == container.id and row["state"] == current for row in found):
            found = rows()
            return False
        return True

    wait_until(caught_up, timeout=timeout, interval=0.1)
    return found


def make_created(resources: Resources, image: Image) -> Container:
    """A created container that, once started, gets namespaces of its own (C07, C08)."""
    return resources.container(image.id, IDLE, network_mode="none")


def make_running(resources: Resources, image: Image) -> Container:
    container = resources.container(image.id, IDLE)
    container.start()
    return container


def write_file(container: Container, path: str, content: str) -> None:
    """Write `content` to `path` inside the running container (through its own shell)."""
    code, output = container.exec_run(
        ["sh", "-c", 'mkdir -p "$(dirname "$1")" && printf %s "$2" > "$1"', "write", path,
         content])
    expect(code == 0, f"writing {path} inside the container failed", exit_code=code,
           output=output.decode("utf-8", "replace"))


def read_running(container: Container, path: str) -> tuple[int, str]:
    """What the running container reads at `path` (exit code, output)."""
    return exec_in(container, ["cat", path])


def exec_in(container: Container, command: list[str]) -> tuple[int, str]:
    """`docker exec` in the running container: (exit code, output)."""
    code, output = container.exec_run(command)
    return code, output.decode("utf-8", "replace")


def stop(container: Container) -> dict:
    container.stop(timeout=STOP_TIMEOUT)
    return state(container)


def start(container: Container) -> dict:
    """Start, and wait until the engine says it runs (or it ended already)."""
    container.start()
    return wait_until(lambda: _started(state(container)), timeout=30) or state(container)


def _started(found: dict) -> dict | None:
    return found if found["Running"] or found["Status"] == "exited" else None


def copy_in(container: Container, path: str, content: bytes) -> None:
    """`docker cp - CONTAINER:/`: a tar holding `path` (and its directories) put at the root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in sorted(ancestors(path)):
            info = tarfile.TarInfo(directory.lstrip("/"))
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        info = tarfile.TarInfo(path.lstrip("/"))
        info.size, info.mode = len(content), 0o644
        tar.addfile(info, io.BytesIO(content))
    accepted = container.put_archive("/", buffer.getvalue())
    expect(accepted, f"the engine refused to copy {path} into the container",
           container=container.id)


def export(container: Container, directory: Path) -> Path:
    """`docker export`, spooled to a file in `directory`."""
    return archives.spool(container.export(), directory)


MAX_READ = 1 << 20
"""The biggest file a check reads whole (the files the scenarios write are a line long)."""


def container_that_changed_nothing(resources: Resources, image: Image) -> Container:
    """A container of `image`, created and never started: its filesystem is the image's, plus
    what the engine prepares for every container."""
    return resources.container(image.id, command_of(image) or ["true"])


def fresh_export(resources: Resources, image: Image, directory: Path) -> Path:
    """The export of a new container of `image` that never started: the filesystem every
    container of the image starts from, read without the start a reading process would need."""
    return export(container_that_changed_nothing(resources, image), directory)


def run_script(resources: Resources, image: Image, script: str, **kwargs: Any) -> Container:
    """A container of `image` that ran `script` (sh) to its end, successfully; kept, stopped."""
    container = resources.container(image.id, ["sh", "-c", script], **kwargs)
    container.start()
    status = container.wait(timeout=60)
    expect(status.get("StatusCode") == 0, "the writing container failed", script=script,
           status=status, logs=container.logs().decode("utf-8", "replace"))
    return container


def copy_out(container: Container, path: str) -> bytes | None:
    """`docker cp CONTAINER:path -`: the file as the container sees it (volumes included, also
    when stopped), or None when it has none. The engine's tar is spooled to a temporary file."""
    try:
        stream, _ = container.get_archive(path)
    except NotFound:
        container.reload()  # a container that is gone says nothing of the path: NotFound again
        return None
    with tempfile.TemporaryFile() as spooled:
        for chunk in stream:
            spooled.write(chunk)
        spooled.seek(0)
        with tarfile.open(fileobj=spooled) as tar:
            found = next((info for info in tar if info.isreg()), None)
            if found is None:
                return None
            if found.size > MAX_READ:
                raise ArchiveError(f"{path} in {container.name} holds {found.size} bytes,"
                                   f" more than {MAX_READ}; read smaller files")
            extracted = tar.extractfile(found)
            return extracted.read() if extracted else None


def own_image(resources: Resources, base: Image) -> Image:
    """An image of the caller's own on top of `base`: one more layer (a file copied into a
    container that never ran: a commit needs no start), base's command, a tag named with the
    run. Removing it touches neither base nor anything else, so that a scenario may remove it
    and load it back."""
    repository = resources.run.name("own")
    writer = container_that_changed_nothing(resources, base)
    copy_in(writer, "/own.txt", f"{repository}\n".encode())
    config = base.attrs.get("Config") or {}
    committed = writer.commit(repository=repository, tag="saved", conf={
        "Labels": resources.labels("subject"), "Cmd": config.get("Cmd"),
        "Entrypoint": config.get("Entrypoint")})
    return resources.image(committed.id)


def stat_in_image(resources: Resources, image: str, path: str) -> dict[str, Any] | None:
    """What the engine says of `path` in `image`'s filesystem (a created, never started
    container's view: name, size, mode), or None when there is no such path."""
    holder = resources.container(image, ["true"], role="helper", kind="helper")
    try:
        stream, stat = holder.get_archive(path)
        for _ in stream:  # drain the answer; only the stat is needed
            pass
        return stat
    except NotFound:
        return None
    finally:
        remove_container(resources.client, holder.id)

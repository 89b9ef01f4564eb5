"""C04-C06: a container is its image plus one writable layer, made by `create`, kept by `stop`.

The mechanisms ask the engine what a container holds (`diff`, `commit`, `cp` both ways,
`export`, the `ps -a` listing, `inspect`'s State) and the checks compare those observations
with what the article says, failing with the observations otherwise.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docker.errors import NotFound
from docker.models.containers import Container
from docker.models.images import Image

from . import archives
from .evidence import expect
from .resources import Resources, wait_until

if TYPE_CHECKING:
    from .session import Session

DIFF_KINDS = {0: "changed", 1: "added", 2: "deleted"}
"""`docker diff` Kind codes, in the words the CLI prints (C, A, D)."""

IDLE = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait']
"""A main process that stays up until stopped, and stops at once (cleanly) on SIGTERM."""

STOP_TIMEOUT = 10
"""Seconds `stop` waits before it kills (IDLE leaves well before)."""

WRITES = {
    "/claims/added-by-container.txt": "added",
    "/claims/shadowed.txt": "changed",
    "/claims/lower-only.txt": "deleted",
}
"""What a container does to the layered fixture's files (C04), as `docker diff` names it."""

NEVER_STARTED = "0001-01-01T00:00:00Z"
"""The engine's zero time: State.StartedAt of a container that was never started."""


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
    """A container of `image` that made `writes` and exited (it is kept, stopped)."""
    container = resources.container(image.id, writes_script(writes))
    container.start()
    status = container.wait(timeout=60)
    expect(status.get("StatusCode") == 0, "the writing container failed", status=status,
           logs=container.logs().decode("utf-8", "replace"))
    return container


@dataclass(frozen=True)
class Wrote:
    """A container that made WRITES and exited, and its image's id and layer digests as they
    were just before the writes."""

    container: Container
    image_before: tuple[str, list[str]]


def shared_writes(session: Session, image: Image) -> Wrote:
    """The run's container of `image` that made WRITES and exited: the scenarios that only look
    at such a container (diff, commit, export, its layer directories) or at its image after it
    share it."""
    def make(resources: Resources) -> Wrote:
        before = (image.id, layers_of(image))
        return Wrote(run_writes(resources, image, WRITES), before)

    return session.shared(("made WRITES", image.id), make)


def shared_writer(session: Session, image: Image) -> Container:
    return shared_writes(session, image).container


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


def _ancestors(path: str) -> set[str]:
    parents, head = set(), posixpath.dirname(path)
    while head not in ("", "/"):
        parents.add(head)
        head = posixpath.dirname(head)
    return parents


def check_changes_are_the_writes(diff: dict[str, str], writes: dict[str, str]) -> dict:
    """C04: the container's changes name each write with its kind, and nothing else but the
    directories the writes went through."""
    wrong = {path: diff.get(path) for path, kind in writes.items() if diff.get(path) != kind}
    through = set().union(*(_ancestors(path) for path in writes)) if writes else set()
    extra = {path: kind for path, kind in diff.items()
             if path not in writes and not (path in through and kind in ("changed", "added"))}
    observed = {"diff": diff, "writes": writes}
    expect(not wrong, "the container's changes do not name its writes with their kinds",
           wrong=wrong, **observed)
    expect(not extra, "the container's changes hold more than its writes", extra=extra,
           **observed)
    return observed


def commit(resources: Resources, container: Container) -> Image:
    """`docker commit`, the new image labelled with the run and adopted for removal."""
    image = container.commit(conf={"Labels": resources.run.labels("subject")})
    return resources.image(image.id)


def layers_of(image: Image) -> list[str]:
    image.reload()
    return list(image.attrs["RootFS"].get("Layers") or [])


def check_one_layer_on_top(image_layers: list[str], committed_layers: list[str]) -> dict:
    """C04: the committed image is the image's N layers, unchanged, plus exactly one on top."""
    observed = {"image_layers": image_layers, "committed_layers": committed_layers}
    expect(len(committed_layers) == len(image_layers) + 1,
           f"committing gave {len(committed_layers)} layers over the image's "
           f"{len(image_layers)}, not exactly one more", **observed)
    expect(committed_layers[: len(image_layers)] == image_layers,
           "the committed image's lower layers are not the image's layers", **observed)
    expect(committed_layers[-1] not in image_layers,
           "the committed image's top layer is one of the image's own", **observed)
    return {**observed, "writable_layer": committed_layers[-1]}


def listing(resources: Resources, container: Container) -> list[dict]:
    """`docker ps -a --filter name=...`: what the engine lists, running or not."""
    found = resources.client.api.containers(all=True, filters={"name": container.name})
    return [{"id": row.get("Id"), "names": row.get("Names"), "state": row.get("State"),
             "status": row.get("Status")} for row in found]


def check_listed_with_state(rows: list[dict], container_id: str, wanted: str) -> dict:
    """C05: the container is listed once, in the state `wanted` (created, running, exited)."""
    mine = [row for row in rows if row.get("id") == container_id]
    observed = {"container": container_id, "listed": rows}
    expect(len(mine) == 1, "the container is not listed (once) among all containers",
           **observed)
    expect(mine[0].get("state") == wanted,
           f"the container is listed as {mine[0].get('state')!r}, not {wanted!r}", **observed)
    return {"state": mine[0]["state"], "status": mine[0]["status"]}


def make_created(resources: Resources, image: Image) -> Container:
    """A created container that, once started, gets namespaces of its own (C07, C08)."""
    return resources.container(image.id, IDLE, network_mode="none")


def make_running(resources: Resources, image: Image) -> Container:
    container = resources.container(image.id, IDLE)
    container.start()
    return container


def make_exited(resources: Resources, image: Image) -> Container:
    container = resources.container(image.id, ["true"])
    container.start()
    container.wait(timeout=60)
    return container


def shared_reader(session: Session, image: Image) -> Container:
    """The run's running container of `image` that only reads (its files, through exec): the
    scenarios that read through it (C02) or only look at a running container (C05) share it."""
    return session.shared(("running, reads only", image.id),
                          lambda resources: make_running(resources, image))


def write_file(container: Container, path: str, content: str) -> None:
    """Write `content` to `path` inside the running container (through its own shell)."""
    code, output = container.exec_run(
        ["sh", "-c", 'mkdir -p "$(dirname "$1")" && printf %s "$2" > "$1"', "write", path,
         content])
    expect(code == 0, f"writing {path} inside the container failed", exit_code=code,
           output=output.decode("utf-8", "replace"))


def read_running(container: Container, path: str) -> tuple[int, str]:
    """What the running container reads at `path` (exit code, output)."""
    code, output = container.exec_run(["cat", path])
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


def copy_out(container: Container, path: str) -> bytes | None:
    """`docker cp CONTAINER:path -`: the file's content, or None when the engine has none."""
    try:
        stream, _ = container.get_archive(path)
    except NotFound:
        return None
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = next((m for m in tar.getmembers() if m.isreg()), None)
        extracted = tar.extractfile(member) if member else None
        return extracted.read() if extracted else None


def copy_in(container: Container, path: str, content: bytes) -> None:
    """`docker cp - CONTAINER:/`: a tar holding `path` (and its directories) put at the root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in sorted(_ancestors(path)):
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


def exported_file(tar: Path, path: str) -> dict:
    """Whether the export holds `path`, its content, and how many paths it holds."""
    with archives.open_export(tar) as archive:
        paths = archive.paths()
        wanted = path.lstrip("/")
        content = archive.read(wanted) if wanted in paths else None
    return {"path": path, "held": wanted in paths, "content": content, "paths": len(paths),
            "has_busybox": "bin/busybox" in paths}


def check_file_content(path: str, written: bytes, read: bytes | None, where: str) -> dict:
    """C05/C06: what is read at `path` (copied out, read inside, exported) is what was written."""
    observed = {"path": path, "written": written, "read": read, "where": where}
    expect(read is not None, f"{path} is not there {where}", **observed)
    expect(read == written, f"{path} does not hold what was written, {where}", **observed)
    return observed


def check_export_holds(found: dict, written: bytes) -> dict:
    """C05/C06: the export is the container's whole filesystem and holds the file written."""
    expect(found["has_busybox"], "the export is not the container's filesystem (no bin/busybox)",
           **found)
    check_file_content(found["path"], written, found["content"], "in the container's export")
    return found


def check_status(found: dict, wanted: str) -> dict:
    """The engine says the container is in state `wanted` (after a start, a stop)."""
    expect(found.get("Status") == wanted, f"the container is {found.get('Status')!r}, "
           f"not {wanted!r}", state=found)
    return found


def check_never_ran(found: dict) -> dict:
    """C06/C07: the container is only created: no process, never started."""
    expect(found.get("Status") == "created" and not found.get("Running"),
           f"the container is {found.get('Status')!r}, not only created", state=found)
    expect(found.get("Pid") == 0, "the container has a process", state=found)
    expect(not found.get("StartedAt") or found["StartedAt"] == NEVER_STARTED,
           "the container was started at some point", state=found)
    return found


def check_added(diff: dict[str, str], path: str) -> dict:
    """C06: the container's changes list `path` as added."""
    expect(diff.get(path) == "added", f"the container's changes do not list {path} as added",
           diff=diff, path=path)
    return diff

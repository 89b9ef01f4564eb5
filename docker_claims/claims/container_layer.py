"""C04-C06: a container is its image plus one writable layer, made by `create`, kept by `stop`.

The checks compare what the engine says a container holds (`diff`, `commit`, `cp`, `export`,
the `ps -a` listing, `inspect`'s State, the storage driver's directories) with what the article
says, and fail with the observations otherwise."""

from __future__ import annotations

from typing import Any

from docker_claims.engine.mounts import INIT_FILES, LAYERDB_DIRS, LayerDirs, Stack
from docker_claims.engine.records import NEVER_STARTED, ancestors
from docker_claims.evidence import expect


def check_changes_are_the_writes(diff: dict[str, str], writes: dict[str, str]) -> dict:
    """C04: the container's changes name each write with its kind, and nothing else but the
    directories the writes went through."""
    wrong = {path: diff.get(path) for path, kind in writes.items() if diff.get(path) != kind}
    through = set().union(*(ancestors(path) for path in writes)) if writes else set()
    extra = {path: kind for path, kind in diff.items()
             if path not in writes and not (path in through and kind in ("changed", "added"))}
    observed = {"diff": diff, "writes": writes}
    expect(not wrong, "the container's changes do not name its writes with their kinds",
           wrong=wrong, **observed)
    expect(not extra, "the container's changes hold more than its writes", extra=extra,
           **observed)
    return observed


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


def check_listed_with_state(rows: list[dict], container_id: str, wanted: str) -> dict:
    """C05: the container is listed once, in the state `wanted` (created, running, exited)."""
    mine = [row for row in rows if row.get("id") == container_id]
    observed = {"container": container_id, "listed": rows}
    expect(len(mine) == 1, "the container is not listed (once) among all containers",
           **observed)
    expect(mine[0].get("state") == wanted,
           f"the container is listed as {mine[0].get('state')!r}, not {wanted!r}", **observed)
    return {"state": mine[0]["state"], "status": mine[0]["status"]}


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


OVERLAY_KEEPS = ("only the container's changes, deletions as whiteouts",
                 "the storage driver stacks the layers below the writable one (an overlay) and "
                 "keeps in the writable layer's directory only what the container changed")
"""What the writable layer's directory holds where the driver stacks layers, and why."""


def _under(path: str, parents: set[str]) -> bool:
    return any(path == parent or path.startswith(parent.rstrip("/") + "/") for parent in parents)


def _baselines(dirs: LayerDirs) -> tuple[dict[str, str], dict[str, str]]:
    """(the layer below's listing, the image's top layer's): what a full copy is judged by."""
    if dirs.below is None or dirs.image_files is None:
        raise ValueError("a full copy is judged against the listings of the layer below and of "
                         "the image's top layer (storage.read_layer_dirs reads them)")
    return dirs.below, dirs.image_files


def _full_copy(dirs: LayerDirs, deleted: set[str], changes: str) -> dict:
    """A full-copy driver's writable layer (vfs) holds the image's files, every one but what
    the container deleted: the nuance, with its counts, or a failure."""
    _baselines(dirs)
    lacking = sorted(path for path in dirs.image_files
                     if path not in dirs.upper and not _under(path, deleted))
    counts = {"image_entries": len(dirs.image_files),
              "init_layer_entries": len(dirs.below),
              "writable_layer_entries": len(dirs.upper)}
    expect(not lacking, f"the storage driver {dirs.container.driver!r} copies the layer below "
           "whole, yet the writable layer's directory lacks files of the image the container "
           "did not delete", lacking=lacking[:20], lacking_count=len(lacking), **counts)
    return {"expected": f"a full copy of the image's {len(dirs.image_files)} entries (and the "
            f"init layer's {len(set(dirs.below) - set(dirs.image_files))}), with {changes}",
            "because": f"the storage driver {dirs.container.driver!r} keeps no layer below "
            "another: it copies the layer below whole into the writable layer's directory",
            **counts}


def check_upper_is_the_diff(dirs: LayerDirs, diff: dict[str, str], writes: dict[str, str]) -> dict:
    """C04: the writable layer's own directory holds the container's changes, as the storage
    driver the engine names keeps a layer. On an overlay (overlay2, a containerd snapshotter):
    the writes (deletions as whiteouts) and exactly what `docker diff` lists, nothing of the
    image besides. On a driver that copies layers whole (vfs): the layer below (the init layer:
    the image's files and the engine's) with the container's changes made to it, what it added
    there, what it deleted gone, and nothing else gained or gone; and every file of the image it
    did not delete."""
    if dirs.container.full_copy:
        return _check_changes_on_a_full_copy(dirs, diff, writes)
    upper = dirs.upper
    observed = {"upper_dir": upper, "diff": diff, "writes": writes}
    unseen = {path: upper.get(path) for path, kind in writes.items()
              if upper.get(path) != ("whiteout" if kind == "deleted" else "file")}
    expect(not unseen, "the writable layer's directory does not hold the container's writes "
           "(files written, whiteouts for deletions)", unseen=unseen, **observed)
    extra = sorted(set(upper) - set(diff))
    missing = sorted(set(diff) - set(upper))
    expect(not extra, "the writable layer's directory holds paths the container did not change",
           extra=extra, **observed)
    expect(not missing, "changes of the container are not in its writable layer's directory",
           missing=missing, **observed)
    wrong = {path: (kind, upper[path]) for path, kind in diff.items()
             if (kind == "deleted") != (upper[path] == "whiteout")}
    expect(not wrong, "deletions must be whiteouts, and only deletions",
           wrong_kind=wrong, **observed)
    return {"expected": OVERLAY_KEEPS[0], "because": OVERLAY_KEEPS[1], **observed}


def _check_changes_on_a_full_copy(dirs: LayerDirs, diff: dict[str, str],
                                  writes: dict[str, str]) -> dict:
    upper, (below, _) = dirs.upper, _baselines(dirs)
    kinds = {kind: {path for path, said in diff.items() if said == kind}
             for kind in ("added", "changed", "deleted")}
    gained = sorted(set(upper) - set(below))
    gone = sorted(set(below) - set(upper))
    observed = {"diff": diff, "writes": writes, "gained_over_the_init_layer": gained,
                "gone_from_the_init_layer": gone}
    unseen = {path: upper.get(path) for path, kind in writes.items()
              if (upper.get(path) == "file") == (kind == "deleted")
              or (kind != "added" and below.get(path) != "file")}
    expect(not unseen, "the writable layer's directory does not hold the container's writes "
           "over the layer below (files written there, deleted files gone from it)",
           unseen=unseen, **observed)
    expect(set(gained) == kinds["added"], "the writable layer's directory gained other paths "
           "over the layer below than the container added", added=sorted(kinds["added"]),
           **observed)
    expect(set(gone) >= kinds["deleted"] and all(_under(path, kinds["deleted"]) for path in gone),
           "the writable layer's directory lost other paths of the layer below than the "
           "container deleted", deleted=sorted(kinds["deleted"]), **observed)
    unchanged = sorted(kinds["changed"] - (set(upper) & set(below)))
    expect(not unchanged, "paths the container changed are not in both the writable layer's "
           "directory and the layer below", changed=unchanged, **observed)
    nuance = _full_copy(dirs, kinds["deleted"], f"the container's changes ({len(kinds['added'])} "
                        f"added, {len(kinds['changed'])} changed, {len(kinds['deleted'])} "
                        "deleted) made to it")
    return {**nuance, **observed}


def check_upper_holds(dirs: LayerDirs, path: str) -> dict:
    """C06: the writable layer's own directory holds `path` as a file; where the driver copies
    layers whole (vfs), the file is the container's own (not in the layer below) and the
    directory a full copy of the image besides."""
    upper = dirs.upper
    observed = {"path": path, "held_as": upper.get(path), "writable_layer_entries": len(upper)}
    expect(upper.get(path) == "file", f"the writable layer's directory does not hold {path}",
           **observed, upper_dir=upper if not dirs.container.full_copy else dirs.evidence())
    if not dirs.container.full_copy:
        return {"expected": OVERLAY_KEEPS[0], "because": OVERLAY_KEEPS[1], **observed,
                "upper_dir": upper}
    expect(path not in _baselines(dirs)[0], f"{path} is in the layer below as well: the writable "
           "layer's directory holds it as a copy, not as the container's own", **observed)
    return {**_full_copy(dirs, set(), f"the file copied into the container ({path})"),
            **observed}


def check_init_between(container: Stack, image: Stack) -> dict[str, Any]:
    """C04: below the writable layer comes its init layer, then the image's layers in order.
    overlay2 names the init layer after the writable one (`<id>-init`); a snapshotter numbers
    its snapshots, so there the init layer is told by being none of the image's layers (what it
    holds is checked next)."""
    observed = {"container_layers": container.layer_dirs, "image_layers": image.layer_dirs,
                "named_by": {"container": container.source, "image": image.source}}
    expect(len(container.lowers) == len(image.layer_dirs) + 1,
           "the container does not stack exactly one layer between its writable layer and the "
           "image's", **observed)
    init = container.lowers[0]
    if container.driver in ("overlay2", *LAYERDB_DIRS):
        expect(container.layer_id(init) == container.layer_id(container.upper) + "-init",
               "the layer right below the writable layer is not its -init layer", init=init,
               **observed)
    expect(init not in image.layer_dirs and init != container.upper,
           "the layer right below the writable layer is one of the image's, not its own",
           init=init, **observed)
    expect(container.lowers[1:] == image.layer_dirs,
           "below the init layer are not the image's layers, in order", **observed)
    return {**observed, "init_layer": init}


def check_init_holds(init: dict[str, str], names: tuple[str, ...] = INIT_FILES, *,
                     image_files: dict[str, str] | None = None) -> dict:
    """C04: the init layer holds the files the engine prepares for every container. Where the
    driver copies layers whole (vfs: `image_files`, the image's top layer, is given), the
    init layer's directory holds the image's files too, and the engine's are those it holds
    beyond them."""
    shown = init if image_files is None else {
        "init_files": {name: init.get(name) for name in names},
        "entries": len(init), "image_entries": len(image_files),
        "beyond_the_image": sorted(set(init) - set(image_files))}
    missing = [name for name in names if init.get(name) != "file"]
    expect(not missing, "the init layer lacks files the engine prepares", missing=missing,
           init_layer=shown)
    if image_files is not None:
        copied = [name for name in names if name in image_files]
        expect(not copied, "the files the init layer holds are the image's already, not the "
               "engine's", copied=copied, init_layer=shown)
    return shown

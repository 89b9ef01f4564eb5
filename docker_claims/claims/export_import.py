"""C11-C12: export writes what a container sees into one layer; an import has no history.

C11's checks derive what the export must hold from the image's own layers (its save tar) and the
container's changes. C12's compare the imported image's history and config with the image the
tar came from: `import` makes an image of a filesystem and nothing else."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Optional

from docker_claims.claims.pairs import Reason
from docker_claims.engine.records import ImageLayers, ImageRecord, Node, Ran, Write, member_name
from docker_claims.evidence import Observation, expect


def check_export_is_merged_view(layers: ImageLayers, exported: dict[str, Node]) -> dict:
    """C11: the export of a container that changed nothing holds every path the image's layers
    leave visible, as the topmost layer holding it has it (a file by its content's digest, never
    its size: two versions of a file can be the same size), flat (no whiteouts)."""
    missing = sorted(path for path in layers.tree if path not in exported)
    different = {path: {"layers": node, "export": exported[path]}
                 for path, node in sorted(layers.tree.items())
                 if path in exported and exported[path] != node}
    whiteouts = sorted(path for path, node in exported.items() if node.kind == "whiteout")
    observed = {"visible_paths": len(layers.tree), "exported_paths": len(exported),
                "exported_beyond_the_layers": sorted(set(exported) - set(layers.tree))}
    expect(not missing, "the export lacks paths the image's layers leave visible",
           missing=missing, **observed)
    expect(not different, "the export holds paths otherwise than the topmost layer",
           different=different, **observed)
    expect(not whiteouts, "the export holds whiteouts: it is not one flat view",
           whiteouts=whiteouts, **observed)
    return Observation(observed, {"export": {
        "visible_paths": len(layers.tree),
        "beyond_the_layers": len(observed["exported_beyond_the_layers"])}})


def check_export_hides(layers: ImageLayers, exported: Mapping[str, Any]) -> dict:
    """C11: the export holds no path that an upper layer hides (deleted, or under an opaque
    directory), although a lower layer holds it."""
    shown = sorted(layers.hidden & set(exported))
    observed = {"hidden_by_upper_layers": sorted(layers.hidden)}
    expect(bool(layers.hidden), "the image's layers hide nothing: nothing to check", **observed)
    expect(not shown, "the export holds paths an upper layer hides", shown=shown, **observed)
    return Observation(observed, {"export": {"hidden_paths_left_out": len(layers.hidden)}})


def check_export_top_version(witness: Any, exported: Optional[bytes]) -> dict:
    """C11: the export holds the version of the topmost layer holding the path (a
    a LayerWitness read from the save tar)."""
    top = witness.visible_layer()
    expect(top is not None and top in witness.holders,
           f"the save tar shows no layer providing {witness.path}", layers=witness.layers)
    observed = {"path": witness.path, "topmost_layer": top,
                "topmost_version": witness.content_at(top), "exported": exported,
                "lower_versions": {layer: witness.content_at(layer)
                                   for layer in witness.holders if layer != top}}
    expect(exported is not None, f"the export lacks {witness.path}", **observed)
    expect(exported == witness.content_at(top),
           f"the export does not hold layer {top}'s version of {witness.path}", **observed)
    return Observation(observed, {"export": {"version_of": {witness.path: top}}})


def check_export_lacks(path: str, exported: set[str], **why: Any) -> dict:
    """C11: the export does not hold `path`."""
    observed = {"path": path, **why}
    expect(member_name(path) not in exported, f"the export holds {path}", **observed)
    return Observation(observed, {"export": {"lacks": {path: True}}})


def check_export_holds_writes(seen: list[Write]) -> dict:
    """C11: every file the container added or changed is in the export as the container reads
    it."""
    written = [w for w in seen if w.kind in ("added", "changed")]
    absent = [w.path for w in written if not w.in_export]
    differ = {w.path: {"export": w.exported, "container": w.container} for w in written
              if w.in_export and w.exported != w.container}
    observed = {"changes": {w.path: w.kind for w in seen}}
    expect(any(w.exported is not None for w in written),
           "the container added or changed no file: nothing to check", **observed)
    expect(not absent, "the export lacks what the container added or changed", absent=absent,
           **observed)
    expect(not differ, "the export holds the container's files otherwise than it reads them",
           differ=differ, **observed)
    return Observation(observed, {"export": {"writes_held": len(written)}})


def check_export_lacks_deletions(seen: list[Write]) -> dict:
    """C11: no path the container deleted is in the export."""
    deleted = [w.path for w in seen if w.kind == "deleted"]
    observed = {"deleted": deleted}
    expect(bool(deleted), "the container deleted nothing: nothing to check",
           changes={w.path: w.kind for w in seen})
    shown = [w.path for w in seen if w.kind == "deleted" and w.in_export]
    expect(not shown, "the export holds what the container deleted", shown=shown, **observed)
    return Observation(observed, {"export": {"deletions_left_out": len(deleted)}})


def check_export_holds_prepared(path: str, exported: set[str], layers: ImageLayers,
                                changed: dict[str, str]) -> dict:
    """C11 nuance: the export holds `path`, which neither the image's layers nor the
    container's changes hold: the engine prepared it for the container (its init layer)."""
    wanted = member_name(path)
    prepared = sorted(exported - set(layers.view) - {member_name(p) for p in changed})
    observed = {"path": path, "prepared_by_the_engine": prepared}
    expect(wanted in exported, f"the export lacks {path}", **observed)
    expect(wanted not in layers.view, f"the image's layers hold {path} already", **observed)
    expect(wanted not in {member_name(p) for p in changed},
           f"the container itself wrote {path}", changes=changed, **observed)
    return Observation(observed, {"prepared": {"path": path, "paths": len(prepared)}})


def check_volume_not_exported(path: str, container_read: Optional[bytes], exported: set[str],
                              changed: dict[str, str]) -> dict:
    """C11 nuance: a file the container holds in a volume (it reads it, its writable layer does
    not hold it) is not in its export."""
    observed = {"path": path, "container_reads": container_read,
                "export_holds": member_name(path) in exported, "changes": changed}
    expect(container_read is not None, f"the container has no {path} in its volume", **observed)
    expect(not observed["export_holds"], f"the export holds {path}, from a volume", **observed)
    expect(path not in changed, f"{path} is in the container's writable layer, not a volume",
           **observed)
    return Observation(observed, {"volume": {"path": path, "exported": False}})


def check_one_layer(layers: list[str], tar_digest: str, image_layers: list[str]) -> dict:
    """C11: the imported image is one layer (where the image had several)."""
    observed = {"imported_layers": layers, "image_layers": image_layers,
                "export_digest": tar_digest, "layer_is_the_export": layers == [tar_digest]}
    expect(len(layers) == 1, f"the imported image has {len(layers)} layers, not one",
           **observed)
    return Observation(observed, {"imported": {"layers": len(layers),
                                               "image_layers": len(image_layers)}})


INSTRUCTIONS = {"CMD": "Cmd", "ENV": "Env", "WORKDIR": "WorkingDir", "ENTRYPOINT": "Entrypoint",
                "USER": "User"}
"""Dockerfile instructions an import can be given as changes, and the config field each sets."""


def instruction_names(text: str) -> tuple[str, ...]:
    """'CMD, ENV and WORKDIR' -> ('CMD', 'ENV', 'WORKDIR'); unknown names are refused."""
    names = tuple(name for name in re.split(r",\s*|\s+and\s+", text.strip()) if name)
    unknown = [name for name in names if name not in INSTRUCTIONS]
    if unknown or not names:
        raise ValueError(f"unknown instructions {unknown or text!r}; known: {sorted(INSTRUCTIONS)}")
    return names


def _quoted(value: str, what: str) -> str:
    """A Dockerfile word, single-quoted so that the engine neither splits nor expands it."""
    if "'" in value:
        raise ValueError(f"{what} holds a single quote; it cannot be given as a change")
    return f"'{value}'"


def changes_for(config: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """The image's config for the named instructions, as `import --change` instructions."""
    changes = []
    for name in names:
        value = config.get(INSTRUCTIONS[name])
        if not value:
            continue
        if name in ("CMD", "ENTRYPOINT"):
            changes.append(f"{name} {json.dumps(value, ensure_ascii=False)}")
        elif name == "ENV":
            for pair in value:
                key, _, setting = pair.partition("=")
                changes.append(f"ENV {key}={_quoted(setting, key)}")
        else:
            changes.append(f"{name} {value}")
    return changes


def _of(config: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: (config or {}).get(INSTRUCTIONS[name]) for name in names}


def check_history_lost(imported: ImageRecord, original: ImageRecord, steps: list[str]) -> dict:
    """C12: the imported image's history has one row, where the image's has one per build
    step."""
    observed = {"imported_rows": [row.get("CreatedBy") for row in imported.history],
                "image_rows": [row.get("CreatedBy") for row in original.history],
                "build_steps": steps}
    expect(len(original.history) == len(steps) > 1,
           "the image's history does not have a row per build step to lose", **observed)
    expect(len(imported.history) == 1,
           f"the imported image's history has {len(imported.history)} rows, not one",
           **observed)
    return Observation(observed, {"history": {"rows": len(imported.history),
                                              "image_rows": len(original.history)}})


def check_row_is_import(imported: ImageRecord, comment: str) -> dict:
    """C12: the imported image's one history row names no build step and carries the comment
    the engine gives imports."""
    rows = [{key: row.get(key) for key in ("Id", "CreatedBy", "Comment", "Size")}
            for row in imported.history]
    observed = {"rows": rows, "expected_comment": comment}
    expect(len(rows) == 1, f"the imported image's history has {len(rows)} rows", **observed)
    expect(rows[0]["CreatedBy"] == "", "the row names a build step", **observed)
    expect(rows[0]["Comment"] == comment, f"the row's comment is not {comment!r}", **observed)
    return Observation(observed, {"history": {"created_by": rows[0]["CreatedBy"],
                                              "comment": rows[0]["Comment"]}})


def _set_by_both(original: ImageRecord, imported: ImageRecord, names: tuple[str, ...],
                 otherwise: str) -> dict:
    """The named instructions of both images; the claim needs the image to set each."""
    observed = {"image": _of(original.config, names), "imported": _of(imported.config, names)}
    unset = [name for name, value in observed["image"].items() if not value]
    expect(not unset, f"the image does not set {', '.join(unset)}: {otherwise}", **observed)
    return observed


def check_config_lost(original: ImageRecord, imported: ImageRecord,
                      names: tuple[str, ...]) -> dict:
    """C12: the image sets each named instruction; the imported image has none of them."""
    observed = _set_by_both(original, imported, names, "nothing to lose")
    kept = [name for name, value in observed["imported"].items() if value]
    expect(not kept, f"the imported image kept {', '.join(kept)}", **observed)
    return Observation(observed, {"config": {"lost": list(names)}})


def check_config_kept(original: ImageRecord, imported: ImageRecord,
                      names: tuple[str, ...]) -> dict:
    """C12: given as changes, the named instructions are the image's in the imported image."""
    observed = _set_by_both(original, imported, names, "nothing to keep")
    differ = [name for name in names if observed["image"][name] != observed["imported"][name]]
    expect(not differ, f"the imported image's {', '.join(differ)} differ from the image's",
           **observed)
    return Observation(observed, {"config": {"kept_as_changes": list(names)}})


NO_COMMAND = Reason("the image has no command, and none was given", 400,
                    re.compile(r"no command specified", re.IGNORECASE))
"""What the engine answers a create without a command, of an image that has none."""


def check_no_command(ran: Ran) -> dict:
    """C12: with no CMD, a container of the imported image has nothing to run by default: the
    engine refuses to create it for that reason (NO_COMMAND)."""
    observed = vars(ran)
    expect(not ran.started, "a container of the imported image ran a default command",
           **observed)
    NO_COMMAND.check(ran.status, ran.error, image=ran.image)
    return Observation(observed, {"no_command": {"refused_with": ran.status}})


def check_runs_alike(original: Ran, imported: Ran) -> dict:
    """C12: by default, a container of the imported image does what one of the image does."""
    observed = {"image": vars(original), "imported": vars(imported)}
    expect(original.succeeded, "a container of the image did not run its command", **observed)
    expect(imported.succeeded and imported.output == original.output,
           "a container of the imported image does not do what one of the image does",
           **observed)
    return Observation(observed, {"runs_alike": {"output_bytes": len(imported.output)}})


def check_new_image_each_time(first: ImageRecord, second: ImageRecord) -> dict:
    """C12: two imports of the same tar are two images (new ids) of the same one layer."""
    observed = {"first": {"id": first.id, "layers": first.layers},
                "second": {"id": second.id, "layers": second.layers}}
    expect(first.id != second.id, "the second import gave the same image id", **observed)
    expect(first.layers == second.layers and len(first.layers) == 1,
           "the two imports do not share the same one layer", **observed)
    return Observation(observed, {"two_imports": {"ids": len({first.id, second.id}),
                                                  "layers": len(set(first.layers))}})

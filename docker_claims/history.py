"""C12: an imported image has no build history, and none of the image's config.

`import` makes an image of a filesystem tar and nothing else: one layer, one history row that
names no build step, no CMD, ENV or WORKDIR unless they are given back as `changes`. The
mechanisms render an image's config as such changes; the checks compare the imported image's
history and config with the image the tar came from.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .evidence import expect
from .transfer import ImageRecord, Ran

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
    return observed


def check_row_is_import(imported: ImageRecord, comment: str) -> dict:
    """C12: the imported image's one history row names no build step and carries the comment
    the engine gives imports."""
    rows = [{key: row.get(key) for key in ("Id", "CreatedBy", "Comment", "Size")}
            for row in imported.history]
    observed = {"rows": rows, "expected_comment": comment}
    expect(len(rows) == 1, f"the imported image's history has {len(rows)} rows", **observed)
    expect(rows[0]["CreatedBy"] == "", "the row names a build step", **observed)
    expect(rows[0]["Comment"] == comment, f"the row's comment is not {comment!r}", **observed)
    return observed


def check_config_lost(original: ImageRecord, imported: ImageRecord,
                      names: tuple[str, ...]) -> dict:
    """C12: the image sets each named instruction; the imported image has none of them."""
    observed = {"image": _of(original.config, names), "imported": _of(imported.config, names)}
    unset = [name for name, value in observed["image"].items() if not value]
    expect(not unset, f"the image does not set {', '.join(unset)}: nothing to lose",
           **observed)
    kept = [name for name, value in observed["imported"].items() if value]
    expect(not kept, f"the imported image kept {', '.join(kept)}", **observed)
    return observed


def check_config_kept(original: ImageRecord, imported: ImageRecord,
                      names: tuple[str, ...]) -> dict:
    """C12: given as changes, the named instructions are the image's in the imported image."""
    observed = {"image": _of(original.config, names), "imported": _of(imported.config, names)}
    unset = [name for name, value in observed["image"].items() if not value]
    expect(not unset, f"the image does not set {', '.join(unset)}: nothing to keep",
           **observed)
    differ = [name for name in names if observed["image"][name] != observed["imported"][name]]
    expect(not differ, f"the imported image's {', '.join(differ)} differ from the image's",
           **observed)
    return observed


def check_no_command(ran: Ran) -> dict:
    """C12: with no CMD, a container of the imported image has nothing to run by default."""
    observed = vars(ran)
    expect(not ran.started, "a container of the imported image ran a default command",
           **observed)
    return observed


def check_runs_alike(original: Ran, imported: Ran) -> dict:
    """C12: by default, a container of the imported image does what one of the image does."""
    observed = {"image": vars(original), "imported": vars(imported)}
    expect(original.succeeded, "a container of the image did not run its command", **observed)
    expect(imported.succeeded and imported.output == original.output,
           "a container of the imported image does not do what one of the image does",
           **observed)
    return observed


def check_new_image_each_time(first: ImageRecord, second: ImageRecord) -> dict:
    """C12: two imports of the same tar are two images (new ids) of the same one layer."""
    observed = {"first": {"id": first.id, "layers": first.layers},
                "second": {"id": second.id, "layers": second.layers}}
    expect(first.id != second.id, "the second import gave the same image id", **observed)
    expect(first.layers == second.layers and len(first.layers) == 1,
           "the two imports do not share the same one layer", **observed)
    return observed

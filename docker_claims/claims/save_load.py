"""C13: save keeps every layer and its metadata; after load, history shows the build record."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from docker_claims.engine.records import MISSING, ImageRecord, SavedFacts
from docker_claims.evidence import Observation, expect

BUILD_RECORD = ("Created", "CreatedBy", "Comment", "Size")
"""The columns of a history row that record the build; the IMAGE column (Id) and the tags name
local images instead, which differ from engine to engine."""


def _meaningful(config: dict[str, Any]) -> dict[str, Any]:
    """A config without its empty fields: engines differ in which empty ones they spell out."""
    return {key: value for key, value in (config or {}).items()
            if value not in (None, "", [], {}, False)}


def check_save_holds_layers(facts: SavedFacts, before: ImageRecord) -> dict:
    """C13: the save tar holds the image, and every one of its layers, in order, each layer's
    bytes hashing to the digest the engine gives it."""
    observed = {"image": before.id, "layers": before.layers, "layout": facts.layout,
                "tar_images": facts.images, "tar_diff_ids": facts.diff_ids,
                "tar_layers_hash_to": facts.computed}
    expect(facts.found, "the save tar does not hold the image", **observed)
    expect(facts.diff_ids == before.layers,
           "the save tar's image lists other layers than the engine's image", **observed)
    expect(facts.computed == before.layers,
           "the layer tars in the save tar do not hash to the image's layer digests", **observed)
    return Observation(observed, {"save_tar": {"layout": facts.layout,
                                               "layers": len(facts.computed)}})


def check_save_holds_config(facts: SavedFacts, before: ImageRecord) -> dict:
    """C13: the save tar holds the image's config, its tags, and a history entry for every
    row of the image's history, asked by id and by name, each recording the same step: when,
    by which instruction, with which comment."""
    history = facts.config.get("history") or []
    saved_rows = [(_seconds(h.get("created")), h.get("created_by", ""), h.get("comment", ""))
                  for h in history]
    rows = {asked: [(r.get("Created"), r.get("CreatedBy", ""), r.get("Comment", ""))
                    for r in reversed(found)]
            for asked, found in (("by id", before.history),
                                 (f"by name ({before.name})", before.history_by_name))}
    observed = {"image": before.id, "tar_tags": facts.tags, "tags": before.tags,
                "tar_history": saved_rows, "history": rows}
    expect(facts.found, "the save tar does not hold the image", **observed)
    expect(_meaningful(facts.config.get("config")) == _meaningful(before.config),
           "the save tar's config differs from the image's",
           tar_config=facts.config.get("config"), config=before.config, **observed)
    expect(sorted(facts.tags) == before.tags, "the save tar names the image otherwise",
           **observed)
    differ = [asked for asked, found in rows.items() if found != saved_rows]
    expect(not differ, f"the save tar's history differs from the image's history "
           f"({', '.join(differ)})", **observed)
    return Observation(observed, {"save_tar": {"tags": sorted(facts.tags),
                                               "history_entries": len(saved_rows)}})


def _seconds(created: Any) -> Any:
    """An RFC 3339 time of an image config (`2026-12-01T19:00:12.123456789Z`) in whole
    seconds since the epoch, as `history` gives it; anything else as it is."""
    if not isinstance(created, str):
        return created
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)",
                         created)
    if not match:
        return created
    zone = "+00:00" if match.group(2) == "Z" else match.group(2)
    return int(datetime.fromisoformat(match.group(1) + zone).timestamp())


def check_same_image(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image has the saved one's id, layer digests and tags."""
    observed = {"saved": {"id": before.id, "layers": before.layers, "tags": before.tags},
                "loaded": {"id": after.id, "layers": after.layers, "tags": after.tags}}
    expect(after.id == before.id, "the loaded image has another id", **observed)
    expect(after.layers == before.layers, "the loaded image has other layers", **observed)
    expect(after.tags == before.tags, "the loaded image has other tags", **observed)
    return Observation(observed, {"loaded": {"id": after.id, "layers": len(after.layers)}})


def check_same_config(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image has the saved one's config."""
    observed = {"saved": before.config, "loaded": after.config}
    expect(_meaningful(after.config) == _meaningful(before.config),
           "the loaded image's config differs from the saved one's", **observed)
    return Observation(observed, {"loaded": {"config_fields": len(_meaningful(after.config))}})


def _build_record(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: row.get(key) for key in BUILD_RECORD} for row in rows]


def check_same_history(before: ImageRecord, after: ImageRecord) -> dict:
    """C13: the loaded image's history has every row of the saved one's: when, by which step,
    with which comment, of which size; read by id and by the name the user types
    (`docker history NAME`), each as it was before the save, and the one as the other; its top
    row is the image itself."""
    pairs = {"by id": (before.history, after.history),
             f"by name ({after.name})": (before.history_by_name, after.history_by_name)}
    observed = {asked: {"saved": _build_record(was), "loaded": _build_record(now)}
                for asked, (was, now) in pairs.items()}
    for asked, (was, now) in pairs.items():
        saved, loaded = _build_record(was), _build_record(now)
        expect(len(loaded) == len(saved),
               f"the loaded image's history {asked} has {len(loaded)} rows, the saved one's "
               f"{len(saved)}", **observed)
        differ = [{"row": number, "saved": a, "loaded": b}
                  for number, (a, b) in enumerate(zip(saved, loaded)) if a != b]
        expect(not differ, f"history rows {asked} differ after the load", differ=differ,
               **observed)
    expect(before.name == after.name and bool(after.name),
           "the loaded image is not named as the saved one was", saved=before.name,
           loaded=after.name)
    named_otherwise = _build_record(after.history_by_name) != _build_record(after.history)
    expect(not named_otherwise, f"the loaded image's history by name ({after.name}) is not its "
           "history by id", **observed)
    top = after.history[0].get("Id") if after.history else None
    expect(top == after.id, "the history's top row is not the loaded image", top_row=top,
           image=after.id)
    return Observation(observed, {"loaded": {"history_rows": len(after.history)}})


def intermediates_named(before: ImageRecord) -> list[int]:
    """The rows below the top whose IMAGE column named a local image before the load."""
    return [number for number, row in enumerate(before.history)
            if number and row.get("Id") not in (None, "", MISSING)]


def check_intermediates_forgotten(before: ImageRecord, after: ImageRecord) -> dict:
    """C13 nuance: the rows that named the local images the image was built through (the
    classic builder's intermediate images) show them as missing after the load: load recreates
    the image, not its parents."""
    named = intermediates_named(before)
    observed = {"saved_ids": [row.get("Id") for row in before.history],
                "loaded_ids": [row.get("Id") for row in after.history]}
    expect(bool(named), "no history row named an intermediate image before the load",
           **observed)
    still = [number for number in named
             if number >= len(after.history) or after.history[number].get("Id") != MISSING]
    expect(not still, "history rows still name the intermediate images after the load",
           rows=still, **observed)
    return Observation(observed, {"intermediates": {"named_before": len(named),
                                                    "missing_after": len(named)}})

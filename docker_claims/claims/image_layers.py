"""C01-C03: an image is a stack of read-only layers, and a lookup falls through them.

Each check compares what the engine shows (inspect, history, the layer tarballs of `save`,
what a container reads) with what the claim says, and fails with the observation otherwise."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from docker.models.images import Image

from docker_claims.engine import archives
from docker_claims.engine.containers import view
from docker_claims.engine.fixtures import WRITES, build_steps, changes_filesystem
from docker_claims.engine.images import layers_of
from docker_claims.engine.scope import Resources
from docker_claims.evidence import expect


def check_one_layer_per_filesystem_step(image: Image, dockerfile: str) -> dict:
    """C01: RootFS.Layers has one entry per COPY/ADD/RUN step, in build order."""
    steps = build_steps(dockerfile)
    fs_steps = [step for step in steps if changes_filesystem(step)]
    layers = layers_of(image)
    observed = {"filesystem_steps": fs_steps, "layers": layers, "all_steps": steps}
    expect(len(layers) == len(fs_steps),
           f"the image has {len(layers)} layers for {len(fs_steps)} filesystem-changing "
           "build steps", **observed)
    return observed


def built_from(quoted: str, built: str) -> str:
    """C01's yardstick: `built`, the Dockerfile the fixture image was built from, once seen to
    hold the instructions of `quoted` (the feature's copy), LABEL values aside (the run labels
    what it builds). ValueError otherwise: the feature and the fixture disagree, which says
    nothing of the engine."""
    def instructions(text: str) -> list[str]:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return ["LABEL" if line.upper().startswith("LABEL ") else line for line in lines]

    if instructions(quoted) != instructions(built):
        raise ValueError(f"the feature's Dockerfile is not the one the image was built from:\n"
                         f"{quoted}\n-- built from --\n{built}")
    return built


def check_history_row_per_step(image: Image, dockerfile: str) -> dict:
    """C01: `docker history` has one row per build step, newest first, each naming its step."""
    steps = build_steps(dockerfile)
    rows = [row.get("CreatedBy", "") for row in reversed(image.history())]
    observed = {"steps": steps, "history_oldest_first": rows}
    expect(len(rows) == len(steps),
           f"history has {len(rows)} rows for {len(steps)} build steps", **observed)
    mismatched = [(step, row) for step, row in zip(steps, rows) if not _row_is_step(row, step)]
    expect(not mismatched, "history rows do not match the build steps in order",
           mismatched=mismatched, **observed)
    return observed


def _row_is_step(created_by: str, step: str) -> bool:
    """A history row names its step: classic builder `#(nop) ENV ...`, BuildKit `ENV ...`,
    and for RUN the command itself."""
    keyword, _, rest = step.partition(" ")
    if keyword.upper() == "RUN":
        words = [w.strip('[]",') for w in rest.split()]
        return all(word in created_by for word in words if word)
    return keyword.upper() in created_by.upper()


@dataclass
class LayerWitness:
    """Where the save tar says a path lives: per layer, its content or a whiteout."""

    path: str
    layers: list[dict]

    @property
    def holders(self) -> list[int]:
        return [entry["layer"] for entry in self.layers if entry["kind"] == "file"]

    @property
    def deleters(self) -> list[int]:
        return [entry["layer"] for entry in self.layers if entry["kind"] == "whiteout"]

    def content_at(self, layer: int) -> bytes:
        """The file's bytes in `layer` (KeyError when that layer holds no regular file there)."""
        for entry in self.layers:
            if entry["layer"] == layer and entry["kind"] == "file":
                return entry["content"]
        raise KeyError(f"layer {layer} holds no regular file at {self.path}")

    def visible_layer(self) -> int | None:
        """The topmost layer that decides the path: its version, or None when deleted."""
        top = max(self.layers, key=lambda e: e["layer"], default=None)
        return top["layer"] if top and top["kind"] != "whiteout" else None


def witness(saved: Path, path: str) -> LayerWitness:
    """Read every layer of the saved image for `path`: which hold it, which delete it."""
    wanted = path.lstrip("/")
    found = []
    with archives.open_save(saved) as archive:
        image = archive.images[0]
        for layer in image.layers:
            for entry in layer.entries():
                if entry.path != wanted and not (
                        entry.whiteout == "opaque" and _is_below(wanted, entry.path)):
                    continue
                if entry.whiteout:
                    found.append({"layer": layer.index, "kind": "whiteout", "entry": entry.path,
                                  "marker": _whiteout_name(entry)})
                elif entry.kind in ("file", "hardlink"):
                    found.append({"layer": layer.index, "kind": "file",
                                  "content": layer.read(entry.path)})
                else:  # a directory or symlink in this layer decides the lookup too
                    found.append({"layer": layer.index, "kind": entry.kind,
                                  "linkname": entry.linkname})
    return LayerWitness(path, found)


def check_held_by(w: LayerWitness, count: int) -> dict:
    """C02, C11: the save tar shows `count` layers writing the path, and none deleting it."""
    observed = {"holders": w.holders, "deleters": w.deleters}
    expect(len(w.holders) == count and not w.deleters,
           f"{w.path} should be written by {count} layers and deleted by none", **observed)
    return observed


def check_deleted_above(w: LayerWitness) -> dict:
    """C02, C11: the save tar shows a lower layer writing the path and an upper one deleting
    it."""
    observed = {"holders": w.holders, "deleters": w.deleters}
    expect(bool(w.holders and w.deleters) and max(w.deleters) > max(w.holders),
           f"{w.path} should be held by a lower layer and whited out by an upper one",
           **observed)
    return observed


def check_whiteout(w: LayerWitness, marker: str) -> dict:
    """C02: the deleting layer's tarball holds the whiteout marker `marker`."""
    markers = [entry["marker"] for entry in w.layers if entry["kind"] == "whiteout"]
    expect(marker.lstrip("/") in markers, f"no whiteout marker {marker} in the layers",
           whiteouts=markers, layers=w.layers)
    return {"whiteouts": markers}


def _is_below(path: str, directory: str) -> bool:
    return directory == "" or path.startswith(directory + "/")


def _whiteout_name(entry) -> str:
    if entry.whiteout == "opaque":
        return posixpath.join(entry.path, ".wh..wh..opq")
    head, tail = posixpath.split(entry.path)
    return posixpath.join(head, ".wh." + tail)


def check_view_is_the_image(resources: Resources, image: Image, saved: Path) -> dict:
    """C03: a new container reads exactly what the image's layers hold, not another's writes."""
    paths = sorted(WRITES)
    seen = view(resources, image, paths)
    expected = {}
    for path in paths:
        w = witness(saved, path)
        top = w.visible_layer()
        expected[path] = None if top is None else w.content_at(top).decode()
    expect(seen == expected, "a new container does not see the image as its layers hold it",
           container_reads=seen, image_layers_hold=expected)
    return {"container_reads": seen}


def check_reads_topmost(w: LayerWitness, read: tuple[int, str]) -> dict:
    """C02: what a container reads is the version of the topmost layer holding the path."""
    top = w.visible_layer()
    expect(top is not None and top in w.holders,
           f"the save tar shows no layer providing {w.path} as a regular file", layers=w.layers)
    expected = w.content_at(top).decode()
    code, output = read
    observed = {"exit_code": code, "container_read": output, "topmost_layer": top,
                "topmost_version": expected,
                "lower_versions": {layer: w.content_at(layer).decode()
                                   for layer in w.holders if layer != top}}
    expect(code == 0 and output == expected,
           f"the container should read layer {top}'s version of {w.path}", **observed)
    return observed


def check_not_found(w: LayerWitness, read: tuple[int, str]) -> dict:
    """C02: a path whited out above is not found, though a lower layer holds it."""
    code, output = read
    observed = {"exit_code": code, "container_read": output, "layers": w.layers}
    expect(code != 0 and "No such file" in output,
           f"{w.path}, deleted by an upper layer, should not be found", **observed)
    return observed


def check_layers_unchanged(before: tuple[str, list[str]], named_now: Image) -> dict:
    """C03: the image the name names after the writes (looked up by that name: by its id, an
    image could only be itself) has the id and layer digests it had before them."""
    after = (named_now.id, layers_of(named_now))
    expect(after == before, "the image changed under a container's writes",
           before=before, after=after)
    return {"image": after[0], "layers": after[1]}

"""C01-C03: an image is a stack of read-only layers, and a lookup falls through them.

Each check compares what the engine shows (inspect, history, the layer tarballs of `save`,
what a container reads) with what the claim says, and fails with the observation otherwise."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Any, Optional

from docker_claims.engine.dockerfile import build_steps, changes_filesystem
from docker_claims.engine.records import LayerContent, LayerWitness, Node
from docker_claims.evidence import Observation, expect


def check_one_layer_per_filesystem_step(layers: list[str], dockerfile: str) -> dict:
    """C01: the image's RootFS.Layers (`layers`) has one entry per COPY/ADD/RUN step, in build
    order, each its own: the fixture's filesystem steps each write something else, so no two
    of its layers are one."""
    steps = build_steps(dockerfile)
    fs_steps = [step for step in steps if changes_filesystem(step)]
    observed = {"filesystem_steps": fs_steps, "layers": layers, "all_steps": steps}
    expect(len(layers) == len(fs_steps),
           f"the image has {len(layers)} layers for {len(fs_steps)} filesystem-changing "
           "build steps", **observed)
    repeated = sorted({layer for layer in layers if layers.count(layer) > 1})
    expect(not repeated, "the image names one layer for several build steps",
           repeated=repeated, **observed)
    return Observation(observed, {"layers": {"count": len(layers),
                                             "filesystem_steps": len(fs_steps)}})


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


def check_layers_hold_their_steps(layers: list[str], saved: Optional[list[LayerContent]],
                                  dockerfile: str, context: dict[str, bytes],
                                  applets: list[str]) -> dict:
    """C01: the layer tar of the n-th filesystem step, read from the image's save tar, hashes
    to the n-th diff id the engine gives the image, and holds what that step wrote: the files
    it copied from the build context (by content), the links `busybox --install` made (one per
    applet the image's busybox lists), the whiteout of what it removed; directories aside."""
    expected = step_writes(dockerfile, context, applets)
    observed: dict[str, Any] = {"layers": layers,
                                "steps": [writes.step for writes in expected]}
    expect(saved is not None, "the save tar does not hold the image", **observed)
    observed["saved_layers"] = [{"diff_id": layer.diff_id, "hashes_to": layer.computed}
                                for layer in saved]
    expect(len(saved) == len(expected) == len(layers),
           f"the save tar holds {len(saved)} layers, the engine names {len(layers)}, for "
           f"{len(expected)} filesystem steps", **observed)
    expect(not (unhashed := _unhashed(layers, saved)),
           "layer tars do not hash to the image's layer digests", unhashed=unhashed, **observed)
    differ = {}
    for n, (writes, layer) in enumerate(zip(expected, saved)):
        held = {name: node for name, node in layer.tree.items() if node.kind != "dir"}
        if held != writes.tree:
            differ[f"layer {n}: {writes.step}"] = {
                "missing": _nodes(writes.tree, held), "beyond_the_step": _nodes(held, writes.tree),
                "other_content": {name: {"step_wrote": writes.tree[name], "layer_holds": node}
                                  for name, node in held.items()
                                  if name in writes.tree and writes.tree[name] != node}}
    expect(not differ, "layers do not hold what their build steps wrote", differ=differ,
           **observed)
    return Observation({**observed, "held": {writes.step: len(writes.tree)
                                             for writes in expected}},
                       {"layer_tars": {"hash_to_their_digests": len(saved),
                                       "files_per_layer": [len(w.tree) for w in expected]}})


def _unhashed(digests: list[str], saved: list[LayerContent]) -> list[dict[str, Any]]:
    """The layers whose tar does not hash to the digest given for it."""
    return [{"layer": n, "digest": digest, "tar_hashes_to": layer.computed}
            for n, (digest, layer) in enumerate(zip(digests, saved)) if layer.computed != digest]


def _nodes(these: dict[str, Node], but_not: dict[str, Node]) -> dict[str, Any]:
    return {name: node for name, node in sorted(these.items()) if name not in but_not}


@dataclass(frozen=True)
class StepWrites:
    """What one filesystem build step writes, as its layer tar holds it (directories aside)."""

    step: str
    tree: dict[str, Node]


def step_writes(dockerfile: str, context: dict[str, bytes],
                applets: list[str]) -> list[StepWrites]:
    """What each filesystem step of `dockerfile` writes, from the build context it was given
    and the applets its busybox lists. ValueError for a step whose writes are not known here
    (the fixtures use COPY, `busybox --install -s DIR` and `busybox rm PATH` only)."""
    found: list[StepWrites] = []
    below: set[str] = set()
    for step in build_steps(dockerfile):
        if not changes_filesystem(step):
            continue
        keyword, words = instruction_words(step)
        if keyword in ("COPY", "ADD"):
            tree = _copied(words, context)
        else:
            tree = _ran(words, applets, below)
        found.append(StepWrites(step, tree))
        below |= set(tree)
    return found


def _copied(words: list[str], context: dict[str, bytes]) -> dict[str, Node]:
    *sources, destination = [word for word in words if not word.startswith("--")]
    tree = {}
    for source in sources:
        prefix = source.strip("/")
        if prefix in context:
            into = destination + posixpath.basename(prefix) if destination.endswith("/") \
                else destination
            tree[into.strip("/")] = _file(context[prefix])
            continue
        for path, content in context.items():
            if path.startswith(prefix + "/"):
                into = posixpath.join(destination, path[len(prefix) + 1:])
                tree[into.strip("/")] = _file(content)
    return tree


def _file(content: bytes) -> Node:
    return Node("file", f"sha256:{hashlib.sha256(content).hexdigest()}")


def _ran(argv: list[str], applets: list[str], below: set[str]) -> dict[str, Node]:
    binary = argv[0] if argv else ""
    if posixpath.basename(binary) == "busybox" and argv[1:3] == ["--install", "-s"]:
        into = argv[3] if len(argv) > 3 else "/bin"
        links = (posixpath.join(into, applet).strip("/") for applet in applets)
        return {link: Node("symlink", linkname=binary) for link in links if link not in below}
    if posixpath.basename(binary) == "busybox" and argv[1:2] == ["rm"]:
        return {posixpath.join(posixpath.dirname(path), ".wh." + posixpath.basename(path))
                .strip("/"): Node("whiteout") for path in argv[2:] if not path.startswith("-")}
    raise ValueError(f"no known writes for RUN {argv}: the fixtures' RUN steps are "
                     "`busybox --install -s DIR` and `busybox rm PATH`")


def instruction_words(step: str) -> tuple[str, list[str]]:
    """A Dockerfile instruction as its keyword and its words: JSON (exec) form as the list it
    is, shell form split as a shell would, quotes removed (`LABEL "a"="b"` -> `a=b`). RUN in
    shell form is what the builder runs: `/bin/sh -c CMD`."""
    keyword, _, rest = step.strip().partition(" ")
    keyword, rest = keyword.upper(), rest.strip()
    words = _bracketed(rest)
    if words is None:
        words = shlex.split(rest)
        if keyword == "RUN":
            words = ["/bin/sh", "-c", rest]
    return keyword, words


def _bracketed(text: str) -> Optional[list[str]]:
    """The words of an exec form: JSON (`["sh", "-c"]`), or as the classic builder prints it
    in history (`["sh" "-c"]`, Go-quoted, no commas); None for anything else."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        found = json.loads(text)
    except ValueError:
        try:
            found = shlex.split(text[1:-1])
        except ValueError:
            return None
    return found if isinstance(found, list) and all(isinstance(w, str) for w in found) else None


CLASSIC_NOP = "/bin/sh -c #(nop) "
"""How the classic builder prefixes the rows of steps that run nothing (ENV, COPY...)."""

BUILDKIT_SUFFIX = " # buildkit"
CLASSIC_COPY = re.compile(r"(?P<keyword>COPY|ADD)(?: --\S+)* (?P<kind>file|dir|multi):[0-9a-f]+ "
                          r"in (?P<destination>\S+)\s*")
"""The classic builder's row of a COPY or ADD: the source named by the kind and hash of what
was copied (`file:<sha>`, `dir:<sha>`, `multi:<sha>`), then `in DESTINATION`."""


def row_instruction(created_by: str) -> tuple[str, list[str]]:
    """A history row's CreatedBy as the instruction it records (keyword, words), whichever
    builder wrote it: BuildKit's `ENV A=b # buildkit`, the classic builder's
    `/bin/sh -c #(nop)  ENV A=b` and, for RUN, the command it ran (split at blanks: a row
    joins the command's words with blanks, so only that is compared)."""
    text = created_by.strip()
    if text.endswith(BUILDKIT_SUFFIX.strip()):
        text = text[: -len(BUILDKIT_SUFFIX.strip())].strip()
    if text.startswith(CLASSIC_NOP.strip()):
        return instruction_words(text[len(CLASSIC_NOP.strip()):].strip())
    keyword, _, rest = text.partition(" ")
    if keyword.upper() == "RUN":  # BuildKit's RUN: the command it ran, as words
        return "RUN", rest.split()
    if keyword.upper() in INSTRUCTIONS:
        return instruction_words(text)
    return "RUN", text.split()  # the classic builder's RUN: the command it ran


INSTRUCTIONS = ("COPY", "ADD", "ENV", "CMD", "LABEL", "WORKDIR", "ENTRYPOINT", "USER", "EXPOSE",
                "VOLUME", "ARG", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD")


def row_is_step(created_by: str, step: str, context: dict[str, bytes]) -> bool:
    """Whether a history row records this very step: the same instruction with the same
    words, LABEL's in any order; a classic COPY row names its source by kind and hash, so the
    kind of each source in the build context and the destination must be the step's."""
    keyword, words = instruction_words(step)
    text = created_by.strip()
    if text.startswith(CLASSIC_NOP.strip()):
        classic = CLASSIC_COPY.fullmatch(text[len(CLASSIC_NOP.strip()):].strip())
        if classic and keyword in ("COPY", "ADD"):
            *sources, destination = [word for word in words if not word.startswith("--")]
            kinds = {"file" if source.strip("/") in context else "dir" for source in sources}
            kind = kinds.pop() if len(sources) == 1 else "multi"
            return (classic["keyword"] == keyword and classic["kind"] == kind
                    and classic["destination"] == destination)
    row_keyword, row_words = row_instruction(created_by)
    if keyword == "LABEL":
        return row_keyword == keyword and sorted(row_words) == sorted(words)
    if keyword == "RUN":  # rows print the command's words joined, as the builder ran it
        return row_keyword == keyword and row_words == " ".join(words).split()
    return (row_keyword, row_words) == (keyword, words)


def check_history_row_per_step(rows: list[dict], dockerfile: str,
                               context: dict[str, bytes]) -> dict:
    """C01: `docker history` (`rows`, newest first, as the API answers) has one row per build
    step, each recording its step in full, in build order: its instruction and every word of
    it, not only its keyword (`context`: the build context, whose files tell a COPY of a file
    from one of a directory in the classic builder's rows)."""
    steps = build_steps(dockerfile)
    recorded = [row.get("CreatedBy", "") for row in reversed(rows)]
    observed = {"steps": steps, "history_oldest_first": recorded}
    expect(len(recorded) == len(steps),
           f"history has {len(recorded)} rows for {len(steps)} build steps", **observed)
    mismatched = [{"step": step, "row": row} for step, row in zip(steps, recorded)
                  if not row_is_step(row, step, context)]
    expect(not mismatched, "history rows do not record the build steps in order",
           mismatched=mismatched, **observed)
    return Observation(observed, {"history": {"rows": len(recorded), "build_steps": len(steps)}})


def check_held_by(w: LayerWitness, count: int) -> dict:
    """C02, C11: the save tar shows `count` layers writing the path, and none deleting it."""
    observed = {"holders": w.holders, "deleters": w.deleters}
    expect(len(w.holders) == count and not w.deleters,
           f"{w.path} should be written by {count} layers and deleted by none", **observed)
    return Observation(observed, {"paths": {w.path: {"held_by_layers": w.holders}}})


def check_deleted_above(w: LayerWitness) -> dict:
    """C02, C11: the save tar shows a lower layer writing the path and an upper one deleting
    it."""
    observed = {"holders": w.holders, "deleters": w.deleters}
    expect(bool(w.holders and w.deleters) and max(w.deleters) > max(w.holders),
           f"{w.path} should be held by a lower layer and whited out by an upper one",
           **observed)
    return Observation(observed, {"paths": {w.path: {"held_by_layers": w.holders,
                                                     "deleted_by_layers": w.deleters}}})


def check_whiteout(w: LayerWitness, marker: str, held: Optional[tuple[str, int]]) -> dict:
    """C02: the deleting layer's tarball holds the whiteout marker `marker`: a member by that
    very name, an empty regular file, as the layer format writes a deletion (`held`: that
    member's kind and size, read by its raw name from the topmost deleting layer's tar)."""
    observed = {"deleting_layer": max(w.deleters, default=None), "marker": marker,
                "member": held}
    expect(bool(w.deleters), f"no layer deletes {w.path}", layers=w.layers, **observed)
    expect(held is not None, f"the deleting layer's tar holds no member {marker}", **observed)
    expect(held == ("file", 0), f"{marker} in the deleting layer is not an empty file (a "
           "whiteout marker)", **observed)
    return Observation(observed, {"paths": {w.path: {"whiteout": marker,
                                                     "whiteout_in_layer": max(w.deleters)}}})


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
    return Observation(observed, {"paths": {w.path: {"read_from_layer": top}}})


def check_not_found(w: LayerWitness, read: tuple[int, str]) -> dict:
    """C02: a path whited out above is not found, though a lower layer holds it."""
    code, output = read
    observed = {"exit_code": code, "container_read": output, "layers": w.layers}
    expect(code != 0 and "No such file" in output,
           f"{w.path}, deleted by an upper layer, should not be found", **observed)
    return Observation(observed, {"paths": {w.path: {"found": False}}})


def check_layers_unchanged(before: tuple[str, list[str]], after: tuple[str, list[str]]) -> dict:
    """C03: the image the name names after the writes (`after`: looked up by that name, since by
    its id an image could only be itself) has the id and layer digests it had before them."""
    expect(after == before, "the image changed under a container's writes",
           before=before, after=after)
    return Observation({"image": after[0], "layers": after[1]},
                       {"after_the_writes": {"same_id_and_digests": len(after[1])}})


def check_layers_hold_what_they_held(digests: list[str], before: Optional[list[LayerContent]],
                                     after: Optional[list[LayerContent]]) -> dict:
    """C03: after a container's writes, the image's layers, saved again, hash to the digests
    the engine gave them before the writes and hold what they held then, file by file and by
    content (a save after the writes, against one made before them)."""
    observed: dict[str, Any] = {"digests_before": digests}
    expect(before is not None and after is not None,
           "a save tar of the image does not hold it", saved_before=before is not None,
           saved_after=after is not None, **observed)
    observed["hash_after"] = [layer.computed for layer in after]
    expect(len(after) == len(before) == len(digests),
           f"the image was saved with {len(before)} layers before the writes and "
           f"{len(after)} after, for {len(digests)} digests", **observed)
    expect(not (rehashed := _unhashed(digests, after)),
           "the image's layers no longer hash to their digests after the writes",
           rehashed=rehashed, **observed)
    changed = {f"layer {n}": {"gained": _nodes(now.tree, was.tree),
                              "lost": _nodes(was.tree, now.tree),
                              "rewritten": sorted(name for name, node in now.tree.items()
                                                  if name in was.tree and was.tree[name] != node)}
               for n, (was, now) in enumerate(zip(before, after)) if was.tree != now.tree}
    expect(not changed, "the image's layers hold other files after the writes",
           changed=changed, **observed)
    files = [len(layer.tree) for layer in after]
    return Observation({**observed, "files_per_layer": files},
                       {"after_the_writes": {"layers_saved_again": len(after),
                                             "files_unchanged": sum(files)}})


PREPARED = (".dockerenv", "dev", "etc", "etc/hostname", "etc/hosts", "etc/mtab",
            "etc/resolv.conf", "proc", "sys")
"""What the engine prepares for every container beside its image's files (its init layer):
a container's export holds them though no layer of its image does."""


def prepared_by_the_engine(path: str) -> bool:
    return path in PREPARED or path.startswith("dev/")


def check_fresh_export_is_the_image(layers: Any, exported: dict[str, Node]) -> dict:
    """C03: the export of a new container of the image (made after another container wrote)
    holds every path the image's layers leave visible, as the topmost layer holds it, by
    content; and nothing else but what the engine prepares for every container (PREPARED).
    `layers` is ImageLayers read from a save made before the writes."""
    missing = sorted(path for path in layers.tree if path not in exported)
    other = {path: {"layers": node, "export": exported[path]}
             for path, node in sorted(layers.tree.items())
             if path in exported and exported[path] != node}
    beyond = sorted(path for path in exported
                    if path not in layers.tree and not prepared_by_the_engine(path))
    observed = {"image_paths": len(layers.tree), "exported_paths": len(exported)}
    expect(not missing, "a new container lacks files of the image", missing=missing,
           **observed)
    expect(not other, "a new container holds the image's files otherwise than its layers",
           other=other, **observed)
    expect(not beyond, "a new container holds files that neither the image's layers nor the "
           "engine's preparation give it", beyond=beyond, **observed)
    return Observation(observed, {"new_container": {
        "image_paths": len(layers.tree),
        "prepared_paths": sum(path not in layers.tree for path in exported)}})

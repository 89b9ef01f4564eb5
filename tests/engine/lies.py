"""The lies the lying proxy tells, each aimed at one claim: one kind of answer falsified the way
an engine could get it wrong (a layer's content changed, a history row moved, a listing that
says another state, another reason for a refusal), never by moving a name.

A Telling is one behave run: the claim run alone (`--tags=@claim.Cnn`) through proxies telling
its lies, on the first engine and, for C14, on the second. A Telling of several lies is allowed
only where each lie rewrites an error the engine gives to one scenario alone and marks its
words (MARK), so that the failing scenario's message shows which lie it caught.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

from lying_proxy import Answer, Lie, Request

from docker_claims.engine.fixtures import LAYERED

MARK = "told by the lying proxy"
"""In every error a lie makes up: the failing scenario's message then names the lie."""

IMAGE_ID = re.compile(r"(sha256:)?[0-9a-f]{64}")


def by_name(request: Request) -> bool:
    """Whether the request names its image by a name, not by its id."""
    name = re.match(r"/images/(.+?)/", request.path)
    return bool(name) and not IMAGE_ID.fullmatch(name.group(1))


# -- tars -------------------------------------------------------------------------------------


Members = list[tuple[tarfile.TarInfo, Optional[bytes]]]


def read_members(data: bytes) -> Members:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return [(info, tar.extractfile(info).read() if info.isreg() else None) for info in tar]


def write_members(members: Members) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, content in members:
            if content is not None:
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return out.getvalue()


def rewrite_layers(save: bytes, edit: Callable[[list[Members]], bool]) -> Optional[bytes]:
    """A save tar whose layer tars `edit` changed in place (the list is bottom to top); the
    image config, its diff ids, the manifest and every layer `edit` left alone stay byte for
    byte as the engine wrote them, as they would if the layer's files had changed under the
    engine. None when `edit` changed nothing."""
    outer = read_members(save)
    contents = {info.name.lstrip("./"): content for info, content in outer}
    manifest = json.loads(contents["manifest.json"])
    names = [name.lstrip("./") for name in manifest[0]["Layers"]]
    layers = [read_members(contents[name]) for name in names]
    held = [[(info.name, content) for info, content in layer] for layer in layers]
    if not edit(layers):
        return None
    replaced = {name: write_members(layer) for name, layer, was in zip(names, layers, held)
                if [(info.name, content) for info, content in layer] != was}
    return write_members([(info, replaced.get(info.name.lstrip("./"), content))
                          for info, content in outer])


def member(members: Members, path: str) -> Optional[int]:
    return next((number for number, (info, _) in enumerate(members)
                 if info.name.lstrip("./") == path), None)


def same_size(text: bytes, size: int) -> bytes:
    """`text` cut or padded to `size` bytes: another content of the very same size."""
    return (text * (size // max(len(text), 1) + 1))[:size]


# -- answers ----------------------------------------------------------------------------------


def json_lie(name: str, claim: str, method: str, path: str,
             edit: Callable[[Request, object], object], *,
             when: Callable[[Request], bool] = lambda request: True) -> Lie:
    """A lie that edits a JSON answer (None from `edit`: the truth)."""
    def rewrite(request: Request, truth: Answer) -> Optional[Answer]:
        if truth.status >= 300 or not when(request):
            return None
        told = edit(request, truth.json())
        return None if told is None else truth.with_json(told)

    return Lie(name, claim, method, path, rewrite)


def refusal_lie(name: str, claim: str, method: str, path: str, status: int, words: str) -> Lie:
    """A lie that gives another reason for a refusal the engine made: another status and words.
    Only refusals are rewritten: what the engine accepts passes as it is."""
    def rewrite(request: Request, truth: Answer) -> Optional[Answer]:
        if truth.status < 400:
            return None
        return truth.with_json({"message": f"{words} ({MARK}: {name})"}, status)

    return Lie(name, claim, method, path, rewrite)


def stream_lie(name: str, claim: str, method: str, path: str,
               edit: Callable[[list[dict]], Optional[list[dict]]]) -> Lie:
    """A lie that edits a JSON message stream (load, import)."""
    def rewrite(request: Request, truth: Answer) -> Optional[Answer]:
        if truth.status >= 300:
            return None
        decoder, text, messages, at = json.JSONDecoder(), truth.body.decode(), [], 0
        while at < len(text):
            if text[at].isspace():
                at += 1
                continue
            message, at = decoder.raw_decode(text, at)
            messages.append(message)
        told = edit(messages)
        if told is None:
            return None
        return truth.with_body("".join(json.dumps(m) + "\r\n" for m in told).encode())

    return Lie(name, claim, method, path, rewrite)


def tar_lie(name: str, claim: str, method: str, path: str,
            edit: Callable[[bytes], Optional[bytes]]) -> Lie:
    def rewrite(request: Request, truth: Answer) -> Optional[Answer]:
        if truth.status >= 300:
            return None
        told = edit(truth.body)
        return None if told is None else truth.with_body(told)

    return Lie(name, claim, method, path, rewrite)


# -- the lies, by claim -----------------------------------------------------------------------

INSPECT = "GET", r"/images/(?P<name>.+)/json"
HISTORY = "GET", r"/images/(?P<name>.+)/history"
SAVE = "GET", r"/images/(?P<name>.+)/get"
CONTAINER = "GET", r"/containers/(?P<id>[^/]+)/json"
CHANGES = "GET", r"/containers/(?P<id>[^/]+)/changes"
EXPORT = "GET", r"/containers/(?P<id>[^/]+)/export"
LIST = "GET", r"/containers/json"
LOAD = "POST", r"/images/load"


def c01_digests_all_the_first() -> Lie:
    """Every layer digest replaced by the first: as many layers, all the same one."""
    def edit(request, image):
        layers = image.get("RootFS", {}).get("Layers") or []
        if len(layers) < 2:
            return None
        image["RootFS"]["Layers"] = [layers[0]] * len(layers)
        return image

    return json_lie("layer digests all the first", "C01", *INSPECT, edit)


def c01_copy_rows_rotated() -> Lie:
    """The history's COPY rows rotated by one: as many rows, the same keywords, in their
    places, but each names another step."""
    def edit(request, rows):
        copies = [number for number, row in enumerate(rows) if " COPY " in f" {row['CreatedBy']}"
                  or "#(nop) COPY" in row["CreatedBy"]]
        if len(copies) < 2:
            return None
        moved = [rows[number] for number in copies]
        for number, row in zip(copies, moved[1:] + moved[:1]):
            rows[number] = row
        return rows

    return json_lie("history's COPY rows rotated", "C01", *HISTORY, edit)


UPPER = LAYERED.file("upper/shadowed.txt")
LOWER = LAYERED.file("lower/shadowed.txt")
SHADOWED = "claims/shadowed.txt"


def _layer_holding(layers: list[Members], content: bytes) -> Optional[tuple[Members, int]]:
    for layer in layers:
        at = member(layer, SHADOWED)
        if at is not None and layer[at][1] == content:
            return layer, at
    return None


def c01_layer_content_changed() -> Lie:
    """The `COPY upper/` layer's shadowed.txt holds other bytes, of the same size; the image's
    config and diff ids stay as they were."""
    def edit(layers):
        found = _layer_holding(layers, UPPER)
        if found is None:
            return False
        layer, at = found
        layer[at] = (layer[at][0], same_size(b"not what COPY upper/ wrote\n", len(UPPER)))
        return True

    return tar_lie("a layer's content changed", "C01", *SAVE,
                   lambda save: rewrite_layers(save, edit))


def c02_versions_swapped() -> Lie:
    """The two layers that write shadowed.txt hold each other's version."""
    def edit(layers):
        upper, lower = _layer_holding(layers, UPPER), _layer_holding(layers, LOWER)
        if upper is None or lower is None:
            return False
        (up, u), (low, lo) = upper, lower
        up[u], low[lo] = (up[u][0], LOWER), (low[lo][0], UPPER)
        return True

    return tar_lie("the layers hold each other's version", "C02", *SAVE,
                   lambda save: rewrite_layers(save, edit))


def c03_diff_lists_nothing() -> Lie:
    return json_lie("docker diff lists nothing", "C03", *CHANGES, lambda request, rows: [])


def c03_layers_changed_after_the_first_save() -> Lie:
    """Like files written straight into the image's top layer on the host: from the second
    save of an image on, its top layer holds one more file (diff ids unchanged)."""
    saves: dict[str, int] = {}

    def rewrite(request: Request, truth: Answer) -> Optional[Answer]:
        name = request.path
        saves[name] = saves.get(name, 0) + 1
        if truth.status >= 300 or saves[name] < 2:
            return None

        def edit(layers):
            info = tarfile.TarInfo("claims/leaked.txt")
            layers[-1].append((info, b"written into the image's top layer\n"))
            return True

        told = rewrite_layers(truth.body, edit)
        return None if told is None else truth.with_body(told)

    return Lie("the image's layers changed after its first save", "C03", *SAVE, rewrite)


def c03_fresh_export_holds_the_writes() -> Lie:
    """The export of a container that changed nothing holds a file another container wrote."""
    def edit(export):
        members = read_members(export)
        if member(members, SHADOWED) is None or member(members, "claims/leaked.txt") is not None:
            return None
        members.append((tarfile.TarInfo("claims/leaked.txt"), b"another container's write\n"))
        return write_members(members)

    return tar_lie("a fresh container's export holds another's writes", "C03", *EXPORT, edit)


def c04_diff_drops_the_deletion() -> Lie:
    return json_lie("docker diff leaves the deletion out", "C04", *CHANGES,
                    lambda request, rows: [row for row in rows or [] if row["Kind"] != 2])


def listed_as(name: str, claim: str, state: str, status: str) -> Lie:
    """`docker ps -a` lists the containers in state `state` as running, `status`."""
    def edit(request, rows):
        for row in rows:
            if row.get("State") == state:
                row.update(State="running", Status=status)
        return rows

    return json_lie(name, claim, *LIST, edit)


def c05_exited_listed_as_running() -> Lie:
    return listed_as("an exited container listed as running", "C05", "exited", "Up 3 seconds")


def c06_export_lacks_the_copied_file() -> Lie:
    """The export of a created container leaves out the file copied into it."""
    def edit(export):
        members = read_members(export)
        copied = [m for m in members if m[0].name.lstrip("./").startswith("claims/")
                  and "copied" in m[0].name]
        if not copied:
            return None
        return write_members([m for m in members if m not in copied])

    return tar_lie("a created container's export lacks the file copied in", "C06", *EXPORT, edit)


def c07_created_has_a_process() -> Lie:
    def edit(request, found):
        state = found.get("State") or {}
        if state.get("Status") != "created":
            return None
        state["Pid"] = 4242
        return found

    return json_lie("a created container has a process", "C07", *CONTAINER, edit)


def c08_sandbox_key_elsewhere() -> Lie:
    """A running container's sandbox key names an entry the netns directory does not hold."""
    def edit(request, found):
        settings = found.get("NetworkSettings") or {}
        key = settings.get("SandboxKey") or ""
        if not (found.get("State") or {}).get("Running") or not key or key.endswith("/default"):
            return None
        settings["SandboxKey"] = key.rsplit("/", 1)[0] + "/0123456789ab"
        return found

    return json_lie("the sandbox key names another entry", "C08", *CONTAINER, edit)


def c09_refusals_for_other_reasons() -> list[Lie]:
    """Each crossed pair refused, but for a reason that is not the crossing."""
    load = "load of an export fails for another reason"

    def load_error(messages):
        if not any("error" in m for m in messages):
            return None
        text = f"write /var/lib/docker/tmp: no space left on device ({MARK}: {load})"
        return [{"errorDetail": {"message": text}, "error": text}]

    return [
        stream_lie(load, "C09", *LOAD, load_error),
        refusal_lie("export of an image refused for another reason", "C09", *EXPORT, 500,
                    "the engine is shutting down"),
        refusal_lie("save of a container refused for another reason", "C09", *SAVE, 500,
                    "layer store is locked"),
        refusal_lie("the imported save fails to start for another reason", "C09", "POST",
                    r"/containers/(?P<id>[^/]+)/start", 500,
                    "cgroup setup failed: device or resource busy"),
    ]


def c10_load_names_nothing() -> Lie:
    """`docker load` succeeds but says it loaded nothing."""
    def edit(messages):
        kept = [m for m in messages if "Loaded image" not in m.get("stream", "")]
        return kept if len(kept) < len(messages) else None

    return stream_lie("load says it loaded nothing", "C10", *LOAD, edit)


def c11_export_holds_a_same_size_version() -> Lie:
    """The export holds shadowed.txt as bytes of the upper version's size that are not it."""
    def edit(export):
        members = read_members(export)
        at = member(members, SHADOWED)
        if at is None or members[at][1] != UPPER:
            return None
        members[at] = (members[at][0], same_size(LOWER, len(UPPER)))
        return write_members(members)

    return tar_lie("the export holds another shadowed.txt of the same size", "C11", *EXPORT,
                   edit)


def c12_lies() -> list[Lie]:
    return [
        refusal_lie("a container of the import refused for another reason", "C12", "POST",
                    r"/containers/create", 500, "no space left on device"),
    ]


def c13_history_by_name_one_row(claim: str = "C13") -> Lie:
    """Asked by the image's name (as `docker history NAME` asks), history answers its top row
    only; asked by id, it answers the truth."""
    return json_lie("history by name answers one row", claim, *HISTORY,
                    lambda request, rows: rows[:1] if len(rows) > 1 else None, when=by_name)


def c15_created_listed_as_up() -> Lie:
    return listed_as("a created container listed as up", "C15", "created", "Up 4 seconds")


def c15_swarm_setting_flipped() -> Lie:
    """The engine says it is in the other swarm setting: a swarm node with an ingress network
    (the article's, vg6yiuz1vw...) where it is none, or none where it is one. Its netns
    directory then lacks, or holds, the ingress sandboxes it should."""
    ingress = {"Name": "ingress", "Id": "vg6yiuz1vwqe7d0c3bkd8hl3c", "Driver": "overlay",
               "Scope": "swarm", "Ingress": True, "Labels": {}}

    def edit(request, found):
        if request.path == "/info":
            swarm = found.setdefault("Swarm", {})
            swarm["LocalNodeState"] = ("inactive" if swarm.get("LocalNodeState") == "active"
                                       else "active")
            return found
        overlays = '"overlay"' in "".join(request.query.get("filters", []))
        if not overlays or any(network.get("Ingress") for network in found):
            return None  # the sweep's listings by label, or a real swarm's
        return [*found, ingress]

    return json_lie("the engine's swarm setting flipped", "C15", "GET", r"/(info|networks)",
                    edit)


@dataclass
class Telling:
    """One behave run: `claim` alone, through proxies telling `lies` (first engine) and
    `node2_lies` (second engine)."""

    name: str
    claim: str
    lies: list[Lie] = field(default_factory=list)
    node2_lies: list[Lie] = field(default_factory=list)

    @property
    def grouped(self) -> bool:
        return len(self.lies) + len(self.node2_lies) > 1

    def all_lies(self) -> list[Lie]:
        return [*self.lies, *self.node2_lies]


def tellings() -> list[Telling]:
    """Every run of the harness, made afresh (lies count what they told)."""
    single = [c01_digests_all_the_first(), c01_copy_rows_rotated(), c01_layer_content_changed(),
              c02_versions_swapped(), c03_diff_lists_nothing(),
              c03_layers_changed_after_the_first_save(), c03_fresh_export_holds_the_writes(),
              c04_diff_drops_the_deletion(), c05_exited_listed_as_running(),
              c06_export_lacks_the_copied_file(), c07_created_has_a_process(),
              c08_sandbox_key_elsewhere(), c10_load_names_nothing(),
              c11_export_holds_a_same_size_version(), c13_history_by_name_one_row(),
              c15_created_listed_as_up(), c15_swarm_setting_flipped()]
    runs = [Telling(lie.name, lie.claim, [lie]) for lie in single]
    runs.append(Telling("refusals for other reasons", "C09", c09_refusals_for_other_reasons()))
    runs.append(Telling("import refused for another reason", "C12", c12_lies()))
    runs.append(Telling("history by name answers one row, on the second engine", "C14",
                        node2_lies=[c13_history_by_name_one_row("C14")]))
    return runs


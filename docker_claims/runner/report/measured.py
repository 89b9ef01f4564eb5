"""What a run measured of each claim, in one line: made from the facts its checks returned
(claims.json's `measured`), never written down. A claim's line is its parts in order, each a
template over named facts; a part whose facts the run did not record says so ("the history:
not observed") rather than guess. Parts marked as a nuance's are said with that nuance's name
instead (what the article leaves out, and what this run measured of it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Missing(LookupError):
    """A fact the template needs was not recorded by this run."""


class Facts:
    """A claim's (or a scenario's) facts, read by path: f("layers", "count")."""

    def __init__(self, data: dict[str, Any]):
        self.data = data or {}

    def __call__(self, *path: str) -> Any:
        value: Any = self.data
        for key in path:
            if not isinstance(value, dict) or key not in value:
                raise Missing(".".join(path))
            value = value[key]
        return value

    def has(self, *path: str) -> bool:
        try:
            self(*path)
        except Missing:
            return False
        return True


@dataclass(frozen=True)
class Part:
    what: str
    """What the part tells, named when its facts are missing."""
    say: Callable[[Facts], str]
    nuance: bool = False
    """Said with the nuance's name (the scenario tagged @nuance that measured it)."""

    def render(self, facts: Facts) -> str | None:
        try:
            return self.say(facts)
        except Missing:
            return None


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def listed(items: list) -> str:
    items = [str(item) for item in items]
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def short(image_id: str) -> str:
    """An id as the CLI's tables show it: 12 hex digits."""
    return str(image_id).split(":")[-1][:12]


def _reads(f: Facts) -> str:
    paths = {path: facts for path, facts in f("paths").items() if "read_from_layer" in facts}
    if not paths:
        raise Missing("paths.*.read_from_layer")
    return "; ".join(f"`{path}` read as layer {facts['read_from_layer']} has it (layers "
                     f"{listed(facts.get('held_by_layers', []))} hold it)"
                     if len(facts.get("held_by_layers", [])) > 1 else
                     f"`{path}` read as layer {facts['read_from_layer']}, the only one holding "
                     "it, has it" for path, facts in paths.items())


def _whiteout(f: Facts) -> str:
    deleted = [(path, facts) for path, facts in f("paths").items() if "whiteout" in facts]
    if not deleted:
        raise Missing("paths.*.whiteout")
    path, facts = deleted[0]
    return (f"`{path}` is not found, layer {facts['whiteout_in_layer']} holding the whiteout "
            f"`{facts['whiteout']}` over layer {listed(facts.get('held_by_layers', []))}'s file")


def _changes(f: Facts) -> str:
    count = sum(f("changes", kind) for kind in ("added", "changed", "deleted"))
    return (f"{plural(count, 'write')} ({f('changes', 'added')} added, "
            f"{f('changes', 'changed')} changed, {f('changes', 'deleted')} deleted)")


def _listed(f: Facts) -> str:
    return "`docker ps -a` lists it " + ", ".join(
        f"{state} (`{status}`)" for state, status in f("listed").items())


def _refusals(f: Facts) -> str:
    refused = f("refused")
    said = {"load": "a load of an export", "export": "an export of an image",
            "save": "a save of a container"}
    if not set(said) <= set(refused):
        raise Missing("refused")
    return "crossed, " + ", ".join(
        f"{said[verb]} refused" + (f" ({refused[verb]})" if refused[verb] else "")
        for verb in said)


def _import_of_a_save(f: Facts) -> str:
    how = (f"refused with {f('import_of_a_save', 'refused_with')}"
           if f("import_of_a_save", "refused_with") else
           f"exit {f('import_of_a_save', 'exit_code')}")
    return (f"an import of a save tar holds its {f('import_of_a_save', 'files')} archive "
            f"files, none of the image's, and cannot run its command ({how})")


def _replay(f: Facts) -> str:
    """How the replay of the article's session compared, over all its commands."""
    fields = [field for exchange in f("session").values()
              for field in (exchange.get("fields") or {}).values()]
    if not fields:
        raise Missing("session.*.fields")
    matching = sum(field["matches"] is True for field in fields)
    compared = sum(field["matches"] is not None for field in fields)
    expected = len(fields) - compared
    return (f"{matching} of {plural(compared, 'compared field')} as the article's, "
            f"{expected} expected to differ (ids, times, names)")


MEASURED: dict[str, tuple[Part, ...]] = {
    "C01": (
        Part("the layers", lambda f: f"{f('layers', 'count')} layers for the "
             f"{f('layers', 'filesystem_steps')} filesystem-changing steps"),
        Part("the layers' contents", lambda f: (
            f"their {f('layer_tars', 'hash_to_their_digests')} tars hash to their digests and "
            f"hold their steps' files ("
            + ", ".join(str(n) for n in f("layer_tars", "files_per_layer")) + ")")),
        Part("the history", lambda f: f"{plural(f('history', 'rows'), 'history row')} for the "
             f"{f('history', 'build_steps')} build steps, in order"),
    ),
    "C02": (
        Part("the lookups", _reads),
        Part("the deleted file", _whiteout, nuance=True),
    ),
    "C03": (
        Part("the image after the writes", lambda f: (
            f"after {_changes(f)}, the image kept its id and its "
            f"{f('after_the_writes', 'same_id_and_digests')} layer digests")),
        Part("its layers saved again", lambda f: (
            f"saved again, its {f('after_the_writes', 'layers_saved_again')} layers hash to "
            f"them and hold the same {f('after_the_writes', 'files_unchanged')} files")),
        Part("a new container", lambda f: (
            f"a new container holds the image's {f('new_container', 'image_paths')} paths as "
            f"its layers have them, and {f('new_container', 'prepared_paths')} the engine "
            "prepares")),
    ),
    "C04": (
        Part("the container's changes", lambda f: f"`docker diff` lists its {_changes(f)}"),
        Part("the commit", lambda f: (
            f"committed: {f('commit', 'committed_layers')} layers, the image's "
            f"{f('commit', 'image_layers')} and one on top")),
        Part("the writable layer's directory", lambda f: (
            f"the writable layer's directory is a full copy of the image's "
            f"{f('writable_layer_dir', 'image_entries')} entries with the changes made to it"
            if f("writable_layer_dir", "full_copy") else
            f"the writable layer's directory holds exactly the changes "
            f"({plural(f('writable_layer_dir', 'paths'), 'path')}, "
            f"{plural(f('writable_layer_dir', 'whiteouts'), 'whiteout')})")),
        Part("the init layer", lambda f: (
            f"an init layer lies between it and the image's "
            f"{f('init_layer', 'image_layers_below')} layers, holding "
            f"{listed([f'`{name}`' for name in f('init_layer', 'files')])}"), nuance=True),
    ),
    "C05": (
        Part("the listing", _listed),
        Part("the file after a stop", lambda f: (
            f"a file written before a stop ({f('after_stop', 'copied_out_bytes')} bytes) is "
            f"copied out and exported ({f('exported', 'bytes')} bytes) after it")),
        Part("the file after a restart", lambda f: (
            f"one is read back after a restart ({f('after_restart', 'read_bytes')} bytes)")),
    ),
    "C06": (
        Part("the container's changes", lambda f: (
            f"a file copied into a container never started (Pid {f('never_started', 'pid')}, "
            f"`{f('never_started', 'status')}`) is listed by `docker diff` as "
            f"{f('copied_in', 'listed_as')}")),
        Part("its export", lambda f: f"its export holds it ({f('exported', 'bytes')} bytes)"),
        Part("the writable layer's directory", lambda f: (
            ("its writable layer's directory holds it"
             + (f", a full copy of the image's {f('writable_layer_dir', 'image_entries')} "
                "entries besides" if f("writable_layer_dir", "full_copy") else ""))
            if f("writable_layer_dir", "holds") else "")),
    ),
    "C07": (
        Part("the created container", lambda f: (
            f"created: Pid {f('created', 'pid')}, "
            + ("no sandbox key" if not f("created", "sandbox_key") else "a sandbox key"))),
        Part("the netns directory", lambda f: (
            f"netns entry `{f('netns_entry', 'entry')}` appeared only at start "
            f"({f('netns_entry', 'entries_before')} entries before, "
            f"{f('netns_entry', 'entries_after')} after)")),
    ),
    "C08": (
        Part("the namespaces at start", lambda f: (
            f"own {listed(f('started', 'own_namespaces'))} namespaces; netns entry "
            f"`{f('started', 'netns_entry')}`, a namespace mount")),
        Part("the stop", lambda f: (
            "unmounted at the stop" + (", its empty entry file left for the engine's garbage "
                                       "collector" if f("stopped", "entry_file_left") else ""))),
        Part("the user namespace", lambda f: (
            f"user namespace {f('namespaces', 'user', 'is')} "
            f"({f('namespaces', 'user', 'set_by')})"), nuance=True),
        Part("the cgroup namespace", lambda f: (
            f"cgroup namespace {f('namespaces', 'cgroup', 'is')} "
            f"({f('namespaces', 'cgroup', 'set_by')})"), nuance=True),
        Part("the host network", lambda f: (
            f"on the host network, netns entry `{f('host_network', 'netns_entry')}`, no new "
            f"one, and the runtime's {f('shared_namespace')} namespace"), nuance=True),
    ),
    "C09": (
        Part("export and import", lambda f: (
            f"an export, imported, runs the image's command (exit "
            f"{f('import_of_an_export', 'runs', 'exit_code')}) and shows its "
            f"{f('import_of_an_export', 'writes_seen')} changes")),
        Part("save and load", lambda f: (
            f"saved, removed and loaded, the image is back as `{short(f('loaded_back', 'id'))}` "
            f"and runs (exit {f('loaded_back', 'runs', 'exit_code')})")),
        Part("the crossed pairs", _refusals),
        Part("the import of a save tar", _import_of_a_save),
    ),
    "C10": (
        Part("the help texts", lambda f: listed([f"`{command}`" for command in f("prints")])
             + " print the article's words"),
        Part("standard input", lambda f: (
            f"`docker load` from standard input brought back "
            f"`{short(f('stdin', 'docker load'))}`; `docker import -` made one layer, the tar's "
            f"`{short(f('stdin', 'docker import -'))}`")),
    ),
    "C11": (
        Part("the merged view", lambda f: (
            f"the export holds the {f('export', 'visible_paths')} paths the layers leave "
            f"visible, as the topmost has them, not the "
            f"{plural(f('export', 'hidden_paths_left_out'), 'path')} an upper layer hides")),
        Part("the shadowed and deleted files", lambda f: "; ".join(
            [f"`{path}` as layer {layer} has it" for path, layer in
             f("export", "version_of").items()]
            + [f"no `{path}`" for path in f("export", "lacks")])),
        Part("the container's writes", lambda f: (
            f"the {plural(f('export', 'writes_held'), 'path')} the container added or changed, "
            f"not the {plural(f('export', 'deletions_left_out'), 'path')} it deleted")),
        Part("the import", lambda f: (
            f"imported: {plural(f('imported', 'layers'), 'layer')} (the image has "
            f"{f('imported', 'image_layers')})")),
        Part("what the engine prepared", lambda f: (
            f"`{f('prepared', 'path')}` and {f('prepared', 'paths') - 1} more paths the engine "
            "prepared are exported"), nuance=True),
        Part("the volume", lambda f: (
            f"`{f('volume', 'path')}`, in a volume, is "
            + ("not exported" if not f("volume", "exported") else "exported")), nuance=True),
    ),
    "C12": (
        Part("the history", lambda f: (
            f"{plural(f('history', 'rows'), 'history row')} where the image has "
            f"{f('history', 'image_rows')}, naming no build step, "
            f"`{f('history', 'comment')}`")),
        Part("the config", lambda f: (
            f"{listed(f('config', 'lost'))} lost (no command to run: refused with "
            f"{f('no_command', 'refused_with')})")),
        Part("the config given as changes", lambda f: (
            f"{listed(f('config', 'kept_as_changes'))} kept when given as changes")),
        Part("the two imports", lambda f: (
            f"two imports: {f('two_imports', 'ids')} ids over "
            f"{plural(f('two_imports', 'layers'), 'layer')}")),
        Part("the CLI's import", lambda f: (
            f"`docker import` of the file: {plural(f('cli_import', 'layers'), 'layer')}")),
    ),
    "C13": (
        Part("the save tar", lambda f: (
            f"the save tar ({f('save_tar', 'layout')} layout) holds "
            f"{f('save_tar', 'layers')} layers hashing to their digests, the config, "
            f"{plural(len(f('save_tar', 'tags')), 'tag')} and "
            f"{f('save_tar', 'history_entries')} history entries")),
        Part("the loaded image", lambda f: (
            f"loaded: the same id `{short(f('loaded', 'id'))}`, {f('loaded', 'layers')} layers, "
            f"config and {f('loaded', 'history_rows')} history rows")),
        Part("the intermediate images", lambda f: (
            f"{plural(f('intermediates', 'missing_after'), 'row')} that named intermediate "
            "images show `<missing>`"), nuance=True),
    ),
    "C14": (
        Part("the replay", _replay),
        Part("the import on the second engine", lambda f: (
            f"on the second engine, `docker import` printed "
            f"`sha256:{short(f('import_printed', 'id'))}…`, an image holding "
            f"`{f('imported_holds')}`")),
        Part("its history", lambda f: (
            f"its history: {plural(f('history', 'rows'), 'row')}, no build step, "
            f"`{f('history', 'comment')}`, {f('history', 'size')}")),
        Part("save and load", lambda f: (
            "save and load instead: the same image"
            + ("" if f("save_and_load", "same_id") else " (under another id)")
            + f", all {f('save_and_load', 'history_rows_kept')} history rows")),
    ),
    "C15": (
        Part("the replay", _replay),
        Part("create", lambda f: (
            f"`docker create` printed the container's {f('create_printed', 'id_digits')}-hex "
            "id")),
        Part("the listings", lambda f: (
            f"`docker ps -a`: the article's {f('columns')} columns, "
            + " then ".join(f"`{status}`" for status in f("listed").values()))),
        Part("the netns directory", lambda f: (
            f"the netns directory gained `{f('netns_gained', 'entry')}`")),
        Part("the swarm's entries", lambda f: (
            f"a swarm node: its listing holds its swarm's own "
            f"{listed([f'`{e}`' for e in f('swarm_setting', 'entries')])} before and after the "
            "start, as the article's does" if f("swarm_setting", "swarm_node") else
            f"not a swarm node: its listing holds none of the article's "
            f"{listed([f'`{e}`' for e in f('swarm_setting', 'article')])}"), nuance=True),
    ),
}


NOT_OBSERVED = "not observed"


def line(claim: dict[str, Any]) -> str | None:
    """What the run measured of the claim, or None for a claim with no template. A claim that
    holds with a nuance says its nuances' parts with their names (words.reason), not here."""
    with_nuances = claim["verdict"] != "holds_with_nuance"
    parts = [part for part in MEASURED.get(claim["id"], ()) if with_nuances or not part.nuance]
    if not parts:
        return None
    facts = Facts(claim.get("measured") or {})
    if not facts.data:
        return "nothing"
    said = [part.render(facts) for part in parts]
    return "; ".join(text if text is not None else f"{part.what}: {NOT_OBSERVED}"
                     for part, text in zip(parts, said) if text != "")


def nuance_value(claim_id: str, scenario: dict[str, Any]) -> str | None:
    """What a nuance scenario measured of what the article leaves out, from its own facts;
    None when it recorded none (skipped, or failed before)."""
    facts = Facts(scenario.get("facts") or {})
    said = [part.render(facts) for part in MEASURED.get(claim_id, ()) if part.nuance]
    said = [text for text in said if text]
    return "; ".join(said) or None

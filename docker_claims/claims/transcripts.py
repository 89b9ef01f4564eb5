"""C14-C15: the article's two shell transcripts, replayed through the docker CLI.

The article shows two sessions at a prompt (C15: create, ps, start, the netns listing; C14:
run, export, scp to another node, import, history there). features/transcripts.feature quotes
each once, as a docstring, and its step hands it to `Transcript.parse`. Replaying them is
documentation-as-tests: the same commands run through the `docker` CLI against the live engine,
and the output's *shape* is compared with the article's: a 64-hex id, the table headers'
columns, one history row with an empty CREATED BY and the article's comment, a status's first
word. Every expected shape is read from the article's text with the parser that reads the live
output (the unit tests, reading the feature file, check that the article passes its own
checks); no output of a run is written down here.

Each check also returns, as facts, the replay of the article's command it judged: what the
engine printed (of a table, only the header and the run's own row) and every field it compared,
matching or not, beside the fields expected to differ (ids, times, names). The report lays the
article's session and the replay side by side from these: its marks are the checks' own.

What the replay adds to the article's commands (the suite's own names, labels and no network)
is engine.cli_commands'; `ls /run/docker/netns/` is read on the engine host through the host
reader (engine.host_namespaces), and the export travels as a file spooled to disk, which is
what `scp` moved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docker_claims.claims import namespaces
from docker_claims.engine.cli_output import (
    HUMAN_SIZE,
    CliContainer,
    CliRun,
    Table,
    human_size,
    parse_table,
    status_word,
)
from docker_claims.engine.records import Fingerprint, Identity, NetnsListing
from docker_claims.evidence import Observation, expect

PROMPT = re.compile(r"^\[[^\]]*\][#$] (?P<command>.*?)\s*$")
"""A shell prompt line of the transcripts: `[root@node01 ~]# COMMAND`."""

FULL_ID = re.compile(r"[0-9a-f]{64}")
"""What `docker create` prints: a container id in full."""

IMAGE_ID = re.compile(r"sha256:[0-9a-f]{64}")
"""What `docker import` prints: an image id in full, with its algorithm."""

SHORT_ID = 12
"""Tables show ids cut to 12 hex digits (the article's 533e04b09b6f, 4d5af6567f05)."""

NETNS_ENTRY = re.compile(r"[0-9a-f]{12}")
"""The shape of the entry a start adds to the netns directory (the article's 3a960bf7f4af)."""

ARTICLE_IMAGE = "busybox"
"""The image the article's sessions run; the replays run the busybox fixture in its place."""


GO_TYPE_BITS = (1 << 31) | (1 << 27) | (1 << 26) | (1 << 25) | (1 << 24) | (1 << 21) | (1 << 19)
"""The bits of a Go file mode (the engine's path stat) that make it other than a regular file:
directory, symlink, device, named pipe, socket, character device, irregular."""


# Reading transcripts and tables.

@dataclass(frozen=True)
class Exchange:
    """One command at the prompt and the lines it printed."""

    command: str
    output: tuple[str, ...]


@dataclass(frozen=True)
class Transcript:
    """One of the article's sessions at the prompt, as transcripts.feature quotes it: its
    commands, each with the lines it printed."""

    exchanges: tuple[Exchange, ...]

    @classmethod
    def parse(cls, text: str) -> Transcript:
        found: list[tuple[str, list[str]]] = []
        for line in text.splitlines():
            prompt = PROMPT.match(line)
            if prompt:
                found.append((prompt.group("command"), []))
            elif found:
                found[-1][1].append(line.rstrip())
        if not found:
            raise ValueError(f"no command at a prompt ([user@host dir]# ...) in: {text!r}")
        return cls(tuple(Exchange(command, tuple(output)) for command, output in found))

    def commands(self) -> list[str]:
        return [exchange.command for exchange in self.exchanges]

    def output(self, command: str, nth: int = 0) -> tuple[str, ...]:
        """What the `nth` command starting with `command` printed."""
        matching = [e for e in self.exchanges if e.command.startswith(command)]
        if len(matching) <= nth:
            raise ValueError(f"the article's session has no command {nth + 1} starting with "
                             f"{command!r}: {self.commands()}")
        return matching[nth].output

    def table(self, command: str, nth: int = 0) -> Table:
        return parse_table(self.output(command, nth))

    def words(self, command: str, nth: int = 0) -> frozenset[str]:
        return frozenset(" ".join(self.output(command, nth)).split())

    def index(self, command: str, nth: int = 0) -> int:
        """Where the `nth` command starting with `command` is in the session."""
        matching = [i for i, e in enumerate(self.exchanges) if e.command.startswith(command)]
        if len(matching) <= nth:
            raise ValueError(f"the article's session has no command {nth + 1} starting with "
                             f"{command!r}: {self.commands()}")
        return matching[nth]

    def facts(self) -> dict:
        """The session as the report's facts (`article_session`)."""
        return {"article_session": [{"command": e.command, "output": list(e.output)}
                                    for e in self.exchanges]}


# The replay of one command, as the report shows it beside the article's.

def compared(article: str | None, engine: str | None, matches: bool) -> dict:
    """A field the check compares: the article's value, the engine's, and whether the engine's
    is as the article's (by shape, or by what it stands for)."""
    return {"article": article, "engine": engine, "matches": bool(matches)}


def differs(article: str | None, engine: str | None) -> dict:
    """A field expected to differ from the article's (an id, a time, a name of the replay's)."""
    return {"article": article, "engine": engine, "matches": None}


_NOT_GIVEN = object()


def replay(index: int, replayed: str | None = None,
           printed: Sequence[str] | None | object = _NOT_GIVEN,
           fields: dict[str, dict] | None = None) -> dict:
    """The facts of the article's command number `index`, replayed: as `replayed` (a command
    line, or how it was replayed otherwise), what it `printed` (None: it was no CLI run, and
    printed nothing to put beside the article's), and the `fields` a check compared. A check
    that has not the run itself gives only its fields; the step that ran it gives the rest."""
    found: dict = {}
    if replayed is not None:
        found["replayed"] = replayed
    if printed is not _NOT_GIVEN:
        found["printed"] = None if printed is None else list(printed)
    if fields:
        found["fields"] = fields
    return {"session": {str(index): found}}


def replayed(article: Transcript, command: str, ran: CliRun) -> Observation:
    """What a replay step records: the CLI run, and the replay of the article's `command`
    (nothing of it compared: a check does that)."""
    return Observation(ran.evidence(), replay(article.index(command), ran.command, ran.lines()))


def replayed_otherwise(article: Transcript, command: str, how: str) -> dict:
    """The facts of an article's command the suite replays otherwise than by the CLI (the
    export to a file, the `scp` of it): `how`."""
    return replay(article.index(command), how, None)


# The replays.


# The checks.

def _one_line(ran: CliRun, what: str, facts: dict) -> str:
    lines = ran.lines()
    expect(len(lines) == 1, f"`{ran.command}` printed {len(lines)} lines, not one line: "
           f"{what}", facts=facts, **ran.evidence())
    return lines[0].strip()


def _printed_id(ran: CliRun, quoted: str, shape: re.Pattern, engine_id: str) -> dict:
    """The fields of a command that prints an id, as the article's prints `quoted`."""
    lines = ran.lines()
    printed = lines[0].strip() if len(lines) == 1 else "\n".join(lines)
    said = {FULL_ID: "64 hex digits", IMAGE_ID: "sha256: and 64 hex digits"}[shape]
    return {"one line": compared("1 line", f"{len(lines)} line{'' if len(lines) == 1 else 's'}",
                                 len(lines) == 1),
            f"the id: {said}": compared(quoted, printed, bool(shape.fullmatch(printed))),
            "the id the engine gave what it made": compared(None, engine_id,
                                                            printed == engine_id),
            "id": differs(quoted, printed)}


def check_create_output(ran: CliRun, engine_id: str, article: Transcript) -> Observation:
    """C15: `docker create` prints, as the article shows, the new container's id in full (64
    hex digits), and it is the id of the container the engine made."""
    index = article.index("docker create")
    quoted = article.exchanges[index].output[0]
    fields = _printed_id(ran, quoted, FULL_ID, engine_id)
    facts = {**replay(index, ran.command, ran.lines(), fields),
             "create_printed": {"id_digits": len(ran.stdout.strip()), "is_the_container": (
                 ran.stdout.strip() == engine_id)}}
    printed = _one_line(ran, "the new container's id", facts)
    observed = {**ran.evidence(), "article_printed": quoted, "engine_id": engine_id}
    expect(bool(FULL_ID.fullmatch(printed)), "`docker create` did not print a 64-hex id, as "
           "the article's transcript does", facts=facts, **observed)
    expect(printed == engine_id, "`docker create` printed another id than the engine gives the "
           "container it made", facts=facts, **observed)
    return Observation({"printed": printed, **observed}, facts)


def _listing_fields(table: Table, quoted: Table, row: dict | None, container: CliContainer,
                    wanted: str, container_id: str) -> dict[str, dict]:
    """What check_listed compares of `row` (None: not listed) with the article's row."""
    theirs = quoted.rows[0]
    mine = row or {}
    status = mine.get("STATUS", "")
    fields = {"columns": compared(", ".join(quoted.columns), ", ".join(table.columns),
                                  table.columns == quoted.columns),
              "the container listed": compared(theirs["NAMES"], mine.get("NAMES"),
                                               row is not None)}
    if row is None:
        return fields
    fields.update({
        "CONTAINER ID: the id cut to 12 digits": compared(
            theirs["CONTAINER ID"], row["CONTAINER ID"],
            row["CONTAINER ID"] == container_id[:SHORT_ID]),
        "IMAGE: the one it was created from": compared(theirs["IMAGE"], row["IMAGE"],
                                                       row["IMAGE"] == container.image),
        "COMMAND": compared(theirs["COMMAND"], row["COMMAND"],
                            row["COMMAND"] == theirs["COMMAND"]),
        "STATUS: its first word": compared(status_word(theirs["STATUS"]), status_word(status),
                                           status_word(status) == wanted),
    })
    if len(theirs["STATUS"].split()) > 1:  # Up <how long>
        fields["STATUS: says for how long"] = compared(theirs["STATUS"], status,
                                                       len(status.split()) > 1)
    fields.update({
        "CREATED: a time ago": compared(theirs["CREATED"], row["CREATED"],
                                        row["CREATED"].endswith(" ago")),
        "PORTS: empty": compared(theirs["PORTS"], row["PORTS"], row["PORTS"] == ""),
        "NAMES": differs(theirs["NAMES"], row["NAMES"]),
    })
    return fields


def check_listed(table: Table, container: CliContainer, wanted: str, container_id: str,
                 article: Transcript) -> Observation:
    """C15: `docker ps -a` has the article's columns, and lists the container (its id cut to
    12 digits, its image, its command) with the status word `wanted` (Created, Up), shaped as
    the article's listing that shows that word (`Up 4 seconds`: for how long)."""
    listings = [n for n, e in enumerate(article.exchanges) if e.command.startswith("docker ps")]
    index = next((n for n in listings if status_word(
        parse_table(article.exchanges[n].output).rows[0]["STATUS"]) == wanted), listings[0])
    quoted = parse_table(article.exchanges[index].output)
    row = table.row("NAMES", container.name)
    fields = _listing_fields(table, quoted, row, container, wanted, container_id)
    facts = {**replay(index, "docker ps -a", table.printed(row), fields),
             "listed": {wanted: row["STATUS"] if row else None},
             "columns": len(table.columns)}
    observed = {"columns": list(table.columns), "article_columns": list(quoted.columns),
                "row": row, "name": container.name, "wanted": wanted}
    expect(table.columns == quoted.columns, "`docker ps -a` does not have the article's "
           "columns", facts=facts, **observed)
    expect(row is not None, f"`docker ps -a` does not list {container.name}", facts=facts,
           **observed, names=[r.get("NAMES") for r in table.rows], rows_of_others=table.others)
    expect(row["CONTAINER ID"] == container_id[:SHORT_ID],
           "the listed CONTAINER ID is not the container's id cut to 12 digits", facts=facts,
           container_id=container_id, **observed)
    expect(row["IMAGE"] == container.image and row["COMMAND"] == quoted.rows[0]["COMMAND"],
           "the listing does not show the image and command the container was created with",
           facts=facts, image=container.image, article_command=quoted.rows[0]["COMMAND"],
           **observed)
    word = status_word(row["STATUS"])
    expect(word == wanted, f"`docker ps -a` shows the container {row['STATUS']!r}, not "
           f"{wanted!r}", facts=facts, **observed)
    expect(fields.get("STATUS: says for how long", {"matches": True})["matches"],
           "the status does not say for how long the container has been up, as the article's "
           f"{quoted.rows[0]['STATUS']!r} does", facts=facts, **observed)
    expect(row["CREATED"].endswith(" ago") and row["PORTS"] == "",
           "the CREATED and PORTS cells are not shaped as the article's", facts=facts,
           **observed)
    return Observation(observed, facts)


def check_start_output(ran: CliRun, container: CliContainer, article: Transcript
                       ) -> Observation:
    """C15: `docker start NAME` prints the name back, as the article's transcript shows."""
    index = article.index("docker start")
    exchange = article.exchanges[index]
    quoted = exchange.command.split()[-1]
    lines = ran.lines()
    printed = lines[0].strip() if len(lines) == 1 else "\n".join(lines)
    fields = {"output: the name it was given": compared(
                  " ".join(exchange.output), printed, printed == container.name),
              "name": differs(quoted, container.name)}
    facts = {**replay(index, ran.command, lines, fields), "start_printed_the_name":
             printed == container.name}
    printed = _one_line(ran, "the container's name", facts)
    observed = {**ran.evidence(), "article_printed": list(exchange.output)}
    expect(printed == container.name, "`docker start` did not print the name it was given",
           facts=facts, name=container.name, **observed)
    return Observation(observed, facts)


def _listed(entries: frozenset[str], own: str) -> list[str]:
    """A netns listing as the report shows it: the container's own entry where listed, and
    how many others (other containers' sandboxes are not the run's to show)."""
    others = len(entries - {own})
    return ([own] if own in entries else []) + [f"({others} other entries)"]


def check_netns_gained(before: NetnsListing, sandbox_key: str, after: NetnsListing,
                       article: Transcript) -> Observation:
    """C15: across the start, the engine's netns listing gained the container's own entry
    (the one its sandbox key names; others may come and go), shaped as the article's."""
    first, second = article.index("ls", 0), article.index("ls", 1)
    gained = sorted(article.words("ls", 1) - article.words("ls", 0))
    theirs = gained[0] if len(gained) == 1 else " ".join(gained)
    entry = namespaces.entry_of(sandbox_key)
    how = f"ls {before.directory} on the engine host, by a helper container"
    facts = {
        **replay(first, how, _listed(before.entries, entry), {
            "the container's entry: not there yet": compared(
                f"{theirs} absent", f"{entry} absent" if entry not in before.entries
                else f"{entry} present", entry not in before.entries),
            "other entries": differs(" ".join(article.output("ls", 0)),
                                     f"{len(before.entries)} entries")}),
        "netns_gained": {"entry": entry, "entries_before": len(before.entries),
                         "entries_after": len(after.entries)}}
    merge = replay(second, how, _listed(after.entries, entry), {
        "the container's entry: added": compared(theirs, entry, entry in after.entries),
        "entry: 12 hex digits": compared(theirs, entry, bool(NETNS_ENTRY.fullmatch(entry))),
        "entry": differs(theirs, entry)})
    facts["session"].update(merge["session"])
    found = namespaces.check_entry_new(before, sandbox_key, after, facts=facts)
    observed = {**found, "article_gained": gained}
    expect(bool(NETNS_ENTRY.fullmatch(found["entry"])),
           f"the container's netns entry {found['entry']!r} is not 12 hex digits, as the "
           "article's is", facts=facts, **observed)
    return Observation(observed, facts)


SWARM_ENTRY = re.compile(r"ingress_sbox|1-[0-9a-z]{10}")
"""The shape of the netns entries a swarm node keeps for its ingress (the article's
`1-vg6yiuz1vw  ingress_sbox`): the ingress sandbox, and an overlay network's own sandbox."""


def check_swarm_entries(before: NetnsListing, sandbox_key: str, after: NetnsListing,
                        article: Transcript) -> Observation:
    """C15 nuance: the article's hosts were swarm nodes, and its listing shows, before the
    start and after, entries that are no container's: its swarm's ingress sandboxes; after the
    start, the container's own besides. An engine's listing holds them, before and after,
    exactly when the engine says it is a swarm node with an ingress network (SwarmSetting:
    Swarm.LocalNodeState, the ingress network's id); elsewhere it holds none of that shape;
    and it gains the container's own entry either way. What the run records names these, and
    counts the other entries."""
    own = namespaces.check_entry_new(before, sandbox_key, after)["entry"]
    kept = sorted(article.words("ls", 0) & article.words("ls", 1))
    setting = before.swarm
    wanted = setting.entries
    observed = {"swarm": setting.evidence(), "listed_before_start": before.evidence(own),
                "listed_after_start": after.evidence(own), "container_entry": own,
                "article_before_start": kept,
                "article_after_start": sorted(article.words("ls", 1))}
    expect(bool(kept) and all(SWARM_ENTRY.fullmatch(entry) for entry in kept),
           "the article's listing does not keep its swarm's entries across the start",
           **observed)
    if wanted:
        because = (f"the engine is a swarm node (Swarm.LocalNodeState {setting.node_state!r}) "
                   "with an ingress network, as the article's hosts were")
        for listing, when in ((before, "before"), (after, "after")):
            missing = sorted(wanted - listing.entries)
            expect(not missing, f"the engine is a swarm node, yet its netns listing {when} the "
                   f"start lacks its swarm's own entries {', '.join(missing)}", **observed)
        return Observation({"expected": "the swarm's own entries, before and after the start, "
                            "as in the article's listing", "because": because, **observed},
                           _swarm_facts(True, sorted(wanted), kept))
    because = (f"the engine is not a swarm node (Swarm.LocalNodeState {setting.node_state!r})"
               if not setting.active else "the engine is a swarm node without an ingress network")
    for listing, when in ((before, "before"), (after, "after")):
        swarmish = sorted(entry for entry in listing.entries if SWARM_ENTRY.fullmatch(entry))
        shown = [entry for entry in swarmish if entry in listing.engine_entries]
        expect(not swarmish, f"{because}, yet its netns listing {when} the start holds "
               f"{len(swarmish)} entries shaped as a swarm's ({', '.join(shown) or 'none named'}"
               "; an engine that left a swarm keeps them until its garbage collector removes "
               "them, up to a minute)", **observed)
    return Observation({"expected": "none of the swarm's entries the article's listing shows "
                        f"({', '.join(kept)})", "because": f"{because}, unlike the article's "
                        "hosts", **observed}, _swarm_facts(False, [], kept))


def _swarm_facts(swarm_node: bool, entries: list[str], article: list[str]) -> dict:
    return {"swarm_setting": {"swarm_node": swarm_node, "entries": entries, "article": article}}


def check_import_output(ran: CliRun, image_id: str, article: Transcript) -> Observation:
    """C14: `docker import` prints, as the article shows, `sha256:` and 64 hex digits: the id
    of the image the engine made."""
    index = article.index("docker import")
    quoted = article.exchanges[index].output[0]
    fields = _printed_id(ran, quoted, IMAGE_ID, image_id)
    facts = {**replay(index, ran.command, ran.lines(), fields),
             "import_printed": {"id": ran.stdout.strip(),
                                "is_the_image": ran.stdout.strip() == image_id}}
    printed = _one_line(ran, "the new image's id", facts)
    observed = {**ran.evidence(), "article_printed": quoted, "engine_id": image_id}
    expect(bool(IMAGE_ID.fullmatch(printed)), "`docker import` did not print sha256: and 64 hex "
           "digits, as the article's transcript does", facts=facts, **observed)
    expect(printed == image_id, "`docker import` printed another id than the engine gives the "
           "imported image", facts=facts, **observed)
    return Observation({"printed": printed, **observed}, facts)


def check_holds_file(stat: dict | None, path: str) -> Observation:
    """C14: the imported image's filesystem holds `path`, a regular file."""
    observed = {"path": path, "stat": stat}
    expect(stat is not None, f"the imported image does not hold {path}", **observed)
    mode = int(stat.get("mode") or 0)
    expect(not mode & GO_TYPE_BITS, f"{path} in the imported image is not a regular file (Go "
           f"file mode {mode:#x})", **observed)
    return Observation(observed, {"imported_holds": path})


def check_history_shape(table: Table, image_id: str, article: Transcript) -> Observation:
    """C14: `docker history` of the import has the article's columns and exactly one row, the
    image itself (its id cut to 12 digits)."""
    index = article.index("docker history")
    history = parse_table(article.exchanges[index].output)
    short = image_id.split(":")[-1][:SHORT_ID]
    mine = table.rows[0]["IMAGE"] if table.rows else None
    fields = {"columns": compared(", ".join(history.columns), ", ".join(table.columns),
                                  table.columns == history.columns),
              "rows": compared(str(len(history.rows)), str(len(table.rows)),
                               len(table.rows) == len(history.rows) == 1),
              "IMAGE: the image's id cut to 12 digits": compared(
                  history.rows[0]["IMAGE"], mine, mine == short)}
    facts = {**replay(index, fields=fields), "history": {"rows": len(table.rows)}}
    observed = {"columns": list(table.columns), "article_columns": list(history.columns),
                "rows": list(table.rows), "image_id": image_id}
    expect(table.columns == history.columns, "`docker history` does not have the article's "
           "columns", facts=facts, **observed)
    expect(len(table.rows) == len(history.rows) == 1,
           f"`docker history` of the import shows {len(table.rows)} rows, not one as the "
           "article's does", facts=facts, **observed)
    expect(mine == short, "the history row is not the imported image (its id cut to 12 "
           "digits)", facts=facts, **observed)
    return Observation(observed, facts)


def check_import_row(table: Table, size: int, article: Transcript) -> Observation:
    """C14: the import's history row names no build step (empty CREATED BY), carries the
    article's comment (`Imported from -`), and the size of the filesystem as the engine reports
    it for the image, printed as the CLI prints sizes."""
    index = article.index("docker history")
    quoted = parse_table(article.exchanges[index].output).rows[0]
    row = table.rows[0] if table.rows else {}
    fields = {
        "CREATED BY: empty, no build step": compared(
            quoted["CREATED BY"], row.get("CREATED BY"),
            row.get("CREATED BY") == quoted["CREATED BY"] == ""),
        "COMMENT": compared(quoted["COMMENT"], row.get("COMMENT"),
                            row.get("COMMENT") == quoted["COMMENT"]),
        "SIZE: shaped as a size": compared(quoted["SIZE"], row.get("SIZE"), bool(
            HUMAN_SIZE.fullmatch(row.get("SIZE", ""))) and size > 0),
        "SIZE: the image's size on this engine": compared(
            None, f"{human_size(size)} ({size} bytes)", row.get("SIZE") == human_size(size)),
        "CREATED: a time ago": compared(quoted["CREATED"], row.get("CREATED"),
                                        row.get("CREATED", "").endswith(" ago")),
        "IMAGE": differs(quoted["IMAGE"], row.get("IMAGE")),
    }
    facts = {**replay(index, fields=fields),
             "history": {"rows": len(table.rows), "created_by": row.get("CREATED BY"),
                         "comment": row.get("COMMENT"), "size": row.get("SIZE"),
                         "size_bytes": size}}
    observed = {"row": row, "article_row": quoted, "engine_size": size,
                "engine_size_printed": human_size(size)}
    expect(len(table.rows) == 1, "`docker history` of the import does not show one row",
           facts=facts, rows=list(table.rows), **observed)
    expect(row.get("CREATED BY") == quoted["CREATED BY"] == "",
           "the import's history row names a build step", facts=facts, **observed)
    expect(row.get("COMMENT") == quoted["COMMENT"],
           f"the import's history row does not say {quoted['COMMENT']!r}", facts=facts,
           **observed)
    expect(bool(HUMAN_SIZE.fullmatch(row.get("SIZE", ""))) and size > 0,
           "the import's history row has no size shaped as the article's", facts=facts,
           **observed)
    expect(row.get("SIZE") == human_size(size), "the import's history row does not show the "
           "size the engine reports for the image", facts=facts, **observed)
    expect(row.get("CREATED", "").endswith(" ago"), "the CREATED cell is not shaped as the "
           "article's", facts=facts, **observed)
    return Observation(observed, facts)


def check_loaded_same_image(saved: Identity, loaded: Identity | None,
                            present_before: bool) -> dict:
    """C14, by contrast: after save on one engine and load on the other, the other engine has
    the same image (and did not have it before the load): the same config digest and layer
    diff IDs, which every image store shares. The ids are compared too where both stores key
    images by their config (graphdriver); the containerd image store keys them by the
    manifest's digest, so there the ids may differ while the image is the same."""
    observed = {"saved": saved.evidence(), "loaded": loaded.evidence() if loaded else None,
                "present_on_second_engine_before_load": present_before}
    expect(not present_before, "the image was on the second engine before the load: the load "
           "shows nothing", **observed)
    expect(loaded is not None, "the second engine does not have the image after the load",
           **observed)
    expect(loaded.config_digest == saved.config_digest, "the loaded image has another config "
           "(its digest differs from the saved one's)", **observed)
    expect(loaded.diff_ids == saved.diff_ids, "the loaded image has other layers (diff IDs) "
           "than the saved one", **observed)
    ids = ("the same id" if loaded.image_id == saved.image_id else
           "other ids: an engine keys the image by its manifest's digest (the containerd image "
           "store), the other by its config's")
    return Observation({**observed, "ids": ids}, {"save_and_load": {
        "same_config_and_layers": len(loaded.diff_ids),
        "same_id": loaded.image_id == saved.image_id}})


HISTORY_FIELDS = ("Created", "CreatedBy", "Size", "Comment")
"""What a history row records of a build step; the Id column differs between engines for the
intermediate rows (the first engine still has the intermediate images, the second `<missing>`)."""


def history_record(rows: Iterable[dict], fields: Sequence[str] = HISTORY_FIELDS) -> list[dict]:
    return [{key: row.get(key) for key in fields} for row in rows]


def measure_layers_alike(first: Fingerprint, second: Fingerprint) -> bool:
    """Whether two engines measure a layer's size the same way. Each image store has its own
    measure (a row's size on the containerd store is not a graphdriver's), and so has an
    overlay2 without a native diff (rootless): it finds a layer's files by comparing it with
    the one below, and shows 0 bytes for the symlinks `busybox --install` makes, where an
    overlay2 with a native diff shows 3216."""
    return (first.image_store, first.native_diff) == (second.image_store, second.native_diff)


def check_history_kept(first: list[dict], second: list[dict], *,
                       same_layer_measure: bool = True) -> dict:
    """C14, by contrast: after save and load, the second engine's history of the image has
    every row of the first engine's, in order, each with its time, step, size and comment.
    Sizes are compared only between engines that measure layers alike (measure_layers_alike):
    they are each engine's measure, not part of the image."""
    fields = [field for field in HISTORY_FIELDS if same_layer_measure or field != "Size"]
    mine, theirs = history_record(first, fields), history_record(second, fields)
    observed = {"first_engine": history_record(first), "second_engine": history_record(second),
                "compared": fields}
    expect(len(theirs) == len(mine), f"the loaded image's history has {len(theirs)} rows, the "
           f"saved one's {len(mine)}", **observed)
    differ = [index for index, (a, b) in enumerate(zip(mine, theirs)) if a != b]
    expect(not differ, "the loaded image's history rows differ from the saved one's",
           rows_that_differ=differ, **observed)
    expect(len(mine) > 1, "the saved image has a one-row history: keeping it shows nothing",
           **observed)
    return Observation(observed, {"save_and_load": {"history_rows_kept": len(theirs)}})


CLI_HISTORY_RECORD = ("CREATED BY", "SIZE", "COMMENT")
"""The columns of `docker history` that record a build step the same on both engines (IMAGE
names local images, `<missing>` on the second; CREATED is relative to the moment asked)."""


def check_cli_history_kept(first: Table, second: Table, article: Transcript, *,
                           same_layer_measure: bool = True) -> dict:
    """C14, by contrast: `docker history NAME` on the second engine, as the article's user
    reads it, has the article's columns and every row the first engine's shows, each with its
    build step and comment, and its size where both engines measure layers alike
    (measure_layers_alike)."""
    columns = list(article.table("docker history").columns)
    compared = [key for key in CLI_HISTORY_RECORD if same_layer_measure or key != "SIZE"]
    mine = [{key: row.get(key) for key in compared} for row in first.rows]
    theirs = [{key: row.get(key) for key in compared} for row in second.rows]
    observed = {"first_engine": mine, "second_engine": theirs, "article_columns": columns,
                "columns": list(second.columns), "compared": compared}
    expect(list(first.columns) == list(second.columns) == columns,
           "`docker history` does not have the article's columns on both engines", **observed)
    expect(len(theirs) == len(mine) > 1, f"`docker history` on the second engine shows "
           f"{len(theirs)} rows, the first engine's {len(mine)}", **observed)
    differ = [index for index, (a, b) in enumerate(zip(mine, theirs)) if a != b]
    expect(not differ, "`docker history` rows differ between the engines",
           rows_that_differ=differ, **observed)
    return Observation(observed, {"save_and_load": {"cli_history_rows_kept": len(theirs)}})

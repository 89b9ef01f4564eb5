"""docker_claims.claims.transcripts, no engine needed: C14-C15 hold on the article, not on fakes."""

import pytest

from docker_claims.claims import transcripts
from docker_claims.engine.cli_output import CliContainer, CliRun, human_size, parse_table
from docker_claims.engine.records import Fingerprint, Identity, NetnsListing, SwarmSetting
from docker_claims.evidence import ClaimFailed, Observation
from tests.article import CREATE_START, EXPORT_IMPORT

ARTICLE_ID = CREATE_START.output("docker create")[0]
ARTICLE_IMAGE_ID = EXPORT_IMPORT.output("docker import")[0]
ARTICLE_PS_CREATED = CREATE_START.table("docker ps -a", 0)
ARTICLE_PS_STARTED = CREATE_START.table("docker ps -a", 1)
ARTICLE_HISTORY = EXPORT_IMPORT.table("docker history")
NETNS_BEFORE, NETNS_AFTER = CREATE_START.words("ls", 0), CREATE_START.words("ls", 1)
NETNS = "/var/run/docker/netns"
KEY = f"{NETNS}/3a960bf7f4af"
"""The sandbox key of the article's container."""
KIND_BANZAI = CliContainer("kind_banzai", "busybox", CliRun(("create",), 0, ARTICLE_ID, ""))

PS_HEADER = ("CONTAINER ID   IMAGE     COMMAND   CREATED         STATUS"
             "                     PORTS     NAMES")


def ran(stdout, *args, exit_code=0, stderr=""):
    return CliRun(tuple(args) or ("fabricated",), exit_code, stdout, stderr)


def ps_table(status, *, name="kind_banzai", image="busybox", cid=ARTICLE_ID[:12],
             command='"sh"', created="3 seconds ago"):
    """A `docker ps -a` table as the CLI aligns it (columns padded by three spaces)."""
    cells = [cid, image, command, created, status, "", name]
    header = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    widths = [max(len(a), len(b)) + 3 for a, b in zip(header, cells)]
    line = "".join(c.ljust(w) for c, w in zip(cells[:-1], widths)) + cells[-1]
    head = "".join(h.ljust(w) for h, w in zip(header[:-1], widths)) + header[-1]
    return parse_table([head, line])


def history_table(rows, header=("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT")):
    widths = [max(len(h), *(len(r[i]) for r in rows)) + 3 for i, h in enumerate(header)]

    def line(cells):
        return "".join(c.ljust(w) for c, w in zip(cells[:-1], widths)) + cells[-1]

    return parse_table([line(header), *(line(r) for r in rows)])


IMPORT_ROW = (ARTICLE_IMAGE_ID[7:19], "5 seconds ago", "", "1.24MB", "Imported from -")


# The article's transcripts, read with the parser that reads the live output.

def test_the_transcripts_are_read_command_by_command():
    commands = CREATE_START.commands()
    assert commands == ["docker create -ti busybox sh", "ls /run/docker/netns/", "docker ps -a",
                        "docker start kind_banzai", "docker ps -a", "ls /run/docker/netns/"]
    commands = EXPORT_IMPORT.commands()
    assert commands[-2:] == ["docker import /tmp/test_export.tar", "docker history test:test"]


def test_the_article_tables_are_cut_at_their_header_columns():
    assert ARTICLE_PS_CREATED.columns == ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS",
                                          "PORTS", "NAMES")
    assert ARTICLE_PS_CREATED.rows[0]["STATUS"] == "Created"
    assert ARTICLE_PS_STARTED.rows[0]["STATUS"] == "Up 4 seconds"
    assert ARTICLE_HISTORY.rows == ({"IMAGE": "4d5af6567f05", "CREATED": "2 minutes ago",
                                     "CREATED BY": "", "SIZE": "1.24MB",
                                     "COMMENT": "Imported from -"},)


def test_the_article_passes_its_own_c15_checks():
    transcripts.check_create_output(ran(ARTICLE_ID + "\n"), ARTICLE_ID, CREATE_START)
    transcripts.check_listed(ARTICLE_PS_CREATED, KIND_BANZAI, "Created", ARTICLE_ID, CREATE_START)
    transcripts.check_listed(ARTICLE_PS_STARTED, KIND_BANZAI, "Up", ARTICLE_ID, CREATE_START)
    transcripts.check_start_output(ran("\n".join(CREATE_START.output("docker start"))),
                                   KIND_BANZAI, CREATE_START)
    before = NetnsListing(NETNS, NETNS_BEFORE)
    after = NetnsListing(NETNS, NETNS_AFTER)
    transcripts.check_netns_gained(before, f"{NETNS}/3a960bf7f4af", after, CREATE_START)


def test_the_article_passes_its_own_c15_swarm_check_as_a_swarm_node():
    """The article's hosts were swarm nodes: its ingress network's id began vg6yiuz1vw."""
    swarm = SwarmSetting("active", "vg6yiuz1vwqe7d0c3bkd8hl3c")
    found = transcripts.check_swarm_entries(NetnsListing(NETNS, NETNS_BEFORE, swarm), KEY,
                                            NetnsListing(NETNS, NETNS_AFTER, swarm), CREATE_START)
    assert found["article_before_start"] == ["1-vg6yiuz1vw", "ingress_sbox"]
    assert found["expected"].startswith("the swarm's own entries")
    with pytest.raises(ClaimFailed, match="not a swarm node.*2 entries shaped as a swarm's"):
        transcripts.check_swarm_entries(NetnsListing(NETNS, NETNS_BEFORE), KEY,
                                        NetnsListing(NETNS, NETNS_AFTER), CREATE_START)


def test_the_article_passes_its_own_c14_checks():
    transcripts.check_import_output(ran(ARTICLE_IMAGE_ID + "\n"), ARTICLE_IMAGE_ID, EXPORT_IMPORT)
    transcripts.check_history_shape(ARTICLE_HISTORY, ARTICLE_IMAGE_ID, EXPORT_IMPORT)
    transcripts.check_import_row(ARTICLE_HISTORY, 1_240_000, EXPORT_IMPORT)


# C15: docker create

@pytest.mark.parametrize("stdout", [
    ARTICLE_ID[:12],                                     # a short id
    ARTICLE_ID.upper(),                                  # not the engine's lowercase hex
    f"sha256:{ARTICLE_ID}",                              # an image id's shape
    "",                                                  # nothing
    f"WARNING: something\n{ARTICLE_ID}",                 # more than the id on stdout
])
def test_create_output_not_shaped_as_the_article_fails(stdout):
    with pytest.raises(ClaimFailed):
        transcripts.check_create_output(ran(stdout), ARTICLE_ID, CREATE_START)


def test_create_output_of_another_container_fails():
    with pytest.raises(ClaimFailed, match="another id than the engine"):
        transcripts.check_create_output(ran(ARTICLE_ID), "f" * 64, CREATE_START)


# C15: docker ps -a

def test_a_fabricated_listing_shaped_as_the_live_cli_passes():
    transcripts.check_listed(ps_table("Created"), KIND_BANZAI, "Created", ARTICLE_ID, CREATE_START)
    transcripts.check_listed(ps_table("Up Less than a second"), KIND_BANZAI, "Up", ARTICLE_ID,
                             CREATE_START)


@pytest.mark.parametrize("status, wanted", [
    ("Up 2 seconds", "Created"),                  # started already
    ("Exited (0) 2 seconds ago", "Created"),      # ran and ended
    ("Created", "Up"),                            # start did nothing
    ("Exited (127) 1 second ago", "Up"),          # start failed
    ("Up", "Up"),                                 # no duration, unlike `Up 4 seconds`
])
def test_a_status_other_than_the_article_fails(status, wanted):
    with pytest.raises(ClaimFailed):
        transcripts.check_listed(ps_table(status), KIND_BANZAI, wanted, ARTICLE_ID, CREATE_START)


@pytest.mark.parametrize("table", [
    ps_table("Created", name="someone_else"),
    ps_table("Created", cid="0123456789ab"),
    ps_table("Created", image="alpine"),
    ps_table("Created", command='"/bin/sh"'),
    parse_table(["NAMES   STATUS", "kind_banzai   Created"]),   # another --format
    parse_table([]),                                          # nothing printed
])
def test_a_listing_that_does_not_show_this_container_as_the_article_does_fails(table):
    with pytest.raises(ClaimFailed):
        transcripts.check_listed(table, KIND_BANZAI, "Created", ARTICLE_ID, CREATE_START)


# C15: docker start and the netns listing

@pytest.mark.parametrize("stdout", ["", ARTICLE_ID, "kind_banzai\nkind_banzai"])
def test_start_not_printing_the_name_fails(stdout):
    with pytest.raises(ClaimFailed):
        transcripts.check_start_output(ran(stdout), KIND_BANZAI, CREATE_START)


def test_an_entry_already_there_before_the_start_fails():
    both = NetnsListing(NETNS, NETNS_AFTER)
    with pytest.raises(ClaimFailed, match="already there before start"):
        transcripts.check_netns_gained(both, f"{NETNS}/3a960bf7f4af", both, CREATE_START)


def test_an_entry_missing_after_the_start_fails():
    before = NetnsListing(NETNS, NETNS_BEFORE)
    with pytest.raises(ClaimFailed, match="not listed after start"):
        transcripts.check_netns_gained(before, f"{NETNS}/3a960bf7f4af", before, CREATE_START)


def test_a_gained_entry_that_is_not_the_containers_own_fails():
    before = NetnsListing(NETNS, NETNS_BEFORE)
    after = NetnsListing(NETNS, NETNS_AFTER)
    with pytest.raises(ClaimFailed):  # the container has no sandbox key: it never started
        transcripts.check_netns_gained(before, "", after, CREATE_START)


def test_a_gained_entry_not_shaped_as_the_article_fails():
    before = NetnsListing(NETNS, frozenset({"ingress_sbox"}))
    after = NetnsListing(NETNS, frozenset({"ingress_sbox", "1-vg6yiuz1vw"}))
    with pytest.raises(ClaimFailed, match="not 12 hex digits"):
        transcripts.check_netns_gained(before, f"{NETNS}/1-vg6yiuz1vw", after, CREATE_START)


# C15 nuance: the swarm's own entries

SWARM = SwarmSetting("active", "kjcz4xk82iqe7d0c3bkd8hl3c")
SWARM_ENTRIES = frozenset({"1-kjcz4xk82i", "ingress_sbox"})
THEIRS = frozenset({"0123456789ab", "1-zzzzzzzzzz"})


def test_a_swarm_nodes_listing_holds_its_swarm_entries_before_and_after_the_start():
    before = NetnsListing(NETNS, SWARM_ENTRIES | THEIRS, SWARM)
    after = NetnsListing(NETNS, before.entries | {"3a960bf7f4af"}, SWARM)
    found = transcripts.check_swarm_entries(before, KEY, after, CREATE_START)
    assert "is a swarm node" in found["because"]
    assert found["listed_after_start"]["entries"] == sorted(SWARM_ENTRIES | {"3a960bf7f4af"})
    assert found["listed_before_start"]["entries"] == sorted(SWARM_ENTRIES)
    assert found["listed_before_start"]["other_entries"] == 2
    assert not [entry for entry in THEIRS if entry in repr(found)]


@pytest.mark.parametrize("before, after", [
    (frozenset({"ingress_sbox"}), SWARM_ENTRIES),                 # one missing before
    (SWARM_ENTRIES, frozenset({"1-kjcz4xk82i", "3a960bf7f4af"})),  # gone after the start
    (frozenset({"1-zzzzzzzzzz", "ingress_sbox"}), SWARM_ENTRIES),  # another network's
])
def test_a_swarm_node_without_its_swarm_entries_fails(before, after):
    with pytest.raises(ClaimFailed, match="lacks its swarm's own entries"):
        transcripts.check_swarm_entries(NetnsListing(NETNS, before, SWARM), KEY,
                                        NetnsListing(NETNS, after | {"3a960bf7f4af"}, SWARM),
                                        CREATE_START)


def test_the_swarm_check_wants_the_containers_own_new_entry_too():
    listing = NetnsListing(NETNS, SWARM_ENTRIES | {"3a960bf7f4af"}, SWARM)
    with pytest.raises(ClaimFailed, match="already there before start"):
        transcripts.check_swarm_entries(listing, KEY, listing, CREATE_START)


def test_an_engine_out_of_a_swarm_lists_none_of_its_entries():
    before = NetnsListing(NETNS, frozenset({"default", "0123456789ab"}))
    after = NetnsListing(NETNS, before.entries | {"3a960bf7f4af"})
    found = transcripts.check_swarm_entries(before, KEY, after, CREATE_START)
    assert found["expected"] == ("none of the swarm's entries the article's listing shows "
                                 "(1-vg6yiuz1vw, ingress_sbox)")
    assert "'inactive'" in found["because"] and "unlike the article's hosts" in found["because"]


@pytest.mark.parametrize("setting", [SwarmSetting("inactive"), SwarmSetting("locked"),
                                     SwarmSetting("active", "")])
def test_swarm_entries_where_the_engine_says_none_fail_naming_only_the_engines(setting):
    """An engine that left a swarm keeps its ingress entries up to a minute: told, not hidden;
    another overlay network's sandbox is counted, never named."""
    before = NetnsListing(NETNS, frozenset({"ingress_sbox", "1-zzzzzzzzzz"}), setting)
    after = NetnsListing(NETNS, before.entries | {"3a960bf7f4af"}, setting)
    shaped = r"2 entries shaped as a swarm's \(ingress_sbox;"
    with pytest.raises(ClaimFailed, match=shaped) as failed:
        transcripts.check_swarm_entries(before, KEY, after, CREATE_START)
    assert "1-zzzzzzzzzz" not in str(failed.value) + repr(failed.value.observed)


# C14: docker import and docker history

@pytest.mark.parametrize("stdout", [ARTICLE_IMAGE_ID[7:], ARTICLE_IMAGE_ID[:19], "",
                                    f"{ARTICLE_IMAGE_ID}\n{ARTICLE_IMAGE_ID}"])
def test_import_output_not_shaped_as_the_article_fails(stdout):
    with pytest.raises(ClaimFailed):
        transcripts.check_import_output(ran(stdout), ARTICLE_IMAGE_ID, EXPORT_IMPORT)


def test_import_output_of_another_image_fails():
    with pytest.raises(ClaimFailed, match="another id"):
        transcripts.check_import_output(ran(ARTICLE_IMAGE_ID), "sha256:" + "e" * 64, EXPORT_IMPORT)


def test_a_history_of_a_built_image_is_not_the_imports():
    built = history_table([
        (ARTICLE_IMAGE_ID[7:19], "3 minutes ago", '/bin/sh -c #(nop)  CMD ["sh"]', "0B", ""),
        ("<missing>", "3 minutes ago", "/bin/sh -c #(nop) ADD file:abc in / ", "1.24MB", ""),
    ])
    with pytest.raises(ClaimFailed, match="2 rows, not one"):
        transcripts.check_history_shape(built, ARTICLE_IMAGE_ID, EXPORT_IMPORT)
    with pytest.raises(ClaimFailed):
        transcripts.check_import_row(built, 1_240_000, EXPORT_IMPORT)


def test_a_history_without_the_articles_columns_fails():
    table = history_table([IMPORT_ROW[:4]], header=("IMAGE", "CREATED", "CREATED BY", "SIZE"))
    with pytest.raises(ClaimFailed, match="article's columns"):
        transcripts.check_history_shape(table, ARTICLE_IMAGE_ID, EXPORT_IMPORT)


def test_a_history_row_of_another_image_fails():
    with pytest.raises(ClaimFailed, match="not the imported image"):
        transcripts.check_history_shape(history_table([IMPORT_ROW]), "sha256:" + "e" * 64,
                                        EXPORT_IMPORT)


@pytest.mark.parametrize("row, match", [
    ((*IMPORT_ROW[:2], "/bin/sh -c touch /1.txt", *IMPORT_ROW[3:]), "names a build step"),
    ((*IMPORT_ROW[:4], "Imported from http://example.com/x.tar"), "does not say"),
    ((*IMPORT_ROW[:4], ""), "does not say"),
    ((*IMPORT_ROW[:3], "1.99MB", IMPORT_ROW[4]), "size the engine reports"),
    ((*IMPORT_ROW[:3], "1240000", IMPORT_ROW[4]), "no size shaped"),
    (("faa8cc5a9027", "2026-11-28T12:00:00Z", *IMPORT_ROW[2:]), "CREATED cell"),
])
def test_an_import_row_unlike_the_articles_fails(row, match):
    with pytest.raises(ClaimFailed, match=match):
        transcripts.check_import_row(history_table([row]), 1_240_000, EXPORT_IMPORT)


def test_the_size_is_the_engines_not_a_number_written_down():
    row = (*IMPORT_ROW[:3], human_size(1_985_484), IMPORT_ROW[4])
    transcripts.check_import_row(history_table([row]), 1_985_484, EXPORT_IMPORT)
    with pytest.raises(ClaimFailed, match="size the engine reports"):
        transcripts.check_import_row(history_table([row]), 1_240_000, EXPORT_IMPORT)


def test_an_import_without_the_file_fails():
    with pytest.raises(ClaimFailed, match="does not hold /1.txt"):
        transcripts.check_holds_file(None, "/1.txt")
    directory = {"name": "1.txt", "size": 4096, "mode": (1 << 31) | 0o755}
    with pytest.raises(ClaimFailed, match="not a regular file"):
        transcripts.check_holds_file(directory, "/1.txt")
    transcripts.check_holds_file({"name": "1.txt", "size": 0, "mode": 0o644}, "/1.txt")


# C14, by contrast: save and load

CONFIG = "sha256:" + "c" * 64
LAYERS = ("sha256:" + "1" * 64, "sha256:" + "2" * 64)
SAVED = Identity(CONFIG, CONFIG, LAYERS)  # a graphdriver store: the id is the config's


def test_the_same_image_on_a_store_that_keys_it_by_its_manifest_holds():
    """The containerd image store's id is the manifest's digest: the image is the same when
    its config and its layers are, whatever the ids (C14 failed across stores for it)."""
    on_containerd = Identity("sha256:" + "d" * 64, CONFIG, LAYERS)
    found = transcripts.check_loaded_same_image(SAVED, on_containerd, False)
    assert found["ids"].startswith("other ids")
    assert transcripts.check_loaded_same_image(SAVED, SAVED, False)["ids"] == "the same id"


@pytest.mark.parametrize("loaded, match", [
    (Identity(CONFIG, "sha256:" + "e" * 64, LAYERS), "another config"),
    (Identity(CONFIG, CONFIG, LAYERS[:1]), "other layers"),
    (None, "does not have the image"),
])
def test_a_loaded_image_with_another_config_or_other_layers_fails(loaded, match):
    with pytest.raises(ClaimFailed, match=match):
        transcripts.check_loaded_same_image(SAVED, loaded, False)


def test_an_image_there_before_the_load_shows_nothing():
    with pytest.raises(ClaimFailed, match="before the load"):
        transcripts.check_loaded_same_image(SAVED, SAVED, True)


BUILT = [
    {"Id": "sha256:top", "Created": 1700000300, "CreatedBy": "CMD [\"sh\"]", "Size": 0,
     "Comment": ""},
    {"Id": "sha256:mid", "Created": 1700000200, "CreatedBy": "RUN busybox --install", "Size": 0,
     "Comment": ""},
    {"Id": "sha256:low", "Created": 1700000100, "CreatedBy": "COPY busybox /bin/", "Size": 2e6,
     "Comment": ""},
]


def test_a_history_kept_by_load_passes_even_with_missing_intermediate_ids():
    loaded = [BUILT[0], *({**row, "Id": "<missing>"} for row in BUILT[1:])]
    transcripts.check_history_kept(BUILT, loaded)


@pytest.mark.parametrize("second", [
    BUILT[:1],                                                       # one row: an import
    [BUILT[0], BUILT[2]],                                            # a row lost
    [BUILT[0], {**BUILT[1], "CreatedBy": ""}, BUILT[2]],             # a step forgotten
    [BUILT[0], BUILT[1], {**BUILT[2], "Created": 1700009999}],       # another time
    [{**BUILT[0], "Comment": "Imported from -"}, *BUILT[1:]],         # another comment
])
def test_a_history_not_kept_by_load_fails(second):
    with pytest.raises(ClaimFailed):
        transcripts.check_history_kept(BUILT, second)


def test_history_sizes_are_compared_only_between_engines_that_measure_layers_alike():
    other_store = [{**row, "Size": row["Size"] + 4096} for row in BUILT]
    with pytest.raises(ClaimFailed, match="rows differ"):
        transcripts.check_history_kept(BUILT, other_store)
    found = transcripts.check_history_kept(BUILT, other_store, same_layer_measure=False)
    assert "Size" not in found["compared"]
    with pytest.raises(ClaimFailed, match="rows differ"):
        transcripts.check_history_kept(BUILT, [{**row, "Comment": "x"} for row in other_store],
                                       same_layer_measure=False)


@pytest.mark.parametrize("other, alike", [
    ({}, True),
    ({"image_store": "containerd"}, False),
    ({"native_diff": False}, False),  # rootless overlay2 beside a rootful one
])
def test_engines_measure_layers_alike_with_one_store_and_one_way_of_diffing(other, alike):
    engine = {"endpoint": "x", "engine_version": "20.10", "api_version": "1.41", "os": "linux",
              "arch": "amd64", "kernel": "6", "operating_system": "Debian",
              "storage_driver": "overlay2", "image_store": "graphdriver", "cgroup_version": "1",
              "cgroup_driver": "cgroupfs", "rootless": False, "native_diff": True,
              "docker_root_dir": "/var/lib/docker"}
    first = Fingerprint(**engine)
    assert transcripts.measure_layers_alike(first, Fingerprint(**{**engine, **other})) is alike


def test_a_one_row_history_proves_nothing_kept():
    with pytest.raises(ClaimFailed, match="shows nothing"):
        transcripts.check_history_kept(BUILT[:1], BUILT[:1])


def cli_history(*rows):
    header = "IMAGE          CREATED         CREATED BY                 SIZE      COMMENT"
    lines = [header, *(f"{image:<15}{'2 hours ago':<16}{by:<27}{size:<10}{comment}"
                       for image, by, size, comment in rows)]
    return parse_table(lines)


def test_cli_history_kept_compares_every_row_but_the_image_column():
    article = EXPORT_IMPORT
    first = cli_history(("a1b2c3d4e5f6", 'CMD ["sh"]', "0B", ""),
                        ("f6e5d4c3b2a1", "COPY busybox /bin/busybox", "1.98MB", "copied"))
    second = cli_history(("a1b2c3d4e5f6", 'CMD ["sh"]', "0B", ""),
                         ("<missing>", "COPY busybox /bin/busybox", "1.98MB", "copied"))
    transcripts.check_cli_history_kept(first, second, article)
    with pytest.raises(ClaimFailed, match="shows 1 rows"):
        transcripts.check_cli_history_kept(
            first, cli_history(("a1b2c3d4e5f6", 'CMD ["sh"]', "0B", "")), article)
    other = cli_history(("a1b2c3d4e5f6", 'CMD ["sh"]', "0B", ""),
                        ("<missing>", "COPY busybox /bin/busybox", "1.98MB", "Imported from -"))
    with pytest.raises(ClaimFailed, match="rows differ"):
        transcripts.check_cli_history_kept(first, other, article)
    measured_otherwise = cli_history(("a1b2c3d4e5f6", 'CMD ["sh"]', "0B", ""),
                                     ("<missing>", "COPY busybox /bin/busybox", "2MB", "copied"))
    with pytest.raises(ClaimFailed, match="rows differ"):
        transcripts.check_cli_history_kept(first, measured_otherwise, article)
    transcripts.check_cli_history_kept(first, measured_otherwise, article,
                                       same_layer_measure=False)


# The replay's facts: the report lays the article's session beside the engine's from these.

def _fields(observation):
    return {name: field for exchange in observation.facts["session"].values()
            for name, field in exchange.get("fields", {}).items()}


def test_on_the_article_every_compared_field_matches_and_names_differ_as_expected():
    before, after = NetnsListing(NETNS, NETNS_BEFORE), NetnsListing(NETNS, NETNS_AFTER)
    observations = [
        transcripts.check_create_output(ran(ARTICLE_ID + "\n"), ARTICLE_ID, CREATE_START),
        transcripts.check_listed(ARTICLE_PS_CREATED, KIND_BANZAI, "Created", ARTICLE_ID,
                                 CREATE_START),
        transcripts.check_listed(ARTICLE_PS_STARTED, KIND_BANZAI, "Up", ARTICLE_ID,
                                 CREATE_START),
        transcripts.check_netns_gained(before, f"{NETNS}/3a960bf7f4af", after, CREATE_START),
        transcripts.check_history_shape(ARTICLE_HISTORY, ARTICLE_IMAGE_ID, EXPORT_IMPORT),
        transcripts.check_import_row(ARTICLE_HISTORY, 1_240_000, EXPORT_IMPORT)]
    for observation in observations:
        fields = _fields(observation)
        assert fields and all(f["matches"] in (True, None) for f in fields.values()), fields
    indexes = [sorted(o.facts["session"]) for o in observations]
    assert indexes == [["0"], ["2"], ["4"], ["1", "5"], ["4"], ["4"]]
    assert _fields(observations[1])["NAMES"] == {"article": "kind_banzai",
                                                 "engine": "kind_banzai", "matches": None}


def test_a_failed_comparison_carries_its_marks_to_the_report():
    with pytest.raises(ClaimFailed) as failed:
        transcripts.check_listed(ps_table("Up 2 seconds"), KIND_BANZAI, "Created", ARTICLE_ID,
                                 CREATE_START)
    replay = failed.value.facts["session"]["2"]
    assert replay["fields"]["STATUS: its first word"] == {
        "article": "Created", "engine": "Up", "matches": False}
    assert replay["fields"]["columns"]["matches"] is True
    assert replay["printed"][1].startswith(ARTICLE_ID[:12])


def test_a_listing_shows_only_its_header_and_the_containers_row():
    mine = ps_table("Created")
    other = ps_table("Created", name="someone_elses", cid="a" * 12)
    table = parse_table([mine.lines[0], other.lines[1], mine.lines[1]])
    observation = transcripts.check_listed(table, KIND_BANZAI, "Created", ARTICLE_ID,
                                           CREATE_START)
    printed = observation.facts["session"]["2"]["printed"]
    assert len(printed) == 2 and "kind_banzai" in printed[1]
    assert "someone_elses" not in str(observation.facts)


def test_a_netns_listing_shows_the_containers_entry_and_counts_the_others():
    before, after = NetnsListing(NETNS, NETNS_BEFORE), NetnsListing(NETNS, NETNS_AFTER)
    observation = transcripts.check_netns_gained(before, f"{NETNS}/3a960bf7f4af", after,
                                                 CREATE_START)
    assert observation.facts["session"]["5"]["printed"] == ["3a960bf7f4af",
                                                           "(2 other entries)"]
    assert "ingress_sbox" not in str(observation.facts["session"]["5"]["printed"])


def _verdict_and_marks(check, *args):
    """Whether the check held, and the marks it gave the report (held or not)."""
    try:
        observation = check(*args)
    except ClaimFailed as failed:
        return False, _fields(Observation({}, failed.facts))
    return True, _fields(observation)


LISTINGS = [ps_table("Created"), ps_table("Up 2 seconds"), ps_table("Up"),
            ps_table("Created", name="someone_elses"), ps_table("Created", cid="a" * 12),
            ps_table("Created", image="alpine"), ps_table("Created", command='"top"'),
            ps_table("Created", created="2026-11-28"), ps_table("Exited (0) 1 second ago")]
IMPORT_ROWS = [IMPORT_ROW, (*IMPORT_ROW[:2], "/bin/sh -c touch /1.txt", *IMPORT_ROW[3:]),
               (*IMPORT_ROW[:4], ""), (*IMPORT_ROW[:3], "1.99MB", IMPORT_ROW[4]),
               (*IMPORT_ROW[:3], "1240000", IMPORT_ROW[4]),
               ("faa8cc5a9027", "2026-11-28T12:00:00Z", *IMPORT_ROW[2:])]


@pytest.mark.parametrize("table", LISTINGS)
@pytest.mark.parametrize("wanted", ["Created", "Up"])
def test_a_listing_check_fails_exactly_when_a_mark_it_shows_does(table, wanted):
    held, marks = _verdict_and_marks(transcripts.check_listed, table, KIND_BANZAI, wanted,
                                     ARTICLE_ID, CREATE_START)
    assert held == all(mark["matches"] in (True, None) for mark in marks.values()), marks


@pytest.mark.parametrize("row", IMPORT_ROWS)
def test_an_import_row_check_fails_exactly_when_a_mark_it_shows_does(row):
    held, marks = _verdict_and_marks(transcripts.check_import_row, history_table([row]),
                                     1_240_000, EXPORT_IMPORT)
    assert held == all(mark["matches"] in (True, None) for mark in marks.values()), marks

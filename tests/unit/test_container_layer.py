"""C04-C06 checks fail on observations that contradict the claim (no engine needed)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docker_claims.claims import container_layer
from docker_claims.engine import containers, mounts
from docker_claims.engine.records import NEVER_STARTED
from docker_claims.evidence import ClaimFailed

WRITES = {"/claims/new.txt": "added", "/claims/old.txt": "changed", "/claims/gone.txt": "deleted"}
DIFF = {"/claims": "changed", **WRITES}


# C04: the container's changes

def test_changes_matching_the_writes_hold():
    assert container_layer.check_changes_are_the_writes(DIFF, WRITES)["diff"] == DIFF


@pytest.mark.parametrize("diff", [
    {"/claims": "changed"},                                       # nothing written
    {**DIFF, "/claims/gone.txt": "changed"},                      # deletion reported as change
    {k: v for k, v in DIFF.items() if k != "/claims/new.txt"},    # an addition missing
])
def test_changes_missing_or_misnamed_fail(diff):
    with pytest.raises(ClaimFailed, match="do not name its writes"):
        container_layer.check_changes_are_the_writes(diff, WRITES)


def test_changes_beyond_the_writes_fail():
    with pytest.raises(ClaimFailed, match="more than its writes"):
        container_layer.check_changes_are_the_writes({**DIFF, "/bin/busybox": "changed"}, WRITES)


def test_a_deleted_directory_above_a_write_is_not_a_mere_passage():
    with pytest.raises(ClaimFailed, match="more than its writes"):
        container_layer.check_changes_are_the_writes({**DIFF, "/claims": "deleted"}, WRITES)


def test_the_writes_script_adds_changes_and_deletes():
    script = containers.writes_script(WRITES)[2]
    assert "rm '/claims/gone.txt'" in script
    assert "> '/claims/new.txt'" in script and "> '/claims/old.txt'" in script


# C04: commit adds exactly one layer

IMAGE = ["sha256:a", "sha256:b", "sha256:c"]


def test_one_more_layer_on_top_holds():
    found = container_layer.check_one_layer_on_top(IMAGE, [*IMAGE, "sha256:d"])
    assert found["writable_layer"] == "sha256:d"


@pytest.mark.parametrize("committed", [
    IMAGE,                                            # no layer added
    [*IMAGE, "sha256:d", "sha256:e"],                 # two added
    ["sha256:x", "sha256:b", "sha256:c", "sha256:d"],  # a lower layer rewritten
    ["sha256:b", "sha256:a", "sha256:c", "sha256:d"],  # reordered
    [*IMAGE, "sha256:c"],                             # the "new" layer is an old one
])
def test_commit_other_than_one_layer_on_top_fails(committed):
    with pytest.raises(ClaimFailed):
        container_layer.check_one_layer_on_top(IMAGE, committed)


# C05: listed with the state

ROWS = [{"id": "abc", "names": ["/x"], "state": "exited", "status": "Exited (0) 1 second ago"},
        {"id": "abd", "names": ["/x2"], "state": "running", "status": "Up 1 second"}]


def test_listed_in_its_state_holds():
    assert container_layer.check_listed_with_state(ROWS, "abc", "exited")["state"] == "exited"


def test_listed_in_another_state_fails():
    with pytest.raises(ClaimFailed, match="listed as 'exited', not 'created'"):
        container_layer.check_listed_with_state(ROWS, "abc", "created")


def test_not_listed_fails():
    with pytest.raises(ClaimFailed, match="not listed"):
        container_layer.check_listed_with_state(ROWS, "zzz", "exited")


def test_listed_twice_fails():
    with pytest.raises(ClaimFailed, match="not listed"):
        container_layer.check_listed_with_state([ROWS[0], ROWS[0]], "abc", "exited")


# C05/C06: a file kept, copied out, exported

def test_the_content_written_read_back_holds():
    container_layer.check_file_content("/f", b"x\n", b"x\n", "after the stop")


@pytest.mark.parametrize("read", [None, b"", b"y\n"])
def test_a_file_gone_or_altered_fails(read):
    with pytest.raises(ClaimFailed):
        container_layer.check_file_content("/f", b"x\n", read, "after the stop")


def _export(**changes):
    return {"path": "/claims/f", "held": True, "content": b"x\n", "paths": 400,
            "has_busybox": True, **changes}


def test_an_export_with_the_file_holds():
    container_layer.check_export_holds(_export(), b"x\n")


@pytest.mark.parametrize("found", [
    _export(held=False, content=None),
    _export(content=b"other\n"),
    _export(has_busybox=False),  # not the container's filesystem, only the file
])
def test_an_export_without_the_file_or_the_filesystem_fails(found):
    with pytest.raises(ClaimFailed):
        container_layer.check_export_holds(found, b"x\n")


# C06: never ran, and the copied file is a change

CREATED = {"Status": "created", "Running": False, "Pid": 0,
           "StartedAt": NEVER_STARTED, "FinishedAt": NEVER_STARTED,
           "ExitCode": 0}


def test_a_created_container_never_ran():
    container_layer.check_never_ran(CREATED)


@pytest.mark.parametrize("found", [
    {**CREATED, "Status": "running", "Running": True, "Pid": 4242,
     "StartedAt": "2026-11-28T12:00:00.1Z"},
    {**CREATED, "Status": "exited", "StartedAt": "2026-11-28T12:00:00.1Z"},
    {**CREATED, "Pid": 17},
    {**CREATED, "StartedAt": "2026-11-28T12:00:00.1Z"},
])
def test_a_container_that_ran_fails(found):
    with pytest.raises(ClaimFailed):
        container_layer.check_never_ran(found)


def test_a_copied_file_listed_as_added_holds():
    container_layer.check_added({"/claims": "added", "/claims/f": "added"}, "/claims/f")


@pytest.mark.parametrize("diff", [{}, {"/claims/f": "changed"}, {"/claims": "added"}])
def test_a_copied_file_not_added_fails(diff):
    with pytest.raises(ClaimFailed):
        container_layer.check_added(diff, "/claims/f")


def test_a_status_other_than_the_one_wanted_fails():
    container_layer.check_status({"Status": "exited"}, "exited")
    with pytest.raises(ClaimFailed):
        container_layer.check_status({"Status": "running"}, "exited")


# C04/C06: the storage driver's view

OVERLAY = {"GraphDriver": {"Name": "overlay2", "Data": {
    "UpperDir": "/var/lib/docker/overlay2/c0ffee/diff",
    "LowerDir": "/var/lib/docker/overlay2/c0ffee-init/diff:/var/lib/docker/overlay2/top/diff"
                ":/var/lib/docker/overlay2/base/diff"}}}
IMAGE_OVERLAY = {"GraphDriver": {"Name": "overlay2", "Data": {
    "UpperDir": "/var/lib/docker/overlay2/top/diff",
    "LowerDir": "/var/lib/docker/overlay2/base/diff"}}}


def test_no_upper_dir_is_a_reason_to_skip_not_a_verdict():
    containerd = {"GraphDriver": {"Name": "overlayfs", "Data": None}}
    assert "'overlayfs' shows no UpperDir" in mounts.unavailable(containerd)
    assert mounts.unavailable({}) is not None
    assert mounts.unavailable(OVERLAY) is None


def test_a_single_layer_image_has_no_lower_dirs():
    only = {"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": "/o/one/diff"}}}
    assert mounts.stack(only).layer_dirs == ("/o/one/diff",)


UPPER = {"/claims": "dir", "/claims/new.txt": "file", "/claims/old.txt": "file",
         "/claims/gone.txt": "whiteout"}


def test_an_upper_dir_holding_exactly_the_changes_holds():
    container_layer.check_upper_is_the_diff(UPPER, DIFF, WRITES)


@pytest.mark.parametrize("upper, match", [
    ({**UPPER, "/bin": "dir", "/bin/busybox": "file"}, "did not change"),   # image files copied
    ({k: v for k, v in UPPER.items() if k != "/claims/old.txt"}, "does not hold"),
    ({**UPPER, "/claims/gone.txt": "file"}, "does not hold"),               # no whiteout
    ({}, "does not hold"),                                                  # writes elsewhere
])
def test_an_upper_dir_other_than_the_changes_fails(upper, match):
    with pytest.raises(ClaimFailed, match=match):
        container_layer.check_upper_is_the_diff(upper, DIFF, WRITES)


def test_a_change_the_upper_dir_lacks_fails():
    with pytest.raises(ClaimFailed, match="not in its writable layer"):
        container_layer.check_upper_is_the_diff(UPPER, {**DIFF, "/etc": "added"}, WRITES)


def test_a_whiteout_for_something_not_deleted_fails():
    with pytest.raises(ClaimFailed, match="only deletions"):
        container_layer.check_upper_is_the_diff({**UPPER, "/claims": "whiteout"}, DIFF, WRITES)


def test_the_copied_file_in_the_upper_dir_holds():
    container_layer.check_upper_holds({"/claims": "dir", "/claims/f": "file"}, "/claims/f")
    with pytest.raises(ClaimFailed):
        container_layer.check_upper_holds({"/claims": "dir"}, "/claims/f")


def test_init_layer_between_image_and_writable_layer_holds():
    found = container_layer.check_init_between(mounts.stack(OVERLAY), mounts.stack(IMAGE_OVERLAY))
    assert found["init_layer"].endswith("c0ffee-init/diff")


@pytest.mark.parametrize("lowers", [
    "/o/top/diff:/o/base/diff",                              # no init layer
    "/o/other-init/diff:/o/top/diff:/o/base/diff",           # another container's init layer
    "/o/c0ffee-init/diff:/o/base/diff:/o/top/diff",          # image layers out of order
    "/o/c0ffee-init/diff:/o/extra/diff:/o/top/diff:/o/base/diff",
])
def test_a_stacking_without_the_init_layer_in_place_fails(lowers):
    container = mounts.Stack("overlay2", "/o/c0ffee/diff", tuple(lowers.split(":")))
    image = mounts.Stack("overlay2", "/o/top/diff", ("/o/base/diff",))
    with pytest.raises(ClaimFailed):
        container_layer.check_init_between(container, image)


def test_the_init_layer_lacking_the_engine_files_fails():
    init = {name: "file" for name in mounts.INIT_FILES}
    container_layer.check_init_holds(init)
    with pytest.raises(ClaimFailed, match="lacks"):
        container_layer.check_init_holds({k: v for k, v in init.items() if k != "/.dockerenv"})


def test_a_listing_tells_whiteouts_from_other_devices_and_files():
    output = ("directory|0,0|./claims\nregular file|0,0|./claims/a|b\n"
              "character special file|0,0|./bin/ls\ncharacter special file|1,3|./dev/null\n"
              "regular empty file|0,0|./.dockerenv\nsymbolic link|0,0|./etc/mtab\n#end\n")
    assert mounts.parse_listing(output) == {
        "/claims": "dir", "/claims/a|b": "file", "/bin/ls": "whiteout", "/dev/null": "other",
        "/.dockerenv": "file", "/etc/mtab": "symlink"}


def test_a_listing_cut_short_fails():
    with pytest.raises(ClaimFailed, match="did not list"):
        mounts.parse_listing("directory|0,0|./claims\n")


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\x00/\x1c\x1d\x1e"
                                                                  "\x85\u2028\u2029\x0b\x0c"),
                        min_size=1, max_size=20), unique=True, max_size=10))
def test_any_file_name_survives_the_listing(names):
    output = "".join(f"regular file|0,0|./{name}\n" for name in names) + "#end\n"
    assert mounts.parse_listing(output) == {f"/{name}": "file" for name in names}


class _LaggingList:
    """An engine whose container list shows the container running for its first `lag` reads
    after inspect already says exited (Docker 26, right after wait())."""

    def __init__(self, lag: int):
        self.reads, self.lag = 0, lag
        self.api = self

    def containers(self, all, filters):  # noqa: A002 - the SDK's name
        self.reads += 1
        state = "running" if self.reads <= self.lag else "exited"
        return [{"Id": "c1", "Names": ["/n"], "State": state, "Status": state}]


class _Exited:
    id, name = "c1", "n"
    attrs = {"State": {"Status": "exited"}}

    def reload(self):
        pass


def test_the_listing_waits_until_the_list_shows_the_state_inspect_has():
    """The list lagged behind wait() on Docker 26 (7 in 150): C05 read it too early."""
    engine = _LaggingList(lag=3)
    resources = type("R", (), {"client": engine})()
    rows = containers.listing(resources, _Exited(), timeout=5)
    assert rows[0]["state"] == "exited" and engine.reads == 4


def test_the_listing_gives_the_last_reading_when_the_list_never_catches_up():
    engine = _LaggingList(lag=10**6)
    resources = type("R", (), {"client": engine})()
    rows = containers.listing(resources, _Exited(), timeout=0.3)
    assert rows[0]["state"] == "running"
    with pytest.raises(ClaimFailed, match="listed as 'running', not 'exited'"):
        container_layer.check_listed_with_state(rows, "c1", "exited")


# C04/C06 on the containerd image store: the layers named by the root filesystem's mount

SNAP = "/var/lib/docker/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots"
ROOT_MOUNT = (
    "648 600 0:70 / /etc/hosts rw - ext4 /dev/vda rw\n"
    f"738 648 0:78 / / rw,relatime - overlay overlay rw,lowerdir={SNAP}/456/fs:{SNAP}/452/fs:"
    f"{SNAP}/448/fs,upperdir={SNAP}/457/fs,workdir={SNAP}/457/work\n"
    "739 738 0:80 / /proc rw - proc proc rw\n")
CONTAINERD = {"GraphDriver": {"Name": "overlayfs", "Data": None},
              "State": {"Status": "exited"}}


def test_the_root_mount_names_the_writable_layer_and_those_below_it_top_first():
    mount = mounts.root_mount(ROOT_MOUNT)
    assert mount.is_overlay
    assert mount.upper == f"{SNAP}/457/fs"
    assert mount.lowers == (f"{SNAP}/456/fs", f"{SNAP}/452/fs", f"{SNAP}/448/fs")
    assert mounts.layer_root(mount) == SNAP


def test_lowerdir_plus_options_and_octal_escapes_are_read():
    line = ("1 0 0:1 / / rw - overlay overlay rw,lowerdir+=/a\\054b,lowerdir+=/c,"
            "upperdir=/u/1/fs,workdir=/u/1/work\n")
    mount = mounts.root_mount(line)
    assert mount.lowers == ("/a,b", "/c") and mount.upper == "/u/1/fs"


def test_on_the_containerd_store_the_layers_come_from_the_root_mount():
    stack = mounts.layers_of(CONTAINERD, mounts.root_mount(ROOT_MOUNT))
    assert stack.upper == f"{SNAP}/457/fs" and stack.lowers[0] == f"{SNAP}/456/fs"
    assert stack.source == "the root filesystem's overlay mount"
    assert mounts.layers_of(OVERLAY, mounts.root_mount(ROOT_MOUNT)).source == "GraphDriver.Data"


def test_a_container_never_mounted_or_not_on_an_overlay_is_a_reason_to_skip():
    with pytest.raises(mounts.LayersUnavailable, match="only while it runs: this container is "
                       "created"):
        mounts.layers_of({**CONTAINERD, "State": {"Status": "created"}}, None)
    vfs_root = "1 0 254:0 /var/lib/docker/vfs/dir/abc / rw - ext4 /dev/vda rw\n"
    with pytest.raises(mounts.LayersUnavailable, match="'ext4', not an overlay"):
        mounts.layers_of({"GraphDriver": {"Name": "vfs", "Data": None}},
                         mounts.root_mount(vfs_root))


def test_the_image_layers_on_the_containerd_store_are_a_siblings_below_its_init_layer():
    image = mounts.image_layers({"GraphDriver": {"Name": "overlayfs"}},
                                mounts.root_mount(ROOT_MOUNT))
    assert image.layer_dirs == (f"{SNAP}/452/fs", f"{SNAP}/448/fs")
    container = mounts.Stack("overlay", f"{SNAP}/460/fs", (f"{SNAP}/459/fs", *image.layer_dirs))
    found = container_layer.check_init_between(container, image)
    assert found["init_layer"] == f"{SNAP}/459/fs"
    with pytest.raises(ClaimFailed, match="one of the image's"):
        container_layer.check_init_between(
            mounts.Stack("overlay", f"{SNAP}/460/fs", (f"{SNAP}/452/fs", f"{SNAP}/452/fs",
                                                       f"{SNAP}/448/fs")), image)
    with pytest.raises(mounts.LayersUnavailable, match="named neither"):
        mounts.image_layers({"GraphDriver": {}}, None)

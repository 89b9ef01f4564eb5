"""docker_claims.claims.container_layer, no engine needed: C04-C06 checks fail on contrary facts."""

import pytest
from observed import OVERLAY, WRITES

from docker_claims.claims import container_layer
from docker_claims.engine import mounts
from docker_claims.engine.records import NEVER_STARTED
from docker_claims.evidence import ClaimFailed

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

IMAGE_OVERLAY = {"GraphDriver": {"Name": "overlay2", "Data": {
    "UpperDir": "/var/lib/docker/overlay2/top/diff",
    "LowerDir": "/var/lib/docker/overlay2/base/diff"}}}


UPPER = {"/claims": "dir", "/claims/new.txt": "file", "/claims/old.txt": "file",
         "/claims/gone.txt": "whiteout"}


def overlay(upper):
    """An overlay2 container's directories, its writable layer's holding `upper`."""
    return mounts.LayerDirs(mounts.stack(OVERLAY), mounts.stack(IMAGE_OVERLAY), upper)


def test_an_upper_dir_holding_exactly_the_changes_holds():
    found = container_layer.check_upper_is_the_diff(overlay(UPPER), DIFF, WRITES)
    assert found["expected"] == "only the container's changes, deletions as whiteouts"


@pytest.mark.parametrize("upper, match", [
    ({**UPPER, "/bin": "dir", "/bin/busybox": "file"}, "did not change"),   # image files copied
    ({k: v for k, v in UPPER.items() if k != "/claims/old.txt"}, "does not hold"),
    ({**UPPER, "/claims/gone.txt": "file"}, "does not hold"),               # no whiteout
    ({}, "does not hold"),                                                  # writes elsewhere
])
def test_an_upper_dir_other_than_the_changes_fails(upper, match):
    with pytest.raises(ClaimFailed, match=match):
        container_layer.check_upper_is_the_diff(overlay(upper), DIFF, WRITES)


def test_a_change_the_upper_dir_lacks_fails():
    with pytest.raises(ClaimFailed, match="not in its writable layer"):
        container_layer.check_upper_is_the_diff(overlay(UPPER), {**DIFF, "/etc": "added"}, WRITES)


def test_a_whiteout_for_something_not_deleted_fails():
    with pytest.raises(ClaimFailed, match="only deletions"):
        container_layer.check_upper_is_the_diff(overlay({**UPPER, "/claims": "whiteout"}), DIFF,
                                                WRITES)


def test_the_copied_file_in_the_upper_dir_holds():
    container_layer.check_upper_holds(overlay({"/claims": "dir", "/claims/f": "file"}),
                                      "/claims/f")
    with pytest.raises(ClaimFailed):
        container_layer.check_upper_holds(overlay({"/claims": "dir"}), "/claims/f")


# C04/C06 on vfs: each layer's directory a full copy of the one below

VFS = "/var/lib/docker/vfs/dir"
VFS_CONTAINER = mounts.Stack("vfs", f"{VFS}/c0ffee", (f"{VFS}/c0ffee-init", f"{VFS}/top",
                                                      f"{VFS}/base"), "layer database")
VFS_IMAGE = mounts.Stack("vfs", f"{VFS}/top", (f"{VFS}/base",), "layer database")
IMAGE_FILES = {"/bin": "dir", "/bin/busybox": "file", "/bin/sh": "symlink", "/claims": "dir",
               "/claims/old.txt": "file", "/claims/gone.txt": "file"}
INIT_LAYER = {**IMAGE_FILES, "/etc": "dir", **{name: "file" for name in mounts.INIT_FILES}}
VFS_UPPER = {**{k: v for k, v in INIT_LAYER.items() if k != "/claims/gone.txt"},
             "/claims/new.txt": "file"}


def vfs(upper=VFS_UPPER, below=INIT_LAYER, image=IMAGE_FILES):
    return mounts.LayerDirs(VFS_CONTAINER, VFS_IMAGE, upper, below, image)


def test_on_vfs_the_writable_layer_is_a_full_copy_with_the_changes_and_says_so():
    found = container_layer.check_upper_is_the_diff(vfs(), DIFF, WRITES)
    assert found["expected"] == ("a full copy of the image's 6 entries (and the init layer's 5), "
                                 "with the container's changes (1 added, 2 changed, 1 deleted) "
                                 "made to it")
    assert "'vfs' keeps no layer below another" in found["because"]
    assert found["gained_over_the_init_layer"] == ["/claims/new.txt"]
    assert found["gone_from_the_init_layer"] == ["/claims/gone.txt"]


@pytest.mark.parametrize("upper, match", [
    ({**VFS_UPPER, "/claims/gone.txt": "file"}, "does not hold the container's writes"),
    ({k: v for k, v in VFS_UPPER.items() if k != "/claims/new.txt"}, "does not hold"),
    ({**VFS_UPPER, "/claims/more.txt": "file"}, "gained other paths"),
    ({k: v for k, v in VFS_UPPER.items() if k != "/bin/sh"}, "lost other paths"),
    ({k: v for k, v in VFS_UPPER.items() if k != "/claims"}, "lost other paths"),
    (UPPER, "lost other paths"),                     # only the changes: no full copy
])
def test_on_vfs_a_writable_layer_other_than_the_copy_with_the_changes_fails(upper, match):
    with pytest.raises(ClaimFailed, match=match):
        container_layer.check_upper_is_the_diff(vfs(upper), DIFF, WRITES)


def test_on_vfs_a_layer_below_that_is_no_copy_of_the_image_fails():
    """The writable layer's directory lacks image files, and so does the layer below."""
    thin = {k: v for k, v in INIT_LAYER.items() if k != "/bin/busybox"}
    upper = {k: v for k, v in VFS_UPPER.items() if k != "/bin/busybox"}
    with pytest.raises(ClaimFailed, match="lacks files of the image"):
        container_layer.check_upper_is_the_diff(vfs(upper, thin), DIFF, WRITES)


def test_on_vfs_a_full_copy_is_judged_only_with_the_listings_below():
    with pytest.raises(ValueError, match="layer below"):
        container_layer.check_upper_is_the_diff(vfs(below=None), DIFF, WRITES)


def test_on_vfs_the_copied_file_is_the_containers_own_in_a_full_copy():
    upper = {**INIT_LAYER, "/claims/f": "file"}
    found = container_layer.check_upper_holds(vfs(upper), "/claims/f")
    assert found["expected"].startswith("a full copy of the image's 6 entries")
    with pytest.raises(ClaimFailed, match="in the layer below as well"):
        container_layer.check_upper_holds(vfs(upper, {**INIT_LAYER, "/claims/f": "file"}),
                                          "/claims/f")
    with pytest.raises(ClaimFailed, match="lacks files of the image"):
        container_layer.check_upper_holds(vfs({"/claims": "dir", "/claims/f": "file"}),
                                          "/claims/f")


def test_on_vfs_the_init_layer_sits_between_and_holds_the_engines_files_beyond_the_image():
    found = container_layer.check_init_between(VFS_CONTAINER, VFS_IMAGE)
    assert found["init_layer"] == f"{VFS}/c0ffee-init"
    held = container_layer.check_init_holds(INIT_LAYER, image_files=IMAGE_FILES)
    assert held["beyond_the_image"] == sorted({"/etc", *mounts.INIT_FILES})
    with pytest.raises(ClaimFailed, match="the image's already"):
        container_layer.check_init_holds(INIT_LAYER, image_files=INIT_LAYER)
    misnamed = mounts.Stack("vfs", f"{VFS}/c0ffee", (f"{VFS}/other-init", *VFS_IMAGE.layer_dirs))
    with pytest.raises(ClaimFailed, match="not its -init layer"):
        container_layer.check_init_between(misnamed, VFS_IMAGE)


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

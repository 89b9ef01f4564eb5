"""docker_claims.engine.mounts, no engine needed: layers read from GraphDriver and mountinfo."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from observed import KEY, OVERLAY

from docker_claims.claims import container_layer
from docker_claims.engine import mounts
from docker_claims.evidence import ClaimFailed

# GraphDriver.Data

def test_no_upper_dir_is_a_reason_to_skip_not_a_verdict():
    containerd = {"GraphDriver": {"Name": "overlayfs", "Data": None}}
    assert "'overlayfs' shows no UpperDir" in mounts.unavailable(containerd)
    assert mounts.unavailable({}) is not None
    assert mounts.unavailable(OVERLAY) is None


def test_a_single_layer_image_has_no_lower_dirs():
    only = {"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": "/o/one/diff"}}}
    assert mounts.stack(only).layer_dirs == ("/o/one/diff",)


# A layer directory's listing

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


# C08: a netns entry in the mount table

def test_a_mount_table_reading_cut_short_fails():
    with pytest.raises(ClaimFailed, match="incomplete"):
        mounts.parse_mount(KEY, "path /run/docker/netns/x\nmount nsfs\n")

"""docker_claims.engine.mounts, no engine needed: layers read from GraphDriver and mountinfo."""

import lzma
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from observed import KEY, OVERLAY

from docker_claims.claims import container_layer
from docker_claims.engine import bolt, mounts
from docker_claims.evidence import ClaimFailed, NotMeasured

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


def test_a_listing_cut_short_is_not_measured():
    with pytest.raises(NotMeasured, match="did not list"):
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


# C04/C06 on vfs: the layers named by the engine's layer database

VFS_ROOT = "/var/lib/docker/vfs"
DIFF_IDS = ["sha256:adb9aaabc57fee1d0053907cad1b3cdc877a8c788de4c77425dfe9cb777442e9",
            "sha256:33432443181d37f34eda7cf661d855a754f4df79456340ffa2ea816c224b439c",
            "sha256:334173c706df08ab5ce87fda21b600e066a40234b8610353deca47f1e2180520"]
"""A three-layer image on Docker 20.10's vfs, whose container's layer database mount names
`parent` sha256:45fbc2ca... (measured)."""
CHAIN = ("mount-id baf7ee1071df\ninit-id baf7ee1071df-init\n"
         "layer sha256:45fbc2ca cache-top\nlayer sha256:69bf12a6 cache-mid\n"
         "layer sha256:adb9aaab cache-base\n#end\n")


def test_the_top_layers_chain_id_is_what_the_layer_database_keys_it_by():
    assert mounts.chain_id(DIFF_IDS) == ("sha256:45fbc2ca636aefb08900761148a325280e6f6d2921cd"
                                         "72728ece70d063f4e0f1")
    assert mounts.chain_id(DIFF_IDS[:1]) == DIFF_IDS[0]
    with pytest.raises(ClaimFailed, match="no layers"):
        mounts.chain_id([])


def test_a_containers_layers_on_vfs_are_its_mount_its_init_layer_and_the_images_chain():
    stack = mounts.layerdb_stack("vfs", VFS_ROOT, mounts.parse_layer_chain(CHAIN))
    assert stack.layer_dirs == tuple(f"{VFS_ROOT}/dir/{name}" for name in (
        "baf7ee1071df", "baf7ee1071df-init", "cache-top", "cache-mid", "cache-base"))
    assert stack.full_copy and stack.source == "the engine's layer database (image/vfs/layerdb)"
    assert stack.layer_id(stack.lowers[0]) == "baf7ee1071df-init"
    image = mounts.layerdb_stack("vfs", VFS_ROOT, mounts.parse_layer_chain(
        CHAIN.split("\n", 2)[2]))
    assert image.layer_dirs == stack.lowers[1:]
    found = container_layer.check_init_between(stack, image)
    assert found["named_by"]["container"] == stack.source


@pytest.mark.parametrize("output, match", [
    ("mount-id abc\ninit-id \nlayer sha256:1 c\n#end\n", "no init layer"),
    ("#end\n", "no layer of the image"),
])
def test_a_layer_database_that_names_no_layer_fails(output, match):
    with pytest.raises(ClaimFailed, match=match):
        mounts.layerdb_stack("vfs", VFS_ROOT, mounts.parse_layer_chain(output))


@pytest.mark.parametrize("output, match", [
    ("mount-id abc\n", "could not read the engine's layer database"),
    ("mount-id abc\ninit-id\nlayer sha256:1\n#end\n", "names no directory"),
])
def test_a_layer_database_reading_cut_short_is_not_measured(output, match):
    with pytest.raises(NotMeasured, match=match):
        mounts.parse_layer_chain(output)


# C06 on the containerd image store: a created container's snapshots, named by the
# snapshotter's metadata

METADATA = Path(__file__).parent / "data" / "containerd-2.1-snapshotter-metadata.db.xz"
"""containerd 2.1's overlayfs snapshotter's metadata.db under Docker 28.5.2's containerd image
store, after `docker create` of 120 containers of a 2-layer busybox image (copied while they
existed): 243 snapshots, so that the snapshots bucket spans branch and leaf pages."""
CREATED = "dd115304ec8c190d8293e1f84831fbb08291d138f2cfad093599934c0a43d295"
"""The first of those containers."""


@pytest.fixture(scope="module")
def metadata():
    return bolt.read(lzma.decompress(METADATA.read_bytes()))


def test_the_snapshotter_metadata_is_read_across_its_pages(metadata):
    snapshots = metadata[b"v1"][b"snapshots"]
    assert len(snapshots) == 243
    assert sum(key.endswith(b"-init") for key in snapshots) == 121
    active = [value for value in snapshots.values() if value[b"kind"] == b"\x02"]
    assert len(active) == 120


def test_a_created_containers_snapshots_are_its_active_one_then_its_parents(metadata):
    stack = mounts.snapshot_stack(metadata, CREATED, SNAP)
    assert stack.layer_dirs == tuple(f"{SNAP}/{n}/fs" for n in (493, 492, 8, 5, 4))
    assert stack.source == "the snapshotter's metadata (metadata.db)"
    assert not stack.full_copy


@pytest.mark.parametrize("container_id, match", [
    ("f" * 64, "names 0 snapshots keyed by the container's id"),
    (CREATED[:12], "names 0 snapshots"),       # a key is the full id, not a prefix
])
def test_a_container_the_metadata_does_not_name_is_a_reason_to_skip(metadata, container_id,
                                                                    match):
    with pytest.raises(mounts.LayersUnavailable, match=match):
        mounts.snapshot_stack(metadata, container_id, SNAP)


def test_a_broken_parent_chain_is_a_reason_to_skip(metadata):
    snapshots = dict(metadata[b"v1"][b"snapshots"])
    del snapshots[[key for key in snapshots if key.endswith(CREATED.encode() + b"-init")][0]]
    with pytest.raises(mounts.LayersUnavailable, match="does not name snapshot moby/738/"):
        mounts.snapshot_stack({b"v1": {b"snapshots": snapshots}}, CREATED, SNAP)
    with pytest.raises(mounts.LayersUnavailable, match="no snapshots bucket"):
        mounts.snapshot_stack({b"v1": {}}, CREATED, SNAP)


def test_the_snapshotter_metadata_lies_beside_its_snapshots_directory():
    assert mounts.snapshots_metadata(SNAP + "/") == SNAP.rsplit("/", 1)[0] + "/metadata.db"
    assert mounts.snapshots_metadata("/var/lib/docker/overlay2") is None


@pytest.mark.parametrize("data, match", [
    (b"", "no bbolt database"),
    (b"\0" * 8192, "no valid meta page"),
    (lzma.decompress(METADATA.read_bytes())[:20000], "cut short"),
])
def test_bytes_that_are_no_whole_bbolt_database_fail(data, match):
    with pytest.raises(bolt.BoltError, match=match):
        bolt.read(data)


def test_a_snapshot_id_is_a_go_uvarint():
    assert bolt.uvarint(b"\x08") == 8
    assert bolt.uvarint(b"\xed\x03") == 493
    with pytest.raises(bolt.BoltError):
        bolt.uvarint(b"\x80")


def test_the_evidence_of_a_full_copy_is_its_size_and_what_it_holds_beyond_the_layer_below():
    image = {"/bin": "dir", "/bin/busybox": "file"}
    below = {**image, "/.dockerenv": "file"}
    upper = {**below, "/claims": "dir", "/claims/f": "file"}
    stack = mounts.Stack("vfs", "/v/dir/a", ("/v/dir/a-init", "/v/dir/top"))
    shown = mounts.LayerDirs(stack, stack, upper, below, image).evidence()
    assert shown == {"entries": 5, "init_layer_entries": 3, "image_entries": 2,
                     "not_in_the_init_layer": {"/claims": "dir", "/claims/f": "file"},
                     "gone_from_the_init_layer": []}
    assert mounts.LayerDirs(stack, stack, upper).evidence() == upper


# C08: a netns entry in the mount table

def test_a_mount_table_reading_cut_short_is_not_measured():
    with pytest.raises(NotMeasured, match="incomplete"):
        mounts.parse_mount(KEY, "path /run/docker/netns/x\nmount nsfs\n")

import pytest
from docker.errors import APIError

from docker_claims.engine.host import (
    LAYERDB,
    NETNS,
    SNAPSHOTS_DB,
    STORAGE,
    HostPidsRefused,
    HostReader,
)
from docker_claims.evidence import NotMeasured

READER = HostReader(container=None, netns="/run/docker/netns",
                    storage="/var/lib/docker/overlay2")


def test_the_reader_sees_the_netns_directory_and_what_lies_under_the_storage_directory():
    assert READER.seen_at("/run/docker/netns") == NETNS
    assert READER.seen_at("/var/lib/docker/overlay2/abc/diff") == f"{STORAGE}/abc/diff"


@pytest.mark.parametrize("path", ["/var/lib/docker/overlay2-other/abc/diff", "/etc",
                                  "/run/docker/netns2"])
def test_a_path_the_reader_does_not_see_is_not_measured_saying_which_it_sees(path):
    with pytest.raises(NotMeasured, match="the only places the host reader sees"):
        READER.seen_at(path)


class FakeContainer:
    def __init__(self, engine, kwargs):
        self.engine, self.kwargs, self.id = engine, kwargs, f"c{len(engine.created)}"
        self.attrs = {"State": {"Pid": 4242},
                      "NetworkSettings": {"SandboxKey": "/run/docker/netns/abc"}}

    def start(self):
        if self.kwargs.get("pid_mode") == "host" and self.engine.refuse_host_pids:
            raise APIError("500", explanation='OCI runtime create failed: mounting "proc" to '
                           'rootfs at "/proc" caused: operation not permitted: unknown')

    def reload(self):
        pass

    def exec_run(self, command):
        if command[0] == "cat" and command[1] != "/proc/self/mountinfo":
            self.engine.reads.append(command[1])
            return self.engine.reads_answer
        return 0, self.engine.mountinfo.encode()


OVERLAY2_ROOT = ("738 648 0:78 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/"
                 "overlay2/l/AB:/var/lib/docker/overlay2/l/CD,upperdir=/var/lib/docker/overlay2/"
                 "f00/diff,workdir=/var/lib/docker/overlay2/f00/work\n")
SNAPSHOTS = "/var/lib/docker/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots"
CONTAINERD_ROOT = (f"738 648 0:78 / / rw,relatime - overlay overlay rw,lowerdir={SNAPSHOTS}/456/"
                   f"fs:{SNAPSHOTS}/448/fs,upperdir={SNAPSHOTS}/457/fs,workdir={SNAPSHOTS}/457/"
                   "work\n")
NOT_OVERLAY = "738 648 254:0 /vfs/dir/abc / rw,relatime - ext4 /dev/vda rw\n"


class FakeEngine:
    """Resources and client in one: what HostReader.start asks of them."""

    def __init__(self, security=(), existing=("/run/docker/netns", "/var/lib/docker/overlay2"),
                 driver="overlay2", refuse_host_pids=False, mountinfo=OVERLAY2_ROOT):
        self.client, self.api, self.mountinfo = self, self, mountinfo
        self.security, self.existing, self.driver = security, existing, driver
        self.refuse_host_pids, self.created = refuse_host_pids, []
        self.reads, self.reads_answer = [], (0, b"")

    def info(self):
        return {"DockerRootDir": "/var/lib/docker", "Driver": self.driver,
                "SecurityOptions": ["name=seccomp,profile=default", *self.security]}

    def container(self, image, command, **kwargs):
        for mount in kwargs.get("mounts", []):
            if mount["Source"] not in self.existing:
                raise APIError("400", explanation='invalid mount config for type "bind": bind '
                               f'source path does not exist: {mount["Source"]}')
        self.created.append(FakeContainer(self, kwargs))
        return self.created[-1]

    def remove_container(self, *args, **kwargs):
        pass


def reader_options(engine):
    return {key: value for key, value in engine.created[-1].kwargs.items()
            if key in ("pid_mode", "cap_add", "userns_mode")}


def test_a_reader_of_directories_asks_for_no_host_pid_namespace():
    engine = FakeEngine()
    reader = HostReader.start(engine, "image")
    assert reader_options(engine) == {}
    assert not reader.host_pids
    with pytest.raises(ValueError, match="host_pids=True"):
        reader.needs_host_pids("/proc/1")


def test_a_reader_of_processes_asks_for_the_host_pid_namespace_and_ptrace_only():
    engine = FakeEngine()
    reader = HostReader.start(engine, "image", host_pids=True)
    assert reader_options(engine) == {"pid_mode": "host", "cap_add": ["SYS_PTRACE"]}
    assert reader.host_pids and reader.pid == 4242


@pytest.mark.parametrize("host_pids", [False, True])
def test_on_an_engine_that_remaps_users_the_reader_opts_out(host_pids):
    engine = FakeEngine(security=["name=userns"])
    HostReader.start(engine, "image", host_pids=host_pids)
    assert reader_options(engine)["userns_mode"] == "host"


def test_the_reader_binds_where_a_probes_root_overlay_keeps_its_layers():
    """The containerd image store keeps its layers in the snapshotter's directory, not in
    DockerRootDir/overlayfs: the probe's root mount names it."""
    engine = FakeEngine(driver="overlayfs", mountinfo=CONTAINERD_ROOT,
                        existing=("/run/docker/netns", SNAPSHOTS))
    reader = HostReader.start(engine, "image")
    assert reader.storage == SNAPSHOTS
    assert reader.seen_at(f"{SNAPSHOTS}/457/fs") == f"{STORAGE}/457/fs"
    overlay2 = HostReader.start(FakeEngine(), "image")
    assert overlay2.storage == "/var/lib/docker/overlay2"


def test_a_storage_directory_the_engine_host_lacks_is_not_bound():
    """No overlay root to learn from, and no DockerRootDir/<driver> on the engine host."""
    engine = FakeEngine(driver="overlayfs", mountinfo=NOT_OVERLAY)
    reader = HostReader.start(engine, "image")
    assert [m["Source"] for m in engine.created[-1].kwargs["mounts"]] == ["/run/docker/netns"]
    assert reader.storage == ""
    with pytest.raises(NotMeasured, match="none on the engine host"):
        reader.seen_at("/var/lib/docker/overlayfs/abc")


def test_a_rootless_engine_refusing_the_host_pid_namespace_says_why_and_the_fix():
    engine = FakeEngine(security=["name=rootless"], refuse_host_pids=True)
    with pytest.raises(HostPidsRefused) as refused:
        HostReader.start(engine, "image", host_pids=True)
    message = str(refused.value)
    assert "operation not permitted" in message  # what the engine answered
    assert "DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--pidns" in message
    assert HostReader.start(engine, "image").storage  # directories are still read


def test_a_reading_whose_output_the_engine_lost_is_asked_again():
    """Docker 26 sometimes returns a short exec's output empty (docker-py#2042): a listing
    then read as nothing, and C07 was reported failing for it."""
    answers = iter([(0, b""), (0, b"entry\n#end\n")])
    container = type("C", (), {"exec_run": lambda self, command: next(answers)})()
    reader = HostReader(container=container, netns="/run/docker/netns", storage="")
    assert reader.run("ls") == (0, "entry\n#end\n")


def bound(engine):
    return {m["Source"]: m["Target"] for m in engine.created[-1].kwargs["mounts"]}


def test_on_vfs_the_reader_binds_the_engines_layer_database():
    """vfs names its directories nowhere but in the engine's layer database."""
    engine = FakeEngine(driver="vfs", mountinfo=NOT_OVERLAY, existing=(
        "/run/docker/netns", "/var/lib/docker/vfs", "/var/lib/docker/image/vfs/layerdb"))
    reader = HostReader.start(engine, "image")
    assert bound(engine)["/var/lib/docker/image/vfs/layerdb"] == LAYERDB
    assert reader.storage == "/var/lib/docker/vfs"
    assert reader.layerdb == "/var/lib/docker/image/vfs/layerdb" and not reader.snapshots_db
    assert reader.seen_at("/var/lib/docker/image/vfs/layerdb") == LAYERDB


def test_on_the_containerd_store_the_reader_binds_the_snapshotters_metadata():
    metadata = SNAPSHOTS.rsplit("/", 1)[0] + "/metadata.db"
    engine = FakeEngine(driver="overlayfs", mountinfo=CONTAINERD_ROOT,
                        existing=("/run/docker/netns", SNAPSHOTS, metadata))
    reader = HostReader.start(engine, "image")
    assert bound(engine)[metadata] == SNAPSHOTS_DB
    assert reader.snapshots_db == metadata and not reader.layerdb
    engine.reads_answer = (0, b"bolt bytes")
    assert reader.read_bytes(metadata) == b"bolt bytes"
    assert engine.reads == [SNAPSHOTS_DB]
    engine.reads_answer = (1, b"cat: can't open: Permission denied")
    with pytest.raises(NotMeasured, match="could not read"):
        reader.read_bytes(metadata)


def test_on_overlay2_the_reader_binds_no_more_than_the_netns_and_storage_directories():
    engine = FakeEngine()
    reader = HostReader.start(engine, "image")
    assert set(bound(engine).values()) == {NETNS, STORAGE}
    assert not reader.layerdb and not reader.snapshots_db


def test_a_naming_file_the_engine_host_lacks_is_left_out():
    engine = FakeEngine(driver="overlayfs", mountinfo=CONTAINERD_ROOT,
                        existing=("/run/docker/netns", SNAPSHOTS))
    reader = HostReader.start(engine, "image")
    assert not reader.snapshots_db and reader.storage == SNAPSHOTS

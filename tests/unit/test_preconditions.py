"""Active tags: a scenario the engine cannot measure is skipped with the engine's reason."""

from types import SimpleNamespace

import pytest

from docker_claims.runner.preconditions import FACTS, Preconditions, host_pids, layer_dirs

REFUSED = "the engine does not start a helper container in its host's pid namespace: ..."


class FakeSession:
    def __init__(self, refused):
        self.refused, self.asked = refused, 0

    def host_pids_refused(self):
        self.asked += 1
        return self.refused


def test_a_scenario_needing_the_host_pid_namespace_is_skipped_with_the_engines_reason():
    assert FACTS["host_pids"] is host_pids
    assert Preconditions(FakeSession(REFUSED)).skip_reason(
        ["claim.C08", "use.with_host_pids=yes"]) == REFUSED


def test_it_runs_where_the_engine_gives_it():
    assert Preconditions(FakeSession(None)).skip_reason(
        ["claim.C08", "use.with_host_pids=yes"]) is None


def test_a_scenario_without_the_tag_does_not_ask_the_engine():
    session = FakeSession(REFUSED)
    assert Preconditions(session).skip_reason(["claim.C08"]) is None
    assert session.asked == 0


def facts(**why_not):
    read = []

    def fact(name):
        def probe(session):
            read.append(name)
            return why_not[name]
        return probe

    return {name: fact(name) for name in why_not}, read


def test_a_scenario_runs_only_where_its_facts_hold_and_is_told_why_not():
    known, read = facts(layer_dirs="no UpperDir (the containerd image store)", docker_cli=None)
    preconditions = Preconditions(None, known)
    assert preconditions.skip_reason(["claim.C10", "use.with_docker_cli=yes"]) is None
    assert preconditions.skip_reason(["use.with_layer_dirs=yes"]) == (
        "no UpperDir (the containerd image store)")
    assert "holds here" in preconditions.skip_reason(["not.with_docker_cli=yes"])
    preconditions.skip_reason(["use.with_layer_dirs=yes", "use.with_docker_cli=yes"])
    assert sorted(read) == ["docker_cli", "layer_dirs"]  # each read once, when first asked


def test_an_unknown_fact_skips_naming_the_known_ones():
    known, _ = facts(layer_dirs=None)
    reason = Preconditions(None, known).skip_reason(["use.with_layer_dir=yes"])
    assert "no such fact" in reason and "layer_dirs" in reason


class StorageSession:
    """What the layer_dirs fact asks of a run's session: the helper image's GraphDriver, the
    reader's root mount and what it binds, the engine's storage driver."""

    def __init__(self, driver, root, layerdb="", storage=""):
        data = {"UpperDir": "/o/up/diff"} if driver == "overlay2" else None
        image = SimpleNamespace(attrs={"GraphDriver": {"Name": driver, "Data": data}})
        self.fixtures = SimpleNamespace(image=lambda name: image)
        container = SimpleNamespace(
            reload=lambda: None, attrs={"State": {"Running": True}},
            exec_run=lambda command: (0, root.encode()))
        self.reader = SimpleNamespace(container=container, layerdb=layerdb, storage=storage)
        self.fingerprint = SimpleNamespace(storage_driver=driver)

    def host_reader(self):
        return self.reader


OVERLAY_ROOT = ("1 0 0:1 / / rw - overlay overlay rw,lowerdir=/s/1/fs,upperdir=/s/2/fs,"
                "workdir=/s/2/work\n")
EXT4_ROOT = "1 0 254:0 /vfs/dir/abc / rw - ext4 /dev/vda rw\n"


@pytest.mark.parametrize("session", [
    StorageSession("overlay2", OVERLAY_ROOT),
    StorageSession("overlayfs", OVERLAY_ROOT),
    StorageSession("vfs", EXT4_ROOT, "/var/lib/docker/image/vfs/layerdb", "/var/lib/docker/vfs"),
])
def test_layer_directories_are_named_by_the_api_a_root_mount_or_the_layer_database(session):
    assert layer_dirs(session) is None


@pytest.mark.parametrize("session, says", [
    (StorageSession("vfs", EXT4_ROOT, "", "/var/lib/docker/vfs"),
     "layer database (DockerRootDir/image/<driver>/layerdb), which names them for vfs, is not "
     "on the engine host"),
    (StorageSession("btrfs", EXT4_ROOT, "/var/lib/docker/image/btrfs/layerdb", "/x"),
     "knows no other record of the storage driver 'btrfs'"),
])
def test_where_nothing_names_them_the_reason_says_what_the_engine_hides(session, says):
    reason = layer_dirs(session)
    assert "shows no UpperDir in GraphDriver.Data" in reason and "'ext4'" in reason
    assert says in reason

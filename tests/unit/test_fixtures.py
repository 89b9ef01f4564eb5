import sys
from pathlib import Path

import pytest

from docker_claims.engine import dockerfile, fixtures


def test_the_layered_fixture_has_five_filesystem_steps():
    steps = dockerfile.build_steps(fixtures.LAYERED.dockerfile({"k": "v"}))
    assert sum(dockerfile.changes_filesystem(s) for s in steps) == 5


def test_every_step_image_carries_the_run_label():
    """On the containerd image store, a fixture's config-only step images (ENV, CMD) outlive
    its removal: labelled only in the last step, 3 a run were left unlabelled."""
    dockerfile = fixtures.BASE.dockerfile({"docker-claims.run": "abc"})
    lines = dockerfile.splitlines()
    assert lines[:2] == ["FROM scratch", 'LABEL "docker-claims.run"="abc"']
    assert sum(line.startswith("LABEL") for line in lines) == 1


def test_content_hash_follows_files_instructions_and_busybox():
    base = fixtures.LAYERED.content_hash("bb1")
    assert base == fixtures.LAYERED.content_hash("bb1")
    assert base != fixtures.LAYERED.content_hash("bb2")
    assert base != fixtures.FixtureSpec("layered", fixtures.LAYERED.instructions).content_hash(
        "bb1")


def test_a_dynamic_executable_is_not_static():
    arch, static = fixtures.elf_facts(Path(sys.executable).resolve())
    assert arch is not None and static is False


def test_a_non_elf_file_is_neither(tmp_path):
    script = tmp_path / "busybox"
    script.write_text("#!/bin/sh\n")
    assert fixtures.elf_facts(script) == (None, False)


@pytest.mark.skipif(fixtures.find_busybox() is None, reason="no static busybox on this machine")
def test_the_busybox_found_is_static():
    assert fixtures.elf_facts(fixtures.find_busybox())[1] is True


def test_a_fixture_built_after_another_has_all_its_filesystem_steps_from_its_beginning():
    for spec in (fixtures.BASE, fixtures.CONFIGURED):
        steps = dockerfile.build_steps(spec.dockerfile({}))
        own = [step for step in steps if dockerfile.changes_filesystem(step)]
        assert dockerfile.build_steps(spec.after.dockerfile({}))[:len(own)] == own
        assert steps[:len(own)] == own


class _Recording(fixtures.Fixtures):
    """Fixtures whose builds only record what they were asked (no engine)."""

    def __init__(self):
        super().__init__(resources=None, _busybox=b"busybox")
        self.builds = []

    def _build(self, spec, key, busybox, cache_from):
        self.builds.append((spec.name, cache_from))
        return type("Image", (), {"id": f"id-of-{spec.name}"})()


def test_a_fixture_is_built_after_the_one_it_begins_with_from_its_cache_only():
    built = _Recording()
    built.prepare([fixtures.BASE])
    assert built.image(fixtures.BASE).id == "id-of-busybox"
    built.prepare([fixtures.CONFIGURED])
    built.image(fixtures.CONFIGURED)
    built.settle()
    assert built.builds == [("layered", []), ("busybox", ["id-of-layered"]),
                            ("configured", ["id-of-layered"])]


def test_each_fixture_is_built_once_however_often_asked():
    built = _Recording()
    built.prepare([fixtures.BASE, fixtures.LAYERED, fixtures.BASE])
    for _ in range(3):
        built.image(fixtures.LAYERED)
    built.settle()
    assert sorted(name for name, _ in built.builds) == ["busybox", "layered"]
    assert built.builds[0] == ("layered", [])


def test_the_run_s_own_containers_run_the_fixture_every_other_is_built_after():
    assert fixtures.HELPER.after is None
    assert all(spec.after is fixtures.HELPER for spec in (fixtures.BASE, fixtures.CONFIGURED))


def test_each_version_of_an_overridden_file_differs_in_size_and_mtime_in_the_context():
    """vfs (and overlay2 without a native diff, e.g. rootless) diff layers by size and mtime:
    an upper version equal in both came out as an empty `COPY upper/` layer, which the engine
    dropped, and C01, C02 and C11 were reported failing for it."""
    import tarfile

    context = fixtures.build_context(fixtures.LAYERED, "FROM scratch\n", b"busybox")
    with tarfile.open(fileobj=context) as tar:
        members = {info.name: info for info in tar.getmembers()}
    lower, upper = members["lower/shadowed.txt"], members["upper/shadowed.txt"]
    assert lower.size != upper.size
    assert lower.mtime != upper.mtime


def test_the_local_dind_image_holds_the_engine_binaries_their_libraries_and_a_shell(tmp_path):
    import shutil
    import tarfile

    from docker_claims.engine import dind

    dockerd, busybox = shutil.which("dockerd"), fixtures.find_busybox()
    if dockerd is None or busybox is None:
        pytest.skip("no dockerd or static busybox on this machine")
    rootfs = tmp_path / "rootfs.tar"
    dind._write_rootfs(rootfs, {"dockerd": dockerd}, busybox)
    with tarfile.open(rootfs) as tar:
        names = set(tar.getnames())
    assert {"usr/local/bin/dockerd", "bin/busybox", "bin/sh", "var/lib/docker"} <= names
    if not fixtures.elf_facts(Path(dockerd))[1]:  # dynamic: its loader and libraries come along
        assert any("ld-linux" in name for name in names)

import sys
from pathlib import Path

import pytest

from docker_claims import fixtures


def test_build_steps_are_the_instructions_after_from():
    dockerfile = "FROM scratch\n# a comment\nCOPY a /a\n\nRUN x\nENV A=1\n"
    assert fixtures.build_steps(dockerfile) == ["COPY a /a", "RUN x", "ENV A=1"]


def test_only_copy_add_and_run_change_the_filesystem():
    changing = [s for s in ["COPY a /a", "ADD b /b", "RUN x", "ENV A=1", "CMD [\"sh\"]",
                            "LABEL a=b", "WORKDIR /w"] if fixtures.changes_filesystem(s)]
    assert changing == ["COPY a /a", "ADD b /b", "RUN x"]


def test_the_layered_fixture_has_five_filesystem_steps():
    steps = fixtures.build_steps(fixtures.LAYERED.dockerfile({"k": "v"}))
    assert sum(fixtures.changes_filesystem(s) for s in steps) == 5


def test_the_dockerfile_labels_the_image_in_its_last_step():
    dockerfile = fixtures.BASE.dockerfile({"docker-claims.run": "abc"})
    assert dockerfile.splitlines()[0] == "FROM scratch"
    assert dockerfile.splitlines()[-1] == 'LABEL "docker-claims.run"="abc"'


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

"""The C09-C13 checks fail when the engine's archives no longer have what the article claims.

Each test makes a claim false with real engine objects (an image of several layers where one is
claimed, a tar whose history was rewritten, the wrong archive for the wrong command...) and
shows the check that proves the claim failing on it.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from docker_claims.claims import export_import, pairs, save_load
from docker_claims.engine import (
    cli_commands,
    containers,
    docker_cli,
    dockerfile,
    fixtures,
    images,
    transfer,
)
from docker_claims.evidence import ClaimFailed

NAMES = ("CMD", "ENV", "WORKDIR")


@pytest.fixture
def layered(session):
    return session.fixtures.image(fixtures.LAYERED)


@pytest.fixture
def configured(session):
    return session.fixtures.image(fixtures.CONFIGURED)


@pytest.fixture
def untouched(resources, layered):
    return containers.container_that_changed_nothing(resources, layered)


@pytest.fixture
def writer(resources, layered):
    return containers.run_writes(resources, layered, fixtures.WRITES)


@pytest.fixture
def export_tar(untouched, scratch):
    return containers.export(untouched, scratch)


@pytest.fixture
def save_tar(session, layered, scratch):
    return transfer.save(session.client, layered, scratch)


@pytest.fixture
def own(resources, layered):
    return containers.own_image(resources, layered)


# -- C09 ------------------------------------------------------------------------------------


def test_runnable_check_fails_for_the_image_imported_from_a_save_tar(resources, layered,
                                                                      save_tar):
    crossed = transfer.import_tar(resources, save_tar)
    with pytest.raises(ClaimFailed, match="would not run"):
        pairs.check_runs(images.run(resources, crossed, images.command_of(layered)))


def test_cannot_run_check_fails_for_the_image_imported_from_an_export(resources, layered,
                                                                      export_tar):
    imported = transfer.import_tar(resources, export_tar)
    with pytest.raises(ClaimFailed, match="ran the command successfully"):
        pairs.check_cannot_run(images.run(resources, imported, images.command_of(layered)))


def test_refusal_checks_fail_when_export_gets_a_container_and_save_an_image(
        session, layered, untouched, scratch):
    exported, _ = transfer.try_export(session.client, untouched.name, scratch)
    with pytest.raises(ClaimFailed, match="the engine accepted `export"):
        pairs.check_refused(exported)
    saved, _ = transfer.try_save(session.client, layered.tags[0], scratch)
    with pytest.raises(ClaimFailed, match="the engine accepted `save"):
        pairs.check_refused(saved)


def test_load_failure_check_fails_for_a_save_tar(session, resources, own, scratch):
    loaded = transfer.load(resources, transfer.save(session.client, own, scratch))
    with pytest.raises(ClaimFailed, match="loaded the tar without an error"):
        pairs.check_load_failed(loaded)


def test_load_failure_check_fails_when_the_load_fails_for_another_reason(resources, scratch):
    """A file that is no tar at all fails to load too, but not for lacking a save tar's
    manifest: the check names the reason an export is refused for."""
    garbage = scratch / "garbage.tar"
    garbage.write_bytes(b"not a tar at all")
    loaded = transfer.load(resources, garbage)
    assert not loaded.answer.accepted
    with pytest.raises(ClaimFailed, match="not because the tar lacks what a save tar holds"):
        pairs.check_load_failed(loaded)


def test_refusal_check_fails_when_save_refuses_for_another_reason(session, scratch):
    """Save refuses a name no reference can have (upper case) for that, not for naming no
    image."""
    answer, _ = transfer.try_save(session.client, "NoImageCanBeNamedSo", scratch)
    assert not answer.accepted
    with pytest.raises(ClaimFailed, match="not because save looks the name up among images"):
        pairs.check_refused(answer)


def test_cannot_run_check_fails_when_the_command_fails_for_another_reason(resources, layered,
                                                                           export_tar):
    """The imported export has the command: a run of it that fails otherwise (exit 3) is not
    the image lacking it."""
    imported = transfer.import_tar(resources, export_tar)
    with pytest.raises(ClaimFailed, match="exit code 3, not 127"):
        pairs.check_cannot_run(images.run(resources, imported, ["sh", "-c", "exit 3"]))


def test_image_back_check_fails_when_the_tar_loaded_is_another_image(
        session, resources, layered, own, scratch):
    other = containers.own_image(resources, layered)
    before = images.record(own)
    other_tar = transfer.save(session.client, other, scratch)
    images.remove(resources, own)
    with pytest.raises(ClaimFailed, match="not the one saved"):
        pairs.check_image_back(before, transfer.load(resources, other_tar))


def test_archive_files_check_fails_for_the_image_imported_from_an_export(
        session, resources, export_tar, save_tar, scratch):
    imported = transfer.import_tar(resources, export_tar)
    image_paths = set(transfer.image_layers(save_tar).view)
    with pytest.raises(ClaimFailed, match="not the save tar's members"):
        pairs.check_holds_archive_files(
            transfer.image_files(session.client, imported, scratch),
            transfer.tar_members(save_tar), image_paths)


def test_imported_writes_check_fails_for_an_image_without_the_writes(resources, layered,
                                                                     writer, scratch):
    seen = transfer.writes_seen(writer, containers.export(writer, scratch))
    with pytest.raises(ClaimFailed, match="does not see the container's writes"):
        pairs.check_image_holds_writes(
            seen, transfer.export_view(containers.fresh_export(resources, layered, scratch),
                                       transfer.files_of(seen)))


# -- C11 ------------------------------------------------------------------------------------


@pytest.fixture
def recreated(resources, layered):
    """A container that wrote the file the image deleted back: the layers hide it, it does not."""
    return containers.run_script(resources, layered,
                                         "echo back > /claims/deleted.txt")


def test_merged_view_check_fails_for_the_export_of_a_container_that_wrote(
        save_tar, writer, scratch):
    with pytest.raises(ClaimFailed, match="lacks paths the image's layers leave visible"):
        export_import.check_export_is_merged_view(
            transfer.image_layers(save_tar),
            transfer.exported_tree(containers.export(writer, scratch)))


def test_merged_view_check_fails_for_a_version_of_the_same_size(resources, layered, save_tar,
                                                                 scratch):
    """A container rewrote the upper shadowed.txt with bytes of the very same size: only the
    content tells the export from the image's topmost version."""
    upper = fixtures.LAYERED.file("upper/shadowed.txt")
    other = (b"another version" * 10)[: len(upper) - 1] + b"\n"
    rewrote = containers.run_script(resources, layered,
                                    f"printf '%s' '{other.decode()}' > /claims/shadowed.txt")
    exported = transfer.exported_tree(containers.export(rewrote, scratch))
    assert exported["claims/shadowed.txt"] != transfer.image_layers(save_tar).tree[
        "claims/shadowed.txt"]
    with pytest.raises(ClaimFailed, match="otherwise than the topmost layer"):
        export_import.check_export_is_merged_view(transfer.image_layers(save_tar), exported)


def test_hidden_and_deleted_checks_fail_when_the_export_shows_the_deleted_file(
        save_tar, recreated, scratch):
    exported = transfer.exported_entries(containers.export(recreated, scratch))
    with pytest.raises(ClaimFailed, match="holds paths an upper layer hides"):
        export_import.check_export_hides(transfer.image_layers(save_tar), exported)
    with pytest.raises(ClaimFailed, match="the export holds /claims/deleted.txt"):
        export_import.check_export_lacks("/claims/deleted.txt", set(exported))


def test_top_version_check_fails_for_a_container_that_rewrote_the_file(save_tar, writer,
                                                                       scratch):
    witness = transfer.layer_witness(save_tar, "/claims/shadowed.txt")
    exported = transfer.exported_content(containers.export(writer, scratch), witness.path)
    with pytest.raises(ClaimFailed, match="does not hold layer .*'s version"):
        export_import.check_export_top_version(witness, exported)


def test_writes_checks_fail_against_the_export_of_another_container(writer, export_tar):
    seen = transfer.writes_seen(writer, export_tar)
    with pytest.raises(ClaimFailed, match="lacks what the container added or changed|"
                                          "otherwise than it reads them"):
        export_import.check_export_holds_writes(seen)
    with pytest.raises(ClaimFailed, match="holds what the container deleted"):
        export_import.check_export_lacks_deletions(seen)


def test_prepared_check_fails_when_the_image_itself_holds_dockerenv(
        session, resources, export_tar, scratch):
    """An image imported from an export has .dockerenv in its layer: it is not the engine's."""
    imported = transfer.import_tar(resources, export_tar)
    container = containers.container_that_changed_nothing(resources, imported)
    with pytest.raises(ClaimFailed, match="layers hold /.dockerenv already"):
        export_import.check_export_holds_prepared(
            "/.dockerenv", set(transfer.exported_entries(containers.export(container, scratch))),
            transfer.image_layers(transfer.save(session.client, imported, scratch)),
            containers.changes(container))


def test_volume_check_fails_when_the_file_is_not_in_a_volume(resources, layered, scratch):
    path = "/claims/volume/kept.txt"
    container = containers.run_script(
        resources, layered, f"mkdir -p /claims/volume && echo kept > {path}")
    with pytest.raises(ClaimFailed, match="holds /claims/volume/kept.txt, from a volume"):
        export_import.check_volume_not_exported(
            path, containers.copy_out(container, path),
            set(transfer.exported_entries(containers.export(container, scratch))),
            containers.changes(container))


def test_one_layer_check_fails_for_the_layered_image(layered, export_tar):
    with pytest.raises(ClaimFailed, match="has 5 layers, not one"):
        export_import.check_one_layer(images.record(layered).layers,
                                 images.file_digest(export_tar), [])


# -- C13 ------------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite_config(saved: Path, out: Path, edit) -> str:
    """A copy of a save tar whose image config `edit` changed (both layouts): the new image id.

    The old config and manifest stay in the copy, unreferenced; manifest.json (and index.json
    with a new OCI manifest, when there is one) point at the new config."""
    with tarfile.open(saved) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        config = json.load(tar.extractfile(manifest[0]["Config"]))
        edit(config)
        config_bytes = json.dumps(config).encode()
        config_name = (f"blobs/sha256/{_sha(config_bytes)}"
                       if manifest[0]["Config"].startswith("blobs/") else
                       f"{_sha(config_bytes)}.json")
        manifest[0]["Config"] = config_name
        added = {config_name: config_bytes, "manifest.json": json.dumps(manifest).encode()}
        names = tar.getnames()
        if "index.json" in names:
            index = json.load(tar.extractfile("index.json"))
            descriptor = index["manifests"][0]
            oci = json.load(tar.extractfile(f"blobs/sha256/{descriptor['digest'][7:]}"))
            oci["config"].update(digest=f"sha256:{_sha(config_bytes)}", size=len(config_bytes))
            oci_bytes = json.dumps(oci).encode()
            descriptor.update(digest=f"sha256:{_sha(oci_bytes)}", size=len(oci_bytes))
            added.update({f"blobs/sha256/{_sha(oci_bytes)}": oci_bytes,
                          "index.json": json.dumps(index).encode()})
        with tarfile.open(out, "w") as copy:
            for member in tar:
                if member.name.lstrip("./") not in added:
                    copy.addfile(member, tar.extractfile(member) if member.isreg() else None)
            for name, data in added.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                copy.addfile(info, io.BytesIO(data))
    return f"sha256:{_sha(config_bytes)}"


def _rewrite_last_comment(config: dict) -> None:
    config["history"][-1]["comment"] = "history rewritten after the save"


def test_save_checks_fail_for_another_image_and_for_an_altered_history(
        session, own, layered, scratch):
    before = images.record(own)
    other = transfer.save(session.client, layered, scratch)
    with pytest.raises(ClaimFailed, match="does not hold the image"):
        save_load.check_save_holds_layers(transfer.read_save(other, before.id), before)
    saved = transfer.save(session.client, own, scratch)
    rewritten = scratch / "rewritten.tar"
    new_id = rewrite_config(saved, rewritten, _rewrite_last_comment)
    with pytest.raises(ClaimFailed, match="history differs from the image's history"):
        save_load.check_save_holds_config(transfer.read_save(rewritten, new_id), before)


def test_load_checks_fail_when_the_tar_loaded_had_its_history_rewritten(
        session, resources, own, scratch):
    before = images.record(own)
    rewritten = scratch / "rewritten.tar"
    rewrite_config(transfer.save(session.client, own, scratch), rewritten,
                   _rewrite_last_comment)
    images.remove(resources, own)
    loaded = transfer.load(resources, rewritten)
    after = images.record(transfer.loaded_image(session.client, loaded, before.id))
    with pytest.raises(ClaimFailed, match="another id"):
        save_load.check_same_image(before, after)
    with pytest.raises(ClaimFailed, match="history rows by id differ"):
        save_load.check_same_history(before, after)


def test_config_check_fails_when_the_tar_loaded_had_its_config_changed(
        session, resources, own, scratch):
    before = images.record(own)
    changed = scratch / "changed.tar"

    def set_env(config: dict) -> None:
        config["config"]["Env"] = [*(config["config"].get("Env") or []), "CHANGED=after save"]

    rewrite_config(transfer.save(session.client, own, scratch), changed, set_env)
    images.remove(resources, own)
    after = images.record(transfer.loaded_image(session.client,
                                                  transfer.load(resources, changed), before.id))
    with pytest.raises(ClaimFailed, match="config differs"):
        save_load.check_same_config(before, after)


def test_intermediates_check_fails_for_the_image_never_saved_and_loaded(own):
    before = images.record(own)
    with pytest.raises(ClaimFailed, match="still name the intermediate images"):
        save_load.check_intermediates_forgotten(before, images.record(own))


# -- C12 ------------------------------------------------------------------------------------


@pytest.fixture
def configured_export(resources, configured, scratch):
    return containers.export(containers.container_that_changed_nothing(resources, configured),
                           scratch)


def test_history_checks_fail_for_the_image_itself(session, configured):
    record = images.record(configured)
    steps = dockerfile.build_steps(session.fixtures.dockerfile(fixtures.CONFIGURED))
    with pytest.raises(ClaimFailed, match="rows, not one"):
        export_import.check_history_lost(record, record, steps)
    with pytest.raises(ClaimFailed, match="rows"):
        export_import.check_row_is_import(record, "Imported from -")


def test_config_checks_fail_the_other_way_round(resources, configured, configured_export):
    original = images.record(configured)
    plain = transfer.import_tar(resources, configured_export)
    given = transfer.import_tar(resources, configured_export,
                                tuple(export_import.changes_for(original.config, NAMES)))
    with pytest.raises(ClaimFailed, match="kept CMD, ENV, WORKDIR"):
        export_import.check_config_lost(original, images.record(given), NAMES)
    with pytest.raises(ClaimFailed, match="differ from the image's"):
        export_import.check_config_kept(original, images.record(plain), NAMES)
    with pytest.raises(ClaimFailed, match="ran a default command"):
        export_import.check_no_command(images.run(resources, given))
    with pytest.raises(ClaimFailed, match="does not do what one of the image does"):
        export_import.check_runs_alike(images.run(resources, configured),
                                 images.run(resources, plain, ["sh", "-c", 'echo "$PWD"']))


def test_no_command_check_fails_when_the_container_fails_for_another_reason(
        resources, configured, configured_export):
    """Given a CMD whose program the filesystem lacks, the engine creates the container and
    fails to start it: refused, but not for having no command."""
    lacking = transfer.import_tar(resources, configured_export, ('CMD ["/no/such/program"]',))
    with pytest.raises(ClaimFailed, match="not because the image has no command"):
        export_import.check_no_command(images.run(resources, lacking))


def test_new_image_check_fails_for_one_import_looked_at_twice(resources, configured_export):
    imported = images.record(transfer.import_tar(resources, configured_export))
    with pytest.raises(ClaimFailed, match="same image id"):
        export_import.check_new_image_each_time(imported, imported)


# -- C10 ------------------------------------------------------------------------------------


@pytest.fixture
def cli(session):
    try:
        return docker_cli.cli_for_engine(session.client)
    except (docker_cli.CliUnavailable, docker_cli.CliElsewhere) as reason:
        pytest.skip(str(reason))


def test_prints_check_fails_on_the_other_commands_help(cli):
    with pytest.raises(ClaimFailed, match="does not print"):
        pairs.check_prints(cli.run("load", "--help"),
                              "Import the contents from a tarball to create a filesystem image")


def test_load_check_fails_when_standard_input_is_empty(resources, cli, own, session, scratch):
    before = images.record(own)
    empty = scratch / "empty"
    empty.write_bytes(b"")
    ran, loaded = cli_commands.load_from_stdin(cli, resources, empty)
    with pytest.raises(ClaimFailed, match="`docker load` failed"):
        pairs.check_load_read_stdin(ran, before.id, loaded)


def test_stdin_import_check_fails_when_import_reads_a_file_instead(resources, cli,
                                                                   export_tar, save_tar):
    """Given a file argument, `import` ignores standard input: the image is not stdin's tar."""
    ran = cli.run("import", *docker_cli.label_changes(resources.run.labels("subject")),
                  str(save_tar), stdin=export_tar)
    image = resources.image(cli_commands.IMAGE_ID.findall(ran.stdout)[-1])
    with pytest.raises(ClaimFailed, match="not the tar given on standard input"):
        pairs.check_import_read_stdin(ran, images.record(image), images.file_digest(export_tar))

"""The C01-C03 checks fail when the image no longer has the property the article claims.

Each test makes the property false the way an engine could: an image flattened into one layer,
a layer whose content changed under the digest the engine still gives it, layers holding each
other's files, one digest named for several layers, history rows of one keyword moved, a layer
that gained a file after a container wrote. The altered answers are those of the live engine,
changed as lies.py changes them for the lying proxy.
"""

import dataclasses
import tarfile

import pytest
from lies import LOWER, SHADOWED, UPPER, member, rewrite_layers, same_size

from docker_claims.claims import image_layers
from docker_claims.engine import archives, containers, fixtures, images, transfer
from docker_claims.evidence import ClaimFailed
from docker_claims.runner import subjects


@pytest.fixture
def layered(session):
    return session.fixtures.image(fixtures.LAYERED)


@pytest.fixture
def dockerfile(session):
    return session.fixtures.dockerfile(fixtures.LAYERED)


@pytest.fixture
def context(session):
    return {"busybox": session.fixtures.busybox(),
            **{file.path: file.content for file in fixtures.LAYERED.files}}


@pytest.fixture
def applets(session, layered):
    return subjects.applets(session, layered)


@pytest.fixture
def saved(session, layered):
    return subjects.save_tar(session, layered)


@pytest.fixture
def flattened(resources, layered, scratch):
    """The layered image squashed into one layer (export + import): no longer a stack."""
    container = resources.container(layered.id, ["true"])
    return resources.import_image(archives.spool(container.export(), scratch))


def altered(saved, scratch, edit):
    """A copy of the save tar whose layer tars `edit` changed, the image config (its id, its
    diff ids) kept: what `docker save` gives when a layer's files changed under the engine."""
    copy = scratch / "altered.tar"
    copy.write_bytes(rewrite_layers(saved.read_bytes(), edit))
    return copy


def shadowed_in(layers, content):
    return next((layer, at) for layer in layers
                if (at := member(layer, SHADOWED)) is not None and layer[at][1] == content)


# -- C01 ------------------------------------------------------------------------------------


def test_layer_count_check_fails_for_a_flattened_image(layered, flattened, dockerfile):
    image_layers.check_one_layer_per_filesystem_step(images.layers_of(layered), dockerfile)
    with pytest.raises(ClaimFailed, match="1 layers for 5 filesystem-changing"):
        image_layers.check_one_layer_per_filesystem_step(images.layers_of(flattened), dockerfile)


def test_layer_count_check_fails_when_one_digest_is_named_for_every_layer(layered, dockerfile):
    layers = images.layers_of(layered)
    with pytest.raises(ClaimFailed, match="names one layer for several build steps"):
        image_layers.check_one_layer_per_filesystem_step([layers[0]] * len(layers), dockerfile)


def test_history_check_fails_for_a_flattened_image(session, flattened, dockerfile, context):
    with pytest.raises(ClaimFailed, match="history has 1 rows"):
        image_layers.check_history_row_per_step(
            images.history(session.client, flattened.id), dockerfile, context)


def test_history_check_fails_when_the_copy_rows_are_rotated(session, layered, dockerfile,
                                                            context):
    rows = images.history(session.client, images.name_of(layered))
    image_layers.check_history_row_per_step(rows, dockerfile, context)
    copies = [n for n, row in enumerate(rows) if "COPY" in row["CreatedBy"]]
    rotated = list(rows)
    for n, m in zip(copies, copies[1:] + copies[:1]):
        rotated[n] = rows[m]
    with pytest.raises(ClaimFailed, match="do not record the build steps in order"):
        image_layers.check_history_row_per_step(rotated, dockerfile, context)


def test_layer_content_check_fails_when_a_layer_holds_other_bytes_of_the_same_size(
        layered, saved, scratch, dockerfile, context, applets):
    digests = images.layers_of(layered)
    image_layers.check_layers_hold_their_steps(
        digests, transfer.saved_layers(saved, layered.id), dockerfile, context, applets)

    def edit(layers):
        layer, at = shadowed_in(layers, UPPER)
        layer[at] = (layer[at][0], same_size(b"not what the step copied\n", len(UPPER)))
        return True

    changed = transfer.saved_layers(altered(saved, scratch, edit), layered.id)
    with pytest.raises(ClaimFailed, match="do not hash to the image's layer digests"):
        image_layers.check_layers_hold_their_steps(digests, changed, dockerfile, context,
                                                   applets)


def test_layer_content_check_fails_when_two_layers_hold_each_others_files(
        layered, saved, scratch, dockerfile, context, applets):
    """The layer tars swapped along with their digests: each hashes to the digest it is given,
    but no longer holds what its step wrote."""
    digests = images.layers_of(layered)
    held = transfer.saved_layers(saved, layered.id)
    swapped = [held[0], held[1], held[3], held[2], held[4]]
    with pytest.raises(ClaimFailed, match="do not hold what their build steps wrote"):
        image_layers.check_layers_hold_their_steps(
            [digests[0], digests[1], digests[3], digests[2], digests[4]], swapped, dockerfile,
            context, applets)


# -- C02 ------------------------------------------------------------------------------------


def test_layer_versions_check_fails_for_a_flattened_image(session, flattened):
    """Squashed into one layer, the image still reads the upper version: only the layers tell
    that no lower one holds another."""
    witness = transfer.layer_witness(subjects.save_tar(session, flattened), "/claims/shadowed.txt")
    with pytest.raises(ClaimFailed, match="should be written by 2 layers"):
        image_layers.check_held_by(witness, 2)


def test_whiteout_check_fails_when_the_marker_is_no_empty_file(layered, saved, scratch):
    """The deleting layer holds `.wh.deleted.txt` as a directory: decoded, it still reads as
    the deletion; the layer format's marker is an empty file."""
    marker = "claims/.wh.deleted.txt"

    def edit(layers):
        layer = layers[-1]
        at = member(layer, marker)
        info = tarfile.TarInfo(marker)
        info.type = tarfile.DIRTYPE
        layer[at] = (info, None)
        return True

    for tar, fails in ((saved, False), (altered(saved, scratch, edit), True)):
        witness = transfer.layer_witness(tar, "/claims/deleted.txt")
        image_layers.check_deleted_above(witness)
        held = transfer.layer_member(tar, max(witness.deleters), marker)
        if not fails:
            image_layers.check_whiteout(witness, "/" + marker, held)
            continue
        with pytest.raises(ClaimFailed, match="is not an empty file"):
            image_layers.check_whiteout(witness, "/" + marker, held)


def test_lookup_check_fails_when_the_layers_hold_each_others_version(session, layered,
                                                                     saved, scratch):
    def edit(layers):
        (up, u), (low, lo) = shadowed_in(layers, UPPER), shadowed_in(layers, LOWER)
        up[u], low[lo] = (up[u][0], LOWER), (low[lo][0], UPPER)
        return True

    witness = transfer.layer_witness(altered(saved, scratch, edit), "/claims/shadowed.txt")
    reader = subjects.reader(session, layered)
    with pytest.raises(ClaimFailed, match="should read layer 3's version"):
        image_layers.check_reads_topmost(witness,
                                         containers.read_running(reader, witness.path))


# -- C03 ------------------------------------------------------------------------------------


def leaked(layers):
    """A file that a container's write put straight into the image's top layer."""
    layers[-1].append((tarfile.TarInfo("claims/leaked.txt"), b"written into the image's layer\n"))
    return True


def test_read_only_check_fails_when_a_layer_gained_a_file_after_the_writes(
        layered, saved, scratch):
    """The engine still names the image by the same id and digests, but its top layer holds
    one more file: only re-reading the layers tells."""
    digests = images.layers_of(layered)
    before = transfer.saved_layers(saved, layered.id)
    image_layers.check_layers_hold_what_they_held(digests, before, before)
    after = transfer.saved_layers(altered(saved, scratch, leaked), layered.id)
    with pytest.raises(ClaimFailed, match="no longer hash to their digests"):
        image_layers.check_layers_hold_what_they_held(digests, before, after)
    rehashed = [*after[:-1], dataclasses.replace(after[-1], computed=digests[-1])]
    with pytest.raises(ClaimFailed, match="hold other files after the writes"):
        image_layers.check_layers_hold_what_they_held(digests, before, rehashed)


def test_fresh_container_checks_fail_when_its_export_holds_another_containers_write(
        resources, layered, saved, scratch):
    layers = transfer.image_layers(saved)
    fresh = containers.fresh_export(resources, layered, scratch)
    exported = transfer.exported_tree(fresh)
    image_layers.check_fresh_export_is_the_image(layers, exported)
    writer = containers.export(containers.run_writes(resources, layered, fixtures.WRITES),
                               scratch)
    written = transfer.exported_tree(writer)
    with pytest.raises(ClaimFailed, match="otherwise than its layers|lacks files of the image"):
        image_layers.check_fresh_export_is_the_image(layers, written)
    with pytest.raises(ClaimFailed, match="neither the image's layers nor the engine"):
        image_layers.check_fresh_export_is_the_image(
            layers, {**exported, "claims/leaked.txt": written["claims/added-by-container.txt"]})


def test_read_only_by_name_check_fails_when_the_name_names_a_commit_of_the_writes(
        session, resources, layered):
    """The image the name names after the writes is checked by id and digests too."""
    image = containers.own_image(resources, layered)
    before = (image.id, images.layers_of(image))
    writer = containers.run_writes(resources, image, fixtures.WRITES)
    repository, tag = image.tags[0].rsplit(":", 1)
    resources.image(writer.commit(repository=repository, tag=tag,
                                  conf={"Labels": session.run.labels("subject")}))
    with pytest.raises(ClaimFailed, match="the image changed"):
        named_now = session.client.images.get(image.tags[0])
        image_layers.check_layers_unchanged(before, (named_now.id, images.layers_of(named_now)))


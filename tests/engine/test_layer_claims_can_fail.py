"""The C01-C03 checks fail when the image no longer has the property the article claims."""

import pytest

from docker_claims.claims import image_layers
from docker_claims.engine import archives, containers, fixtures, images
from docker_claims.evidence import ClaimFailed
from docker_claims.runner import subjects


@pytest.fixture
def layered(session):
    return session.fixtures.image(fixtures.LAYERED)


@pytest.fixture
def flattened(resources, layered, scratch):
    """The layered image squashed into one layer (export + import): no longer a stack."""
    container = resources.container(layered.id, ["true"])
    return resources.import_image(archives.spool(container.export(), scratch))


def test_layer_count_check_fails_for_a_flattened_image(session, layered, flattened):
    dockerfile = session.fixtures.dockerfile(fixtures.LAYERED)
    image_layers.check_one_layer_per_filesystem_step(layered, dockerfile)
    with pytest.raises(ClaimFailed, match="1 layers for 5 filesystem-changing"):
        image_layers.check_one_layer_per_filesystem_step(flattened, dockerfile)


def test_history_check_fails_for_a_flattened_image(session, flattened):
    with pytest.raises(ClaimFailed, match="history has 1 rows"):
        image_layers.check_history_row_per_step(
            flattened, session.fixtures.dockerfile(fixtures.LAYERED))


def test_a_flattened_image_has_no_layer_versions_to_fall_through(session, flattened):
    witness = image_layers.witness(subjects.save_tar(session, flattened), "/claims/shadowed.txt")
    assert len(witness.holders) == 1
    assert witness.content_at(witness.holders[0]).decode().startswith("shadowed.txt as written "
                                                                      "by the upper")


def test_read_only_checks_fail_when_the_image_is_rewritten_with_the_writes(
        session, resources, layered):
    """If a container's writes went into the image (committed under its name), C03 must fail:
    the check looks the image up by its name, as a user would."""
    saved = subjects.save_tar(session, layered)
    image = containers.own_image(resources, layered)  # a name of the test's own to move
    before = (image.id, images.layers_of(image))
    writer = containers.run_writes(resources, image, fixtures.WRITES)
    repository, tag = image.tags[0].rsplit(":", 1)
    rewritten = resources.image(writer.commit(repository=repository, tag=tag,
                                              conf={"Labels": session.run.labels("subject")}))
    with pytest.raises(ClaimFailed, match="the image changed"):
        image_layers.check_layers_unchanged(before, session.client.images.get(image.tags[0]))
    with pytest.raises(ClaimFailed, match="does not see the image as its layers hold it"):
        image_layers.check_view_is_the_image(resources, rewritten, saved)


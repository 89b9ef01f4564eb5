"""docker_claims.engine.images, no engine needed: a file's digest."""

from saved_image import digest

from docker_claims.engine import images


def test_file_digest_is_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc" * 100_000)
    assert images.file_digest(path) == digest(b"abc" * 100_000)

import pytest

from docker_claims.claims.image_layers import (
    LayerWitness,
    _row_is_step,
)


@pytest.mark.parametrize("row, step", [
    ("/bin/sh -c #(nop) COPY file:73e2b2d486 in /bin/busybox ", "COPY busybox /bin/busybox"),
    ("/bin/sh -c #(nop)  ENV CLAIMS_FIXTURE=layered", "ENV CLAIMS_FIXTURE=layered"),
    ("/bin/busybox --install -s /bin", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'),
    ("RUN /bin/busybox --install -s /bin # buildkit",
     'RUN ["/bin/busybox", "--install", "-s", "/bin"]'),
    ('CMD ["sh"]', 'CMD ["sh"]'),
])
def test_a_history_row_names_its_step_in_classic_and_buildkit_wording(row, step):
    assert _row_is_step(row, step)


def test_a_history_row_of_another_step_does_not_match():
    assert not _row_is_step("/bin/sh -c #(nop)  ENV A=1", 'CMD ["sh"]')
    assert not _row_is_step("/bin/busybox rm /claims/x", 'RUN ["/bin/busybox", "--install"]')


def test_the_topmost_layer_decides_what_a_lookup_finds():
    w = LayerWitness("/f", [{"layer": 2, "kind": "file", "content": b"low"},
                            {"layer": 3, "kind": "file", "content": b"high"}])
    assert w.visible_layer() == 3 and w.content_at(3) == b"high" and w.holders == [2, 3]


def test_a_whiteout_above_hides_the_file():
    w = LayerWitness("/f", [{"layer": 2, "kind": "file", "content": b"low"},
                            {"layer": 4, "kind": "whiteout", "entry": "f", "marker": ".wh.f"}])
    assert w.visible_layer() is None and w.deleters == [4]


def _two_versions():
    return LayerWitness("/claims/shadowed.txt", [
        {"layer": 2, "kind": "file", "content": b"lower\n"},
        {"layer": 3, "kind": "file", "content": b"upper\n"}])


def test_lookup_check_fails_when_the_container_reads_the_lower_version():
    from docker_claims.claims.image_layers import check_reads_topmost
    from docker_claims.evidence import ClaimFailed

    check_reads_topmost(_two_versions(), (0, "upper\n"))
    with pytest.raises(ClaimFailed, match="layer 3's version"):
        check_reads_topmost(_two_versions(), (0, "lower\n"))


def test_deleted_file_check_fails_when_the_file_is_found():
    from docker_claims.claims.image_layers import check_not_found
    from docker_claims.evidence import ClaimFailed

    witness = LayerWitness("/f", [{"layer": 2, "kind": "file", "content": b"x"},
                                  {"layer": 4, "kind": "whiteout", "entry": "f", "marker": "w"}])
    check_not_found(witness, (1, "cat: can't open '/f': No such file or directory\n"))
    with pytest.raises(ClaimFailed, match="should not be found"):
        check_not_found(witness, (0, "x"))

"""docker_claims.claims.image_layers, no engine needed: C01-C03 checks fail on contrary facts."""

import hashlib

import pytest

from docker_claims.claims.image_layers import (
    LayerWitness,
    check_history_row_per_step,
    row_is_step,
    step_writes,
)
from docker_claims.engine.records import Node
from docker_claims.evidence import ClaimFailed

CONTEXT = {"busybox": b"\x7fELF", "lower/a.txt": b"lower a\n", "lower/b.txt": b"lower b\n",
           "upper/a.txt": b"upper a\n"}
DOCKERFILE = """FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY lower/ /claims/
COPY upper/ /claims/
RUN ["/bin/busybox", "rm", "/claims/b.txt"]
ENV A=1
CMD ["sh"]
"""
CLASSIC_ROWS = [  # as the classic builder writes them, newest first
    '/bin/sh -c #(nop)  CMD ["sh"]', "/bin/sh -c #(nop)  ENV A=1", "/bin/busybox rm /claims/b.txt",
    "/bin/sh -c #(nop) COPY dir:" + "b" * 64 + " in /claims/ ",
    "/bin/sh -c #(nop) COPY dir:" + "a" * 64 + " in /claims/ ",
    "/bin/busybox --install -s /bin",
    "/bin/sh -c #(nop) COPY file:" + "c" * 64 + " in /bin/busybox "]
BUILDKIT_ROWS = ['CMD ["sh"]', "ENV A=1", "RUN /bin/busybox rm /claims/b.txt # buildkit",
                 "COPY upper/ /claims/ # buildkit", "COPY lower/ /claims/ # buildkit",
                 "RUN /bin/busybox --install -s /bin # buildkit",
                 "COPY busybox /bin/busybox # buildkit"]


@pytest.mark.parametrize("row, step", [
    ("/bin/sh -c #(nop) COPY file:73e2b2d486 in /bin/busybox ", "COPY busybox /bin/busybox"),
    ("/bin/sh -c #(nop)  ENV CLAIMS_FIXTURE=layered", "ENV CLAIMS_FIXTURE=layered"),
    ("/bin/busybox --install -s /bin", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'),
    ("RUN /bin/busybox --install -s /bin # buildkit",
     'RUN ["/bin/busybox", "--install", "-s", "/bin"]'),
    ('CMD ["sh"]', 'CMD ["sh"]'),
    ('/bin/sh -c #(nop)  CMD ["sh" "-c" "echo \\"$A in $PWD\\""]',
     'CMD ["sh", "-c", "echo \\"$A in $PWD\\""]'),
    ('/bin/sh -c #(nop)  LABEL a=1 b=2', 'LABEL "b"="2" "a"="1"'),
])
def test_a_history_row_names_its_step_in_classic_and_buildkit_wording(row, step):
    assert row_is_step(row, step, CONTEXT)


@pytest.mark.parametrize("row, step", [
    ("/bin/sh -c #(nop)  ENV A=1", 'CMD ["sh"]'),
    ("/bin/busybox rm /claims/x", 'RUN ["/bin/busybox", "--install"]'),
    ("/bin/sh -c #(nop)  ENV A=2", "ENV A=1"),
    ("/bin/busybox --install -s /usr/bin", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'),
    ("/bin/sh -c #(nop) COPY dir:" + "a" * 64 + " in /claims/ ", "COPY busybox /bin/busybox"),
    ("/bin/sh -c #(nop) COPY file:" + "a" * 64 + " in /claims/ ", "COPY lower/ /claims/"),
    ("COPY upper/ /claims/ # buildkit", "COPY lower/ /claims/"),
])
def test_a_history_row_of_another_step_does_not_match(row, step):
    """Same keyword, other words: a row matches its step by its whole instruction."""
    assert not row_is_step(row, step, CONTEXT)


@pytest.mark.parametrize("rows", [CLASSIC_ROWS, BUILDKIT_ROWS], ids=["classic", "buildkit"])
def test_history_check_fails_when_rows_of_one_keyword_are_rotated(rows):
    check_history_row_per_step([{"CreatedBy": r} for r in rows], DOCKERFILE, CONTEXT)
    copies = [n for n, row in enumerate(rows) if "COPY" in row]
    rotated = list(rows)
    for n, m in zip(copies, copies[1:] + copies[:1]):
        rotated[n] = rows[m]
    with pytest.raises(ClaimFailed, match="do not record the build steps in order"):
        check_history_row_per_step([{"CreatedBy": r} for r in rotated], DOCKERFILE, CONTEXT)


def sha(content: bytes) -> Node:
    return Node("file", "sha256:" + hashlib.sha256(content).hexdigest())


def test_each_step_writes_what_its_instruction_and_the_build_context_say():
    writes = step_writes(DOCKERFILE, CONTEXT, ["busybox", "ls", "sh"])
    assert [w.step for w in writes] == [line for line in DOCKERFILE.splitlines()
                                        if line.startswith(("COPY", "RUN"))]
    assert [w.tree for w in writes] == [
        {"bin/busybox": sha(CONTEXT["busybox"])},
        {"bin/ls": Node("symlink", linkname="/bin/busybox"),
         "bin/sh": Node("symlink", linkname="/bin/busybox")},
        {"claims/a.txt": sha(b"lower a\n"), "claims/b.txt": sha(b"lower b\n")},
        {"claims/a.txt": sha(b"upper a\n")},
        {"claims/.wh.b.txt": Node("whiteout")}]
    with pytest.raises(ValueError, match="no known writes"):
        step_writes("RUN echo hi\n", CONTEXT, [])


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

    check_reads_topmost(_two_versions(), (0, "upper\n"))
    with pytest.raises(ClaimFailed, match="layer 3's version"):
        check_reads_topmost(_two_versions(), (0, "lower\n"))


def test_deleted_file_check_fails_when_the_file_is_found():
    from docker_claims.claims.image_layers import check_not_found

    witness = LayerWitness("/f", [{"layer": 2, "kind": "file", "content": b"x"},
                                  {"layer": 4, "kind": "whiteout", "entry": "f", "marker": "w"}])
    check_not_found(witness, (1, "cat: can't open '/f': No such file or directory\n"))
    with pytest.raises(ClaimFailed, match="should not be found"):
        check_not_found(witness, (0, "x"))

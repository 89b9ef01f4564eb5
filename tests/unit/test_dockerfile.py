"""docker_claims.engine.dockerfile, no engine needed: a Dockerfile's steps, read."""

from docker_claims.engine import dockerfile


def test_build_steps_are_the_instructions_after_from():
    text = "FROM scratch\n# a comment\nCOPY a /a\n\nRUN x\nENV A=1\n"
    assert dockerfile.build_steps(text) == ["COPY a /a", "RUN x", "ENV A=1"]


def test_only_copy_add_and_run_change_the_filesystem():
    changing = [s for s in ["COPY a /a", "ADD b /b", "RUN x", "ENV A=1", "CMD [\"sh\"]",
                            "LABEL a=b", "WORKDIR /w"] if dockerfile.changes_filesystem(s)]
    assert changing == ["COPY a /a", "ADD b /b", "RUN x"]

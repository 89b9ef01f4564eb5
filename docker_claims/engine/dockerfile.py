"""A Dockerfile's build steps, as a builder sees them: what the fixtures are built from, and
what C01 counts layers and history rows against."""

from __future__ import annotations

FS_INSTRUCTIONS = {"COPY", "ADD", "RUN"}
"""Dockerfile instructions that change the filesystem; the others only change the config."""


def build_steps(dockerfile: str) -> list[str]:
    """The instructions after FROM, one per build step, as a builder sees them."""
    steps = [line.strip() for line in dockerfile.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return [step for step in steps if not step.upper().startswith("FROM ")]


def changes_filesystem(step: str) -> bool:
    return step.split(None, 1)[0].upper() in FS_INSTRUCTIONS

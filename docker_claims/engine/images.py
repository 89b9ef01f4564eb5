"""What the engine says an image is, and what running it gives."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Optional

import docker
from docker.errors import APIError, NotFound
from docker.models.images import Image

from docker_claims.engine.records import ImageRecord, Ran
from docker_claims.engine.scope import Resources, remove_image
from docker_claims.evidence import expect


def name_of(image: Image) -> str:
    """How a user names the image: its first tag, else its id."""
    return image.tags[0] if image.tags else image.id


def command_of(image: Image) -> list[str]:
    """What a container of the image runs when given no command (ENTRYPOINT + CMD)."""
    config = image.attrs.get("Config") or {}
    return [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]


def run(resources: Resources, image: Image, command: Optional[list[str]] = None) -> Ran:
    try:
        code, output = resources.run_to_end(image.id, command, role="subject")
    except APIError as error:
        return Ran(image.id, command, False, error=str(error.explanation or error),
                   status=error.status_code)
    return Ran(image.id, command, True, code, output)


def record(image: Image) -> ImageRecord:
    image.reload()
    name = name_of(image)
    return ImageRecord(image.id, list((image.attrs.get("RootFS") or {}).get("Layers") or []),
                       sorted(image.tags), dict(image.attrs.get("Config") or {}),
                       history(image.client, image.id), name, history(image.client, name))


def history(client: docker.DockerClient, reference: str) -> list[dict[str, Any]]:
    """`docker history REFERENCE` as the API answers it (newest first): by an id, or by the
    name the article's user types, which the engine resolves on its own."""
    return list(client.api.history(reference))


def remove(resources: Resources, image: Image) -> None:
    """Remove an image of this run (never another's) and make sure the engine forgot it."""
    remove_image(resources.client, image.id, resources.run.id)
    try:
        resources.client.images.get(image.id)
    except NotFound:
        return
    expect(False, "the image is still there after its removal; load could not recreate it",
           image=image.id)


def file_digest(path: Path) -> str:
    """sha256 of a file, read in chunks: what the engine names a layer made of exactly it."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


_CHUNK = 1 << 16


def layers_of(image: Image) -> list[str]:
    image.reload()
    return list(image.attrs["RootFS"].get("Layers") or [])

"""The user's state on the engine, for the tests that check a run leaves it as it was: things
named like the article's own: a container `test_export`, an image tagged `busybox`, and (for
good measure) a volume and a network named `test_export`.

The verdict comes from the engine's event stream during the run: the engine reports every
destroy, delete, untag, start, stop... it carried out, and none may concern the user's things.
A comparison of the whole engine before and after the run broke whenever another client
changed its own things meanwhile (another engineer's run removing its container); the events
name the object each change touched, so only the user's things are looked at."""

from __future__ import annotations

import io
import tarfile
import time

import pytest
from docker.errors import NotFound

from docker_claims.engine.fixtures import find_busybox
from docker_claims.engine.labels import LABEL_RUN
from docker_claims.engine.sweep import _parse_time

ARTICLE_NAME = "test_export"
ARTICLE_IMAGE = "busybox:latest"
BAIT = "org.example.bait"
"""The label of what this test made for the run to leave alone (a user's label, not the
suite's): another test's bait is that test's to remove, not the user's state."""


def users_things(client, test_id: str) -> dict[str, dict[str, str]]:
    """Kind -> id -> name of the article-named things on the engine, the user's (made by this
    test or there before), not another test's bait, and none of a docker-claims run."""
    def mine(labels: dict | None) -> bool:
        labels = labels or {}
        return LABEL_RUN not in labels and labels.get(BAIT, test_id) == test_id

    found: dict[str, dict[str, str]] = {"container": {}, "image": {}, "volume": {},
                                        "network": {}}
    for kind, get in (("container", client.containers.get), ("volume", client.volumes.get),
                      ("network", client.networks.get)):
        try:
            item = get(ARTICLE_NAME)
        except NotFound:
            continue
        if mine(item.attrs.get("Labels") if kind != "container" else item.labels):
            found[kind][item.id] = ARTICLE_NAME
    try:
        image = client.images.get(ARTICLE_IMAGE)
        if mine(image.labels):
            found["image"][image.id] = ARTICLE_IMAGE
    except NotFound:
        pass
    return found


def state_of(client, things: dict[str, dict[str, str]]) -> dict:
    """What the user's things are now (their inspect, the container's changes)."""
    api = client.api
    found = {}
    for container_id in things["container"]:
        attrs = api.inspect_container(container_id)
        found[container_id] = {"state": {key: attrs["State"].get(key) for key in (
            "Status", "Running", "Pid", "StartedAt", "FinishedAt", "ExitCode")},
            "name": attrs["Name"], "restarts": attrs.get("RestartCount"),
            "diff": api.diff(container_id)}
    for image_id in things["image"]:
        attrs = api.inspect_image(image_id)
        found[image_id] = {"tags": sorted(attrs.get("RepoTags") or [])}
    for name in things["volume"]:
        found[name] = api.inspect_volume(name).get("Mountpoint")
    for network_id in things["network"]:
        found[network_id] = api.inspect_network(network_id).get("Name")
    return found


def touching(events: list[dict], things: dict[str, dict[str, str]]) -> list[str]:
    """The events that concern one of the user's things (any action: reading ones, such as
    inspect, are no events)."""
    ids = {thing_id for by_kind in things.values() for thing_id in by_kind}
    return [f"{event.get('Type')} {event.get('Action')} {event['Actor'].get('ID')} "
            f"{event['Actor'].get('Attributes')}" for event in events
            if (event.get("Actor") or {}).get("ID") in ids]


def article_state(client, defer, test_id: str):
    """The article's `busybox` image and `test_export` container (plus a volume and a network
    of that name), made only where the user has none, with no docker-claims label (this test's
    bait label instead); whatever this made, and only that, is removed afterwards."""
    made: list = []
    defer(lambda: [undo() for undo in reversed(made)])
    bait = {BAIT: test_id}
    try:
        image = client.images.get(ARTICLE_IMAGE)
    except NotFound:
        busybox = find_busybox()
        if busybox is None:
            pytest.skip("no static busybox to build the user's busybox image from")
        image = _build_user_busybox(client, busybox.read_bytes(), test_id)
        made.append(lambda: client.images.remove(image.id, force=True))
    try:
        client.containers.get(ARTICLE_NAME)
    except NotFound:
        container = client.containers.run(image.id, ["touch", "/1.txt"], name=ARTICLE_NAME,
                                          network_mode="none", detach=True, labels=bait)
        made.append(lambda: container.remove(force=True, v=True))
        container.wait(timeout=60)
    for kind in (client.volumes, client.networks):
        try:
            kind.get(ARTICLE_NAME)
        except NotFound:
            created = kind.create(ARTICLE_NAME, labels=bait)
            made.append(created.remove)
    return image


def _build_user_busybox(client, busybox: bytes, test_id: str):
    """A `busybox:latest` as a user might have built it: FROM scratch, a label of the user's
    own (so that it shares no build cache with the suite's fixtures), no docker-claims label."""
    dockerfile = (f"FROM scratch\nLABEL {BAIT}={test_id}\n"
                  "COPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", "
                  "\"/bin\"]\nCMD [\"sh\"]\n").encode()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, content, mode in (("Dockerfile", dockerfile, 0o644),
                                    ("busybox", busybox, 0o755)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), mode
            tar.addfile(info, io.BytesIO(content))
    context.seek(0)
    image, _ = client.images.build(fileobj=context, custom_context=True, tag=ARTICLE_IMAGE,
                                   rm=True, forcerm=True, network_mode="none")
    return image


def epoch(engine_time: str | None) -> int:
    """An engine timestamp as seconds since the epoch (events are stamped by the engine's clock)."""
    parsed = _parse_time(engine_time)
    return int(parsed.timestamp()) if parsed else int(time.time())

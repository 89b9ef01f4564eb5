"""What a user had on the engine before a run is exactly as it was after it, including things
named like the article's own: a container `test_export`, an image tagged `busybox`, and (for
good measure) a volume and a network named `test_export`."""

from __future__ import annotations

import io
import re
import tarfile
import uuid

import pytest
from behave_runs import start
from docker.errors import NotFound

from docker_claims.engine.fixtures import find_busybox
from docker_claims.engine.labels import LABEL_RUN, NAME_PREFIX

ARTICLE_NAME = "test_export"
ARTICLE_IMAGE = "busybox:latest"
PASSED = re.compile(r"(\d+) scenarios? passed")


def snapshot(client) -> dict:
    """Everything on the engine that no docker-claims run made: what a user has."""
    api = client.api
    containers = {}
    for summary in api.containers(all=True):
        name = (summary.get("Names") or ["?"])[0].lstrip("/")
        if name.startswith(f"{NAME_PREFIX}-") and LABEL_RUN in (summary.get("Labels") or {}):
            continue
        try:
            found = api.inspect_container(summary["Id"])
        except NotFound:
            continue  # removed meanwhile by whoever made it: not the run under test
        state = found["State"]
        containers[found["Id"]] = {
            "name": found["Name"], "image": found["Image"], "created": found["Created"],
            "labels": found["Config"].get("Labels"), "mounts": found.get("Mounts"),
            "networks": sorted((found["NetworkSettings"].get("Networks") or {}).keys()),
            "state": {key: state.get(key) for key in (
                "Status", "Running", "Pid", "StartedAt", "FinishedAt", "ExitCode")},
            "restarts": found.get("RestartCount"),
            "diff": api.diff(found["Id"]) if found["Name"] == f"/{ARTICLE_NAME}" else None,
        }
    images = {i["Id"]: {"tags": sorted(i.get("RepoTags") or []),
                        "digests": sorted(i.get("RepoDigests") or []), "created": i["Created"]}
              for i in api.images() if LABEL_RUN not in (i.get("Labels") or {})}
    volumes = {v["Name"]: {"driver": v["Driver"], "labels": v.get("Labels"),
                           "created": v.get("CreatedAt"), "mountpoint": v.get("Mountpoint")}
               for v in api.volumes().get("Volumes") or []
               if LABEL_RUN not in (v.get("Labels") or {})}
    networks = {n["Id"]: {"name": n["Name"], "driver": n["Driver"], "scope": n["Scope"],
                          "created": n["Created"], "labels": n.get("Labels"),
                          "ipam": n.get("IPAM"), "options": n.get("Options")}
                for n in api.networks() if LABEL_RUN not in (n.get("Labels") or {})}
    return {"containers": containers, "images": images, "volumes": volumes,
            "networks": networks}


@pytest.fixture
def article_state(session, request):
    """The article's `busybox` image and `test_export` container (plus a volume and a network
    of that name), made only where the user has none, with no docker-claims label; whatever
    this made, and only that, is removed afterwards."""
    client = session.client
    made: list = []
    request.addfinalizer(lambda: [undo() for undo in reversed(made)])
    try:
        image = client.images.get(ARTICLE_IMAGE)
    except NotFound:
        busybox = find_busybox()
        if busybox is None:
            pytest.skip("no static busybox to build the user's busybox image from")
        image = _build_user_busybox(client, busybox.read_bytes())
        made.append(lambda: client.images.remove(image.id, force=True))
    try:
        client.containers.get(ARTICLE_NAME)
    except NotFound:
        container = client.containers.run(image.id, ["touch", "/1.txt"], name=ARTICLE_NAME,
                                          network_mode="none", detach=True)
        made.append(lambda: container.remove(force=True, v=True))
        container.wait(timeout=60)
    for kind in (client.volumes, client.networks):
        try:
            kind.get(ARTICLE_NAME)
        except NotFound:
            created = kind.create(ARTICLE_NAME)
            made.append(created.remove)
    return image


def _build_user_busybox(client, busybox: bytes):
    """A `busybox:latest` as a user might have built it: FROM scratch, a label of the user's
    own (so that it shares no build cache with the suite's fixtures), no docker-claims label."""
    dockerfile = (f"FROM scratch\nLABEL org.example.owner=user-{uuid.uuid4().hex[:8]}\n"
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


def test_a_full_run_leaves_the_users_containers_images_volumes_and_networks_as_they_were(
        session, article_state, tmp_path):
    before = snapshot(session.client)
    assert any(c["name"] == f"/{ARTICLE_NAME}" for c in before["containers"].values())
    assert any(ARTICLE_IMAGE in i["tags"] for i in before["images"].values())
    run = start(tmp_path / "run")
    try:
        run.wait(timeout=600)
    finally:
        run.kill()
    passed = PASSED.search(run.output())
    assert passed and int(passed.group(1)) > 0, run.output()[-4000:]
    after = snapshot(session.client)
    for kind in ("containers", "images", "volumes", "networks"):
        assert after[kind] == before[kind], f"the user's {kind} changed during the run"

"""The sweep of a fixture's step images that never carried a run's label: what the containerd
image store left behind, 3 a run, before every step was labelled (no engine needed)."""

from docker_claims.engine import sweep

NOW = 1_800_000_000
OLD = NOW - 3600
LAYERED_STEPS = ['/bin/sh -c #(nop)  CMD ["sh"]', "/bin/sh -c #(nop)  ENV CLAIMS_FIXTURE=layered",
                 "/bin/busybox rm /claims/deleted.txt",
                 "/bin/sh -c #(nop) COPY dir:d641 in /claims/ ",
                 "/bin/busybox --install -s /bin",
                 "/bin/sh -c #(nop) COPY file:73e2 in /bin/busybox "]
BUSYBOX_STEPS = ['/bin/sh -c #(nop)  CMD ["sh"]', "/bin/busybox --install -s /bin",
                 "/bin/sh -c #(nop) COPY file:73e2 in /bin/busybox "]


class Engine:
    """The containerd store after a run of the old fixtures: a layered step image, its parent
    (a step image too), a busybox step image, and images of the user's."""

    def __init__(self, images, containers=()):
        self.api = self
        self._images, self._containers, self.removed = images, list(containers), []

    def info(self):
        return {"SystemTime": "2027-01-15T08:00:00Z"}

    def containers(self, all):  # noqa: A002
        return self._containers

    def images(self, all):  # noqa: A002
        return [i for i in self._images if i["Id"] not in self.removed]

    def history(self, image_id):
        return [{"CreatedBy": step} for step in
                next(i for i in self._images if i["Id"] == image_id)["_steps"]]

    def remove_image(self, image_id, force):
        self.removed.append(image_id)


def image(image_id, steps, parent="", created=OLD, tags=None, labels=None):
    return {"Id": image_id, "ParentId": parent, "Created": created, "RepoTags": tags,
            "Labels": labels, "_steps": steps}


def test_a_layered_fixtures_unlabelled_step_images_are_found_top_down(monkeypatch):
    monkeypatch.setattr(sweep, "_parse_time", lambda _: type("T", (), {
        "timestamp": lambda self: NOW})())
    engine = Engine([image("sha256:cmd", LAYERED_STEPS, parent="sha256:env"),
                     image("sha256:env", LAYERED_STEPS[1:]),
                     image("sha256:bb", BUSYBOX_STEPS),
                     image("sha256:users", LAYERED_STEPS, tags=["mine:1"]),
                     image("sha256:young", LAYERED_STEPS, created=NOW - 10),
                     image("sha256:labelled", LAYERED_STEPS, labels={"docker-claims.run": "x"}),
                     image("sha256:inuse", LAYERED_STEPS)],
                    containers=[{"ImageID": "sha256:inuse"}])
    assert [i["Id"] for i in sweep.unlabelled_fixture_steps(engine)] == ["sha256:cmd"]
    engine.removed.append("sha256:cmd")
    assert [i["Id"] for i in sweep.unlabelled_fixture_steps(engine)] == ["sha256:env"]


def test_nothing_is_found_without_the_engines_clock(monkeypatch):
    monkeypatch.setattr(sweep, "_parse_time", lambda _: None)
    engine = Engine([image("sha256:cmd", LAYERED_STEPS)])
    assert sweep.unlabelled_fixture_steps(engine) == []


def test_the_sweeps_plan_finds_the_steps_below_as_if_those_above_were_gone(monkeypatch):
    monkeypatch.setattr(sweep, "_parse_time", lambda _: type("T", (), {
        "timestamp": lambda self: NOW})())
    engine = Engine([image("sha256:cmd", LAYERED_STEPS, parent="sha256:env"),
                     image("sha256:env", LAYERED_STEPS[1:])])
    assert [i["Id"] for i in sweep.unlabelled_fixture_steps(engine, gone={"sha256:cmd"})] == [
        "sha256:env"]

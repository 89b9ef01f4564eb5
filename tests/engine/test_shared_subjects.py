"""What a run shares to start fewer containers stays without network, apart and read-only."""

from docker_claims.engine import containers, host
from docker_claims.engine.fixtures import BASE
from docker_claims.engine.host import HostReader


def interfaces(container) -> list[str]:
    code, output = container.exec_run(["ls", "/sys/class/net"])
    assert code == 0, output
    return sorted(output.decode().split())


def test_a_subject_joins_the_leases_network_namespace_which_has_no_network(session, resources):
    subject = containers.make_running(resources, session.fixtures.image(BASE))
    subject.reload()
    lease = session.client.containers.get(session.run.lease_name)
    assert subject.attrs["HostConfig"]["NetworkMode"] == f"container:{lease.id}"
    assert interfaces(subject) == ["lo"]


def test_a_container_made_for_the_namespace_claims_gets_a_netns_of_its_own(session, resources):
    created = containers.make_created(resources, session.fixtures.image(BASE))
    containers.start(created)
    created.reload()
    assert created.attrs["HostConfig"]["NetworkMode"] == "none"
    assert created.attrs["NetworkSettings"]["SandboxKey"]
    assert interfaces(created) == ["lo"]


def test_what_the_session_shares_is_made_once(session):
    made = []

    def make(resources):
        made.append(resources.container(session.fixtures.image(BASE).id, ["true"]))
        return made[-1]

    key = ("test: made once", id(made))
    assert session.shared(key, make) is session.shared(key, make)
    assert len(made) == 1


def test_the_host_reader_sees_no_mount_below_its_binds_and_cannot_write(session, resources):
    """A recursive bind would copy the netns mount of every running container into the reader,
    and keep those namespaces alive for as long as it runs."""
    image = session.fixtures.image(BASE)
    containers.start(containers.make_created(resources, image))  # a netns of its own, mounted
    reader = HostReader.start(resources, image.id)
    assert reader.container.attrs["HostConfig"]["NetworkMode"] == "none"
    assert not reader.container.attrs["HostConfig"].get("Privileged")
    code, output = reader.run(f"grep -c ' {host.NETNS}/' /proc/self/mountinfo; "
                              f"touch {host.STORAGE}/x")
    assert "0" in output.splitlines(), output  # the reader holds no container's netns
    assert code != 0 and "Read-only file system" in output


def test_a_reader_of_a_scope_is_removed_with_it(session):
    removed = []
    resources = session.resources(removed.append)
    reader = HostReader.start(resources, session.fixtures.image(BASE).id)
    assert reader.container.status in ("created", "running")
    for cleanup in reversed(removed):
        cleanup()
    assert reader.container.id not in {c["Id"] for c in session.client.api.containers(all=True)}

"""The namespace and storage checks work the same through a DOCKER_HOST URL at another path.

The engine is reached through a symlink to its socket under a temp dir, named by DOCKER_HOST,
as a remote engine or Docker Desktop's VM would be: everything on the engine host is read by
helper containers. While the library runs, this process may not touch the engine's
directories nor /proc: any attempt fails the test.
"""

import builtins
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from docker_claims.claims import container_layer, namespaces
from docker_claims.engine import connection, containers, host_namespaces, storage
from docker_claims.engine.fixtures import BASE
from docker_claims.engine.host import HostPidsRefused, HostReader
from docker_claims.engine.mounts import LayersUnavailable
from docker_claims.engine.scope import Resources

ENGINE_PATHS = ("/var/lib/docker", "/var/run/docker/", "/run/docker/", "/proc/",
                "/run/containerd", "/var/run/containerd")
"""Where the engine keeps what the checks read: off limits to this process."""


def local_socket() -> Path | None:
    """The unix socket the default connection uses, when it is one on this machine."""
    url = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    parsed = urlparse(url)
    path = Path(parsed.path) if parsed.scheme == "unix" else None
    return path if path is not None and path.is_socket() else None


@pytest.fixture
def relocated(session, tmp_path, monkeypatch, request):
    """Resources on a client that reaches the engine through a symlinked socket."""
    socket = local_socket()
    if socket is None:
        pytest.skip("the engine is not reached through a local unix socket: there is no "
                    "socket to reach at another path (the suite already runs through a URL)")
    link = tmp_path / "elsewhere" / "engine.sock"
    link.parent.mkdir()
    link.symlink_to(socket)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{link}")
    client = connection.connect()
    request.addfinalizer(client.close)
    assert client.endpoint == f"DOCKER_HOST=unix://{link}"
    return Resources(client, session.run, request.addfinalizer)


@pytest.fixture
def guarded(monkeypatch):
    """Fail on any file-system access of this process to the engine's own paths."""
    touched = []

    def guard(function):
        def checked(path, *args, **kwargs):
            text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
            if text.startswith(ENGINE_PATHS):
                touched.append(text)
                raise AssertionError(f"the suite read the engine host's {text} directly")
            return function(path, *args, **kwargs)
        return checked

    for module, name in [(builtins, "open"), (os, "open"), (os, "listdir"), (os, "scandir"),
                         (os, "readlink"), (os, "stat"), (os, "lstat")]:
        monkeypatch.setattr(module, name, guard(getattr(module, name)))
    yield touched
    assert not touched


def test_netns_checks_through_a_relocated_socket(session, relocated, guarded):
    helper = session.fixtures.image(BASE).id
    host = HostReader.start(relocated, helper)
    subject = relocated.container(helper, containers.IDLE)
    before = host_namespaces.list_netns(host)
    namespaces.check_no_sandbox(host_namespaces.sandbox(subject))
    containers.start(subject)
    found = host_namespaces.sandbox(subject)
    after = host_namespaces.list_netns(host)
    namespaces.check_entry_new(before, found["SandboxKey"], after)
    namespaces.check_entry_is_sandbox_key(found, after)


def test_proc_namespace_checks_through_a_relocated_socket(session, relocated, guarded):
    helper = session.fixtures.image(BASE).id
    subject = relocated.container(helper, containers.IDLE)
    containers.start(subject)
    try:
        reader = HostReader.start(relocated, helper, host_pids=True)
    except HostPidsRefused as refused:
        pytest.skip(str(refused))
    found = host_namespaces.process_namespaces(reader, host_namespaces.sandbox(subject)["Pid"])
    for kind in namespaces.OWN_AT_START:
        namespaces.check_own_namespace(found, kind)
    subject.reload()
    namespaces.check_namespace_as_configured(found, namespaces.expected_user_namespace(
        relocated.client.info(), subject.attrs))
    namespaces.check_namespace_as_configured(found, namespaces.expected_cgroup_namespace(
        subject.attrs, session.fingerprint.cgroup_version))


def test_storage_checks_through_a_relocated_socket(session, relocated, guarded):
    image = relocated.client.images.get(session.fixtures.image(BASE).id)
    subject = containers.run_writes(relocated, image, {"/claims/remote.txt": "added"})
    host = HostReader.start(relocated, image.id)
    try:
        dirs = storage.read_layer_dirs(host, subject, image,
                                       lambda: containers.make_running(relocated, image))
    except LayersUnavailable as hidden:
        pytest.skip(str(hidden))
    container_layer.check_upper_is_the_diff(dirs, containers.changes(subject),
                                            {"/claims/remote.txt": "added"})
    if not dirs.container.full_copy:
        container_layer.check_init_between(dirs.container, dirs.image)
        container_layer.check_init_holds(storage.list_layer_dir(host, dirs.container.lowers[0]))


def test_the_guard_catches_a_direct_read_of_the_engine_host(guarded):
    with pytest.raises(AssertionError, match="read the engine host's"):
        os.listdir("/proc/self/ns")
    with pytest.raises(AssertionError, match="read the engine host's"):
        Path("/var/lib/docker/overlay2").exists()
    assert guarded == ["/proc/self/ns", "/var/lib/docker/overlay2"]
    guarded.clear()

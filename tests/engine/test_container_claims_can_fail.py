"""Every C04-C08 check, fed what the live engine shows when the claim is made false, fails.

Each test sets up the engine so that the claim does not hold for the observed object (a
container that wrote nothing, one started before the "created" check, one sharing the host's
namespaces, one never stopped...), observes it through the same library calls the steps use,
and expects ClaimFailed.
"""

import dataclasses

import pytest
from docker.errors import NotFound

from docker_claims.claims import container_layer, namespaces
from docker_claims.engine import (
    containers,
    fixtures,
    host_namespaces,
    images,
    mounts,
    storage,
    transfer,
)
from docker_claims.engine.fixtures import BASE, LAYERED
from docker_claims.engine.host import HostPidsRefused
from docker_claims.evidence import ClaimFailed


@pytest.fixture
def base(session):
    return session.fixtures.image(BASE)


@pytest.fixture
def layered(session):
    return session.fixtures.image(LAYERED)


@pytest.fixture
def host(session):
    """The run's reader of the engine host's directories, as the steps use it."""
    return session.host_reader()


@pytest.fixture
def host_pids(session):
    """The run's reader that also sees the engine host's processes; skipped, saying why, on
    an engine that gives no helper its host's pid namespace."""
    try:
        return session.host_reader(host_pids=True)
    except HostPidsRefused as refused:
        pytest.skip(str(refused))


def running(resources, image, **kwargs):
    """A started container with namespaces of its own, unless `kwargs` share the host's."""
    kwargs.setdefault("network_mode", "none")
    container = resources.container(image.id, containers.IDLE, **kwargs)
    container_layer.check_status(containers.start(container), "running")
    return container


# C04

def test_c04_changes_of_a_container_that_wrote_nothing_are_not_its_writes(resources, layered):
    idle = containers.run_writes(resources, layered, {})
    with pytest.raises(ClaimFailed, match="do not name its writes"):
        container_layer.check_changes_are_the_writes(containers.changes(idle), fixtures.WRITES)


def test_c04_changes_beyond_the_writes_are_caught(resources, layered):
    more = {**fixtures.WRITES, "/claims/unannounced.txt": "added"}
    writer = containers.run_writes(resources, layered, more)
    with pytest.raises(ClaimFailed, match="more than its writes"):
        container_layer.check_changes_are_the_writes(containers.changes(writer), fixtures.WRITES)


def test_c04_two_commits_are_not_one_layer_on_top(resources, layered):
    first = containers.commit(resources, containers.run_writes(resources, layered,
                                                               fixtures.WRITES))
    second = containers.commit(resources, containers.run_writes(
        resources, first, {"/claims/second.txt": "added"}))
    with pytest.raises(ClaimFailed, match="not exactly one more"):
        container_layer.check_one_layer_on_top(images.layers_of(layered),
                                          images.layers_of(second))


def test_c04_a_commit_of_another_image_does_not_stack_on_this_one(resources, base):
    one = containers.commit(resources, containers.run_writes(resources, base,
                                                             {"/claims/one": "added"}))
    two = containers.commit(resources, containers.run_writes(resources, base,
                                                             {"/claims/two": "added"}))
    on_two = containers.commit(resources, containers.run_writes(resources, two,
                                                                {"/claims/three": "added"}))
    with pytest.raises(ClaimFailed, match="lower layers are not the image's layers"):
        container_layer.check_one_layer_on_top(images.layers_of(one),
                                          images.layers_of(on_two))


def layer_dirs(host, resources, container, image):
    """The container's layer directories as the steps read them (any storage driver that
    names them), or a skip saying why the engine does not."""
    try:
        return storage.read_layer_dirs(host, container, image, lambda: running(resources, image))
    except mounts.LayersUnavailable as hidden:
        pytest.skip(str(hidden))


def test_c04_an_upper_dir_without_the_writes_fails(resources, layered, host):
    idle = containers.run_writes(resources, layered, {})
    dirs = layer_dirs(host, resources, idle, layered)
    with pytest.raises(ClaimFailed, match="does not hold the container's writes"):
        container_layer.check_upper_is_the_diff(dirs, containers.changes(idle), fixtures.WRITES)


def test_c04_another_containers_upper_dir_is_not_this_ones_diff(resources, layered, host):
    writer = containers.run_writes(resources, layered, fixtures.WRITES)
    other = containers.run_writes(resources, layered, {**fixtures.WRITES,
                                                       "/claims/more.txt": "added"})
    dirs = layer_dirs(host, resources, other, layered)
    with pytest.raises(ClaimFailed, match="did not change|gained other paths"):
        container_layer.check_upper_is_the_diff(dirs, containers.changes(writer), fixtures.WRITES)


def test_c04_the_init_layer_as_a_writable_layer_is_no_copy_with_the_changes(
        resources, layered, host):
    """Where the driver copies layers whole (vfs), the layer below the writable one is the
    image's files and the engine's, without the container's changes."""
    writer = containers.run_writes(resources, layered, fixtures.WRITES)
    dirs = layer_dirs(host, resources, writer, layered)
    if not dirs.container.full_copy:
        pytest.skip(f"the storage driver {dirs.container.driver!r} stacks its layers: no "
                    "layer's directory is a full copy")
    init_as_upper = dataclasses.replace(dirs, upper=dirs.below)
    with pytest.raises(ClaimFailed, match="does not hold the container's writes"):
        container_layer.check_upper_is_the_diff(init_as_upper, containers.changes(writer),
                                                fixtures.WRITES)
    with pytest.raises(ClaimFailed, match="the image's already"):  # an image holding them
        container_layer.check_init_holds(dirs.below, image_files=dirs.below)


def test_c04_a_container_of_another_image_does_not_stack_on_this_one(resources, base, layered,
                                                                      host):
    container = resources.container(base.id, containers.IDLE)
    dirs = layer_dirs(host, resources, container, base)
    other = storage.image_stack(host, layered, lambda: running(resources, layered))
    with pytest.raises(ClaimFailed, match="exactly one layer between|not the image's layers"):
        container_layer.check_init_between(dirs.container, other)


def test_c04_the_writable_layer_is_not_the_init_layer(resources, base, host):
    container = resources.container(base.id, containers.IDLE)
    dirs = layer_dirs(host, resources, container, base)
    # A full copy holds the engine's files as the init layer's copy: judged against the init
    # layer itself, they are none of its own.
    with pytest.raises(ClaimFailed, match="lacks files the engine prepares|the image's already"):
        container_layer.check_init_holds(dirs.upper, image_files=dirs.below)


# C05

def test_c05_a_running_container_is_not_listed_as_created(resources, base):
    container = running(resources, base)
    with pytest.raises(ClaimFailed, match="listed as 'running', not 'created'"):
        container_layer.check_listed_with_state(containers.listing(resources, container),
                                           container.id, "created")


def test_c05_ps_without_all_does_not_list_an_exited_container(resources, base):
    exited = containers.run_script(resources, base, "true")
    containers.listing(resources, exited)  # until the list is current (Docker 26 lags)
    rows = [{"id": row["Id"], "state": row["State"], "status": row["Status"]}
            for row in resources.client.api.containers(filters={"name": exited.name})]
    with pytest.raises(ClaimFailed, match="not listed"):
        container_layer.check_listed_with_state(rows, exited.id, "exited")


def test_c05_a_file_never_written_is_not_copied_out(resources, base):
    writer = running(resources, base)
    containers.write_file(writer, "/claims/kept.txt", "kept\n")
    stranger = containers.run_script(resources, base, "true")
    with pytest.raises(ClaimFailed, match="is not there"):
        container_layer.check_file_content("/claims/kept.txt", b"kept\n",
                                      containers.copy_out(stranger, "/claims/kept.txt"),
                                      "copied out of the stopped container")


def test_a_container_gone_is_not_read_as_a_file_it_lacks(resources, base):
    """A copy out of a removed container errs (could not be measured), never reads "absent"."""
    gone = containers.run_script(resources, base, "true")
    gone.remove()
    with pytest.raises(NotFound):
        containers.copy_out(gone, "/claims/kept.txt")


def test_c05_a_file_overwritten_after_the_write_is_caught(resources, base):
    writer = running(resources, base)
    containers.write_file(writer, "/claims/kept.txt", "kept\n")
    containers.write_file(writer, "/claims/kept.txt", "replaced\n")
    containers.stop(writer)
    containers.start(writer)
    code, output = containers.read_running(writer, "/claims/kept.txt")
    with pytest.raises(ClaimFailed, match="does not hold what was written"):
        container_layer.check_file_content("/claims/kept.txt", b"kept\n", output.encode(),
                                      "after the restart")


def test_c05_the_export_of_another_container_lacks_the_file(resources, base, scratch):
    writer = running(resources, base)
    containers.write_file(writer, "/claims/kept.txt", "kept\n")
    containers.stop(writer)
    stranger = containers.run_script(resources, base, "true")
    found = transfer.exported_file(containers.export(stranger, scratch), "/claims/kept.txt")
    with pytest.raises(ClaimFailed, match="is not there"):
        container_layer.check_export_holds(found, b"kept\n")


# C06

def test_c06_a_created_container_given_nothing_has_no_such_change(resources, base):
    created = containers.make_created(resources, base)
    with pytest.raises(ClaimFailed, match="do not list"):
        container_layer.check_added(containers.changes(created), "/claims/copied.txt")


def test_c06_a_container_started_once_has_run(resources, base):
    container = running(resources, base)
    containers.stop(container)
    with pytest.raises(ClaimFailed, match="not only created"):
        container_layer.check_never_ran(containers.state(container))


def test_c06_the_export_of_a_created_container_given_nothing_lacks_the_file(
        resources, base, scratch):
    created = containers.make_created(resources, base)
    found = transfer.exported_file(containers.export(created, scratch), "/claims/copied.txt")
    with pytest.raises(ClaimFailed, match="is not there"):
        container_layer.check_export_holds(found, b"copied\n")


def test_c06_the_upper_dir_of_a_created_container_given_nothing_lacks_the_file(
        resources, base, host):
    created = containers.make_created(resources, base)
    dirs = layer_dirs(host, resources, created, base)
    with pytest.raises(ClaimFailed, match="does not hold"):
        container_layer.check_upper_holds(dirs, "/claims/copied.txt")


def test_c06_a_file_of_the_layer_below_is_no_file_of_the_writable_layers_own(
        resources, base, host):
    """Where the driver copies layers whole (vfs), a file of the image is in the writable
    layer's directory too, as a copy: the check wants the file to be the container's own."""
    created = containers.make_created(resources, base)
    dirs = layer_dirs(host, resources, created, base)
    if not dirs.container.full_copy:
        pytest.skip(f"the storage driver {dirs.container.driver!r} stacks its layers")
    with pytest.raises(ClaimFailed, match="in the layer below as well"):
        container_layer.check_upper_holds(dirs, "/bin/busybox")


# C07

def test_c07_a_started_container_has_a_process_and_a_sandbox(resources, base):
    found = host_namespaces.sandbox(running(resources, base))
    with pytest.raises(ClaimFailed, match="has process"):
        namespaces.check_no_process(found)
    with pytest.raises(ClaimFailed, match="already has a network sandbox"):
        namespaces.check_no_sandbox(found)


def test_c07_a_listing_taken_after_start_already_has_the_entry(resources, base, host):
    container = running(resources, base)
    after = host_namespaces.list_netns(host)
    with pytest.raises(ClaimFailed, match="already there before start"):
        namespaces.check_entry_new(after, host_namespaces.sandbox(container)["SandboxKey"], after)


# C08

def test_c08_a_created_container_has_no_entry(resources, base, host):
    created = containers.make_created(resources, base)
    with pytest.raises(ClaimFailed, match="has no process"):
        namespaces.check_entry_is_sandbox_key(host_namespaces.sandbox(created),
                                              host_namespaces.list_netns(host))


@pytest.mark.parametrize("kind, shared", [
    ("net", {"network_mode": "host"}),
    ("pid", {"pid_mode": "host"}),
    ("ipc", {"ipc_mode": "host"}),
    ("uts", {"uts_mode": "host"}),
])
def test_c08_a_container_sharing_the_hosts_namespace_has_none_of_its_own(
        resources, base, host_pids, kind, shared):
    container = running(resources, base, **shared)
    found = host_namespaces.process_namespaces(host_pids, host_namespaces.sandbox(container)["Pid"])
    with pytest.raises(ClaimFailed, match=f"shares its {kind} namespace"):
        namespaces.check_own_namespace(found, kind)


def test_c08_a_process_in_its_parents_mount_namespace_has_none_of_its_own(
        resources, base, host_pids):
    """Docker has no option to share the host's mount namespace: observe instead a child of
    the container's init process (IDLE's `sleep`), which sits in its parent's namespaces."""
    container = running(resources, base)
    init = host_namespaces.sandbox(container)["Pid"]
    top = container.top(ps_args="-o pid,ppid,comm")
    rows = [dict(zip(top["Titles"], row)) for row in top["Processes"]]
    child = next(int(row["PID"]) for row in rows if row["PPID"] == str(init))
    found = host_namespaces.process_namespaces(host_pids, child)
    with pytest.raises(ClaimFailed, match="shares its mnt namespace"):
        namespaces.check_own_namespace(found, "mnt")


def test_c08_a_cgroup_namespace_expected_from_another_containers_mode_is_caught(
        session, resources, base, host_pids):
    """The expectation is the container's own cgroupns mode: checked against the mode of a
    container configured the other way, the same namespaces fail."""
    private = running(resources, base, cgroupns="private")
    other = running(resources, base, cgroupns="host")
    other.reload()
    found = host_namespaces.process_namespaces(host_pids, host_namespaces.sandbox(private)["Pid"])
    wrong = namespaces.expected_cgroup_namespace(other.attrs, session.fingerprint.cgroup_version)
    with pytest.raises(ClaimFailed, match="cgroup namespace.*'host'"):
        namespaces.check_namespace_as_configured(found, wrong)


@pytest.mark.parametrize("mode", ["private", "host"])
def test_c08_the_cgroup_namespace_follows_the_containers_cgroupns_mode_not_the_cgroup_version(
        session, resources, base, host_pids, mode):
    """On cgroup v1 with --cgroupns private (what --default-cgroupns-mode private gives every
    container), the container has its own cgroup namespace: the expectation once followed
    the cgroup version alone, and called the article wrong there."""
    container = running(resources, base, cgroupns=mode)
    container.reload()
    found = host_namespaces.process_namespaces(host_pids, host_namespaces.sandbox(container)["Pid"])
    expected = namespaces.expected_cgroup_namespace(container.attrs,
                                                    session.fingerprint.cgroup_version)
    assert expected.own is (mode == "private")
    namespaces.check_namespace_as_configured(found, expected)


def test_c08_the_user_namespace_follows_the_engines_remapping(session, resources, base, host_pids):
    """Own where the engine remaps users (--userns-remap), the runtime's elsewhere; a container
    that opts out (userns_mode host) shares it either way."""
    info = session.client.info()
    for options in ({}, {"userns_mode": "host"}):
        container = running(resources, base, **options)
        container.reload()
        pid = host_namespaces.sandbox(container)["Pid"]
        found = host_namespaces.process_namespaces(host_pids, pid)
        expected = namespaces.expected_user_namespace(info, container.attrs)
        namespaces.check_namespace_as_configured(found, expected)
        with pytest.raises(ClaimFailed, match="user namespace"):
            namespaces.check_namespace_as_configured(
                found, namespaces.Expected("user", not expected.own, "inverted", {}))


def test_c08_a_container_off_the_host_network_gets_an_entry_of_its_own(resources, base, host):
    created = containers.make_created(resources, base)
    before = host_namespaces.list_netns(host)
    containers.start(created)
    after = host_namespaces.list_netns(host)
    with pytest.raises(ClaimFailed, match="got a new netns entry"):
        namespaces.check_no_own_netns(host_namespaces.sandbox(created), before, after)


def test_c08_the_namespace_of_a_container_never_stopped_stays_mounted(resources, base, host_pids):
    container = running(resources, base)
    key = host_namespaces.sandbox(container)["SandboxKey"]
    mount, waited = host_namespaces.wait_unmounted(
        lambda: host_namespaces.netns_mount(host_pids, key), timeout=0.5)
    namespaces.check_namespace_mounted(mount)
    with pytest.raises(ClaimFailed, match="still a namespace mount"):
        namespaces.check_namespace_unmounted(mount, waited)


def test_c08_a_stopped_container_has_no_namespace_mounted_even_with_its_file_left(
        resources, base, host_pids):
    container = running(resources, base)
    key = host_namespaces.sandbox(container)["SandboxKey"]
    containers.stop(container)
    mount, waited = host_namespaces.wait_unmounted(
        lambda: host_namespaces.netns_mount(host_pids, key))
    namespaces.check_namespace_unmounted(mount, waited)
    with pytest.raises(ClaimFailed, match="not a namespace mount"):
        namespaces.check_namespace_mounted(mount)

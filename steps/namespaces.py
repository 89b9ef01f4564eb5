"""Steps for C07-C08: namespaces come with start, not with create."""

from behave import given, then

from docker_claims.claims import container_layer, namespaces
from docker_claims.engine import containers


def _reader(context):
    """The run's reader of the engine host's netns directory."""
    return context.session.host_reader()


def _process_reader(context):
    """The run's reader that also sees the engine host's processes: /proc, mount tables
    (the scenarios that use it carry @use.with_host_pids=yes)."""
    return context.session.host_reader(host_pids=True)


def _process(context) -> dict:
    found = namespaces.sandbox(context.subject)
    return context.ledger.record(
        "namespaces of the init process and its parent",
        namespaces.process_namespaces(_process_reader(context), found["Pid"]))


@given("a container created from the image on the host network")
def step_created_host_network(context):
    # With --userns-remap, a container cannot share the host's network namespace unless it opts
    # out of the remapping; elsewhere "host" is what it gets anyway.
    context.subject = context.resources.container(context.image.id, containers.IDLE,
                                                  network_mode="host", userns_mode="host")


@given("the engine's network namespaces are listed")
def step_netns_listed(context):
    context.netns_before = context.ledger.record(
        "netns directory before start", namespaces.list_netns(_reader(context)))


@given("the container is started with its own entry in the engine's netns directory")
def step_started_with_entry(context):
    container_layer.check_status(containers.start(context.subject), "running")
    context.ledger.record("entry at start", namespaces.check_entry_is_sandbox_key(
        namespaces.sandbox(context.subject), namespaces.list_netns(_reader(context))))
    context.sandbox_key = namespaces.sandbox(context.subject)["SandboxKey"]
    context.ledger.record("namespace mount at start", namespaces.check_namespace_mounted(
        namespaces.netns_mount(_process_reader(context), context.sandbox_key)))


@then("the container has no process")
def step_no_process(context):
    context.ledger.record("inspect", namespaces.check_no_process(
        namespaces.sandbox(context.subject)))


@then("the container has no sandbox key")
def step_no_sandbox(context):
    context.ledger.record("inspect", namespaces.check_no_sandbox(
        namespaces.sandbox(context.subject)))


@then("its network namespace entry was not among those listed before the start")
def step_entry_new(context):
    before = context.netns_before
    after = namespaces.list_netns(_reader(context))
    context.ledger.record("netns entry", namespaces.check_entry_new(
        before, namespaces.sandbox(context.subject)["SandboxKey"], after))


@then("the engine's netns directory holds the entry its sandbox key names")
def step_entry_is_key(context):
    context.ledger.record("netns entry", namespaces.check_entry_is_sandbox_key(
        namespaces.sandbox(context.subject),
        namespaces.list_netns(_reader(context))))


@then("its init process is in another namespace than its runtime parent, of each kind:")
def step_own_namespaces(context):
    kinds = [row["kind"] for row in context.table]
    context.ledger.record("namespaces", namespaces.check_own_namespaces(_process(context), kinds))


@then("its init process is in the same {kind} namespace as its runtime parent")
def step_shared_namespace(context, kind):
    context.ledger.record(f"{kind} namespace", namespaces.check_shared_namespace(
        _process(context), kind))


@then("its user namespace is its own or its runtime parent's, as the engine's remapping says")
def step_user_namespace(context):
    context.subject.reload()
    expected = namespaces.expected_user_namespace(context.session.client.info(),
                                                  context.subject.attrs)
    context.ledger.record("user namespace", namespaces.check_namespace_as_configured(
        _process(context), expected))


@then("its cgroup namespace is its own or its runtime parent's, as its cgroupns mode says")
def step_cgroup_namespace(context):
    context.subject.reload()
    expected = namespaces.expected_cgroup_namespace(
        context.subject.attrs, context.session.fingerprint.cgroup_version)
    context.ledger.record("cgroup namespace", namespaces.check_namespace_as_configured(
        _process(context), expected))


@then("it has no new entry in the engine's netns directory")
def step_no_new_entry(context):
    before = context.netns_before
    after = namespaces.list_netns(_reader(context))
    context.ledger.record("netns entry", namespaces.check_no_own_netns(
        namespaces.sandbox(context.subject), before, after))


@then("its network namespace is no longer mounted on the engine host")
def step_namespace_unmounted(context):
    mount, waited = namespaces.wait_unmounted(
        lambda: namespaces.netns_mount(_process_reader(context), context.sandbox_key))
    context.ledger.record("namespace mount after stop", namespaces.check_namespace_unmounted(
        mount, waited))

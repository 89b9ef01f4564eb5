"""Steps of namespaces.feature (C07-C08): namespaces come with start, not with create. What
lives on the engine host is read by the run's host reader (engine.host)."""

from behave import given, register_type, then
from parse_type import TypeBuilder

from docker_claims.claims import container_layer, namespaces
from docker_claims.engine import containers, host_namespaces
from docker_claims.engine.records import NetnsListing

register_type(
    Absent=TypeBuilder.make_enum({"process": namespaces.check_no_process,
                                  "sandbox key": namespaces.check_no_sandbox}),
    NamespaceKind=TypeBuilder.make_choice(list(namespaces.KINDS)),
)
"""What a created container has none of, as the feature names it (the check of each), and the
kinds of namespace /proc/<pid>/ns shows."""


def _processes(state):
    """The run's reader that also sees the engine host's processes: /proc, mount tables (the
    scenarios that use it carry @use.with_host_pids=yes)."""
    return state.session.host_reader(host_pids=True)


def _process(state) -> dict:
    found = host_namespaces.sandbox(state.container.look())
    return state.ledger.record("namespaces of the init process and its parent",
                               host_namespaces.process_namespaces(_processes(state), found["Pid"]))


def _netns(state) -> NetnsListing:
    return host_namespaces.list_netns(state.session.host_reader())


@given("the engine's network namespaces are listed")
def step_netns_listed(context):
    state = context.state
    state.netns_before = _netns(state)
    state.ledger.record("netns directory before start", state.netns_before.evidence())


@given("the container is started with its own entry in the engine's netns directory")
def step_started_with_entry(context):
    state = context.state
    container = state.container.change()
    container_layer.check_status(containers.start(container), "running")
    found = host_namespaces.sandbox(container)
    state.ledger.record("entry at start", namespaces.check_entry_is_sandbox_key(
        found, _netns(state)))
    state.sandbox_key = found["SandboxKey"]
    state.ledger.record("namespace mount at start", namespaces.check_namespace_mounted(
        host_namespaces.netns_mount(_processes(state), state.sandbox_key)))


@then("the container has no {check:Absent}")
def step_has_none(context, check):
    state = context.state
    state.ledger.record("inspect", check(host_namespaces.sandbox(state.container.look())))


@then("its network namespace entry was not among those listed before the start")
def step_entry_new(context):
    state = context.state
    state.ledger.record("netns entry", namespaces.check_entry_new(
        state.netns_before, host_namespaces.sandbox(state.container.look())["SandboxKey"],
        _netns(state)))


@then("the engine's netns directory holds the entry its sandbox key names")
def step_entry_is_key(context):
    state = context.state
    state.ledger.record("netns entry", namespaces.check_entry_is_sandbox_key(
        host_namespaces.sandbox(state.container.look()), _netns(state)))


@then("its init process is in another namespace than its runtime parent, of each kind:")
def step_own_namespaces(context):
    state = context.state
    kinds = [row["kind"] for row in context.table]
    state.ledger.record("namespaces", namespaces.check_own_namespaces(_process(state), kinds))


@then("its init process is in the same {kind:NamespaceKind} namespace as its runtime parent")
def step_shared_namespace(context, kind):
    state = context.state
    state.ledger.record(f"{kind} namespace", namespaces.check_shared_namespace(
        _process(state), kind))


@then("its user namespace is its own or its runtime parent's, as the engine's remapping says")
def step_user_namespace(context):
    state = context.state
    container = state.container.look()
    container.reload()
    expected = namespaces.expected_user_namespace(state.session.client.info(), container.attrs)
    state.ledger.record("user namespace", namespaces.check_namespace_as_configured(
        _process(state), expected))


@then("its cgroup namespace is its own or its runtime parent's, as its cgroupns mode says")
def step_cgroup_namespace(context):
    state = context.state
    container = state.container.look()
    container.reload()
    expected = namespaces.expected_cgroup_namespace(container.attrs,
                                                    state.session.fingerprint.cgroup_version)
    state.ledger.record("cgroup namespace", namespaces.check_namespace_as_configured(
        _process(state), expected))


@then("it has no new entry in the engine's netns directory")
def step_no_new_entry(context):
    state = context.state
    state.ledger.record("netns entry", namespaces.check_no_own_netns(
        host_namespaces.sandbox(state.container.look()), state.netns_before, _netns(state)))


@then("its network namespace is no longer mounted on the engine host")
def step_namespace_unmounted(context):
    state = context.state
    reader = _processes(state)
    mount, waited = host_namespaces.wait_unmounted(
        lambda: host_namespaces.netns_mount(reader, state.sandbox_key))
    state.ledger.record("namespace mount after stop", namespaces.check_namespace_unmounted(
        mount, waited))

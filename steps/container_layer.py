"""Steps of container_layer.feature (C04-C06): a container is its image plus a writable layer,
from create on, running or not."""

from behave import given, register_type, then, when
from parse_type import TypeBuilder

from docker_claims.claims import container_layer
from docker_claims.engine import containers, images, storage, transfer
from docker_claims.engine.mounts import LayersUnavailable
from docker_claims.runner import subjects

register_type(ContainerState=TypeBuilder.make_choice(["created", "running", "exited"]))
"""The states `docker ps -a` lists a container in, as the engine names them."""

KEPT = "/claims/written-before-stop.txt"
COPIED = "/claims/copied-before-start.txt"


@given("the container wrote a file")
def step_wrote_a_file(context):
    state = context.state
    container = state.container.change()
    state.written = (KEPT, f"written by {container.name} before the stop\n".encode())
    containers.write_file(container, KEPT, state.written[1].decode())


@when("a file is copied into the container")
def step_copied_in(context):
    state = context.state
    container = state.container.change()
    state.written = (COPIED, f"copied into {container.name} before any start\n".encode())
    containers.copy_in(container, *state.written)


@when("the container is committed to a new image")
def step_committed(context):
    state = context.state
    state.committed = containers.commit(state.resources, state.container.look())


@when("all containers are listed, running or not")
def step_listed(context):
    state = context.state
    state.listing = containers.listing(state.resources, state.container.look())


@when("the container's layer directories are read on the engine host")
def step_layer_dirs(context):
    state = context.state
    image = state.image.look()
    try:
        state.layer_dirs = storage.read_layer_dirs(
            state.session.host_reader(), state.container.look(), image,
            lambda: subjects.reader(state.session, image))
    except LayersUnavailable as hidden:
        context.scenario.skip(str(hidden))
        return
    dirs = state.layer_dirs
    # On the containerd image store, an image built by `docker build` keeps in its snapshot
    # chain each RUN step's build container's init layer: more layers below a container's own
    # init layer than the image's RootFS names (shown, not judged: the layers are the image's).
    state.ledger.record("layer directories", {
        "storage_driver": dirs.container.driver, "named_by": dirs.container.source,
        "layers": dirs.container.layer_dirs,
        "image_layers_in_rootfs": len((image.attrs.get("RootFS") or {}).get("Layers") or []),
        "image_layer_directories": len(dirs.image.layer_dirs)})
    state.ledger.record("writable layer's directory", dirs.evidence())


def _copied(dirs) -> dict:
    """Whether the storage driver keeps the writable layer as a full copy of the image (vfs),
    and of how many entries: the measured line says it so."""
    return {"full_copy": dirs.container.full_copy, "image_entries": len(dirs.image_files or {})}


@then("the new image has the image's layers, unchanged, and one more on top")
def step_one_more_layer(context):
    state = context.state
    found = state.ledger.record("commit", container_layer.check_one_layer_on_top(
        images.layers_of(state.image.look()), images.layers_of(state.committed)))
    state.ledger.note(commit={"image_layers": len(found["image_layers"]),
                              "committed_layers": len(found["committed_layers"])})


@then("its writable layer's directory holds exactly its changes, as its storage driver keeps "
      "them")
def step_upper_is_diff(context):
    state = context.state
    dirs = state.layer_dirs
    state.ledger.record("upper dir vs diff", container_layer.check_upper_is_the_diff(
        dirs, containers.changes(state.container.look()), state.writes))
    kinds = list(dirs.upper.values())
    state.ledger.note(writable_layer_dir={"paths": len(kinds),
                                          "whiteouts": kinds.count("whiteout"),
                                          **_copied(dirs)})


@then("below the writable layer lies an init layer, then the image's layers in order")
def step_init_between(context):
    state = context.state
    found = state.ledger.record("stacking", container_layer.check_init_between(
        state.layer_dirs.container, state.layer_dirs.image))
    state.ledger.note(init_layer={"below_the_writable_layer": True,
                                  "image_layers_below": len(found["image_layers"])})


@then("the init layer holds the files the engine prepares for every container")
def step_init_holds(context):
    state = context.state
    dirs = state.layer_dirs
    init = (dirs.below if dirs.below is not None else
            storage.list_layer_dir(state.session.host_reader(), dirs.container.lowers[0]))
    state.ledger.record("init layer", container_layer.check_init_holds(
        init, image_files=dirs.image_files))
    state.ledger.note(init_layer={"files": sorted(
        path for path, kind in init.items() if kind == "file"
        and path not in (dirs.image_files or {}))})


@then("the container is listed as {wanted:ContainerState}")
def step_listed_in_state(context, wanted):
    state = context.state
    found = state.ledger.record("ps -a", container_layer.check_listed_with_state(
        state.listing, state.container.look().id, wanted))
    state.ledger.note(listed={wanted: found["status"]})


@then("the file copied out of the container has the content written")
def step_copied_out(context):
    state = context.state
    container = state.container.look()
    path, written = state.written
    state.ledger.record("docker cp", container_layer.check_file_content(
        path, written, containers.copy_out(container, path), "copied out of the container"),
        after_stop={"copied_out_bytes": len(written)})


@then("the container reads the file with the content written")
def step_reads_after_restart(context):
    state = context.state
    path, written = state.written
    code, output = containers.read_running(state.container.look(), path)
    state.ledger.record("read after restart", container_layer.check_file_content(
        path, written, output.encode() if code == 0 else None, "after the restart"),
        after_restart={"read_bytes": len(written)})


@then("its export holds the file with the content written")
def step_export_holds(context):
    state = context.state
    path, written = state.written
    tar = containers.export(state.container.look(), state.scratch())
    state.ledger.record("docker export", container_layer.check_export_holds(
        transfer.exported_file(tar, path), written), exported={"bytes": len(written)})


@then("the container's changes list the file as added")
def step_diff_added(context):
    state = context.state
    state.ledger.record("docker diff", container_layer.check_added(
        containers.changes(state.container.look()), state.written[0]),
        copied_in={"path": state.written[0], "listed_as": "added"})


@then("the container has never run")
def step_never_ran(context):
    state = context.state
    found = state.ledger.record("state", container_layer.check_never_ran(
        containers.state(state.container.look())))
    state.ledger.note(never_started={"pid": found.get("Pid"), "status": found.get("Status")})


@then("its writable layer's directory holds the file")
def step_upper_holds(context):
    state = context.state
    state.ledger.record("writable layer's directory", container_layer.check_upper_holds(
        state.layer_dirs, state.written[0]), writable_layer_dir={"holds": state.written[0],
                                                                  **_copied(state.layer_dirs)})

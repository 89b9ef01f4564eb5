"""Steps for C09, C11 and C13: export/import and save/load, paired and crossed."""

from behave import given, then, when

from docker_claims.claims import export_import, pairs, save_load
from docker_claims.engine import containers, images, transfer
from docker_claims.runner import subjects

VOLUME_AT = "/claims/volume"


def _scratch(context):
    return context.session.scratch_dir(context.add_cleanup)


def _image_layers(context) -> transfer.ImageLayers:
    """What the image's layers hold, from its save tar (read once per scenario)."""
    if getattr(context, "image_layers", None) is None:
        context.image_layers = transfer.image_layers(
            subjects.save_tar(context.session, context.image))
    return context.image_layers


def _exported(context) -> dict:
    if getattr(context, "exported", None) is None:
        context.exported = transfer.exported_entries(context.export_tar)
    return context.exported


# -- Given ------------------------------------------------------------------------------------


@given("a container of the image that changed nothing")
def step_untouched(context):
    context.subject = subjects.untouched(context.session, context.image)


@given("a stopped container of the image that added, changed and deleted files")
def step_wrote(context):
    context.subject = subjects.writer(context.session, context.image).container
    context.ledger.record("the container's changes", containers.changes(context.subject))


@given('a stopped container of the image that wrote "{path}" in a volume')
def step_wrote_in_volume(context, path):
    volume = context.resources.volume()
    context.subject = containers.run_script(
        context.resources, context.image, f'echo "kept in {volume.name}" > "{path}"',
        volumes={volume.name: {"bind": VOLUME_AT, "mode": "rw"}})
    context.ledger.record("volume", {"name": volume.name, "mounted_at": VOLUME_AT})


@given("a container of the image, exported")
def step_exported_container(context):
    context.subject, context.export_tar = subjects.untouched_export(context.session, context.image)


@given("an image of the run's own on top of it, tagged")
def step_own_image(context):
    context.base = context.image
    context.image = subjects.own_image(context.session, context.base)
    context.saved_record = context.ledger.record("the image", images.record(context.image))


@given("the image's save tar")
def step_save_tar(context):
    context.save_tar = subjects.save_tar(context.session, context.image)


# -- When -------------------------------------------------------------------------------------


@when("the container is exported")
def step_exported(context):
    context.export_tar = subjects.export_of(context.session, context.subject)


@when("the container is exported and the export imported")
def step_exported_imported(context):
    step_exported(context)
    context.imported = subjects.imported(context.session, context.export_tar)


@when("the image is saved")
def step_saved(context):
    context.save_tar = transfer.save(context.session.client, context.image, _scratch(context))


@when("the image is saved, removed, and its save tar loaded")
def step_saved_removed_loaded(context):
    trip = subjects.round_trip(context.session, context.image)
    context.saved_record, context.save_tar, context.loaded = trip.saved, trip.save_tar, trip.loaded
    context.ledger.record("load", context.loaded)


@when("the export tar is loaded")
def step_export_loaded(context):
    context.loaded = transfer.load(context.resources, context.export_tar)


@when("the save tar is imported")
def step_save_imported(context):
    context.imported = subjects.imported(context.session, context.save_tar)


@when("the image's name is given to export")
def step_export_image(context):
    context.answer, _ = transfer.try_export(context.session.client, images.name_of(context.image),
                                            _scratch(context))


@when("the container's name is given to save")
def step_save_container(context):
    context.answer, _ = transfer.try_save(context.session.client, context.subject.name,
                                          _scratch(context))


# -- Then: C09 --------------------------------------------------------------------------------


@then("a container of the imported image runs the image's command")
def step_imported_runs(context):
    context.ledger.record("run", pairs.check_runs(images.run(
        context.resources, context.imported, images.command_of(context.image))))


@then("the imported image holds the container's writes as the container reads them")
def step_imported_holds_writes(context):
    seen = transfer.writes_seen(context.subject, context.export_tar)
    view = containers.view(context.resources, context.imported, transfer.files_of(seen))
    context.ledger.record("writes", pairs.check_image_holds_writes(seen, view))


@then("a container of the loaded image runs the image's command")
def step_loaded_runs(context):
    loaded = transfer.loaded_image(context.session.client, context.loaded,
                                   context.saved_record.id)
    context.ledger.record("run", pairs.check_runs(images.run(
        context.resources, loaded, images.command_of(context.image))))


@then("the engine has the image again, under the same id")
def step_image_back(context):
    context.ledger.record("load", pairs.check_image_back(context.saved_record,
                                                            context.loaded))


@then("the engine refuses to load it, saying why, and makes no image")
def step_load_refused(context):
    context.ledger.record("load", pairs.check_load_failed(context.loaded))


@then("the imported image's files are the save tar's members, none of the image's")
def step_imported_archive_files(context):
    scratch = _scratch(context)
    context.ledger.record("files", pairs.check_holds_archive_files(
        transfer.image_files(context.session.client, context.imported, scratch),
        transfer.tar_members(context.save_tar), set(_image_layers(context).view)))


@then("a container of the imported image cannot run the image's command")
def step_imported_cannot_run(context):
    context.ledger.record("run", pairs.check_cannot_run(images.run(
        context.resources, context.imported, images.command_of(context.image))))


@then("the engine refuses it, saying why")
def step_refused(context):
    context.ledger.record("answer", pairs.check_refused(context.answer))


# -- Then: C11 --------------------------------------------------------------------------------


@then("the export holds every path of the image's merged layers, as the topmost layer has it")
def step_export_merged(context):
    context.ledger.record("export vs layers", export_import.check_export_is_merged_view(
        _image_layers(context), _exported(context)))


@then("the export holds no path that an upper layer hides")
def step_export_hides(context):
    context.ledger.record("hidden paths", export_import.check_export_hides(
        _image_layers(context), _exported(context)))


@then("the export holds the version of the topmost layer holding it")
def step_export_top_version(context):
    context.ledger.record("export", export_import.check_export_top_version(
        context.witness, transfer.exported_content(context.export_tar, context.witness.path)))


@then("the export does not hold the deleted file")
def step_export_lacks_deleted(context):
    w = context.witness
    context.ledger.record("export", export_import.check_export_lacks(
        w.path, set(_exported(context)), holders=w.holders, deleters=w.deleters))


@then("the export holds each file the container added or changed, as the container reads it")
def step_export_holds_writes(context):
    context.seen = transfer.writes_seen(context.subject, context.export_tar)
    context.ledger.record("writes", export_import.check_export_holds_writes(context.seen))


@then("the export holds no file the container deleted")
def step_export_lacks_deletions(context):
    context.ledger.record("deletions", export_import.check_export_lacks_deletions(context.seen))


@then('the export holds "{path}", which neither the image\'s layers nor the container wrote')
def step_export_holds_prepared(context, path):
    context.ledger.record("prepared", export_import.check_export_holds_prepared(
        path, set(_exported(context)), _image_layers(context),
        containers.changes(context.subject)))


@then('the container still reads "{path}" from its volume')
def step_container_reads(context, path):
    context.volume_read = containers.copy_out(context.subject, path)
    context.ledger.record("the container reads", {"path": path, "content": context.volume_read})


@then('the export does not hold "{path}"')
def step_export_lacks_volume_file(context, path):
    read = getattr(context, "volume_read", None) or containers.copy_out(context.subject, path)
    context.ledger.record("volume", export_import.check_volume_not_exported(
        path, read, set(_exported(context)), containers.changes(context.subject)))


@then("the imported image has exactly one layer")
def step_one_layer(context):
    context.ledger.record("layers", export_import.check_one_layer(
        images.record(context.imported).layers, images.file_digest(context.export_tar),
        images.record(context.image).layers))


# -- Then: C13 --------------------------------------------------------------------------------


@then("the save tar holds every layer of the image, in order, each matching its digest")
def step_save_holds_layers(context):
    context.ledger.record("save tar", save_load.check_save_holds_layers(
        transfer.read_save(context.save_tar, context.saved_record.id), context.saved_record))


@then("the save tar holds the image's config, its tags and an entry per history row")
def step_save_holds_config(context):
    context.ledger.record("save tar", save_load.check_save_holds_config(
        transfer.read_save(context.save_tar, context.saved_record.id), context.saved_record))


def _loaded_record(context) -> images.ImageRecord:
    return images.record(transfer.loaded_image(context.session.client, context.loaded,
                                                 context.saved_record.id))


@then("the loaded image has the saved one's id, layer digests and tags")
def step_same_image(context):
    context.ledger.record("loaded", save_load.check_same_image(context.saved_record,
                                                              _loaded_record(context)))


@then("the loaded image has the saved one's config")
def step_same_config(context):
    context.ledger.record("config", save_load.check_same_config(context.saved_record,
                                                               _loaded_record(context)))


@then("the loaded image's history has every row of the saved one's build record")
def step_same_history(context):
    context.ledger.record("history", save_load.check_same_history(context.saved_record,
                                                                 _loaded_record(context)))


@then("the history rows that named intermediate images show them as missing")
def step_intermediates_missing(context):
    if not save_load.intermediates_named(context.saved_record):
        context.scenario.skip("no history row named an intermediate image before the load "
                              "(BuildKit or the containerd image store keep none): nothing "
                              "for load to forget")
        return
    context.ledger.record("history", save_load.check_intermediates_forgotten(
        context.saved_record, _loaded_record(context)))

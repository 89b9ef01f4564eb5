"""Steps for C12: what an imported image keeps of the image its tar came from."""

from behave import then, when

from docker_claims.claims import export_import
from docker_claims.engine import images, transfer
from docker_claims.engine.fixtures import build_steps
from docker_claims.runner import subjects


@when("the export is imported")
def step_imported(context):
    context.imported = subjects.imported(context.session, context.export_tar)


@when("the export is imported with the image's {names} as changes")
def step_imported_with_changes(context, names):
    changes = export_import.changes_for(images.record(context.image).config,
                                  export_import.instruction_names(names))
    context.ledger.record("changes", changes)
    context.imported = transfer.import_tar(context.resources, context.export_tar, tuple(changes))


@when("the export is imported twice")
def step_imported_twice(context):
    context.imports = [subjects.imported(context.session, context.export_tar),
                       transfer.import_tar(context.resources, context.export_tar)]


@then("the imported image's history has one row, where the image's has one per build step")
def step_one_row(context):
    context.ledger.record("history", export_import.check_history_lost(
        images.record(context.imported), images.record(context.image),
        build_steps(context.dockerfile)))


@then('that row names no build step and says "{comment}"')
def step_row_is_import(context, comment):
    context.ledger.record("history row", export_import.check_row_is_import(
        images.record(context.imported), comment))


@then("the imported image has none of the image's {names}")
def step_config_lost(context, names):
    context.ledger.record("config", export_import.check_config_lost(
        images.record(context.image), images.record(context.imported),
        export_import.instruction_names(names)))


@then("the imported image has the image's {names}")
def step_config_kept(context, names):
    context.ledger.record("config", export_import.check_config_kept(
        images.record(context.image), images.record(context.imported),
        export_import.instruction_names(names)))


@then("a container of the imported image has no command to run")
def step_no_command(context):
    context.ledger.record("run", export_import.check_no_command(
        images.run(context.resources, context.imported)))


@then("a container of the imported image does what a container of the image does")
def step_runs_alike(context):
    context.ledger.record("runs", export_import.check_runs_alike(
        images.run(context.resources, context.image),
        images.run(context.resources, context.imported)))


@then("the two imported images have different ids, over the same one layer")
def step_new_ids(context):
    first, second = (images.record(image) for image in context.imports)
    context.ledger.record("imports", export_import.check_new_image_each_time(first, second))

"""Steps for C12: what an imported image keeps of the image its tar came from."""

from behave import then, when

from docker_claims import history, transfer
from docker_claims.fixtures import build_steps


@when("the export is imported")
def step_imported(context):
    context.imported = transfer.shared_import(context.session, context.export_tar)


@when("the export is imported with the image's {names} as changes")
def step_imported_with_changes(context, names):
    changes = history.changes_for(transfer.record(context.image).config,
                                  history.instruction_names(names))
    context.ledger.record("changes", changes)
    context.imported = transfer.import_tar(context.resources, context.export_tar, tuple(changes))


@when("the export is imported twice")
def step_imported_twice(context):
    context.imports = [transfer.shared_import(context.session, context.export_tar),
                       transfer.import_tar(context.resources, context.export_tar)]


@then("the imported image's history has one row, where the image's has one per build step")
def step_one_row(context):
    context.ledger.record("history", history.check_history_lost(
        transfer.record(context.imported), transfer.record(context.image),
        build_steps(context.dockerfile)))


@then('that row names no build step and says "{comment}"')
def step_row_is_import(context, comment):
    context.ledger.record("history row", history.check_row_is_import(
        transfer.record(context.imported), comment))


@then("the imported image has none of the image's {names}")
def step_config_lost(context, names):
    context.ledger.record("config", history.check_config_lost(
        transfer.record(context.image), transfer.record(context.imported),
        history.instruction_names(names)))


@then("the imported image has the image's {names}")
def step_config_kept(context, names):
    context.ledger.record("config", history.check_config_kept(
        transfer.record(context.image), transfer.record(context.imported),
        history.instruction_names(names)))


@then("a container of the imported image has no command to run")
def step_no_command(context):
    context.ledger.record("run", history.check_no_command(
        transfer.run(context.resources, context.imported)))


@then("a container of the imported image does what a container of the image does")
def step_runs_alike(context):
    context.ledger.record("runs", history.check_runs_alike(
        transfer.run(context.resources, context.image),
        transfer.run(context.resources, context.imported)))


@then("the two imported images have different ids, over the same one layer")
def step_new_ids(context):
    first, second = (transfer.record(image) for image in context.imports)
    context.ledger.record("imports", history.check_new_image_each_time(first, second))

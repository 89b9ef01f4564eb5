"""Steps of save_load.feature (C13): save keeps every layer and its metadata, and load gives the
image back with its history."""

from behave import register_type, then
from parse_type import TypeBuilder

from docker_claims.claims import save_load
from docker_claims.engine import images, transfer
from docker_claims.engine.records import ImageRecord

register_type(
    SaveTarHolds=TypeBuilder.make_enum({
        "every layer of the image, in order, each matching its digest":
            save_load.check_save_holds_layers,
        "the image's config, its tags and an entry per history row":
            save_load.check_save_holds_config,
    }),
    LoadedHas=TypeBuilder.make_enum({
        "id, layer digests and tags": save_load.check_same_image,
        "config": save_load.check_same_config,
        "history, every row with its build record": save_load.check_same_history,
    }),
)
"""What the feature says a save tar holds, and what the loaded image has of the saved one: the
check of each."""


def _loaded(state) -> ImageRecord:
    return images.record(transfer.loaded_image(state.session.client, state.loaded,
                                               state.saved_record.id))


@then("the save tar holds {check:SaveTarHolds}")
def step_save_holds(context, check):
    state = context.state
    state.ledger.record("save tar", check(
        transfer.read_save(state.save_tar, state.saved_record.id), state.saved_record))


@then("the loaded image has the saved one's {check:LoadedHas}")
def step_loaded_has(context, check):
    state = context.state
    state.ledger.record("loaded", check(state.saved_record, _loaded(state)))


@then("the history rows that named intermediate images show them as missing")
def step_intermediates_missing(context):
    state = context.state
    if not save_load.intermediates_named(state.saved_record):
        context.scenario.skip("no history row named an intermediate image before the load "
                              "(BuildKit or the containerd image store keep none): nothing "
                              "for load to forget")
        return
    state.ledger.record("history", save_load.check_intermediates_forgotten(
        state.saved_record, _loaded(state)))

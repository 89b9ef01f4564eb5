"""Steps of save_load.feature (C13): save keeps every layer and its metadata, and load gives the
image back with its history."""

from behave import then

from docker_claims.claims import save_load
from docker_claims.engine import images, transfer
from docker_claims.engine.records import ImageRecord

SAVE_TAR_HOLDS = {
    "every layer of the image, in order, each matching its digest":
        save_load.check_save_holds_layers,
    "the image's config, its tags and an entry per history row": save_load.check_save_holds_config,
}
"""What the feature says a save tar holds, and the check of each."""

LOADED_HAS = {
    "id, layer digests and tags": save_load.check_same_image,
    "config": save_load.check_same_config,
    "history, every row with its build record": save_load.check_same_history,
}
"""What the feature says the loaded image has of the saved one, and the check of each."""


def _loaded(state) -> ImageRecord:
    return images.record(transfer.loaded_image(state.session.client, state.loaded,
                                               state.saved_record.id))


@then("the save tar holds {what}")
def step_save_holds(context, what):
    state = context.state
    state.ledger.record("save tar", SAVE_TAR_HOLDS[what](
        transfer.read_save(state.save_tar, state.saved_record.id), state.saved_record))


@then("the loaded image has the saved one's {what}")
def step_loaded_has(context, what):
    state = context.state
    state.ledger.record("loaded", LOADED_HAS[what](state.saved_record, _loaded(state)))


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

"""docker_claims.claims.save_load, no engine needed: C13 checks fail on contrary facts."""

from __future__ import annotations

import json

import pytest
from saved_image import CONFIG, LOWER, UPPER, digest, record

from docker_claims.claims import save_load
from docker_claims.engine.records import MISSING, SavedFacts
from docker_claims.evidence import ClaimFailed


def facts(**changes) -> SavedFacts:
    base = {"found": True, "images": [], "layout": "legacy", "tags": ["app:1"],
            "diff_ids": [digest(LOWER), digest(UPPER)],
            "computed": [digest(LOWER), digest(UPPER)],
            "config": json.loads(CONFIG)}
    base.update(changes)
    return SavedFacts(**base)


def test_save_layers_check_fails_on_other_or_fewer_layers():
    save_load.check_save_holds_layers(facts(), record())
    with pytest.raises(ClaimFailed, match="lists other layers"):
        save_load.check_save_holds_layers(facts(diff_ids=[digest(LOWER)]), record())


def test_save_config_check_fails_on_other_config_tags_or_history():
    save_load.check_save_holds_config(facts(), record())
    config = json.loads(CONFIG)
    config["config"]["Cmd"] = ["true"]
    with pytest.raises(ClaimFailed, match="config differs"):
        save_load.check_save_holds_config(facts(config=config), record())
    with pytest.raises(ClaimFailed, match="names the image otherwise"):
        save_load.check_save_holds_config(facts(tags=[]), record())
    config = json.loads(CONFIG)
    config["history"][1]["comment"] = "rewritten"
    with pytest.raises(ClaimFailed, match="history differs"):
        save_load.check_save_holds_config(facts(config=config), record())
    with pytest.raises(ClaimFailed, match="does not hold the image"):
        save_load.check_save_holds_config(facts(found=False), record())
    config = json.loads(CONFIG)
    config["history"][0]["created"] = "1970-01-01T00:00:09Z"
    with pytest.raises(ClaimFailed, match="history differs"):
        save_load.check_save_holds_config(facts(config=config), record())


def test_save_config_check_fails_when_history_by_name_differs():
    """`docker history NAME` is how the article's user reads it: by id alone is not enough."""
    one_row = record().history[:1]
    with pytest.raises(ClaimFailed, match=r"history differs .*by name \(app:1\)"):
        save_load.check_save_holds_config(facts(), record(history_by_name=one_row))


def test_same_image_check_fails_on_another_id_layers_or_tags():
    save_load.check_same_image(record(), record())
    with pytest.raises(ClaimFailed, match="another id"):
        save_load.check_same_image(record(), record(id="sha256:" + "c" * 64))
    with pytest.raises(ClaimFailed, match="other layers"):
        save_load.check_same_image(record(), record(layers=[digest(LOWER)]))
    with pytest.raises(ClaimFailed, match="other tags"):
        save_load.check_same_image(record(), record(tags=[]))


def test_same_config_check_ignores_empty_fields_but_not_values():
    save_load.check_same_config(record(), record(config={"Cmd": ["sh"], "Env": ["A=1"]}))
    with pytest.raises(ClaimFailed, match="config differs"):
        save_load.check_same_config(record(), record(config={"Cmd": ["sh"], "Env": ["A=2"]}))


def test_same_history_check_fails_on_a_changed_lost_or_foreign_row():
    before = record()
    after_rows = [dict(row) for row in before.history]
    after_rows[1]["Id"] = MISSING
    save_load.check_same_history(before, record(history=after_rows))
    changed = [dict(row) for row in after_rows]
    changed[1]["Comment"] = "rewritten"
    with pytest.raises(ClaimFailed, match="rows by id differ"):
        save_load.check_same_history(before, record(history=changed))
    with pytest.raises(ClaimFailed, match="has 1 rows"):
        save_load.check_same_history(before, record(history=after_rows[:1]))
    foreign = [{**after_rows[0], "Id": "sha256:" + "d" * 64}, after_rows[1]]
    with pytest.raises(ClaimFailed, match="top row is not the loaded image"):
        save_load.check_same_history(before, record(history=foreign, history_by_name=after_rows))


def test_same_history_check_fails_when_history_by_name_lost_rows():
    """Asked by the loaded image's name, history answers one row; by id, all of them."""
    before = record()
    with pytest.raises(ClaimFailed, match=r"history by name \(app:1\) has 1 rows"):
        save_load.check_same_history(before, record(history_by_name=before.history[:1]))
    one_row = record(history_by_name=before.history[:1])
    with pytest.raises(ClaimFailed, match=r"by name \(app:1\) is not its history by id"):
        save_load.check_same_history(one_row, one_row)


def test_intermediates_check_fails_when_rows_still_name_them_or_never_did():
    before = record()
    forgotten = [dict(row) for row in before.history]
    forgotten[1]["Id"] = MISSING
    assert save_load.intermediates_named(before) == [1]
    save_load.check_intermediates_forgotten(before, record(history=forgotten))
    with pytest.raises(ClaimFailed, match="still name the intermediate images"):
        save_load.check_intermediates_forgotten(before, before)
    with pytest.raises(ClaimFailed, match="no history row named"):
        save_load.check_intermediates_forgotten(record(history=forgotten),
                                               record(history=forgotten))

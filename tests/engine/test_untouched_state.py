"""The check the full runs' "touches none of the user's things" rests on (test_full_runs.py)."""

from __future__ import annotations

from user_state import ARTICLE_IMAGE, ARTICLE_NAME, touching


def test_an_event_on_a_users_thing_is_told():
    """The check itself: an event whose actor is one of the user's things is caught, another
    client's event on its own thing is not."""
    things = {"container": {"c1": ARTICLE_NAME}, "image": {"sha256:i1": ARTICLE_IMAGE},
              "volume": {}, "network": {}}
    events = [{"Type": "container", "Action": "destroy", "Actor": {"ID": "other"}},
              {"Type": "image", "Action": "untag", "Actor": {"ID": "sha256:i1",
                                                            "Attributes": {}}}]
    assert touching(events, things) == ["image untag sha256:i1 {}"]

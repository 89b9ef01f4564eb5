"""What the selected scenarios will share, made in the background from the run's start.

A run asks the engine one thing at a time and leaves it idle in between; the subjects that
scenarios share (Session.shared) can be made meanwhile, so that they are there when the first
scenario asks. Which ones a selection needs is read from its steps: each entry of AHEAD names
the steps that use a shared subject and how to make that from the scenario's fixture image.
Only what adds things belongs here: never the save/load round trip, which removes an image for
a moment. A step missing from the table is only made when asked; an error made ahead is met
again, and told, by the scenario that asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable

from docker.models.images import Image

from . import containers, transfer
from .fixtures import GIVENS, FixtureSpec

if TYPE_CHECKING:
    from .session import Session

Maker = Callable[["Session", Image], Any]


def _host_reader(session: Session, image: Image) -> Any:
    return session.host_reader()


def _export_imported(session: Session, image: Image) -> Image:
    return transfer.shared_import(session, transfer.shared_export(session, image)[1])


def _saved(session: Session, image: Image) -> Any:
    return session.saved_layers(image)


AHEAD: tuple[tuple[str, Maker], ...] = (
    (r".*(netns|namespace|storage driver's directories|writable layer's directory|init layer)"
     r".*", _host_reader),
    (r"a (stopped )?container of the image that added, changed and deleted files"
     r'|a container of the image adds, changes and deletes files'
     r'|a container of the image in the "exited" state', containers.shared_writes),
    (r'a container of the image reads ".*"|a container of the image in the "running" state',
     containers.shared_reader),
    (r'a container of the image in the "created" state', transfer.shared_untouched),
    (r"a container of the image, exported|a container of the image that changed nothing",
     transfer.shared_export),
    (r"the export is imported", _export_imported),
    (r"an image of the run's own on top of it, tagged", transfer.shared_own_image),
    (r"the image's save tar|\".*\" is written by .*", _saved),
)
"""(a pattern a step's whole text matches, what to make ahead for a scenario with that step)."""


def plan(scenarios: Iterable[list[str]]) -> list[tuple[FixtureSpec, Maker]]:
    """What to make ahead, in the order the scenarios (each its step texts, Background first)
    will ask: each maker with the fixture the scenario names first, once."""
    wanted: dict[tuple[int, Maker], tuple[FixtureSpec, Maker]] = {}
    for steps in scenarios:
        named = [GIVENS[text] for text in steps if text in GIVENS]
        if not named:
            continue
        for text in steps:
            for pattern, maker in AHEAD:
                if re.fullmatch(pattern, text):
                    wanted.setdefault((id(named[0]), maker), (named[0], maker))
    return list(wanted.values())


def start(session: Session, planned: list[tuple[FixtureSpec, Maker]]) -> None:
    """Make each planned subject in the background (Session.ahead), its fixture first."""
    for spec, maker in planned:
        session.ahead(lambda spec=spec, maker=maker: maker(session,
                                                           session.fixtures.image(spec)))

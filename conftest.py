"""pytest fixtures shared by the engine tests: one session per test run, cleanup per test.

Tests under tests/engine are marked `engine`. When none of them can run (no engine answers),
the reason is said once, in the header, and each module's engine tests are skipped under one
short reason, rather than the whole reason once per test."""

import pytest

from docker_claims.engine.config import settings
from docker_claims.engine.connection import EngineUnavailable, connect
from docker_claims.engine.fixtures import BusyboxMissing
from docker_claims.runner.session import Session

NO_ENGINE = "no Docker engine answers (the reason is in the header above)"

WORKERS = 3
"""pytest-xdist workers when an engine answers (`-n auto` in pyproject.toml). The engine tests
wait on the engine, not on this machine's CPUs: on 2 CPUs, the whole of pytest took 198 s in
one process, 138 s with 3 workers and 150 s with 4 (docs/performance.md, pytest's workers)."""


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test reads the DOCKER_CLAIMS_* settings afresh (some set them with monkeypatch)."""
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def session():
    """The engine session; engine tests skip, saying why, when no engine answers."""
    try:
        opened = Session.open()
    except (EngineUnavailable, BusyboxMissing) as error:
        pytest.skip(f"no usable Docker engine: {error}")
    yield opened
    opened.close()


@pytest.fixture
def resources(session, request):
    """Creates labelled resources removed when the test ends (LIFO)."""
    return session.resources(request.addfinalizer)


@pytest.fixture
def scratch(session, request):
    return session.scratch_dir(request.addfinalizer)


def pytest_xdist_auto_num_workers(config):
    """WORKERS, or none (one process) when no engine answers: then every engine test is
    skipped, and only a run in one process says why once, in its header."""
    try:
        connect().close()
    except EngineUnavailable:
        return 0
    return WORKERS


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Tests under tests/engine are engine tests (before `-m "not engine"` deselects them)."""
    for item in items:
        if "/tests/engine/" in str(item.fspath):
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    """Once the selection is known: when engine tests are selected and no engine answers, skip
    them under one short reason (pytest then folds them into a line per module)."""
    engine_tests = [item for item in session.items if item.get_closest_marker("engine")]
    if not engine_tests:
        return
    try:
        connect().close()
    except EngineUnavailable as error:
        session.config.stash[NO_ENGINE_KEY] = (str(error), len(engine_tests))
        for item in engine_tests:
            item.add_marker(pytest.mark.skip(reason=NO_ENGINE))


NO_ENGINE_KEY = pytest.StashKey[tuple]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """pytest folds marker skips into one line per module, except for tests that carry marks
    of their own (parametrize): fold those too."""
    report = yield
    if report.skipped and NO_ENGINE_KEY in item.config.stash:
        report.keywords.pop("pytestmark", None)
    return report


def pytest_report_collectionfinish(config):
    """The session-level notice: why the engine tests are skipped, and what to do, once."""
    if NO_ENGINE_KEY in config.stash:
        reason, count = config.stash[NO_ENGINE_KEY]
        return [f"engine tests: {count} skipped: {reason}"]
    return []

"""pytest fixtures shared by the engine tests: one session per test run, cleanup per test."""

import pytest

from docker_claims.engine.config import settings
from docker_claims.engine.connection import EngineUnavailable
from docker_claims.engine.fixtures import BusyboxMissing
from docker_claims.runner.session import Session


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


def pytest_collection_modifyitems(items):
    """Tests under tests/engine are engine tests."""
    for item in items:
        if "/tests/engine/" in str(item.fspath):
            item.add_marker(pytest.mark.engine)

"""Active tags: a scenario the engine cannot measure is skipped with the engine's reason."""

from types import SimpleNamespace

from docker_claims.runner import hooks

REFUSED = "the engine does not start a helper container in its host's pid namespace: ..."


class FakeSession:
    def __init__(self, refused):
        self.refused, self.asked = refused, 0

    def host_pids_refused(self):
        self.asked += 1
        return self.refused


def scenario(*tags):
    return SimpleNamespace(effective_tags=["claim.C08", *tags])


def test_a_scenario_needing_the_host_pid_namespace_is_skipped_with_the_engines_reason(
        monkeypatch):
    monkeypatch.setitem(hooks.PRECONDITIONS, "host_pids", FakeSession.host_pids_refused)
    assert hooks._unmet_precondition(FakeSession(REFUSED),
                                     scenario("use.with_host_pids=yes")) == REFUSED


def test_it_runs_where_the_engine_gives_it(monkeypatch):
    monkeypatch.setitem(hooks.PRECONDITIONS, "host_pids", FakeSession.host_pids_refused)
    assert hooks._unmet_precondition(FakeSession(None), scenario("use.with_host_pids=yes")) \
        is None


def test_a_scenario_without_the_tag_does_not_ask_the_engine(monkeypatch):
    monkeypatch.setitem(hooks.PRECONDITIONS, "host_pids", FakeSession.host_pids_refused)
    session = FakeSession(REFUSED)
    assert hooks._unmet_precondition(session, scenario()) is None
    assert session.asked == 0

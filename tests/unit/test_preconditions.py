"""Active tags: a scenario the engine cannot measure is skipped with the engine's reason."""

from docker_claims.runner.preconditions import FACTS, Preconditions, host_pids

REFUSED = "the engine does not start a helper container in its host's pid namespace: ..."


class FakeSession:
    def __init__(self, refused):
        self.refused, self.asked = refused, 0

    def host_pids_refused(self):
        self.asked += 1
        return self.refused


def test_a_scenario_needing_the_host_pid_namespace_is_skipped_with_the_engines_reason():
    assert FACTS["host_pids"] is host_pids
    assert Preconditions(FakeSession(REFUSED)).skip_reason(
        ["claim.C08", "use.with_host_pids=yes"]) == REFUSED


def test_it_runs_where_the_engine_gives_it():
    assert Preconditions(FakeSession(None)).skip_reason(
        ["claim.C08", "use.with_host_pids=yes"]) is None


def test_a_scenario_without_the_tag_does_not_ask_the_engine():
    session = FakeSession(REFUSED)
    assert Preconditions(session).skip_reason(["claim.C08"]) is None
    assert session.asked == 0

"""Two full runs at once against one engine both pass: names, fixture builds (the classic
builder's cache is shared between runs), netns checks and sweeps do not collide."""

from __future__ import annotations

from behave_runs import labelled, start


def test_two_full_behave_runs_at_once_both_pass_and_leave_nothing(session, tmp_path):
    first = start(tmp_path / "first")
    second = start(tmp_path / "second")
    try:
        codes = [first.wait(timeout=600), second.wait(timeout=600)]
    finally:
        first.kill()
        second.kill()
    ids = [first.run_id(timeout=0), second.run_id(timeout=0)]
    assert ids[0] != ids[1]
    assert codes == [0, 0], "\n\n".join(run.output()[-6000:] for run in (first, second))
    for run_id in ids:
        assert labelled(session.client, run_id) == []

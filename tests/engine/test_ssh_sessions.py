"""Over ssh://, a whole run stays within the sessions sshd allows on one connection.

The docker SDK opens an ssh session per HTTP connection, all on one ssh connection, and
OpenSSH's sshd allows 10 at once (MaxSessions): a run that opens more is refused sessions, and
its scenarios error at random (docker-py#2246). Runs when DOCKER_HOST names an ssh:// engine
(`export DOCKER_HOST=$(scripts/engines/ssh-up)`); skipped, saying so, otherwise.
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import behave_runs
import pytest

from docker_claims.engine import ssh

PROBE = Path(__file__).parent / "ssh_probe"

pytestmark = pytest.mark.skipif(
    not os.environ.get("DOCKER_HOST", "").startswith("ssh://"),
    reason="needs DOCKER_HOST=ssh://... (an sshd of the suite's own: "
           "`export DOCKER_HOST=$(scripts/engines/ssh-up)`, then scripts/engines/ssh-down)")


def probed(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment of a process whose ssh sessions are counted, and the count's file."""
    seen = tmp_path / "ssh-sessions.json"
    path = os.pathsep.join(filter(None, [str(PROBE), str(behave_runs.ROOT),
                                         os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "SSH_SESSIONS_PROBE": str(seen)}, seen


def test_a_whole_run_opens_no_more_sessions_than_sshd_allows(tmp_path):
    env, seen = probed(tmp_path)
    run = behave_runs.start(tmp_path / "run", "-f", "progress", "--no-junit", env=env)
    try:
        code = run.wait(timeout=900)
    finally:
        run.kill()
    counted = json.loads(seen.read_text())
    assert not counted["refused"], f"sshd refused sessions: {counted['refused']}"
    assert 0 < counted["peak"] <= ssh.MAX_SESSIONS, counted
    assert code == 0, run.output()[-3000:]


def test_requests_beyond_the_budget_wait_for_a_session(tmp_path):
    """Many threads at once: the client's sessions reach the budget, and go no further."""
    env, seen = probed(tmp_path)
    script = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from docker_claims.engine import connection\n"
        "client = connection.connect()\n"
        "with ThreadPoolExecutor(32) as pool:\n"
        "    list(pool.map(lambda _: client.api.containers(all=True), range(400)))\n")
    code = behave_runs.BehaveRun(tmp_path, [], {**env}, program=("-c", script)).wait(300)
    counted = json.loads(seen.read_text())
    assert code == 0 and not counted["refused"], counted
    assert ssh.SESSIONS <= counted["peak"] <= ssh.MAX_SESSIONS, counted


def test_a_client_keeps_one_pool_for_every_url(session):
    """The SDK keeps a pool, with its idle sessions, per request URL; ours is one."""
    client = session.client
    calls = [client.ping, client.version, client.info, client.containers.list, client.images.list]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda call: call(), calls))
    adapter = client.api.get_adapter(f"{ssh.SSH_BASE_URL}/")
    assert list(adapter.pools.keys()) == ["docker-claims sessions"]

import pytest

from docker_claims.engine.host import NETNS, STORAGE, HostReader
from docker_claims.evidence import ClaimFailed

READER = HostReader(container=None, netns="/run/docker/netns",
                    storage="/var/lib/docker/overlay2")


def test_the_reader_sees_the_netns_directory_and_what_lies_under_the_storage_directory():
    assert READER.seen_at("/run/docker/netns") == NETNS
    assert READER.seen_at("/var/lib/docker/overlay2/abc/diff") == f"{STORAGE}/abc/diff"


@pytest.mark.parametrize("path", ["/var/lib/docker/overlay2-other/abc/diff", "/etc",
                                  "/run/docker/netns2"])
def test_a_path_the_reader_does_not_see_fails_saying_which_it_sees(path):
    with pytest.raises(ClaimFailed, match="the only places the host reader sees"):
        READER.seen_at(path)

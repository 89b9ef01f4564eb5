"""The DOCKER_CLAIMS_* settings: read once, refused with the variable named when unusable."""

from pathlib import Path

import pytest

from docker_claims.engine.config import ConfigError, Settings


def test_defaults_when_nothing_is_set():
    assert Settings.from_environment({}) == Settings(300, None, None, None)


def test_each_variable_sets_its_setting():
    found = Settings.from_environment({
        "DOCKER_CLAIMS_TIMEOUT": "30", "DOCKER_CLAIMS_BUSYBOX": "/opt/busybox",
        "DOCKER_CLAIMS_CLI": "/opt/docker", "DOCKER_CLAIMS_NODE2": " tcp://node2:2375 "})
    assert found == Settings(30, Path("/opt/busybox"), "/opt/docker", "tcp://node2:2375")


def test_empty_values_are_unset():
    assert Settings.from_environment({"DOCKER_CLAIMS_NODE2": "", "DOCKER_CLAIMS_CLI": " "}) \
        == Settings()


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1.5"])
def test_a_timeout_that_is_no_whole_positive_number_is_refused_by_name(value):
    with pytest.raises(ConfigError, match=r"DOCKER_CLAIMS_TIMEOUT=.*whole number of seconds"):
        Settings.from_environment({"DOCKER_CLAIMS_TIMEOUT": value})


def test_a_misspelt_variable_is_refused_with_the_ones_read():
    with pytest.raises(ConfigError, match=r"unknown setting DOCKER_CLAIMS_NODE_2; .*"
                                          r"DOCKER_CLAIMS_NODE2"):
        Settings.from_environment({"DOCKER_CLAIMS_NODE_2": "tcp://x:2375"})

"""behave hooks: the library does the work (docker_claims.hooks)."""

from docker_claims.runner.hooks import (  # noqa: F401
    after_scenario,
    after_step,
    before_all,
    before_scenario,
)

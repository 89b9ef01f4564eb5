"""behave hooks: the library does the work (docker_claims.hooks)."""

from docker_claims.hooks import after_scenario, before_all, before_scenario  # noqa: F401

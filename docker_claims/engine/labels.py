"""The reserved label namespace and names: every run's resources carry them, and the sweep
selects by them only (checked here, in one place)."""

from __future__ import annotations

LABEL_RUN = "docker-claims.run"
"""Label on everything a run creates: its value is the run id. Sweeps select by this label only."""


LABEL_ROLE = "docker-claims.role"
"""What a labelled resource is for (fixture, lease, helper, subject), for people reading."""


NAME_PREFIX = "dclaims"
"""Every name a run gives starts with this, then the run id."""

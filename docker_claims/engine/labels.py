"""The reserved label namespace and names: every run's resources carry them, and the sweep
selects by them only (checked here, in one place)."""

from __future__ import annotations

LABEL_RUN = "docker-claims.run"
"""Label on everything a run creates: its value is the run id. Sweeps select by this label only."""


LABEL_ROLE = "docker-claims.role"
"""What a labelled resource is for (fixture, lease, helper, subject), for people reading."""


LABEL_LEASED_ON = "docker-claims.leased-on"
"""On what a run makes on a second engine: the engine ID of the engine that holds the run's
lease. A sweep reading leases there knows, when the lease is gone, that the run is over; a run
whose lease lives on another engine is judged by age only."""


NAME_PREFIX = "dclaims"
"""Every name a run gives starts with this, then the run id."""

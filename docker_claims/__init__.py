"""docker-claims: the claims of "Docker 镜像和容器的区别", proven or refuted on a live engine."""

__version__ = "0.1.0"

LABEL_RUN = "docker-claims.run"
"""Label on everything a run creates: its value is the run id. Sweeps select by this label only."""

LABEL_ROLE = "docker-claims.role"
"""What a labelled resource is for (fixture, lease, helper, subject), for people reading."""

LABEL_FIXTURE = "docker-claims.fixture"
"""On fixture images: the content hash they were built from."""

NAME_PREFIX = "dclaims"
"""Every name a run gives starts with this, then the run id."""

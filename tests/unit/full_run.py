"""A full run's claims.json, kept for the tests that look at the reports without an engine:
the report of a whole `behave` run with a second engine (every claim measured, C14 and C15
replayed), its evidence cut to keep it small (the facts, steps and outcomes are the run's).

To make it again after claims.json changes, from a full run's report:

    DOCKER_CLAIMS_NODE2=unix:///run/docker-claims-node2/docker.sock behave
    python tests/unit/full_run.py reports/claims.json
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).with_name("data") / "claims-full-run.json.gz"
EVIDENCE_KEPT = 2
"""Evidence items kept per scenario, each cut to a short text."""


def load() -> dict:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def cut(report: dict) -> dict:
    for claim in report["claims"]:
        for scenario in claim["scenarios"]:
            scenario["evidence"] = [
                {"label": item["label"], "value": text if len(text) < 200 else
                 text[:200] + " (cut for the test fixture)"}
                for item in scenario["evidence"][:EVIDENCE_KEPT]
                for text in [json.dumps(item["value"], ensure_ascii=False)]]
    return report


if __name__ == "__main__":
    found = cut(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_bytes(gzip.compress(json.dumps(found, ensure_ascii=False).encode(),
                                      mtime=0))
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")

"""The article's two sessions at the prompt, read from transcripts.feature, which quotes each
once (a docstring in its Rule's Background): what the transcript tests check against."""

from pathlib import Path

from docker_claims.claims.transcripts import Transcript
from docker_claims.runner import spec

FEATURES = Path(__file__).resolve().parents[1] / "features"


def session(claim: str) -> Transcript:
    """The session the Rule of `claim` quotes."""
    stated = dict(spec.stating(spec.parse(FEATURES)))
    return Transcript.parse(spec.docstring(stated[claim], "the article's session:"))


CREATE_START = session("C15")
"""C15: create, ps -a, start, ps -a, and the netns listing before and after, on node01."""

EXPORT_IMPORT = session("C14")
"""C14: run and export on the manager, scp, import and history on node01."""

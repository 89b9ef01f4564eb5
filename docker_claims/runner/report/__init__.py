"""The claims report: data (the verdicts and evidence of a run: claims.json, its schema),
shown as a page (claims.html), a summary (claims.md), the console's lines and JUnit XML."""

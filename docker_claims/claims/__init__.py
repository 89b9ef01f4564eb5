"""The checks of the article's claims, one module per feature file. A check gets what it
looks at as arguments (made by whoever drives the run) and fails with what it saw."""

"""What drives a run: behave's hooks, the run's session and the subjects its scenarios share,
the claims report, the quality gates and the command line."""

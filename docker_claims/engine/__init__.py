"""Talking to engines: connection and fingerprint, configuration, a run's scope (names,
labels, cleanup, lease, sweep), fixture images, the host reader, the second node, the docker
CLI, and readers of the archives the engine hands out. Imports neither claims nor runner."""

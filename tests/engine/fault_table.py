"""The faults a run meets and how each run ends: the table docs/engines.md shows ("Faults"),
kept equal to it by tests/unit/test_docs.py, and asserted, fault by fault, by the engine tests
it names. Plain data: no engine, no test machinery is imported here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    fault: str
    """What goes wrong."""
    injected: str
    """How the test makes it go wrong, for real (no mock: a real engine, a real proxy, a
    real signal)."""
    exit: int
    report: str
    """What the report's top and the run's last line say (the phase and the engine's answer);
    every run also leaves the last whole run's reports/claims.* byte for byte as they were, and
    nothing labelled with it on an engine that still answers."""
    test: str
    """Where it is asserted: tests/engine/<file>::<test>."""


FAULTS = (
    Fault("the engine's address answers nothing",
          "DOCKER_HOST at a socket no engine listens on", 3,
          "stopped while connecting to the engine: no Docker engine answers, what was tried",
          "test_faults.py::test_an_address_no_engine_answers_at"),
    Fault("the engine's API is too old",
          "a proxy in front of the engine that answers /version with API 1.38", 3,
          "stopped while connecting to the engine: the engine speaks API 1.38, the suite needs "
          "1.40",
          "test_faults.py::test_an_engine_whose_api_is_too_old"),
    Fault("a fixture build fails on the engine",
          "DOCKER_CLAIMS_BUSYBOX names a static binary that exits 1", 3,
          "stopped while building the fixture images: the build's error; the engine reached",
          "test_faults.py::test_a_fixture_build_that_fails_on_the_engine"),
    Fault("the engine refuses the lease container",
          "a proxy refusing its create, as an authorization plugin would", 3,
          "stopped while starting the run's lease container: the engine's refusal",
          "test_faults.py::test_an_engine_that_refuses_the_lease"),
    Fault("the engine refuses the host reader",
          "a proxy refusing the helper container's create", 3,
          "C07 could not be measured: the engine's refusal (the claims that need no reader are "
          "measured)",
          "test_faults.py::test_an_engine_that_refuses_the_host_reader"),
    Fault("an engine call gets no answer mid-scenario",
          "a proxy that stops answering, DOCKER_CLAIMS_TIMEOUT=6", 3,
          "stopped while the step in flight: the engine stopped answering, within two deadlines",
          "test_deadlines.py::"
          "test_an_engine_that_stops_answering_mid_run_fails_the_run_within_a_bounded_time"),
    Fault("the engine's process is stopped mid-run",
          "a private dockerd, killed (SIGKILL) while a scenario runs", 3,
          "stopped while the step in flight: the engine stopped answering; the next run on it "
          "sweeps what the dead run left",
          "test_faults.py::test_an_engine_killed_mid_run"),
    Fault("the second node dies during C14",
          "a private second dockerd, killed while C14 runs", 3,
          "C14 could not be measured: the second engine stopped answering; the next run that "
          "uses it sweeps what the dead run left there",
          "test_faults.py::test_a_second_node_that_dies_during_c14"),
    Fault("the reports directory cannot be written",
          "a read-only bind mount over it", 3,
          "stopped while writing the report: the error, and the temporary directory the report "
          "went to instead",
          "test_faults.py::test_a_reports_directory_that_cannot_be_written"),
    Fault("SIGINT or SIGTERM during a scenario",
          "the signal, sent to behave while a scenario has made a container", 130,
          "interrupted by the signal: the claims cut short are incomplete, none fails",
          "test_interruption.py::"
          "test_a_run_stopped_in_the_middle_of_a_scenario_is_interrupted_and_leaves_nothing"),
    Fault("SIGINT or SIGTERM during the cleanup",
          "the signal, sent while the run's cleanup is held at its start", 130,
          "interrupted by the signal; the cleanup goes on to its end (a second signal says so, "
          "a third quits)",
          "test_faults.py::test_a_signal_during_the_cleanup"),
)

"""What the docker CLI printed, read as data: a command's run, its tables, its sizes.

Parsed here, run elsewhere (engine.docker_cli runs the CLI, engine.cli_commands the commands
the claims about the CLI need); the checks take these as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CliRun:
    """One CLI command, run to its end."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def command(self) -> str:
        return " ".join(("docker", *self.args))

    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    def evidence(self) -> dict[str, Any]:
        return {"command": self.command, "exit_code": self.exit_code, "stdout": self.stdout,
                "stderr": self.stderr}

    def only_rows(self, column: str, keep: Callable[[str], bool]) -> CliRun:
        """This run with its printed table cut to the header and the rows whose `column` cell
        `keep` accepts, and a last line counting the rows left out: what a report may show of
        a listing of everyone's things (`docker ps -a` lists every container of the engine)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        if not lines:
            return self
        table = parse_table(lines)
        kept = [line for line, row in zip(lines[1:], table.rows) if keep(row.get(column, ""))]
        left_out = len(table.rows) - len(kept)
        note = [f"({left_out} more row{'s' if left_out != 1 else ''}, not this run's, left out)"]
        return CliRun(self.args, self.exit_code,
                      "\n".join([lines[0], *kept, *(note if left_out else [])]) + "\n",
                      self.stderr)


SIZE_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


HUMAN_SIZE = re.compile(r"\d+(?:\.\d+)?(?:e\+\d+)?(?:" + "|".join(SIZE_UNITS) + ")")
"""The shape of a SIZE cell (the article's 1.24MB)."""


@dataclass(frozen=True)
class Table:
    """A table the CLI printed: its header's columns and its rows, cell by column."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    others: int = 0
    """Rows left out (`only`): what the engine listed of other owners', counted, not shown."""
    lines: tuple[str, ...] = ()
    """The lines as printed: the header, then one per row."""

    def row(self, column: str, value: str) -> dict[str, str] | None:
        return next((row for row in self.rows if row.get(column) == value), None)

    def only(self, column: str, keep: Callable[[str], bool]) -> Table:
        """The rows whose `column` cell `keep` accepts; the others counted in `others`."""
        kept = [(row, line) for row, line in zip(self.rows, self.lines[1:] or [""] * len(
            self.rows)) if keep(row.get(column, ""))]
        return Table(self.columns, tuple(row for row, _ in kept),
                     self.others + len(self.rows) - len(kept),
                     self.lines[:1] + tuple(line for _, line in kept) if self.lines else ())

    def printed(self, row: dict[str, str] | None) -> list[str]:
        """The header's line and `row`'s, as printed (a table's other rows left out)."""
        shown = list(self.lines[:1])
        if row is not None and self.lines:
            shown += [line for line, each in zip(self.lines[1:], self.rows) if each is row]
        return shown


COLUMN = re.compile(r"\S+(?: \S+)*")
"""A header's column name: words separated by single spaces (CONTAINER ID, CREATED BY); the
CLI pads columns with at least three spaces."""


def parse_table(lines: Sequence[str]) -> Table:
    """A CLI table, cut at the columns of its header: the CLI's tabwriter starts every cell of
    a column where the header's name starts, so an empty cell (CREATED BY, PORTS) stays empty."""
    lines = [line.rstrip() for line in lines if line.strip()]
    if not lines:
        return Table((), ())
    heads = list(COLUMN.finditer(lines[0]))
    columns = tuple(match.group() for match in heads)
    starts = [match.start() for match in heads]
    bounds = list(zip(starts, [*starts[1:], None]))
    rows = tuple({column: line[start:end].strip() for column, (start, end)
                  in zip(columns, bounds)} for line in lines[1:])
    return Table(columns, rows, lines=tuple(lines))


def status_word(status: str) -> str:
    """The first word of a STATUS cell: `Created`, `Up` (Up 4 seconds), `Exited` (...)."""
    return status.split(None, 1)[0] if status.strip() else ""


def human_size(size: float) -> str:
    """A size as the CLI's SIZE column prints it (go-units HumanSizeWithPrecision(size, 3):
    decimal units, three significant digits)."""
    unit = 0
    while size >= 1000.0 and unit < len(SIZE_UNITS) - 1:
        size /= 1000.0
        unit += 1
    return f"{size:.3g}{SIZE_UNITS[unit]}"  # Go's %.3g: the same rules as Python's


@dataclass(frozen=True)
class CliContainer:
    """A container the CLI made, and the CLI run that made it."""

    name: str
    image: str
    made: CliRun


@dataclass(frozen=True)
class CliImport:
    """An image the CLI imported, by the name it was given, and the CLI run."""

    name: str
    made: CliRun

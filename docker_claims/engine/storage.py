"""The storage driver's own view of a container: its writable and init layers.

overlay2 names a container's directories in `inspect`'s GraphDriver.Data: UpperDir is the
writable layer's own directory, LowerDir the layers below it, top first (the engine's `-init`
layer, then the image's). Those directories live on the engine host, so they are read by the
host reader, which sees the storage driver's directory read-only: never from this machine's
filesystem. Where GraphDriver shows no UpperDir there is nothing to read, and `unavailable`
says why."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from docker_claims.engine.host import HostReader
from docker_claims.evidence import expect

LIST_SCRIPT = ('cd "$1" && find . -mindepth 1 -exec stat -c "%F|%t,%T|%n" {} \\; '
               '&& echo "#end"')
"""One line per entry: file type, device major,minor (hex), path; `#end` proves completion."""


INIT_FILES = ("/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
"""Files the engine prepares for every container in its init layer (docs/claims.md, C04)."""


KINDS = {"directory": "dir", "regular file": "file", "regular empty file": "file",
         "symbolic link": "symlink"}


@dataclass(frozen=True)
class Stack:
    """A container's or an image's layer directories, as the storage driver names them."""

    driver: str
    upper: str
    lowers: tuple[str, ...]

    @property
    def layer_dirs(self) -> tuple[str, ...]:
        """Every layer's directory, top first."""
        return (self.upper, *self.lowers)


def graph_driver(attrs: dict) -> dict:
    return attrs.get("GraphDriver") or {}


def unavailable(attrs: dict) -> str | None:
    """Why the storage driver's view cannot be read for this object, or None when it can."""
    driver = graph_driver(attrs)
    if not (driver.get("Data") or {}).get("UpperDir"):
        return (f"the storage driver {driver.get('Name') or '(none named)'!r} shows no UpperDir "
                "in GraphDriver.Data (e.g. the containerd image store): the writable layer's "
                "own directory cannot be read, the claim rests on diff and commit alone")
    return None


def stack(attrs: dict) -> Stack:
    """The layer directories of an inspected container or image (see `unavailable` first)."""
    driver = graph_driver(attrs)
    data = driver.get("Data") or {}
    lowers = tuple(part for part in (data.get("LowerDir") or "").split(":") if part)
    return Stack(driver.get("Name", "?"), data["UpperDir"], lowers)


def parse_listing(output: str) -> dict[str, str]:
    """Helper output -> absolute path -> dir, file, symlink, whiteout or other."""
    lines = output.splitlines()
    expect(bool(lines) and lines[-1] == "#end", "the helper did not list the layer directory",
           output=output)
    entries = {}
    for line in lines[:-1]:
        kind, device, name = line.split("|", 2)
        if kind == "character special file":
            entries["/" + name[2:]] = "whiteout" if device == "0,0" else "other"
        else:
            entries["/" + name[2:]] = KINDS.get(kind, "other")
    return entries


def list_layer_dir(reader: HostReader, directory: str) -> dict[str, str]:
    """What one layer directory on the engine host holds, read by the host reader."""
    code, output = reader.run(LIST_SCRIPT, reader.seen_at(directory))
    expect(code == 0, f"the helper could not list {directory}", exit_code=code, output=output)
    return parse_listing(output)


def layer_id(directory: str) -> str:
    """overlay2's layer id of a layer directory (`.../overlay2/<id>/diff`)."""
    return posixpath.basename(posixpath.dirname(directory.rstrip("/")))

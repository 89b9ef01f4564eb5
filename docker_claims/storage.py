"""The storage driver's own view of a container (C04, C06): its writable and init layers.

overlay2 names a container's directories in `inspect`'s GraphDriver.Data: UpperDir is the
writable layer's own directory, LowerDir the layers below it, top first (the engine's `-init`
layer, then the image's). Those directories live on the engine host, so they are read by the
host reader (docker_claims.host), which sees the storage driver's directory read-only: never
from this machine's filesystem. Where GraphDriver shows no UpperDir (the containerd image store,
other drivers) there is nothing to read, and `unavailable` says why.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from .evidence import expect
from .host import HostReader

LIST_SCRIPT = ('cd "$1" && find . -mindepth 1 -exec stat -c "%F|%t,%T|%n" {} \\; '
               '&& echo "#end"')
"""One line per entry: file type, device major,minor (hex), path; `#end` proves completion."""

INIT_FILES = ("/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
"""Files the engine prepares for every container in its init layer (CLAIMS.md, C04)."""

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


def check_upper_is_the_diff(upper: dict[str, str], diff: dict[str, str],
                            writes: dict[str, str]) -> dict:
    """C04: the writable layer's own directory holds the container's writes (deletions as
    whiteouts) and exactly what `docker diff` lists: nothing of the image besides."""
    observed = {"upper_dir": upper, "diff": diff, "writes": writes}
    unseen = {path: upper.get(path) for path, kind in writes.items()
              if upper.get(path) != ("whiteout" if kind == "deleted" else "file")}
    expect(not unseen, "the writable layer's directory does not hold the container's writes "
           "(files written, whiteouts for deletions)", unseen=unseen, **observed)
    extra = sorted(set(upper) - set(diff))
    missing = sorted(set(diff) - set(upper))
    expect(not extra, "the writable layer's directory holds paths the container did not change",
           extra=extra, **observed)
    expect(not missing, "changes of the container are not in its writable layer's directory",
           missing=missing, **observed)
    wrong = {path: (kind, upper[path]) for path, kind in diff.items()
             if (kind == "deleted") != (upper[path] == "whiteout")}
    expect(not wrong, "deletions must be whiteouts, and only deletions",
           wrong_kind=wrong, **observed)
    return observed


def check_upper_holds(upper: dict[str, str], path: str) -> dict:
    """C06: the writable layer's own directory holds `path` as a file."""
    expect(upper.get(path) == "file", f"the writable layer's directory does not hold {path}",
           upper_dir=upper, path=path)
    return upper


def check_init_between(container: Stack, image: Stack) -> dict[str, Any]:
    """C04: below the writable layer comes its `-init` layer, then the image's layers in order."""
    observed = {"container_layers": container.layer_dirs, "image_layers": image.layer_dirs}
    expect(len(container.lowers) == len(image.layer_dirs) + 1,
           "the container does not stack exactly one layer between its writable layer and the "
           "image's", **observed)
    init = container.lowers[0]
    expect(layer_id(init) == layer_id(container.upper) + "-init",
           "the layer right below the writable layer is not its -init layer", init=init,
           **observed)
    expect(container.lowers[1:] == image.layer_dirs,
           "below the init layer are not the image's layers, in order", **observed)
    return {**observed, "init_layer": init}


def check_init_holds(init: dict[str, str], names: tuple[str, ...] = INIT_FILES) -> dict:
    """C04: the init layer holds the files the engine prepares for every container."""
    missing = [name for name in names if init.get(name) != "file"]
    expect(not missing, "the init layer lacks files the engine prepares", missing=missing,
           init_layer=init)
    return init

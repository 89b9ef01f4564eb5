"""The package's three layers import one way: runner uses claims and engine, claims uses
engine, every layer may use evidence; engine imports neither claims nor runner, and claims
does not import runner (a check gets its subjects as arguments).

And a check does no I/O: claims/ imports no module that talks to an engine, runs a process,
touches a file or waits, neither directly nor through a module of engine/ (records, mounts,
cli_output, dockerfile: what engine/ reads, as data). A check decides from what was observed;
what to observe is the steps' and engine/'s business."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "docker_claims"
FORBIDDEN = {"engine": ("docker_claims.claims", "docker_claims.runner"),
             "claims": ("docker_claims.runner",)}

DOES_IO = {"docker", "subprocess", "socket", "requests", "urllib3", "paramiko", "tarfile",
           "tempfile", "shutil", "fcntl", "signal", "threading", "concurrent", "time",
           "testcontainers"}
"""Modules whose import means I/O: the engine's API, processes, sockets, files on disk, waits."""

IO_CALLS = {"open"}
"""Builtins whose call means I/O."""


def imported(path: Path, package: str) -> set[str]:
    """Every module a file of `package` imports, by its full name (relative imports
    resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
    return found


def _package(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])


def _module_file(name: str) -> Path | None:
    """The file of a module of the package (a package's __init__.py), or None."""
    if not name.startswith("docker_claims"):
        return None
    base = PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _own_modules(name: str) -> list[str]:
    """The package modules importing `name` loads: its parent packages, then itself."""
    parts = name.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)
            if _module_file(".".join(parts[:n])) is not None]


@functools.cache
def _direct(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the I/O a package module does itself, the package modules it loads)."""
    path = _module_file(name)
    assert path is not None, name
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    reasons, loads = [], []
    for module in sorted(imported(path, package)):
        if module.split(".")[0] in DOES_IO:
            reasons.append(f"imports {module}")
        loads += [own for own in _own_modules(module) if own != name]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in IO_CALLS):
            reasons.append(f"calls {node.func.id}() at line {node.lineno}")
    return tuple(dict.fromkeys(reasons)), tuple(dict.fromkeys(loads))


def io_of(name: str) -> list[str]:
    """Why the package module `name` does I/O (empty when it does none): the I/O it does
    itself, else the chain of package modules it loads down to one that does."""
    own, _ = _direct(name)
    if own:
        return list(own)
    paths, queue = {name: [name]}, [name]
    while queue:  # breadth first: the shortest chain to a module doing I/O
        current = queue.pop(0)
        for loaded in _direct(current)[1]:
            if loaded in paths:
                continue
            paths[loaded] = [*paths[current], loaded]
            if _direct(loaded)[0]:
                chain = " -> ".join(paths[loaded][1:])
                return [f"loads {chain}, which {_direct(loaded)[0][0]}"]
            queue.append(loaded)
    return []


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_no_layer_above_it(layer):
    wrong = {f"{path.relative_to(PACKAGE.parent)}: {name}"
             for path in sorted((PACKAGE / layer).rglob("*.py"))
             for name in imported(path, _package(path)) if name.startswith(FORBIDDEN[layer])}
    assert not wrong, f"{layer}/ imports a layer above it: {sorted(wrong)}"


def test_the_check_sees_an_import_from_above(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("from docker_claims.runner import session\nfrom ..claims import pairs\n")
    found = imported(module, "docker_claims.engine")
    assert {"docker_claims.runner.session", "docker_claims.claims.pairs"} <= found


@pytest.mark.parametrize("path", sorted((PACKAGE / "claims").rglob("*.py")),
                         ids=lambda path: path.name)
def test_a_check_does_no_io(path):
    reasons = io_of(_name(path))
    assert not reasons, (f"{path.relative_to(PACKAGE.parent)} does I/O: {list(reasons)}; a check "
                         "takes what was read (engine/ reads it, a step hands it over)")


@pytest.mark.parametrize("module", ["docker_claims.engine.host", "docker_claims.engine.storage",
                                    "docker_claims.engine.transfer",
                                    "docker_claims.engine.cli_commands"])
def test_the_io_check_sees_the_engine_modules_that_read(module):
    assert io_of(module), f"{module} reads from the engine, yet the check finds no I/O in it"


def test_the_io_check_sees_a_call_to_open_and_io_through_another_module():
    assert "calls open() at line" in " ".join(io_of("docker_claims.engine.archives.save"))
    through = io_of("docker_claims.engine.archives")  # its __init__ only imports its modules
    assert through and through[0].startswith("loads docker_claims.engine.archives.")


def import_cycles() -> list[list[str]]:
    """The package's import cycles (strongly connected modules, Tarjan's algorithm), counting
    every import, those made only for type checking too."""
    modules = [_name(path) for path in sorted(PACKAGE.rglob("*.py"))]
    graph = {module: [loaded for loaded in _direct(module)[1]
                      if not module.startswith(loaded + ".")] for module in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for loaded in graph.get(module, ()):
            if loaded not in index:
                visit(loaded)
                low[module] = min(low[module], low[loaded])
            elif loaded in stack:
                low[module] = min(low[module], index[loaded])
        if low[module] == index[module]:
            component = []
            while component[-1:] != [module]:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    assert import_cycles() == []


def test_the_cycle_check_sees_a_cycle(monkeypatch):
    real = _direct

    def with_a_cycle(name):
        own, loads = real(name)
        if name == "docker_claims.engine.mounts":
            loads = (*loads, "docker_claims.engine.storage")
        return own, loads

    monkeypatch.setattr(f"{__name__}._direct", with_a_cycle)
    found = import_cycles()
    assert len(found) == 1 and {"docker_claims.engine.mounts",
                                "docker_claims.engine.storage"} <= set(found[0])

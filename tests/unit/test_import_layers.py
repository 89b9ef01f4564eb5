"""The package's three layers import one way: runner uses claims and engine, claims uses
engine, every layer may use evidence; engine imports neither claims nor runner, and claims
does not import runner (a check gets its subjects as arguments)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "docker_claims"
FORBIDDEN = {"engine": ("docker_claims.claims", "docker_claims.runner"),
             "claims": ("docker_claims.runner",)}


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


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_no_layer_above_it(layer):
    wrong = {f"{path.relative_to(PACKAGE.parent)}: {name}"
             for path in sorted((PACKAGE / layer).rglob("*.py"))
             for name in imported(path, _package(path)) if name.startswith(FORBIDDEN[layer])}
    assert not wrong, f"{layer}/ imports a layer above it: {sorted(wrong)}"


def _package(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])


def test_the_check_sees_an_import_from_above(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("from docker_claims.runner import session\nfrom ..claims import pairs\n")
    found = imported(module, "docker_claims.engine")
    assert {"docker_claims.runner.session", "docker_claims.claims.pairs"} <= found

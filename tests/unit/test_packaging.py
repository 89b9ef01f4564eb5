"""The built wheel holds the files the package reads at run time, not only its modules: the
claims report's JSON Schema, which setuptools ships only when package-data names it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from docker_claims.runner.report import data

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_holds_the_schema_the_report_loads(tmp_path: Path) -> None:
    # Built from a copy of what the wheel is made of, so that setuptools' build/ and egg-info
    # land in tmp_path, never in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source)
    shutil.copytree(ROOT / "docker_claims", source / "docker_claims",
                    ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if built.returncode and "No matching distribution found for setuptools" in built.stderr:
        pytest.skip("no package index gives setuptools>=77 for pip's build isolation")
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (tmp_path / "dist").glob("docker_claims-*.whl")
    held = f"{data.__name__.rpartition('.')[0].replace('.', '/')}/{data.SCHEMA.name}"
    with zipfile.ZipFile(wheel) as archive:
        assert held in archive.namelist(), f"{wheel.name} lacks {held}"
        assert archive.read(held) == data.SCHEMA.read_bytes()

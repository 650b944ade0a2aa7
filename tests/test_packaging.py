# SPDX-License-Identifier: MIT
"""The wheel ships every module and data file of the four packages, and nothing else of the tree.

`pip install .` once crashed with ModuleNotFoundError because a hand-kept package list
forgot `monitor.delivering.channels`. The wheel is built here from a copy of the source in a
temporary directory (no build/ or *.egg-info lands in the checkout), offline, with this
environment's setuptools called the way pip calls it (PEP 517 `build_wheel`), and its
contents are compared with the files on disk.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("monitor", "rules", "seeds", "storage")
# Copied too, so that "none of them is shipped" is a real check and not a given.
NOT_SHIPPED = ("tests", "bench", "fuzz", "docs")
_BUILD = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"


def _is_source(path: Path, root: Path) -> bool:
    """A file that belongs in the wheel: not bytecode, not hidden (editor and VCS droppings)."""
    parts = path.relative_to(root).parts
    return (
        path.is_file()
        and path.suffix not in (".pyc", ".pyo")
        and "__pycache__" not in parts
        and not any(part.startswith(".") for part in parts)
    )


def _package_files(root: Path) -> set[str]:
    """Every .py and data file under the four packages, as wheel paths."""
    return {
        path.relative_to(root).as_posix()
        for package in PACKAGES
        for path in (root / package).rglob("*")
        if _is_source(path, root)
    }


def _copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, dest / name)
    for name in PACKAGES + NOT_SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore, ignore_dangling_symlinks=True)
    # Bytecode as a developer's tree has it, to prove it is left out.
    for package in ("monitor", "monitor/delivering/channels", "rules/facets"):
        (dest / package / "__pycache__").mkdir(exist_ok=True)
        (dest / package / "__pycache__" / "stray.cpython-311.pyc").write_bytes(b"\0")
    (dest / "storage" / "stray.pyc").write_bytes(b"\0")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    """(the files the wheel holds, the package files on disk), from one build of a copy of the tree."""
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("dist")
    _copy_tree(src)
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(out)], cwd=src, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, (
        f"building the wheel failed (exit {proc.returncode}); is setuptools>=70.1 installed "
        f"(pip install -e '.[test]')?\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = {name for name in wheel.namelist() if not name.endswith("/")}
    return names, _package_files(src)


def test_wheel_ships_every_module_and_data_file(built: tuple[set[str], set[str]]) -> None:
    names, on_disk = built
    assert any(name.startswith("monitor/delivering/channels/") for name in on_disk), (
        "the tree should have monitor/channels"
    )
    missing = sorted(on_disk - names)
    assert not missing, f"{len(missing)} files under {', '.join(PACKAGES)} are not in the wheel: {missing}"


def test_wheel_ships_nothing_else(built: tuple[set[str], set[str]]) -> None:
    names, _ = built
    from_elsewhere = sorted(name for name in names if name.split("/")[0] in NOT_SHIPPED)
    assert not from_elsewhere, f"the wheel holds files from {', '.join(NOT_SHIPPED)}: {from_elsewhere}"
    tops = {name.split("/")[0] for name in names}
    unexpected = sorted(top for top in tops - set(PACKAGES) if not top.endswith(".dist-info"))
    assert not unexpected, f"the wheel holds top-level entries other than the four packages: {unexpected}"
    bytecode = sorted(name for name in names if "__pycache__" in name.split("/") or name.endswith((".pyc", ".pyo")))
    assert not bytecode, f"the wheel holds bytecode: {bytecode}"

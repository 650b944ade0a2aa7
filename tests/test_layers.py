# SPDX-License-Identifier: MIT
"""The code's layers look only down, and no module imports itself back (tested over the source's AST).

    rules, storage, seeds            the engine, the database, the seed texts: nothing from monitor
    monitor (config, locations, errors, urls…)  what every stage shares
      collecting → reading → judging → delivering → pipeline → serving → cli, entry, listing, once, render, demo

A package may import its own modules, the shared modules, and the packages before it
in the line above; rules, storage and seeds import none of monitor. Imports made only
for type checking (`if TYPE_CHECKING:`) count too: a type is a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOWER = ("rules", "storage", "seeds")
SHARED = {
    "monitor",
    "monitor.config",
    "monitor.locations",
    "monitor.errors",
    "monitor.urls",
    "monitor.dates",
    "monitor.backoff",
}
STAGES = ("collecting", "reading", "judging", "delivering", "pipeline", "serving")
ON_TOP = ("cli", "entry", "listing", "once", "render", "demo", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, absolute (`from . import x` resolved), wherever the import is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in ("monitor", *LOWER)}


def source_files() -> list[Path]:
    return sorted(p for top in ("monitor", *LOWER) for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)


MODULES = {module_name(path): path for path in source_files()}


def existing(names: set[str]) -> set[str]:
    """The imported names that are modules of ours (`from monitor.x import f` names `monitor.x.f` too)."""
    return {name for name in names if name in MODULES}


def rank(module: str) -> tuple[int, str]:
    """Where a monitor module sits in the line: shared 0, then the stages, then the top."""
    parts = module.split(".")
    if module in SHARED or len(parts) == 1:
        return 0, "shared"
    head = parts[1]
    if head in STAGES:
        return 1 + STAGES.index(head), head
    if head in ON_TOP:
        return 1 + len(STAGES), "top"
    return 0, "shared"  # a new top-level module: shared until the test is told otherwise


@pytest.mark.parametrize("lower", LOWER)
def test_lower_layers_import_nothing_from_monitor(lower: str) -> None:
    offending = {
        f"{module} imports {name}"
        for module, path in MODULES.items()
        if module.split(".")[0] == lower
        for name in existing(imports_of(path))
        if name.split(".")[0] == "monitor"
    }
    assert not offending, sorted(offending)


def test_monitor_stages_import_only_down_the_line() -> None:
    offending = set()
    for module, path in MODULES.items():
        if module.split(".")[0] != "monitor":
            continue
        mine, stage = rank(module)
        for name in existing(imports_of(path)):
            if name.split(".")[0] != "monitor":
                continue
            theirs, their_stage = rank(name)
            if theirs > mine or (theirs == mine and stage != their_stage and mine):
                offending.add(f"{module} ({stage}) imports {name} ({their_stage})")
    assert not offending, sorted(offending)


def test_no_import_cycles() -> None:
    graph = {module: existing(imports_of(path)) - {module} for module, path in MODULES.items()}
    # A package's __init__ re-exporting its modules is not a cycle of theirs: edges into a package from
    # inside it are left out
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not (module.startswith(t + ".") and t in MODULES)}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, [" → ".join(cycle) for cycle in cycles[:10]]


def test_every_stage_package_says_what_it_holds_and_may_import() -> None:
    for stage in STAGES[:-2] + STAGES[-1:]:
        init = ROOT / "monitor" / stage / "__init__.py"
        assert init.is_file(), f"monitor/{stage}/ is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc.lower(), f"monitor/{stage}/__init__.py does not say what it may import"

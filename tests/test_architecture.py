"""The folder tree tells the data flow: layers import only downward, no cycles, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "xfpush"
BASE = {"errors", "_version", "resources"}
# What each part of xfpush may import at module level (besides itself and BASE).
ALLOWED = {
    "typeset": set(),
    "model": {"typeset"},
    "render": {"model", "typeset"},
    "channels": {"render", "model", "typeset"},
    "pack": {"channels", "render", "model", "typeset"},
    "partners": {"pack"},
    "campaigns": {"pack", "model"},
    "web": {"campaigns", "partners", "pack", "channels", "render", "model", "typeset"},
    "cli": set(),  # commands import the library inside the command, for start-up time
}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """xfpush modules imported at module level (not inside functions) by ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("xfpush"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names
                             if (SRC.parent / f"{target}.{alias.name}".replace(".", "/")).exists()
                             or (SRC.parent / (f"{target}.{alias.name}".replace(".", "/") + ".py")).exists())
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("xfpush"))
    return found


MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}
GRAPH = {name: _top_level_imports(path) for name, path in MODULES.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _part(m) in ALLOWED))
def test_layers_import_only_downwards(module: str) -> None:
    part = _part(module)
    allowed = ALLOWED[part] | BASE | {part}
    wrong = sorted(t for t in GRAPH[module] if t != "xfpush" and _part(t) not in allowed)
    assert not wrong, f"{module} imports {wrong}; {part} may import only {sorted(allowed)}"


def test_no_import_cycles() -> None:
    def resolve(target: str) -> str | None:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {r for t in ts if (r := resolve(t)) and r != m} for m, ts in GRAPH.items()}
    # a package's __init__ importing its own children is how packages work, not a cycle
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module)


def test_top_level_is_a_handful_of_modules() -> None:
    top = sorted(p.name for p in SRC.glob("*.py"))
    assert len(top) <= 6, top


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text("utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (limit {MAX_LINES})"


def test_every_subpackage_says_what_it_owns() -> None:
    for init in SRC.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
        assert "May import" in doc or "may import" in doc, f"{init} docstring"

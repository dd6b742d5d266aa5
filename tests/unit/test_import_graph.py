"""The import graph of quizapp, read from the source: no module imports itself back
through others (a circle), and the UI never imports fsrs, sqlite3 or yaml (those belong
to the core: scheduling, the store and deck files).

Every import counts, also those inside functions or under TYPE_CHECKING: a circle that
only shows at run time is still a circle to whoever reads the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "quizapp"
NOT_IN_UI = {"fsrs", "sqlite3", "yaml"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every dotted name `path` imports (for `from a import b`, both a and a.b)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def quizapp_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for target in imported_names(path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # A package's own submodules and the module itself are not edges.
            if target and target != name and not name.startswith(target + "."):
                targets.add(target)
        graph[name] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    graph = quizapp_graph()
    assert "quizapp.ui.screens.home" in graph["quizapp.ui.app"]
    assert "quizapp.core.store" in graph["quizapp.core.recording"]


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    assert circles(quizapp_graph()) == []


def test_ui_never_imports_fsrs_sqlite3_or_yaml() -> None:
    offenders = {
        module_name(path): sorted(
            name for name in imported_names(path) if name.split(".")[0] in NOT_IN_UI
        )
        for path in (PACKAGE / "ui").rglob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}

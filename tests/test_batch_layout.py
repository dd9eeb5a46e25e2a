"""The layering of cleaner/batch and cleaner/io, checked on the source: every import counts, those inside
functions and under TYPE_CHECKING too. No cycle among their modules, no module of `cleaner.io` importing the
package's `__init__` (it only re-exports), and no module over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cleaner"
SCOPES = ("cleaner.batch", "cleaner.io")


def _modules() -> dict[str, Path]:
    found = {}
    for scope in SCOPES:
        directory = PACKAGE / scope.split(".")[1]
        for path in sorted(directory.glob("*.py")):
            name = scope if path.stem == "__init__" else f"{scope}.{path.stem}"
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that `path` imports, wherever the import statement is."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        out.update(name for name in names if name in modules)
    return out


def test_no_import_cycle_among_batch_and_io_modules() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    # A package's __init__ re-exports its modules: importing a module through it is not a cycle of the modules.
    inits = {name for name, path in modules.items() if path.stem == "__init__"}
    graph = {name: {t for t in targets if t not in inits} for name, targets in graph.items() if name not in inits}

    def visit(name: str, trail: list[str]) -> None:
        for target in graph.get(name, ()):
            assert target not in trail, " -> ".join([*trail, target])
            visit(target, [*trail, target])

    for name in graph:
        visit(name, [name])


def test_io_modules_do_not_import_the_io_package() -> None:
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("cleaner.io.") and "cleaner.io" in _imports(path, modules):
            raise AssertionError(f"{path} imports cleaner.io (its __init__ only re-exports; import the module)")


def test_no_module_is_over_600_lines() -> None:
    for path in _modules().values():
        assert len(path.read_text().splitlines()) <= 600, path

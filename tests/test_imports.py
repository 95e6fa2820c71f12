"""The package's imports go one way: no circles, no private names, the root on top.

Read from the source with :mod:`ast` (nothing is imported), so a circle shows here even when
the import order happens to make it work.
"""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

import pytest
import statecraft
import statecraft.version

PACKAGE = Path(statecraft.__file__).parent

#: The core, lowest first: each may import only the package modules before it.
LAYERS = ("errors", "version", "files", "checks", "params", "scenario", "experiment")
#: Modules that sit on top of the front door and may import the package root.
ON_TOP = ("statecraft.cli", "statecraft.app")
#: Known breaches in modules being edited by others; remove an entry once they are fixed.
PENDING_ROOT_IMPORTS = {"statecraft.run", "statecraft.sweep.store"}  # `from . import __version__`
PENDING_PRIVATE = {
    ("statecraft.sweep.runner", "statecraft.sweep.engines", "_run_dask"),
    ("statecraft.sweep.runner", "statecraft.sweep.engines", "_run_inline"),
    ("statecraft.sweep.runner", "statecraft.sweep.engines", "_run_local"),
    ("statecraft.sweep.runner", "statecraft.sweep.store", "_now"),
}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("statecraft", *(parts[:-1] if parts[-1] == "__init__" else parts)))


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(module: str, everywhere: bool) -> list[tuple[str, str, int]]:
    """``(target module, imported name, line)`` of every package import in ``module``.

    ``everywhere=False``: only those run when the module is imported (not inside a function,
    nor under ``if TYPE_CHECKING:``).
    """
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST) -> None:
        if not everywhere and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return
        if not everywhere and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if target.startswith("statecraft"):
                    found.append((sub if sub in MODULES else target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, "", node.lineno) for a in node.names if a.name in MODULES)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_core_modules_import_only_lower_layers(layer):
    module = f"statecraft.{layer}"
    allowed = {f"statecraft.{m}" for m in LAYERS[: LAYERS.index(layer)]}
    wrong = [(t, line) for t, _, line in _imports(module, everywhere=True) if t not in allowed]
    assert not wrong, f"{module} imports {wrong}; it may import only {sorted(allowed)}"


def test_no_import_circle_at_import_time():
    graph = {
        m: {
            t
            for t, _, _ in _imports(m, everywhere=False)
            if t in MODULES and not (t == "statecraft" and m in PENDING_ROOT_IMPORTS)
        }
        for m in MODULES
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError(f"import circle: {' -> '.join([*path[path.index(t) :], t])}")
            if t not in state:
                walk(t, [*path, t])
        state[m] = 2

    for m in MODULES:
        if m not in state:
            walk(m, [m])


def test_only_the_top_imports_the_package_root():
    below = [
        (m, line)
        for m in MODULES
        if not m.startswith(ON_TOP) and m != "statecraft" and m not in PENDING_ROOT_IMPORTS
        for t, _, line in _imports(m, everywhere=True)
        if t == "statecraft"
    ]
    assert not below, f"modules below the front door import the package root: {below}"


def test_no_private_name_is_imported_from_another_module():
    private = [
        (m, t, name, line)
        for m in MODULES
        for t, name, line in _imports(m, everywhere=True)
        if name.startswith("_") and not name.startswith("__") and t != m
        if (m, t, name) not in PENDING_PRIVATE
    ]
    assert not private, f"private names imported across modules: {private}"


def test_version_is_the_installed_distributions():
    assert statecraft.__version__ == statecraft.version.__version__
    assert statecraft.version.__version__ == importlib.metadata.version("statecraft")

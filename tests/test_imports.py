"""The core's imports go one way, and only the top imports the package root.

Read from the source with :mod:`ast` (nothing is imported), so a wrong-way import shows here
even when the import order happens to make it work. Circles anywhere in the package, private
names and where error classes live are tests/test_architecture.py's.
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
#: Known breaches in modules being edited by others; remove an entry once it is fixed.
PENDING_ROOT_IMPORTS: set[str] = set()


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("statecraft", *(parts[:-1] if parts[-1] == "__init__" else parts)))


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(module: str) -> list[tuple[str, str, int]]:
    """``(target module, imported name, line)`` of every package import in ``module``, inside
    functions and ``if TYPE_CHECKING:`` blocks too."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_core_modules_import_only_lower_layers(layer):
    module = f"statecraft.{layer}"
    allowed = {f"statecraft.{m}" for m in LAYERS[: LAYERS.index(layer)]}
    wrong = [(t, line) for t, _, line in _imports(module) if t not in allowed]
    assert not wrong, f"{module} imports {wrong}; it may import only {sorted(allowed)}"


def test_only_the_top_imports_the_package_root():
    below = [
        (m, line)
        for m in MODULES
        if not m.startswith(ON_TOP) and m != "statecraft" and m not in PENDING_ROOT_IMPORTS
        for t, _, line in _imports(m)
        if t == "statecraft"
    ]
    assert not below, f"modules below the front door import the package root: {below}"


def test_version_is_the_installed_distributions():
    assert statecraft.__version__ == statecraft.version.__version__
    assert statecraft.version.__version__ == importlib.metadata.version("statecraft")

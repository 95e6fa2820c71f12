"""The package's structure: no import circle, no private name imported across modules, and the
participants' layout (the model file is the month's order, not a blackboard)."""

from __future__ import annotations

import ast
from pathlib import Path

import statecraft

PACKAGE = Path(statecraft.__file__).parent
ROOT = "statecraft"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([ROOT, *parts])


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts and p.name != "conftest.py"
    }


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(modules: dict[str, Path]) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    """Each module's imports of package modules — at any depth, inside functions and inside
    ``if TYPE_CHECKING:`` blocks alike — as (target module, names imported from it)."""
    out: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[tuple[str, tuple[str, ...]]] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == ROOT:
                        found.add((alias.name, ()))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(name, path.name == "__init__.py", node)
                if target.split(".")[0] != ROOT:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:  # `from . import metrics` imports a module
                        found.add((sub, ()))
                    else:
                        found.add((target, (alias.name,)))
        out[name] = {(t, n) for t, n in found if t in modules and t != name}
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def test_the_import_graph_has_no_circle():
    imports = _imports(_modules())
    graph = {m: {t for t, _ in targets} for m, targets in imports.items()}
    assert _cycles(graph) == []


def test_the_circle_check_finds_a_circle():
    """The check itself can fail: a graph with a circle is reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_private_name_is_imported_across_modules():
    imports = _imports(_modules())
    private = sorted(
        f"{m} imports {n} from {t}"
        for m, targets in imports.items()
        for t, names in targets
        for n in names
        if n.startswith("_") and not n.startswith("__")
    )
    assert private == []


def test_the_model_file_is_the_months_order():
    """``model.py`` builds participants and orders the month; it holds no behaviour of theirs."""
    source = (PACKAGE / "model.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 200
    tree = ast.parse(source)
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    methods = [n.name for n in cls.body if isinstance(n, ast.FunctionDef)]
    assert len(methods) <= 4, methods


def test_every_error_class_lives_in_errors():
    defined = []
    for name, path in _modules().items():
        if name == f"{ROOT}.errors":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id.endswith("Error") or b.id == "Exception")
                for b in node.bases
            ):
                defined.append(f"{name}.{node.name}")
    assert defined == []


def test_the_architecture_page_lists_the_months_order_as_the_code_has_it():
    """``docs/ARCHITECTURE.md`` shows ``step()`` call by call; it fails here when it is stale."""
    import inspect
    import re

    from statecraft.model import StatecraftModel

    code = re.findall(r"self\.(\w+\.\w+)\(", inspect.getsource(StatecraftModel.step))
    page = Path(__file__).parents[1] / "docs" / "ARCHITECTURE.md"
    listed = re.findall(r"^self\.(\w+\.\w+)\(", page.read_text(encoding="utf-8"), re.MULTILINE)
    assert listed == code

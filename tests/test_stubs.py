"""The typed Params block in params.py: current, faithful to PARAMETERS, accepted by mypy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from statecraft import params, stubs
from statecraft.params import PARAMETERS, Params

PARAMS_PY = Path(params.__file__)


def _typed_class() -> ast.ClassDef:
    """The ``class Params`` that params.py declares under ``if TYPE_CHECKING:``."""
    tree = ast.parse(PARAMS_PY.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for sub in node.body:
                if isinstance(sub, ast.ClassDef) and sub.name == "Params":
                    return sub
    raise AssertionError("params.py declares no Params class under `if TYPE_CHECKING:`")


def test_generated_block_is_current():
    assert stubs.render() in PARAMS_PY.read_text(encoding="utf-8"), (
        "the typed Params block in params.py is stale: run `python -m statecraft.stubs`"
    )


def test_typed_class_declares_every_field_with_its_default():
    fields = {ast.unparse(f.target): f for f in _typed_class().body if isinstance(f, ast.AnnAssign)}
    assert list(fields) == list(Params.model_fields) == [p.name for p in PARAMETERS]
    types = {"float": "float", "int": "int", "month": "MonthStr", "niches": "tuple[Niche, ...]"}
    for p in PARAMETERS:
        field = fields[p.name]
        assert ast.unparse(field.annotation) == types.get(p.kind, "tuple[ExportEvent, ...]")
        assert field.value is not None, p.name
        if isinstance(field.value, ast.Constant | ast.Tuple):
            assert ast.literal_eval(field.value) == p.default, p.name
        else:  # no short literal: the declaration's own default
            assert ast.unparse(field.value) == f"param('{p.name}').default", p.name


def test_update_rewrites_a_stale_block_and_check_leaves_it(tmp_path: Path):
    copy = tmp_path / "params.py"
    original = PARAMS_PY.read_text(encoding="utf-8")
    stale = original.replace("        herding: float", "        herding_old: float", 1)
    assert stale != original
    copy.write_text(stale, encoding="utf-8")
    assert stubs.main(["--check", str(copy)]) == 1
    assert copy.read_text(encoding="utf-8") == stale
    assert stubs.update(copy) is True
    fresh = copy.read_text(encoding="utf-8")
    assert stubs.render() in fresh
    assert fresh.count("\n") == original.count("\n")  # only the block's lines were rewritten
    assert stubs.main(["--check", str(copy)]) == 0


def test_a_file_without_the_block_is_refused(tmp_path: Path):
    copy = tmp_path / "params.py"
    copy.write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no generated block"):
        stubs.update(copy)


@pytest.mark.slow
def test_mypy_sees_the_fields(tmp_path: Path):
    pytest.importorskip("mypy", reason="mypy is not installed (pip install mypy)")
    # The source folder is model/, installed as statecraft: give mypy that name.
    (tmp_path / "statecraft").symlink_to(PARAMS_PY.parent, target_is_directory=True)
    (tmp_path / "use.py").write_text(
        "from statecraft.params import Params\n"
        "p = Params(scale=2)\n"
        "reveal_type(p.herding)\n"
        "reveal_type(p.replace(herding=0.8))\n"
        "Params(herdng=0.5)\n",
        encoding="utf-8",
    )
    # Follow only params.py and pydantic (whose dataclass_transform gives Params its keyword
    # arguments): seconds, where following the whole package and pandas takes a minute.
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nfollow_imports = skip\nignore_missing_imports = True\n"
        "[mypy-statecraft.params,pydantic,pydantic.*,pydantic_core,pydantic_core.*,"
        "typing_extensions,annotated_types]\nfollow_imports = silent\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file=mypy.ini", "--cache-dir=cache", "use.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert 'use.py:3: note: Revealed type is "float"' in out.replace("builtins.", "")
    assert 'use.py:4: note: Revealed type is "statecraft.params.Params"' in out
    assert 'use.py:5: error: Unexpected keyword argument "herdng"' in out
    assert "use.py:2:" not in out  # an int for a float parameter, as Params accepts it


def test_package_is_marked_typed():
    # Without py.typed, mypy treats an installed statecraft as untyped (every name Any) and
    # never reads the block. setuptools >= 69 ships the marker without package-data.
    assert (PARAMS_PY.parent / "py.typed").is_file()

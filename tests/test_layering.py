"""Imports point down the layers: engine < support < data < facades < lab < cli.

Every module under ``src/nnscratch`` is parsed with ``ast`` (nothing is imported), and
every import of an ``nnscratch`` module, at the top or inside a function, relative or
absolute, including ``importlib.import_module("nnscratch....")``, is resolved to the
module it names. An import may point to its own layer or below, never above:

    engine (0)  <  support (1)  <  data (2)  <  facades (3)  <  lab (4)  <  cli (5)

``support`` holds what every layer above the engine shares: ``files`` (the one atomic
write) and ``progress`` (the one progress bar). The facade layer is the default: the
Keras-style re-export modules (``layers``, ``losses``, ...), ``keras``, ``sklearn``,
``nielsen``, ``saving`` and any new top-level module or package.
``nnscratch/__init__.py`` and ``__main__.py`` are the package's front door and may import
anything; importing the bare package ``nnscratch`` counts as importing a facade.

The engine also imports nothing but NumPy, the standard library and itself.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "nnscratch"

LAYER_NAMES = ["engine", "support", "data", "facades", "lab", "cli"]
SUBPACKAGE_LAYERS = {
    "engine": 0,
    "files": 1,
    "progress": 1,
    "untrusted": 1,
    "data": 2,
    "lab": 4,
    "cli": 5,
}
FACADE = 3
FRONT = len(LAYER_NAMES)  # the package front: __init__.py and __main__.py
ENGINE_ALLOWED_THIRD_PARTY = {"numpy", "cupy"}  # cupy: only when a model asks for device="gpu"


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def layer_of_module(name: str) -> int:
    """Layer of the module that *imports*; the package front may import anything."""
    parts = name.split(".")
    if parts == [PACKAGE] or parts == [PACKAGE, "__main__"]:
        return FRONT
    return layer_of_target(name)


def layer_of_target(name: str) -> int:
    """Layer of an imported ``nnscratch`` module (the bare package counts as a facade)."""
    parts = name.split(".")
    if len(parts) == 1:
        return FACADE
    return SUBPACKAGE_LAYERS.get(parts[1], FACADE)


def _exists(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_relative(module: str, package: bool, level: int, target: str | None) -> str:
    parts = module.split(".")
    if not package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if not parts:
        raise ValueError(f"relative import beyond the top of {module}")
    return ".".join(parts + ([target] if target else []))


def _import_module_literal(node: ast.Call) -> str | None:
    """``importlib.import_module("a.b")`` / ``__import__("a.b")`` / ``f"a.b.{x}"`` prefix."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            prefix = head.value.rsplit(".", 1)[0] if "." in head.value else ""
            return prefix or None
    return None


def imports_of(path: Path, src: Path) -> list[tuple[int, str, str]]:
    """``(line, imported module, source text)`` for every import in the file.

    ``from pkg import name`` resolves to ``pkg.name`` when that is a module of ours,
    to ``pkg`` otherwise.
    """
    module = module_name(path, src)
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    found: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Call)):
            continue
        if isinstance(node, ast.Call):
            snippet = lines[node.lineno - 1].strip()
        else:  # the whole statement, on one line
            end = node.end_lineno or node.lineno
            snippet = " ".join(" ".join(lines[node.lineno - 1 : end]).split())
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, snippet) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package(path), node.level, node.module)
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if base.split(".")[0] == PACKAGE and _exists(candidate, src):
                    found.append((node.lineno, candidate, snippet))
                else:
                    found.append((node.lineno, base, snippet))
        elif isinstance(node, ast.Call):
            target = _import_module_literal(node)
            if target:
                found.append((node.lineno, target, snippet))
    return found


def python_files(src: Path) -> list[Path]:
    return sorted(p for p in (src / PACKAGE).rglob("*.py") if "__pycache__" not in p.parts)


def layering_violations(src: Path) -> list[str]:
    problems = []
    for path in python_files(src):
        module = module_name(path, src)
        own = layer_of_module(module)
        for line, target, snippet in imports_of(path, src):
            if target.split(".")[0] != PACKAGE:
                continue
            layer = layer_of_target(target)
            if layer > own:
                problems.append(
                    f"{path.relative_to(src)}:{line}: `{snippet}` imports {target} "
                    f"({LAYER_NAMES[layer]}) from {module} ({LAYER_NAMES[own]}); "
                    f"imports must point down: {' < '.join(LAYER_NAMES)}"
                )
    return problems


def engine_dependency_violations(src: Path) -> list[str]:
    problems = []
    allowed = set(sys.stdlib_module_names) | ENGINE_ALLOWED_THIRD_PARTY | {"__future__"}
    for path in python_files(src):
        module = module_name(path, src)
        if layer_of_module(module) != 0:
            continue
        for line, target, snippet in imports_of(path, src):
            top = target.split(".")[0]
            inside_engine = target == f"{PACKAGE}.engine" or target.startswith(f"{PACKAGE}.engine.")
            if (top == PACKAGE and not inside_engine) or (top != PACKAGE and top not in allowed):
                problems.append(
                    f"{path.relative_to(src)}:{line}: `{snippet}` imports {target}; the engine "
                    f"may import only numpy, the standard library and nnscratch.engine"
                )
    return problems


# -- the real package ------------------------------------------------------------------------
def test_the_walk_sees_the_package():
    modules = {module_name(p, SRC) for p in python_files(SRC)}
    assert {"nnscratch", "nnscratch.engine.model", "nnscratch.cli", "nnscratch.data.toy"} <= modules
    engine_imports = {t for _, t, _ in imports_of(SRC / "nnscratch/engine/model.py", SRC)}
    assert {"nnscratch.engine.losses", "nnscratch.engine.layers", "numpy"} <= engine_imports


def test_imports_point_down_the_layers():
    problems = layering_violations(SRC)
    assert not problems, "imports pointing up the layers:\n" + "\n".join(problems)


def test_engine_uses_only_numpy_and_the_standard_library():
    problems = engine_dependency_violations(SRC)
    assert not problems, "\n".join(problems)


# -- the checker itself --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("nnscratch", FRONT),
        ("nnscratch.__main__", FRONT),
        ("nnscratch.engine.model", 0),
        ("nnscratch.files", 1),
        ("nnscratch.progress", 1),
        ("nnscratch.data.toy", 2),
        ("nnscratch.layers", FACADE),
        ("nnscratch.keras.layers", FACADE),
        ("nnscratch.sklearn", FACADE),
        ("nnscratch.brand_new_module", FACADE),
        ("nnscratch.lab.plots", 4),
        ("nnscratch.cli.article", 5),
    ],
)
def test_layer_table(module, layer):
    assert layer_of_module(module) == layer


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_checker_flags_upward_imports(tmp_path):
    for pkg in ("nnscratch", "nnscratch/engine", "nnscratch/data", "nnscratch/lab"):
        write(tmp_path, f"{pkg}/__init__.py", "")
    write(tmp_path, "nnscratch/saving.py", "")
    write(
        tmp_path,
        "nnscratch/lab/plots.py",
        "from ..data import toy\nfrom nnscratch import sklearn\n",
    )
    write(tmp_path, "nnscratch/data/toy.py", "from ..engine import layers\nfrom .. import saving\n")
    write(tmp_path, "nnscratch/engine/layers.py", "import numpy as np\nfrom . import model\n")
    write(
        tmp_path,
        "nnscratch/engine/model.py",
        "import math\n\n\ndef plot():\n    from ..lab.plots import figure\n    import matplotlib\n"
        "    import importlib\n    importlib.import_module('nnscratch.data.toy')\n",
    )
    problems = layering_violations(tmp_path)
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "nnscratch/data/toy.py:2: `from .. import saving` imports nnscratch.saving" in text
    assert "nnscratch/engine/model.py:5: `from ..lab.plots import figure`" in text
    assert "imports nnscratch.data.toy (data) from nnscratch.engine.model (engine)" in text
    deps = engine_dependency_violations(tmp_path)
    assert len(deps) == 3, deps
    assert any("model.py:6: `import matplotlib`" in p for p in deps)


#: the longest a module of src/nnscratch may be: one a reader takes in at a sitting
MAX_LINES = 500


def test_no_module_is_over_500_lines():
    long = {
        str(path.relative_to(SRC)): count
        for path in python_files(SRC)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by role (at most {MAX_LINES} lines each): {long}"

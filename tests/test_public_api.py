"""The public API: what ``__all__`` promises exists, the documented imports work, and
every public class and function has a docstring."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pkgutil
from pathlib import Path

import pytest

import nnscratch

#: third-party packages behind the optional extras; a module needing one is skipped
OPTIONAL = {"starlette", "uvicorn", "websockets", "torch", "onnx", "dask"}


def public_module_names() -> list[str]:
    names = ["nnscratch"]
    for info in pkgutil.walk_packages(nnscratch.__path__, "nnscratch."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]):  # private, and __main__ (runs the CLI)
            continue
        names.append(info.name)
    return sorted(names)


PUBLIC_MODULES = public_module_names()


def import_public(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in OPTIONAL or "extra" in str(exc):
            pytest.skip(f"{name} needs an optional extra: {exc}")
        raise


def is_library_module(name: str) -> bool:
    """The Python API proper: everything but the command line and the experiments lab."""
    parts = name.split(".")
    return len(parts) == 1 or parts[1] not in ("cli", "lab")


def test_package_all_names_exist_and_star_import_gives_them():
    assert len(nnscratch.__all__) == len(set(nnscratch.__all__))
    namespace: dict = {}
    exec("from nnscratch import *", namespace)
    exported = {k for k in namespace if k != "__builtins__"}
    assert exported == set(nnscratch.__all__)
    for name in ("Sequential", "Dense", "Activation", "SGD", "l1", "l2", "l1_l2"):
        assert name in nnscratch.__all__


def test_the_issue_imports_work():
    from nnscratch import Sequential
    from nnscratch.engine.layers import Activation as EngineActivation
    from nnscratch.engine.layers import Dense as EngineDense
    from nnscratch.engine.model import Sequential as EngineSequential
    from nnscratch.engine.optimizers import SGD as EngineSGD
    from nnscratch.engine.regularizers import L1L2
    from nnscratch.layers import Activation, Dense
    from nnscratch.optimizers import SGD
    from nnscratch.regularizers import l1, l1_l2, l2

    assert issubclass(Sequential, EngineSequential)  # adds progress, Ctrl-C, save
    assert Dense is EngineDense and Activation is EngineActivation
    assert SGD is EngineSGD
    assert isinstance(l1(0.1), L1L2) and l1(0.1).l1 == 0.1 and l1(0.1).l2 == 0.0
    assert l2(0.2).l2 == 0.2 and l2(0.2).l1 == 0.0
    assert (l1_l2(0.1, 0.2).l1, l1_l2(0.1, 0.2).l2) == (0.1, 0.2)

    model = Sequential([Dense(3, activation="tanh", input_dim=2), Activation("relu"), Dense(2)])
    model.compile(optimizer=SGD(0.1), loss="mse")
    assert model.count_params() == 2 * 3 + 3 + 3 * 2 + 2


def test_version_matches_the_installed_distribution():
    assert nnscratch.__version__ == importlib.metadata.version("nnscratch")


def test_package_is_typed():
    assert (Path(nnscratch.__file__).parent / "py.typed").is_file()


def test_public_modules_are_found():
    assert {"nnscratch.engine.model", "nnscratch.layers", "nnscratch.regularizers"} <= set(
        PUBLIC_MODULES
    )


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_module_all_entries_exist(name):
    module = import_public(name)
    assert module.__doc__ and module.__doc__.strip(), f"{name} has no module docstring"
    names = getattr(module, "__all__", None)
    if names is None:
        assert not is_library_module(name), f"{name} is part of the library API but has no __all__"
        return
    assert len(names) == len(set(names)), f"{name}.__all__ has duplicates"
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


@pytest.mark.parametrize("name", [n for n in PUBLIC_MODULES if is_library_module(n)])
def test_public_classes_and_functions_have_docstrings(name):
    module = import_public(name)
    undocumented = [
        entry
        for entry in getattr(module, "__all__", [])
        if (inspect.isclass(obj := getattr(module, entry)) or inspect.isfunction(obj))
        and not (inspect.getdoc(obj) or "").strip()
    ]
    assert not undocumented, f"{name}: no docstring for {undocumented}"


def test_user_facing_model_methods_are_documented():
    for method in (
        "add",
        "build",
        "compile",
        "fit",
        "predict",
        "evaluate",
        "train_on_batch",
        "parameters",
        "gradients",
        "get_weights",
        "set_weights",
    ):
        doc = inspect.getdoc(getattr(nnscratch.Sequential, method))
        assert doc and doc.strip(), f"Sequential.{method} has no docstring"

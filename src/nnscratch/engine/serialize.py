"""A model as plain data and back: a JSON-ready config dict plus a dict of NumPy arrays.

This module never touches files (that is :mod:`nnscratch.saving`'s job); it only turns a
:class:`~nnscratch.engine.model.Sequential` into data and rebuilds one from data:

* ``config`` (goes to ``config.json``): the format name and version, the model's name,
  seed and dtype, every layer by class name with its settings (activations,
  initializers and regularizers **by name**, never as code), the loss and its reduction,
  the metrics, the optimizer's config, its update counter, and the state of the random
  generators (for the shuffling and the dropout masks);
* ``arrays`` (goes to ``weights.npz``): ``"weights/0.kernel"`` for every parameter and
  ``"optimizer/m/0.kernel"`` for every optimizer state array, under the model's dotted
  names.

With both, training resumes exactly where it stopped: fitting 10 epochs gives the same
bits as fitting 5, saving, loading and fitting 5 more.

:func:`model_from_data` trusts nothing it is given: an unknown layer, activation,
loss or optimizer name, a missing or extra array, a shape that does not match the
architecture, a wrong dtype or a non-finite value raises ``ValueError`` saying what and
where.

The engine does no I/O, yet ``Sequential.save(path)`` exists: it calls the saver that
the package registers here at import (:func:`register_saver`, used by
:mod:`nnscratch.saving`), just as ``fit(verbose=1)`` finds its progress bar.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import activations as activations_module
from . import optimizers as optimizers_module
from . import regularizers as regularizers_module
from .layers import Dense, Dropout, Layer, get_layer_class

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "model_from_data",
    "model_to_data",
    "register_saver",
    "registered_saver",
]

FORMAT = "nnscratch.Sequential"
FORMAT_VERSION = 1

WEIGHTS_PREFIX = "weights/"
OPTIMIZER_PREFIX = "optimizer/"

# The settings each layer class may be rebuilt with (anything else in a file is refused).
_LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "Dense": (
        "name",
        "units",
        "activation",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "use_bias",
        "input_dim",
        "seed",
    ),
    "Activation": ("name", "activation"),
    "Dropout": ("name", "rate", "seed"),
}

# The random bit generators a file may name (a fixed table: nothing is imported by name).
_BIT_GENERATORS: dict[str, Callable[[], np.random.BitGenerator]] = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}


# -- the saver hook ----------------------------------------------------------------------
_saver: Callable[..., None] | None = None


def register_saver(saver: Callable[..., None]) -> None:
    """Install the function behind ``Sequential.save(path, overwrite=...)``."""
    global _saver
    if not callable(saver):
        raise TypeError(f"saver must be callable, got {type(saver).__name__}")
    _saver = saver


def registered_saver() -> Callable[..., None]:
    """The installed saver; ``RuntimeError`` if none (``import nnscratch`` installs it)."""
    if _saver is None:
        raise RuntimeError("no model saver is installed; `import nnscratch.saving` installs it")
    return _saver


# -- model -> data -----------------------------------------------------------------------
def _int_or_none(seed: Any) -> int | None:
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    return None


def _layer_config(index: int, layer: Layer) -> dict[str, Any]:
    kind = type(layer).__name__
    if kind not in _LAYER_KEYS or type(layer) is not get_layer_class(kind):
        raise TypeError(
            f"layer {index} ({kind}) cannot be saved: only {', '.join(sorted(_LAYER_KEYS))} "
            f"layers can"
        )
    act = getattr(layer, "activation", None)
    if act is not None and type(act) is not activations_module.ACTIVATIONS.get(act.name):
        raise TypeError(
            f"layer {index}: a custom activation ({type(act).__name__}) cannot be saved by "
            f"name; valid: {', '.join(sorted(activations_module.ACTIVATIONS))}"
        )
    config = layer.get_config()
    if isinstance(layer, Dense):
        config["seed"] = _int_or_none(layer.seed)
        reg = layer.kernel_regularizer
        if reg is not None and type(reg) is not regularizers_module.L1L2:
            raise TypeError(f"layer {index}: a custom regularizer cannot be saved")
    return {"class_name": kind, "config": config}


def _rng_state(rng: Any) -> dict[str, Any] | None:
    """A JSON-ready description of a generator's exact state."""
    if rng is None:
        return None
    if isinstance(rng, np.random.RandomState):
        return {"kind": "RandomState", "state": _jsonable(rng.get_state(legacy=False))}
    return {"kind": "Generator", "state": _jsonable(rng.bit_generator.state)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    return value


def model_to_data(
    model: Any, include_optimizer: bool = True
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split ``model`` into ``(config, arrays)``; both are copies, safe to keep.

    ``include_optimizer=False`` leaves out the optimizer's state (the loaded model
    still gets the optimizer's settings, freshly started).
    """
    layers = [_layer_config(i, layer) for i, layer in enumerate(model.layers)]
    config: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": model.name,
        "seed": _int_or_none(model.seed),
        "dtype": str(model.dtype),
        "input_dim": model.input_dim,
        "layers": layers,
        "compile": None,
        "training": None,
    }
    arrays = {WEIGHTS_PREFIX + k: v.copy() for k, v in model.parameters().items()}
    if model.loss is not None and model.optimizer is not None:
        opt = model.optimizer
        if type(opt) is not optimizers_module.OPTIMIZERS.get(opt.name):
            raise TypeError(f"a custom optimizer ({type(opt).__name__}) cannot be saved")
        config["compile"] = {
            "loss": model.loss.get_config(),
            "metrics": list(model.metrics),
            "optimizer": opt.get_config(),
        }
        if include_optimizer:
            for key, arr in opt.get_state().items():
                arrays[OPTIMIZER_PREFIX + key] = arr
    config["training"] = {
        "iterations": model.optimizer.iterations if include_optimizer and model.optimizer else 0,
        "rng": _rng_state(model._rng) if model.built else None,
        "layer_rngs": {
            str(i): _rng_state(layer._rng)
            for i, layer in enumerate(model.layers)
            if isinstance(layer, Dropout) and layer.seed is not None and layer._rng is not None
        },
    }
    return config, arrays


# -- data -> model -----------------------------------------------------------------------
def _need(mapping: Any, key: str, kinds: Any, where: str) -> Any:
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{where} must be an object, got {type(mapping).__name__}")
    if key not in mapping:
        raise ValueError(f"{where} has no {key!r}")
    value = mapping[key]
    if value is None and None in kinds:
        return value
    types = tuple(k for k in kinds if k is not None)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join("null" if k is None else k.__name__ for k in kinds)
        raise ValueError(f"{where}.{key} must be {names}, got {value!r}")
    return value


def _build_layer(index: int, spec: Any) -> Layer:
    where = f"layer {index}"
    kind = _need(spec, "class_name", (str,), where)
    cls = get_layer_class(kind)  # ValueError listing the valid layer types
    config = _need(spec, "config", (dict,), where)
    unknown = set(config) - set(_LAYER_KEYS[kind])
    if unknown:
        raise ValueError(
            f"{where} ({kind}) has unknown settings {sorted(unknown)}; valid: "
            f"{', '.join(_LAYER_KEYS[kind])}"
        )
    config = dict(config)
    if kind == "Dense":
        for key in ("kernel_initializer", "bias_initializer"):
            if config.get(key) is None:  # a custom initializer: the weights come from the file
                config.pop(key, None)
            elif not isinstance(config[key], str):
                raise ValueError(f"{where}.{key} must be a name, got {config[key]!r}")
        reg = config.get("kernel_regularizer")
        if reg is not None:
            if not isinstance(reg, dict) or set(reg) - {"l1", "l2"}:
                raise ValueError(f"{where}.kernel_regularizer must be {{'l1': .., 'l2': ..}}")
            config["kernel_regularizer"] = regularizers_module.L1L2(**reg)
    for key in ("activation",):
        if key in config and not isinstance(config[key], str):
            raise ValueError(f"{where}.{key} must be a name, got {config[key]!r}")
    try:
        return cls(**config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where} ({kind}): {exc}") from None


def _restore_rng(state: Any, where: str) -> Any:
    kind = _need(state, "kind", (str,), where)
    raw = _need(state, "state", (dict,), where)
    data = _from_jsonable(raw, where)
    try:
        if kind == "RandomState":
            rng = np.random.RandomState()
            rng.set_state(data)
            return rng
        if kind == "Generator":
            name = data.get("bit_generator")
            if name not in _BIT_GENERATORS:
                raise ValueError(
                    f"unknown bit generator {name!r}; valid: {', '.join(sorted(_BIT_GENERATORS))}"
                )
            bitgen = _BIT_GENERATORS[name]()
            bitgen.state = data
            return np.random.Generator(bitgen)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{where}: bad generator state ({exc})") from None
    raise ValueError(f"{where}.kind must be 'RandomState' or 'Generator', got {kind!r}")


def _from_jsonable(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"ndarray", "dtype"}:
            if value["dtype"] not in ("uint32", "uint64"):
                raise ValueError(f"{where}: generator arrays must be uint32 or uint64")
            try:
                return np.array(value["ndarray"], dtype=value["dtype"])
            except (TypeError, ValueError, OverflowError) as exc:
                raise ValueError(f"{where}: bad generator array ({exc})") from None
        return {k: _from_jsonable(v, where) for k, v in value.items()}
    return value


def _check_array(name: str, arr: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"array {name!r} is not a NumPy array")
    if arr.shape != shape:
        raise ValueError(f"array {name!r} has shape {arr.shape} but the architecture needs {shape}")
    if arr.dtype != dtype:
        raise ValueError(f"array {name!r} has dtype {arr.dtype} but the model uses {dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"array {name!r} contains NaN or infinite values")
    return arr


def model_from_data(config: Any, arrays: Mapping[str, np.ndarray], compile: bool = True) -> Any:
    """Rebuild the model that :func:`model_to_data` described; validate everything.

    ``compile=False`` skips the loss and optimizer (for prediction only).
    """
    from .model import Sequential  # model.py imports this module lazily; no cycle

    if not isinstance(config, Mapping):
        raise ValueError(f"the config must be a JSON object, got {type(config).__name__}")
    fmt = config.get("format")
    if fmt != FORMAT:
        raise ValueError(f"not a saved nnscratch model: format is {fmt!r}, expected {FORMAT!r}")
    version = config.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"unsupported format version {version!r}; this nnscratch reads version {FORMAT_VERSION}"
        )
    dtype = _need(config, "dtype", (str,), "config")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"config.dtype must be 'float64' or 'float32', got {dtype!r}")
    seed = _need(config, "seed", (int, None), "config")
    if seed is not None and seed < 0:
        raise ValueError(f"config.seed must be >= 0, got {seed}")
    name = _need(config, "name", (str, None), "config")
    input_dim = _need(config, "input_dim", (int, None), "config")
    if input_dim is not None and input_dim <= 0:
        raise ValueError(f"config.input_dim must be a positive integer, got {input_dim}")
    specs = _need(config, "layers", (list,), "config")
    layers = [_build_layer(i, s) for i, s in enumerate(specs)]
    names = set(arrays)
    weight_names = {k for k in names if k.startswith(WEIGHTS_PREFIX)}
    opt_names = {k for k in names if k.startswith(OPTIMIZER_PREFIX)}
    stray = names - weight_names - opt_names
    if stray:
        raise ValueError(f"unexpected arrays {sorted(stray)[:5]}")
    if input_dim is not None:
        # Before Sequential builds (and allocates) anything from a declared input_dim.
        _precheck_dense_shapes(layers, input_dim, arrays)
    model = Sequential(layers, seed=seed, dtype=dtype, name=name)
    if input_dim is not None:
        try:
            model.build(input_dim)
        except ValueError as exc:
            raise ValueError(f"the layers do not fit together: {exc}") from None
        params = model.parameters()
        expected = {WEIGHTS_PREFIX + k for k in params}
        missing = sorted(expected - weight_names)
        if missing:
            raise ValueError(f"missing weight arrays: {', '.join(missing[:5])}")
        extra = sorted(weight_names - expected)
        if extra:
            raise ValueError(f"weight arrays the architecture has no place for: {extra[:5]}")
        for key, p in params.items():
            arr = _check_array(
                WEIGHTS_PREFIX + key, arrays[WEIGHTS_PREFIX + key], p.shape, model.dtype
            )
            np.copyto(p, arr)
    elif weight_names:
        raise ValueError("the model is not built (no input_dim) but weight arrays are present")

    training = _need(config, "training", (dict, None), "config") or {}
    compiled = _need(config, "compile", (dict, None), "config")
    if compiled is not None and compile:
        loss = _need(compiled, "loss", (dict,), "config.compile")
        loss_name = _need(loss, "name", (str,), "config.compile.loss")
        reduction = _need(loss, "reduction", (str,), "config.compile.loss")
        metrics = _need(compiled, "metrics", (list,), "config.compile")
        opt_config = _need(compiled, "optimizer", (dict,), "config.compile")
        try:
            optimizer = optimizers_module.get(_checked_optimizer_config(opt_config))
            model.compile(optimizer=optimizer, loss=loss_name, metrics=metrics, reduction=reduction)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"config.compile: {exc}") from None
        iterations = _need(training, "iterations", (int,), "config.training")
        state = {k[len(OPTIMIZER_PREFIX) :]: arrays[k] for k in opt_names}
        if state and input_dim is None:
            raise ValueError("optimizer state is present but the model is not built")
        try:
            optimizer.set_state(state, model.parameters(), iterations=iterations)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"optimizer state: {exc}") from None
    if model.built:
        _restore_generators(model, training)
    return model


def _precheck_dense_shapes(layers: list[Any], input_dim: int, arrays: Mapping[str, Any]) -> None:
    """Compare the arrays with the architecture *before* allocating any weights.

    A file claiming ``units=10**9`` is refused here, not by running out of memory.
    """
    dim = input_dim
    for i, layer in enumerate(layers):
        if isinstance(layer, Dense):
            needed = {"kernel": (dim, layer.units)}
            if layer.use_bias:
                needed["bias"] = (layer.units,)
            for key, shape in needed.items():
                name = f"{WEIGHTS_PREFIX}{i}.{key}"
                if name not in arrays:
                    raise ValueError(f"missing weight arrays: {name}")
                got = getattr(arrays[name], "shape", None)
                if got != shape:
                    raise ValueError(
                        f"array {name!r} has shape {got} but the architecture needs {shape}"
                    )
        dim = layer.output_dim(dim)


def _checked_optimizer_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Only the settings the named optimizer really takes (no old spellings from files)."""
    name = config.get("name")
    cls = optimizers_module.OPTIMIZERS.get(name)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(
            f"unknown optimizer {name!r}; valid: {', '.join(sorted(optimizers_module.OPTIMIZERS))}"
        )
    allowed = set(cls().get_config())
    unknown = set(config) - allowed
    if unknown:
        raise ValueError(f"optimizer {name!r} has unknown settings {sorted(unknown)}")
    return dict(config)


def _restore_generators(model: Any, training: Mapping[str, Any]) -> None:
    state = training.get("rng")
    if state is not None:
        rng = _restore_rng(state, "config.training.rng")
        model._rng = rng
        for layer in model.layers:  # dropout layers without their own seed share it
            if isinstance(layer, Dropout) and layer.seed is None:
                layer._rng = rng
    layer_states = training.get("layer_rngs") or {}
    if not isinstance(layer_states, Mapping):
        raise ValueError("config.training.layer_rngs must be an object")
    for key, st in layer_states.items():
        where = f"config.training.layer_rngs[{key!r}]"
        if not key.isdigit() or int(key) >= len(model.layers):
            raise ValueError(f"{where} names no layer")
        layer = model.layers[int(key)]
        if not isinstance(layer, Dropout):
            raise ValueError(f"{where}: layer {key} is not a Dropout layer")
        layer._rng = _restore_rng(st, where)

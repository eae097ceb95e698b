"""A model as plain data and back: a JSON-ready config dict plus a dict of NumPy arrays.

This module never touches files (that is :mod:`nnscratch.saving`'s job); it only turns a
:class:`~nnscratch.engine.model.Sequential` into data and rebuilds one from data:

* ``config`` (goes to ``config.json``): the format name and version, the model's name,
  seed, dtype and input shape, every layer by its registered name
  (:func:`~nnscratch.engine.layers.register_layer`) with its ``get_config()``
  (activations, initializers and regularizers **by name**, never as code), the loss and
  its reduction, the metrics (by name; precision and the other counting metrics as
  ``{"class_name": ..., "config": ...}``), the optimizer's config, its update counter,
  and the state of the random generators (for the shuffling and the dropout masks);
* ``arrays`` (goes to ``weights.npz``): ``"weights/0.kernel"`` for every weight and
  ``"optimizer/m/0.kernel"`` for every optimizer state array, under the model's dotted
  names.

With both, training resumes exactly where it stopped: fitting 10 epochs gives the same
bits as fitting 5, saving, loading and fitting 5 more.

:func:`model_from_data` trusts nothing it is given: an unknown layer, activation, loss
or optimizer name, a missing or extra array, a shape that does not match the
architecture, a wrong dtype or a non-finite value raises ``ValueError`` saying what and
where. :func:`expected_arrays` tells, from the config alone and without allocating
anything, which arrays of which shapes a file may hold, so that a reader can refuse an
inflated or oversized file before decompressing it.

Version 2 (this one) stores the input shape and registered layer names; files of
version 1 (nnscratch 0.1.0: ``input_dim`` and three built-in layers) still load, bit for
bit.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import confusion, generator_state
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .layers import Layer, get_layer_class, registered_name
from .layers.base import _shape, check_size

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "READABLE_VERSIONS",
    "expected_arrays",
    "model_from_data",
    "model_to_data",
]

FORMAT = "nnscratch.Sequential"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

WEIGHTS_PREFIX = "weights/"
OPTIMIZER_PREFIX = "optimizer/"


# -- model -> data -----------------------------------------------------------------------
def _int_or_none(seed: Any) -> int | None:
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    return None


def _layer_config(index: int, layer: Layer) -> dict[str, Any]:
    name = registered_name(layer)
    if name is None:
        raise TypeError(
            f"layer {index} ({type(layer).__name__}) cannot be saved: its class is not "
            f"registered; decorate it with @nnscratch.layers.register_layer"
        )
    config = layer.get_config()
    try:
        json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"layer {index} ({type(layer).__name__}): get_config() must return plain JSON "
            f"data (numbers, strings, lists, dicts): {exc}"
        ) from None
    spec = {"class_name": name, "config": config}
    try:  # a file is written only if it loads back: settings are found again by name
        _build_layer(index, spec, FORMAT_VERSION)
    except ValueError as exc:
        raise _cannot_save(f"the model (a file could not load it back ({exc}))") from None
    return spec


def model_to_data(
    model: Any, include_optimizer: bool = True
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split ``model`` into ``(config, arrays)``; both are copies, safe to keep.

    ``include_optimizer=False`` leaves out the optimizer's state (the loaded model
    still gets the optimizer's settings, freshly started).
    """
    config: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": model.name,
        "seed": _int_or_none(model.seed),
        "dtype": str(model.dtype),
        "input_shape": list(model.input_shape[1:]) if model.built else None,
        "layers": [_layer_config(i, layer) for i, layer in enumerate(model.layers)],
        "compile": None,
        "training": None,
    }
    arrays = {WEIGHTS_PREFIX + k: v.copy() for k, v in model.parameters().items()}
    opt = model.optimizer
    if model.loss is not None and opt is not None:
        if not _saves_as_builtin(opt):
            raise _cannot_save(f"an optimizer of your own ({type(opt).__name__})")
        config["compile"] = {
            "loss": _loss_config(model.loss),
            "metrics": _metric_names(model),
            "optimizer": opt.get_config(),
        }
        if include_optimizer:
            for key, arr in opt.get_state().items():
                arrays[OPTIMIZER_PREFIX + key] = arr
    config["training"] = {
        "iterations": opt.iterations if include_optimizer and opt is not None else 0,
        "rng": generator_state.to_data(model.rng) if model.built else None,
        "layer_rngs": {
            str(i): generator_state.to_data(layer.rng)
            for i, layer in enumerate(model.layers)
            if layer.seed is not None and layer.rng is not None
        },
    }
    return config, arrays


def _metric_names(model: Any) -> list[str | dict[str, Any]]:
    """The metrics by the names compile received, a built-in under a name of its own as
    ``{"name", "function"}``, and a counting metric (precision, ...) by its config; a
    function of your own has none a file could load."""
    entries: list[str | dict[str, Any]] = []
    for name, metric in model.metrics.items():
        if confusion.is_counting(metric):
            builtin = confusion.COUNTING.get(metric.default_name)
            if type(metric) is not builtin:
                raise _cannot_save(f"a metric of your own ({type(metric).__name__})")
            entries.append({"class_name": builtin.__name__, "config": metric.get_config()})
        elif name in metrics_module.METRICS and metrics_module.get(name, model.loss) is metric:
            entries.append(name)
        elif (function := metrics_module.builtin_name(metric)) is not None:
            entries.append({"name": name, "function": function})
        else:
            raise _cannot_save(f"the metric {name!r} is a function of your own and")
    return entries


def _loss_config(loss: Any) -> dict[str, Any]:
    """The loss's config, if a file can load it: a file names its loss, so the name must be
    one of nnscratch's (a subclass that keeps a built-in's name loads as that loss)."""
    builtin = losses_module.LOSSES.get(loss.name)
    if builtin is None or not isinstance(loss, builtin):
        raise _cannot_save(f"a loss of your own ({type(loss).__name__}, named {loss.name!r})")
    return loss.get_config()


def _cannot_save(what: str) -> TypeError:
    """The error for a model a file could not load back, with what to do instead."""
    return TypeError(
        f"{what} cannot be saved: a model file names its loss, optimizer and settings, and "
        "only nnscratch's load back by name; keep the weights with "
        "model.save_weights('w.weights.npz') and load them into the same network "
        "(model.load_weights)"
    )


def _saves_as_builtin(opt: Any) -> bool:
    """A built-in optimizer, or a subclass that changes only its constructor (such as
    ``nnscratch.keras.optimizers.SGD``, which translates old argument names)."""
    builtin = optimizers_module.OPTIMIZERS.get(opt.name)
    if builtin is None or not isinstance(opt, builtin):
        return False
    # (``__slotnames__``: what ``copy`` and ``pickle`` cache on a class they have copied)
    ordinary = {
        "__init__",
        "__doc__",
        "__module__",
        "__qualname__",
        "__firstlineno__",
        "__slotnames__",
    }
    return all(
        set(vars(cls)) <= ordinary for cls in type(opt).__mro__[: type(opt).__mro__.index(builtin)]
    )


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


def _v1_layer_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """A 0.1.0 layer config in today's terms (``input_dim`` became ``input_shape``)."""
    config = {k: v for k, v in config.items() if v is not None or k == "kernel_regularizer"}
    if "input_dim" in config:
        config["input_shape"] = [config.pop("input_dim")]
    if kind != "Dense":
        config.pop("kernel_regularizer", None)
    return config


def _build_layer(index: int, spec: Any, version: int) -> Layer:
    where = f"layer {index}"
    kind = _need(spec, "class_name", (str,), where)
    config = dict(_need(spec, "config", (dict,), where))
    if version == 1:
        config = _v1_layer_config(kind, config)
    try:
        cls = get_layer_class(kind)
        return cls.from_config(config)
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            unknown = str(exc).rsplit("argument", 1)[1].strip()
            raise ValueError(f"{where} ({kind}) has unknown settings [{unknown}]") from None
        raise ValueError(f"{where} ({kind}): {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{where} ({kind}): {exc}") from None


def _checked_input_shape(config: Mapping[str, Any], version: int) -> tuple[int, ...] | None:
    if version == 1:
        dim = _need(config, "input_dim", (int, None), "config")
        return None if dim is None else _checked_shape([dim])
    shape = _need(config, "input_shape", (list, None), "config")
    return None if shape is None else _checked_shape(shape)


def _checked_shape(shape: Any) -> tuple[int, ...]:
    try:
        return _shape(shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config.input_shape: {exc}") from None


def _version(config: Any) -> int:
    if not isinstance(config, Mapping):
        raise ValueError(f"the config must be a JSON object, got {type(config).__name__}")
    fmt = config.get("format")
    if fmt != FORMAT:
        raise ValueError(f"not a saved nnscratch model: format is {fmt!r}, expected {FORMAT!r}")
    version = config.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise ValueError(
            f"unsupported format version {version!r}; this nnscratch reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}"
        )
    return int(version)


def _layers_and_shape(config: Any) -> tuple[list[Layer], tuple[int, ...] | None, str, int]:
    version = _version(config)
    dtype = _need(config, "dtype", (str,), "config")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"config.dtype must be 'float64' or 'float32', got {dtype!r}")
    specs = _need(config, "layers", (list,), "config")
    layers = [_build_layer(i, s, version) for i, s in enumerate(specs)]
    return layers, _checked_input_shape(config, version), dtype, version


def expected_arrays(config: Any) -> dict[str, tuple[tuple[int, ...], str]]:
    """``{array name: (shape, dtype)}`` that the described model may hold, from the
    config alone: weights for a built model, and optimizer state of the same shapes.

    Nothing is allocated. Raises ``ValueError`` for a config that describes no valid
    model.
    """
    layers, shape, dtype, _ = _layers_and_shape(config)
    return _expected(layers, shape, dtype, _optimizer_slots(config))


def _expected(
    layers: list[Layer], shape: tuple[int, ...] | None, dtype: str, slots: tuple[str, ...]
) -> dict[str, tuple[tuple[int, ...], str]]:
    if shape is None:
        return {}
    expected: dict[str, tuple[tuple[int, ...], str]] = {}
    for i, layer in enumerate(layers):
        try:
            for key, weight_shape in layer.weight_shapes(shape, dtype).items():
                nbytes = math.prod(weight_shape) * np.dtype(dtype).itemsize
                check_size(nbytes, lambda: f"weight {key!r} {weight_shape} of layer {i}")  # noqa: B023
                expected[f"{WEIGHTS_PREFIX}{i}.{key}"] = (weight_shape, dtype)
            shape = _shape(layer.compute_output_shape(shape))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the layers do not fit together: layer {i}: {exc}") from None
    itemsize = np.dtype(dtype).itemsize
    total = itemsize * sum(math.prod(weight_shape) for weight_shape, _ in expected.values())
    check_size(total * (1 + len(slots)), lambda: "the model's weights and optimizer state")
    for name, (weight_shape, _) in list(expected.items()):
        for slot in slots:
            expected[f"{OPTIMIZER_PREFIX}{slot}/{name[len(WEIGHTS_PREFIX) :]}"] = (
                weight_shape,
                dtype,
            )
    return expected


def _optimizer_slots(config: Mapping[str, Any]) -> tuple[str, ...]:
    compiled = config.get("compile")
    if not isinstance(compiled, Mapping) or not isinstance(compiled.get("optimizer"), Mapping):
        return ()
    return _checked_optimizer_class(compiled["optimizer"].get("name")).slots


def _checked_optimizer_class(name: Any) -> type:
    cls = optimizers_module.OPTIMIZERS.get(name) if isinstance(name, str) else None
    if cls is None:
        valid = ", ".join(sorted(optimizers_module.OPTIMIZERS))
        raise ValueError(f"unknown optimizer {name!r}; valid: {valid}")
    return cls


def _stray(names: list[str], slots: tuple[str, ...]) -> ValueError:
    """Why arrays that the architecture has no place for are refused."""
    for name in names:
        slot = name[len(OPTIMIZER_PREFIX) :].partition("/")[0]
        if name.startswith(OPTIMIZER_PREFIX) and slot not in slots:
            return ValueError(
                f"optimizer state {name!r} names no state slot of the optimizer (its slots: "
                f"{', '.join(slots) or 'none'})"
            )
    return ValueError(f"unexpected arrays the architecture has no place for: {names[:5]}")


def _restore_rng(state: Any, where: str) -> Any:
    kind = _need(state, "kind", (str,), where)
    return generator_state.from_data(kind, _need(state, "state", (dict,), where), where)


def _check_array(name: str, arr: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"array {name!r} is not a NumPy array")
    if arr.shape != shape and name.startswith(OPTIMIZER_PREFIX):
        state = name[len(OPTIMIZER_PREFIX) :]
        raise ValueError(f"optimizer state {state!r}: expected shape {shape}, got {arr.shape}")
    if arr.shape != shape:
        raise ValueError(f"array {name!r} has shape {arr.shape} but the architecture needs {shape}")
    if arr.dtype != dtype:
        raise ValueError(f"array {name!r} has dtype {arr.dtype} but the model uses {dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"array {name!r} contains NaN or infinite values")
    return arr


def model_from_data(
    config: Any,
    arrays: Mapping[str, np.ndarray],
    compile: bool = True,
    model_class: type | None = None,
) -> Any:
    """Rebuild the model that :func:`model_to_data` described; validate everything.

    ``compile=False`` skips the loss and optimizer (for prediction only).
    ``model_class`` (default the engine's ``Sequential``) is the class to build, e.g.
    ``nnscratch.Sequential``.
    """
    if model_class is None:
        from .model import Sequential as model_class  # model.py never imports this module
    layers, input_shape, dtype, _ = _layers_and_shape(config)
    seed = _need(config, "seed", (int, None), "config")
    if seed is not None and not 0 <= seed < 2**32:
        raise ValueError(f"config.seed must be in 0..2**32 - 1, got {seed}")
    name = _need(config, "name", (str, None), "config")
    # shapes checked before any weight is allocated
    slots = _optimizer_slots(config)
    expected = _expected(layers, input_shape, dtype, slots)
    weight_names = {k for k in arrays if k.startswith(WEIGHTS_PREFIX)}
    stray = sorted(set(arrays) - set(expected))
    if stray:
        raise _stray(stray, slots)
    missing = sorted({k for k in expected if k.startswith(WEIGHTS_PREFIX)} - weight_names)
    if missing:
        raise ValueError(f"missing weight arrays: {', '.join(missing[:5])}")
    for key, (shape, _) in expected.items():
        if key in arrays:
            _check_array(key, arrays[key], shape, np.dtype(dtype))
    model = model_class(layers, seed=seed, dtype=dtype, name=name)
    if input_shape is not None:
        if not model.built:
            model._build(input_shape)
        if model.input_shape[1:] != input_shape:
            raise ValueError(
                f"config.input_shape is {list(input_shape)} but the first layer declares "
                f"{list(model.input_shape[1:])}"
            )
        for key, p in model.parameters().items():
            np.copyto(p, arrays[WEIGHTS_PREFIX + key])

    training = _need(config, "training", (dict, None), "config") or {}
    compiled = _need(config, "compile", (dict, None), "config")
    if compiled is not None and compile:
        _restore_compile(model, compiled, training, arrays)
    if model.built:
        _restore_generators(model, training)
    return model


def _restore_compile(
    model: Any, compiled: Mapping[str, Any], training: Mapping[str, Any], arrays: Mapping[str, Any]
) -> None:
    loss = _need(compiled, "loss", (dict,), "config.compile")
    _need(loss, "name", (str,), "config.compile.loss")
    _need(loss, "reduction", (str,), "config.compile.loss")
    metrics = _need(compiled, "metrics", (list,), "config.compile")
    opt_config = _need(compiled, "optimizer", (dict,), "config.compile")
    try:
        # the config itself, so that the model's own compile picks the optimizer's class
        model.compile(
            optimizer=_checked_optimizer_config(opt_config), loss=dict(loss), metrics=metrics
        )
        optimizer = model.optimizer
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config.compile: {exc}") from None
    iterations = _need(training, "iterations", (int,), "config.training")
    if iterations < 0:
        raise ValueError(f"config.training.iterations must be >= 0, got {iterations}")
    if iterations >= 2**63:
        raise ValueError(f"config.training.iterations must be < 2**63, got {iterations}")
    state = {
        k[len(OPTIMIZER_PREFIX) :]: v for k, v in arrays.items() if k.startswith(OPTIMIZER_PREFIX)
    }
    try:
        optimizer.set_state(state, model.parameters(trainable=True), iterations=iterations)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"optimizer state: {exc}") from None


def _checked_optimizer_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Only the settings the named optimizer really takes."""
    name = config.get("name")
    cls = _checked_optimizer_class(name)
    unknown = set(config) - set(cls().get_config())
    if unknown:
        raise ValueError(f"optimizer {name!r} has unknown settings {sorted(unknown)}")
    return dict(config)


def _restore_generators(model: Any, training: Mapping[str, Any]) -> None:
    state = training.get("rng")
    if state is not None:
        rng = _restore_rng(state, "config.training.rng")
        model.rng = rng
        for layer in model.layers:  # layers without their own seed share the model's
            if layer.seed is None:
                layer.rng = rng
    layer_states = training.get("layer_rngs") or {}
    if not isinstance(layer_states, Mapping):
        raise ValueError("config.training.layer_rngs must be an object")
    for key, st in layer_states.items():
        where = f"config.training.layer_rngs[{key!r}]"
        if not key.isdigit() or int(key) >= len(model.layers):
            raise ValueError(f"{where} names no layer")
        layer = model.layers[int(key)]
        if layer.seed is None:
            raise ValueError(f"{where}: layer {key} has no seed of its own")
        layer.rng = _restore_rng(st, where)

"""The playground's configuration: every choice, its range, and the model it builds.

A configuration is a plain JSON object (see ``docs/playground-protocol.md``): the data set
and its noise, split and seed; the input features; the hidden layers and their
activations; the output and loss; the learning rate, batch size, optimizer and penalties.
:func:`validate_config` checks one completely and names the first field that is wrong;
:func:`build_model` turns a valid one into an engine ``Sequential``. The exported script
("copy as Python") is written from the same building blocks, so it builds the same model.

>>> config = validate_config(DEFAULT_CONFIG)
>>> model = build_model(config, n_features=2, task="classification", n_classes=2)
>>> [layer.units for layer in model.layers]
[4, 2, 2]
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...engine import layers as layers_module
from ...engine import optimizers as optimizers_module
from ...engine.layers import Dense
from ...engine.model import Sequential
from ...engine.regularizers import l1_l2

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_SWEEP",
    "FEATURES",
    "LIMITS",
    "PROTOCOL_VERSION",
    "PlaygroundError",
    "available_features",
    "build_model",
    "check_int",
    "make_features",
    "make_optimizer",
    "model_filename",
    "model_name",
    "n_outputs_for",
    "options",
    "output_spec",
    "short_repr",
    "train_size",
    "validate_config",
]

PROTOCOL_VERSION = 1

#: sizes, bounds and grid resolutions shared with the page (``options.limits``)
LIMITS: dict[str, int] = {
    "max_points": 10_000,
    "min_points": 4,
    "max_upload_bytes": 1_000_000,
    "max_message_chars": 2_000_000,
    "max_hidden_layers": 8,
    "max_units": 256,
    "max_speed": 1000,
    "max_step_epochs": 1000,
    "max_replay_steps": 40_000,
    "max_sweep_models": 8,
    "max_drawn_units": 512,
    "grid": 100,
    "thumb": 24,
    "sweep_grid": 50,
    "max_curve_points": 4000,
}

DATASETS = ("moons", "circles", "xor", "gaussian", "spiral", "multi_gaussian", "plane", "csv")
REGRESSION_DATASETS = ("plane",)
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
CLASSIFICATION_OUTPUTS = ("softmax_cross_entropy", "sigmoid_binary_cross_entropy", "quadratic")
REGRESSION_OUTPUTS = ("mse", "quadratic")
OPTIMIZER_CHOICES = ("sgd", "momentum", "adam")

# Each input feature as NumPy code on the columns x1, x2: the session evaluates the same
# functions, and the exported script prints the same expressions.
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x1", lambda x1, x2: x1),
    "x2": ("x2", lambda x1, x2: x2),
    "x1^2": ("x1**2", lambda x1, x2: x1**2),
    "x2^2": ("x2**2", lambda x1, x2: x2**2),
    "x1*x2": ("x1 * x2", lambda x1, x2: x1 * x2),
    "sin(x1)": ("np.sin(x1)", lambda x1, x2: np.sin(x1)),
    "sin(x2)": ("np.sin(x2)", lambda x1, x2: np.sin(x2)),
}

DEFAULT_CONFIG: dict[str, Any] = {
    "dataset": "circles",
    "n_samples": 200,
    "n_classes": 3,
    "noise": 0.2,
    "train_ratio": 0.5,
    "seed": 0,
    "features": ["x1", "x2"],
    "hidden_layers": [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}],
    "output": "softmax_cross_entropy",
    "learning_rate": 0.1,
    "batch_size": 10,
    "optimizer": "sgd",
    "momentum": 0.9,
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
}

DEFAULT_SWEEP = [1, 2, 3, 4, 10, 20, 50]
DEFAULT_SPEED = 10
DATA_KEYS = ("dataset", "n_samples", "n_classes", "noise", "train_ratio", "seed")
MAX_SEED = 2**31 - 1
#: frames per second the server aims for while playing (at least 30 arrive); the speed
#: setting is in gradient steps per frame
FRAME_RATE = 32


#: client message types and the fields each may carry (besides "type" and "id")
MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "config": ("config",),
    "regenerate": (),
    "upload_csv": ("text", "name"),
    "play": (),
    "pause": (),
    "step": ("epochs",),
    "reset": (),
    "speed": ("value",),
    "sweep": ("sizes",),
    "export_python": (),
    "get_state": (),
    "load_state": ("state",),
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "config": ("config",),
    "upload_csv": ("text",),
    "speed": ("value",),
    "sweep": ("sizes",),
    "load_state": ("state",),
}


class PlaygroundError(ValueError):
    """A request the session cannot accept. ``field`` names the offending part."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- what this installation offers ----------------------------------------------------------
def _adam_class() -> type | None:
    """The engine's Adam optimizer, when this version of the engine has one."""
    return optimizers_module.OPTIMIZERS.get("adam")


def _dropout_class() -> type | None:
    """The engine's Dropout layer, when this version of the engine has one."""
    return getattr(layers_module, "Dropout", None)


def available_features() -> dict[str, bool]:
    """Which optional choices the engine supports here: ``{"adam": ..., "dropout": ...}``."""
    return {"adam": _adam_class() is not None, "dropout": _dropout_class() is not None}


def options() -> dict[str, Any]:
    """Everything the page needs to build its controls (``hello.options``)."""
    return {
        "datasets": list(DATASETS),
        "regression_datasets": list(REGRESSION_DATASETS),
        "features": list(FEATURES),
        "activations": list(HIDDEN_ACTIVATIONS),
        "outputs": {
            "classification": list(CLASSIFICATION_OUTPUTS),
            "regression": list(REGRESSION_OUTPUTS),
        },
        "optimizers": list(OPTIMIZER_CHOICES),
        "available": available_features(),
        "limits": dict(LIMITS),
        "defaults": copy.deepcopy(DEFAULT_CONFIG),
        "default_sweep": list(DEFAULT_SWEEP),
        "default_speed": DEFAULT_SPEED,
        "frame_rate": FRAME_RATE,
    }


# -- validation helpers ---------------------------------------------------------------------
def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut short: an error message must not echo a megabyte back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(value: Any, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise PlaygroundError(
                f"{field} must be an integer {lo}..{hi}, got {short_repr(value)}", field
            )
    if not lo <= value <= hi:
        raise PlaygroundError(f"{field} must be an integer {lo}..{hi}, got {value}", field)
    return int(value)


def _number(value: Any, field: str, lo: float, hi: float, *, open_lo: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise PlaygroundError(f"{field} must be a number, got {short_repr(value)}", field)
    value = float(value)
    low_ok = value > lo if open_lo else value >= lo
    if not math.isfinite(value) or not low_ok or value > hi:
        bracket = "(" if open_lo else "["
        raise PlaygroundError(
            f"{field} must be a number in {bracket}{lo}, {hi}], got {value}", field
        )
    return value


def _choice(value: Any, field: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise PlaygroundError(
            f"{field} must be one of {', '.join(choices)}; got {short_repr(value)}", field
        )
    return value


def validate_config(config: Any) -> dict[str, Any]:
    """Check a complete configuration and return a normalised copy.

    Every key of :data:`DEFAULT_CONFIG` must be present and nothing else; numbers must be
    finite and in range. The data-dependent checks (the output against the number of
    classes) happen in the session, which knows the data.

    Raises
    ------
    PlaygroundError
        Naming the field and what it accepts, e.g. ``"hidden_layers[1].units must be an
        integer 1..256, got 300"``.
    """
    if not isinstance(config, dict):
        raise PlaygroundError(f"config must be an object, got {type(config).__name__}", "config")
    unknown = sorted(set(config) - set(DEFAULT_CONFIG))
    if unknown:
        raise PlaygroundError(
            f"unknown config key(s) {', '.join(map(repr, unknown))}; valid keys: "
            f"{', '.join(DEFAULT_CONFIG)}",
            f"config.{unknown[0]}",
        )
    missing = [k for k in DEFAULT_CONFIG if k not in config]
    if missing:
        raise PlaygroundError(f"config is missing {', '.join(missing)}", f"config.{missing[0]}")
    lim = LIMITS
    out: dict[str, Any] = {}
    out["dataset"] = _choice(config["dataset"], "dataset", DATASETS)
    out["n_samples"] = check_int(config["n_samples"], "n_samples", 10, lim["max_points"])
    out["n_classes"] = check_int(config["n_classes"], "n_classes", 2, 5)
    out["noise"] = _number(config["noise"], "noise", 0.0, 2.0)
    out["train_ratio"] = _number(config["train_ratio"], "train_ratio", 0.1, 0.9)
    out["seed"] = check_int(config["seed"], "seed", 0, MAX_SEED)

    features = config["features"]
    if not isinstance(features, list) or not features:
        raise PlaygroundError(
            f"features must be a non-empty list of {', '.join(FEATURES)}; got "
            f"{short_repr(features)}",
            "features",
        )
    for i, name in enumerate(features):
        _choice(name, f"features[{i}]", list(FEATURES))
    if len(set(features)) != len(features):
        raise PlaygroundError(f"features lists a feature twice: {features}", "features")
    out["features"] = list(features)

    hidden = config["hidden_layers"]
    if not isinstance(hidden, list) or len(hidden) > lim["max_hidden_layers"]:
        raise PlaygroundError(
            f"hidden_layers must be a list of 0..{lim['max_hidden_layers']} layers, got "
            f"{short_repr(hidden)}",
            "hidden_layers",
        )
    layers = []
    for i, spec in enumerate(hidden):
        field = f"hidden_layers[{i}]"
        if not isinstance(spec, dict):
            raise PlaygroundError(
                f'{field} must be an object like {{"units": 4, "activation": "tanh"}}, '
                f"got {short_repr(spec)}",
                field,
            )
        extra = sorted(set(spec) - {"units", "activation"})
        if extra:
            raise PlaygroundError(
                f"{field} has unknown key(s) {', '.join(map(repr, extra))}; valid: units, "
                "activation",
                field,
            )
        units = check_int(spec.get("units"), f"{field}.units", 1, lim["max_units"])
        activation = _choice(
            spec.get("activation", "tanh"), f"{field}.activation", HIDDEN_ACTIVATIONS
        )
        layers.append({"units": units, "activation": activation})
    out["hidden_layers"] = layers

    out["output"] = _choice(
        config["output"], "output", sorted(set(CLASSIFICATION_OUTPUTS + REGRESSION_OUTPUTS))
    )
    out["learning_rate"] = _number(
        config["learning_rate"], "learning_rate", 0.0, 10.0, open_lo=True
    )
    batch = config["batch_size"]
    if isinstance(batch, str):
        if batch != "full":
            raise PlaygroundError(
                f'batch_size must be an integer 1..{lim["max_points"]} or "full", got {batch!r}',
                "batch_size",
            )
        out["batch_size"] = "full"
    else:
        out["batch_size"] = check_int(batch, "batch_size", 1, lim["max_points"])
    out["optimizer"] = _choice(config["optimizer"], "optimizer", OPTIMIZER_CHOICES)
    out["momentum"] = _number(config["momentum"], "momentum", 0.0, 0.99)
    out["l1"] = _number(config["l1"], "l1", 0.0, 1.0)
    out["l2"] = _number(config["l2"], "l2", 0.0, 1.0)
    out["dropout"] = _number(config["dropout"], "dropout", 0.0, 0.9)

    available = available_features()
    if out["optimizer"] == "adam" and not available["adam"]:
        raise PlaygroundError(
            "optimizer 'adam' is not available in this version of the engine; available: "
            f"{', '.join(_available_optimizers())}",
            "optimizer",
        )
    if out["dropout"] > 0 and not available["dropout"]:
        raise PlaygroundError(
            "dropout is not available in this version of the engine (no Dropout layer); "
            "set dropout to 0",
            "dropout",
        )
    return out


def _available_optimizers() -> list[str]:
    return [o for o in OPTIMIZER_CHOICES if o != "adam" or available_features()["adam"]]


# -- building blocks shared by the session and the exported script ----------------------------
def make_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The input columns the network sees, e.g. ``["x1", "x2", "x1*x2"]``.

    >>> make_features(np.array([[2.0, 3.0]]), ["x1", "x1*x2", "x2^2"])
    array([[2., 6., 9.]])
    """
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name][1](x1, x2) for name in names]).astype(np.float64)


def output_spec(output: str, task: str) -> tuple[str, str]:
    """``(output activation, engine loss name)`` for a configured ``output``.

    Classification: softmax + categorical cross-entropy, sigmoid + binary cross-entropy
    (one unit), or Nielsen's quadratic cost on one sigmoid unit per class. Regression: a
    linear unit with mean squared error or the quadratic cost.
    """
    if task == "regression":
        return "linear", "mse" if output == "mse" else "quadratic"
    if output == "softmax_cross_entropy":
        return "softmax", "categorical_crossentropy"
    if output == "sigmoid_binary_cross_entropy":
        return "sigmoid", "binary_crossentropy"
    return "sigmoid", "quadratic"


def n_outputs_for(output: str, task: str, n_classes: int) -> int:
    """Units of the output layer: 1 for regression and binary sigmoid, else one per class."""
    if task == "regression" or output == "sigmoid_binary_cross_entropy":
        return 1
    return n_classes


def model_name(config: dict[str, Any]) -> str:
    """The model's ``name``: the data set and the inputs it expects, in order.

    The name is saved with the model, so a downloaded file says which feature columns
    ``predict`` wants (``summary()`` shows it on its first line).

    >>> model_name({"dataset": "circles", "features": ["x1", "x2", "x1^2"]})
    'playground-circles (inputs: x1, x2, x1^2)'
    """
    return f"playground-{config['dataset']} (inputs: {', '.join(config['features'])})"


def model_filename(config: dict[str, Any]) -> str:
    """The name of the downloaded model file.

    >>> model_filename({"dataset": "circles"})
    'playground-circles.nnscratch'
    """
    return f"playground-{config['dataset']}.nnscratch"


def build_model(config: dict[str, Any], n_features: int, task: str, n_classes: int) -> Sequential:
    """The engine model for a validated configuration, compiled and built.

    Every Dense layer gets the L1/L2 penalty; a Dropout layer follows each hidden layer
    when ``dropout > 0``. The weights come from ``Sequential(seed=config["seed"])``; the
    model is named by :func:`model_name` (the data set and the input features).
    """
    reg = l1_l2(l1=config["l1"], l2=config["l2"]) if config["l1"] or config["l2"] else None
    layers: list[Any] = []
    dropout = _dropout_class() if config["dropout"] > 0 else None
    for i, spec in enumerate(config["hidden_layers"]):
        layers.append(
            Dense(
                spec["units"],
                activation=spec["activation"],
                kernel_regularizer=reg,
                input_dim=n_features if i == 0 else None,
            )
        )
        if dropout is not None:
            layers.append(dropout(config["dropout"]))
    activation, loss = output_spec(config["output"], task)
    n_outputs = n_outputs_for(config["output"], task, n_classes)
    layers.append(
        Dense(
            n_outputs,
            activation=activation,
            kernel_regularizer=reg,
            input_dim=None if config["hidden_layers"] else n_features,
        )
    )
    model = Sequential(layers, seed=config["seed"], name=model_name(config))
    model.compile(optimizer=make_optimizer(config), loss=loss)
    return model


def make_optimizer(config: dict[str, Any]) -> optimizers_module.Optimizer:
    """SGD, SGD with momentum, or the engine's Adam, at the configured learning rate."""
    lr = config["learning_rate"]
    name = config["optimizer"]
    if name == "sgd":
        return optimizers_module.SGD(learning_rate=lr)
    if name == "momentum":
        return optimizers_module.SGD(learning_rate=lr, momentum=config["momentum"])
    adam = _adam_class()
    if adam is None:
        raise PlaygroundError(
            "optimizer 'adam' is not available in this version of the engine", "optimizer"
        )
    return adam(learning_rate=lr)


def train_size(n: int, ratio: float) -> int:
    """Training points out of ``n`` for ``ratio``: at least one on each side."""
    return min(n - 1, max(1, round(ratio * n)))

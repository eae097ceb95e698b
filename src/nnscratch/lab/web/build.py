"""The model a playground configuration builds, and the blocks "copy as Python" shares.

:func:`build_model` turns a validated configuration (see :mod:`.schema`) into an engine
``Sequential``; :func:`make_features` computes the input columns. The exported script
(:mod:`.export`) prints the same expressions and the same layers, so it builds the same
model.

>>> from .schema import DEFAULT_CONFIG
>>> model = build_model(DEFAULT_CONFIG, n_features=2, task="classification", n_classes=2)
>>> [layer.units for layer in model.layers]
[4, 2, 2]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...engine import optimizers as optimizers_module
from ...engine.layers import Dense, Dropout
from ...engine.regularizers import l1_l2
from ...models import Sequential
from .schema import FEATURE_NAMES

__all__ = [
    "FEATURES",
    "build_model",
    "make_features",
    "make_optimizer",
    "model_filename",
    "model_name",
    "n_outputs_for",
    "output_spec",
    "train_size",
]

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
assert tuple(FEATURES) == FEATURE_NAMES  # the schema offers exactly these


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
    for i, spec in enumerate(config["hidden_layers"]):
        layers.append(
            Dense(
                spec["units"],
                activation=spec["activation"],
                kernel_regularizer=reg,
                input_dim=n_features if i == 0 else None,
            )
        )
        if config["dropout"] > 0:
            layers.append(Dropout(config["dropout"]))
    activation, loss = output_spec(config["output"], task)
    layers.append(
        Dense(
            n_outputs_for(config["output"], task, n_classes),
            activation=activation,
            kernel_regularizer=reg,
            input_dim=None if config["hidden_layers"] else n_features,
        )
    )
    model = Sequential(layers, seed=config["seed"], name=model_name(config))
    model.compile(optimizer=make_optimizer(config), loss=loss)
    return model


def make_optimizer(config: dict[str, Any]) -> optimizers_module.Optimizer:
    """SGD, SGD with momentum, or Adam, at the configured learning rate."""
    lr = config["learning_rate"]
    name = config["optimizer"]
    if name == "sgd":
        return optimizers_module.SGD(learning_rate=lr)
    if name == "momentum":
        return optimizers_module.SGD(learning_rate=lr, momentum=config["momentum"])
    return optimizers_module.Adam(learning_rate=lr)


def train_size(n: int, ratio: float) -> int:
    """Training points out of ``n`` for ``ratio``: at least one on each side."""
    return min(n - 1, max(1, round(ratio * n)))

"""Metrics: numbers reported beside the loss (``compile(metrics=["accuracy"])``).

A metric here is a function ``metric(y_true, y_pred)`` that returns one value per example
(an array of shape ``(n,)``), on targets already encoded for the loss (class labels are
one-hot rows for the cross-entropies). The training loop adds these values up over an
epoch's batches and divides by the number of examples: the epoch's metric is the mean
over its batches weighted by their sizes, as Keras reports it. Sample weights do not
weight metrics (Keras' ``metrics``, not its ``weighted_metrics``).

==================================  ====================================================
name                                per example
==================================  ====================================================
``binary_accuracy``                 mean over outputs of ``(a > 0.5) == y``
``categorical_accuracy``            ``argmax(a) == argmax(y)``
``sparse_categorical_accuracy``     ``argmax(a) == label`` (labels are one-hot encoded here)
``mae`` / ``mean_absolute_error``   mean over outputs of ``|a - y|``
``mse`` / ``mean_squared_error``    mean over outputs of ``(a - y)**2``
``accuracy`` / ``acc``              Keras' choice from the loss and the output layer:
                                    binary for one output unit or binary cross-entropy,
                                    else categorical
==================================  ====================================================

A function of your own is accepted too: ``metric(y_true, y_pred)`` returning one value per
example, or one number for the batch (taken as the batch's mean); it reports under its
``__name__``.

:func:`compile_metrics` turns what ``compile`` received into ``{name: function}``: the
keys are exactly the names the user wrote (``"acc"`` reports as ``acc`` and
``val_acc``, ``"accuracy"`` as ``accuracy``), in their order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .checks import lookup

__all__ = [
    "METRICS",
    "binary_accuracy",
    "categorical_accuracy",
    "compile_metrics",
    "get",
    "mean_absolute_error",
    "mean_squared_error",
    "sparse_categorical_accuracy",
    "sums",
]

Metric = Callable[[np.ndarray, np.ndarray], Any]


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The fraction of outputs on the right side of 0.5: ``mean_k((a > 0.5) == y)``."""
    return np.mean(y_true == (y_pred > 0.5), axis=1)


def categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """1.0 where the largest output is the target's class, else 0.0."""
    return (y_pred.argmax(axis=1) == y_true.argmax(axis=1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Accuracy against class labels: one column of labels, or the one-hot rows that the
    cross-entropy losses encode integer labels into."""
    labels = y_true[:, 0] if y_true.shape[1] == 1 else y_true.argmax(axis=1)
    return (y_pred.argmax(axis=1) == labels).astype(np.float64)


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``mean_k |a - y|`` for each example."""
    return np.abs(y_pred - y_true).mean(axis=1)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``mean_k (a - y)**2`` for each example."""
    return np.square(y_pred - y_true).mean(axis=1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Keras' ``"accuracy"`` for a loss other than binary cross-entropy: binary for one
    output unit, categorical for several."""
    if y_pred.shape[1] == 1:
        return binary_accuracy(y_true, y_pred)
    return categorical_accuracy(y_true, y_pred)


METRICS: dict[str, Metric] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "accuracy": accuracy,
    "acc": accuracy,
}


def get(identifier: str | Metric, loss: Any = None) -> Metric:
    """The metric function for a name or a function of your own.

    ``"accuracy"`` and ``"acc"`` depend on the ``loss`` as in Keras: binary accuracy with
    binary cross-entropy (every output is a yes/no), otherwise binary for one output unit
    and categorical for several.
    """
    if callable(identifier):
        return identifier
    found = lookup("metric", identifier, METRICS, "a function metric(y_true, y_pred)")
    if found is accuracy and getattr(loss, "name", None) == "binary_crossentropy":
        return binary_accuracy
    return found


def compile_metrics(metrics: Any, loss: Any) -> dict[str, Metric]:
    """``{name: function}`` for ``compile(metrics=...)``, keyed by the names as given.

    Raises ``TypeError`` for something that is not a list of names and functions, and
    ``ValueError`` for an unknown name, a name given twice, or ``"loss"``.
    """
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a list of names or functions, got {metrics!r}")
    compiled: dict[str, Metric] = {}
    for m in metrics:
        name = m if isinstance(m, str) else getattr(m, "__name__", None)
        if name is None or not (isinstance(m, str) or callable(m)):
            raise TypeError(f"a metric must be a name or a function, got {m!r}")
        if name in compiled or name == "loss":
            raise ValueError(f"metric {name!r} is given twice (the loss is always reported)")
        compiled[name] = get(m, loss)
    return compiled


def sums(metrics: dict[str, Metric], y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Each metric's values on one batch, added up (divide by the examples to average)."""
    return {name: _total(fn, y_true, y_pred) for name, fn in metrics.items()}


def _total(fn: Metric, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    values = np.asarray(fn(y_true, y_pred), dtype=np.float64)
    n = y_pred.shape[0]
    if values.ndim == 0:  # one number for the batch: its mean
        return float(values) * n
    if values.shape[0] != n:
        raise ValueError(
            f"metric {getattr(fn, '__name__', fn)!r} returned shape {values.shape} for a batch "
            f"of {n}; return one value per example or one number"
        )
    return float(values.reshape(n, -1).mean(axis=1).sum())

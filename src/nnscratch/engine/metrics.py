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
``root_mean_squared_error``         ``(a - y)**2`` as for ``mse``; the epoch reports the
                                    root of their mean
``mape``                            100 times the mean over outputs of ``|(y - a) / y|``
                                    (also ``mean_absolute_percentage_error``)
``accuracy`` / ``acc``              Keras' choice from the loss and the output layer:
                                    binary for one output unit or binary cross-entropy,
                                    else categorical
``binary_crossentropy``             the loss of that name, averaged over outputs
``categorical_crossentropy``        the loss of that name (``sparse_...`` too)
==================================  ====================================================

The cross-entropies also come as ``..._from_logits`` for a linear output layer.
:func:`renamed` reports one of these under a name of your own (``renamed(binary_accuracy,
"acc")``); the model still saves with it.

A function of your own is accepted too: ``metric(y_true, y_pred)`` returning one value per
example, or one number for the batch (taken as the batch's mean); it reports under its
``__name__``.

Precision, recall and the area under a curve are not means over examples: they are
ratios of counts (:mod:`~nnscratch.engine.confusion`), compiled by name
(``"precision"``, ``"recall"``, ``"auc"``, ``"true_positives"``, ...) or as objects
(``Precision(class_id=1)``), and they report under their ``name``. So that both kinds
add up over batches the same way, the loop keeps each metric's *counts*
(:func:`batch_counts`: a mean's are its sum and the number of examples) and reports
:func:`results` of their totals.

:func:`compile_metrics` turns what ``compile`` received into ``{name: function}``: the
keys are exactly the names the user wrote (``"acc"`` reports as ``acc`` and
``val_acc``, ``"accuracy"`` as ``accuracy``), in their order.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import losses, summary
from .checks import lookup
from .confusion import COUNTING, is_counting
from .labels import one_hot

__all__ = [
    "METRICS",
    "batch_counts",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_crossentropy_from_logits",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_crossentropy_from_logits",
    "compile_metrics",
    "finished_mean",
    "get",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "renamed",
    "results",
    "root_mean_squared_error",
    "sparse_categorical_accuracy",
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


def root_mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Each example's ``mean_k (a - y)**2``, as :func:`mean_squared_error`: the loop
    averages them like any mean, then takes the root of that mean (this function's
    ``finish``), so an epoch reports ``sqrt(mean((a - y)**2))`` over all its examples, not
    the mean of the batches' roots (Keras' ``RootMeanSquaredError``)."""
    return mean_squared_error(y_true, y_pred)


root_mean_squared_error.finish = math.sqrt  # type: ignore[attr-defined]


def mean_absolute_percentage_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``100 * mean_k |(y - a) / y|`` for each example, ``|y|`` at least Keras' epsilon
    (1e-7) so that a zero target gives a large number, not a division by zero."""
    return 100.0 * np.mean(np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7)), axis=1)


def binary_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The loss of that name per example, averaged over the outputs (Keras' metric)."""
    return _BINARY.per_example(y_true, y_pred) / y_pred.shape[1]


def binary_crossentropy_from_logits(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """:func:`binary_crossentropy` of ``sigmoid(y_pred)``, for a linear output layer."""
    return _BINARY_LOGITS.per_example(y_true, y_pred) / y_pred.shape[1]


def categorical_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``-sum_k y_k log p_k`` per example: the loss of that name (labels one-hot encoded)."""
    return _CATEGORICAL.per_example(_rows(y_true, y_pred), y_pred)


def categorical_crossentropy_from_logits(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """:func:`categorical_crossentropy` of ``softmax(y_pred)``, for a linear output layer."""
    return _CATEGORICAL_LOGITS.per_example(_rows(y_true, y_pred), y_pred)


def _rows(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """One-hot rows: as they come, or from a column of class labels."""
    if y_true.shape[1] == 1 and y_pred.shape[1] > 1:
        return one_hot(y_true[:, 0].astype(np.int64), y_pred.shape[1], y_pred.dtype)
    return y_true


_BINARY, _BINARY_LOGITS = losses.BinaryCrossentropy(), losses.BinaryCrossentropyFromLogits()
_CATEGORICAL = losses.CategoricalCrossentropy()
_CATEGORICAL_LOGITS = losses.CategoricalCrossentropyFromLogits()


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
    "root_mean_squared_error": root_mean_squared_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "accuracy": accuracy,
    "acc": accuracy,
    "binary_crossentropy": binary_crossentropy,
    "binary_crossentropy_from_logits": binary_crossentropy_from_logits,
    "categorical_crossentropy": categorical_crossentropy,
    "categorical_crossentropy_from_logits": categorical_crossentropy_from_logits,
    # labels are one-hot encoded for the cross-entropy losses: the same computation
    "sparse_categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy_from_logits": categorical_crossentropy_from_logits,
}


def renamed(function: Metric, name: str) -> Metric:
    """``function``, reporting under ``name`` (``history.history["acc"]``, ``"val_acc"``).

    ``function.__wrapped__`` is the original, so a renamed built-in saves with the model
    (as ``{"name": "acc", "function": "binary_accuracy"}``).

    >>> renamed(binary_accuracy, "acc").__name__
    'acc'
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"a metric's name must be a non-empty string, got {name!r}")

    @functools.wraps(function)
    def metric(y_true: np.ndarray, y_pred: np.ndarray) -> Any:
        return function(y_true, y_pred)

    metric.__name__ = metric.__qualname__ = name
    return metric


def builtin_name(metric: Metric) -> str | None:
    """The name in :data:`METRICS` of ``metric``'s function (seen through :func:`renamed`),
    or ``None`` for a function of your own."""
    function = getattr(metric, "__wrapped__", metric)
    name = getattr(function, "__name__", None)
    return name if METRICS.get(name) is function else None


def get(identifier: Any, loss: Any = None) -> Any:
    """The metric for a name, a function of your own or a counting metric.

    ``"accuracy"`` and ``"acc"`` depend on the ``loss`` as in Keras: binary accuracy with
    binary cross-entropy (every output is a yes/no), otherwise binary for one output unit
    and categorical for several. A counting metric's name (``"precision"``) gives a new
    one with the default arguments; its config, ``{"class_name": "Precision", "config":
    {...}}`` (what a saved model holds), gives one with those, and ``{"name": "acc",
    "function": "binary_accuracy"}`` gives that function :func:`renamed`.
    """
    if callable(identifier) or is_counting(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _from_config(identifier)
    table = {**METRICS, **COUNTING}
    found = lookup("metric", identifier, table, "a function metric(y_true, y_pred)")
    if isinstance(found, type):  # a counting metric's class
        return found()
    if found is accuracy and getattr(loss, "name", None) == "binary_crossentropy":
        return binary_accuracy
    return found


def _from_config(config: dict[str, Any]) -> Any:
    """A counting metric from ``{"class_name": ..., "config": {...}}``, or a renamed
    function from ``{"name": ..., "function": ...}``."""
    if set(config) == {"name", "function"}:
        function = lookup("metric function", config["function"], METRICS)
        return renamed(function, config["name"])
    if set(config) != {"class_name", "config"} or not isinstance(config["config"], dict):
        raise ValueError(
            "a metric given as a dict must be {'class_name': 'Precision', 'config': {...}} "
            f"or {{'name': 'acc', 'function': 'binary_accuracy'}}, got {config!r}"
        )
    name = config["class_name"]
    cls = lookup(
        "counting metric", summary.snake_case(name) if isinstance(name, str) else name, COUNTING
    )
    try:
        return cls(**config["config"])
    except TypeError as error:  # an argument the class does not take
        raise TypeError(f"{cls.__name__} config {config['config']!r}: {error}") from None


def compile_metrics(metrics: Any, loss: Any) -> dict[str, Metric]:
    """``{name: metric}`` for ``compile(metrics=...)``: functions and counting metrics,
    keyed by the names as given (a counting metric by its ``name``).

    Raises ``TypeError`` for something that is not a list of names, functions and
    counting metrics, and ``ValueError`` for an unknown name, a name given twice, or
    ``"loss"``.
    """
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a list of names or functions, got {metrics!r}")
    compiled: dict[str, Metric] = {}
    for m in metrics:
        if not isinstance(m, (str, dict)) and not callable(m) and not is_counting(m):
            raise TypeError(f"a metric must be a name or a function, got {m!r}")
        metric = None if isinstance(m, str) else get(m, loss)
        name = m if metric is None else _name(metric)
        if name is None:
            raise TypeError(
                f"the metric {m!r} has no name to report under (a function's __name__); an "
                "nnscratch.keras metric object goes to an nnscratch.keras model, here give "
                "its name ('precision') or nnscratch.metrics.Precision(...)"
            )
        if name in compiled or name == "loss":
            raise ValueError(f"metric {name!r} is given twice (the loss is always reported)")
        compiled[name] = get(m, loss) if metric is None else metric
    return compiled


def _name(metric: Any) -> str | None:
    """The key a metric reports under: a counting metric's ``name``, a function's own."""
    return getattr(metric, "name" if is_counting(metric) else "__name__", None)


def batch_counts(
    metrics: dict[str, Any], y_true: np.ndarray, y_pred: np.ndarray
) -> dict[str, np.ndarray]:
    """Each metric's counts on one batch, which add up over batches: for a mean, the sum
    of its values and the number of examples; for a counting metric, its cells."""
    return {name: _counts(metric, y_true, y_pred) for name, metric in metrics.items()}


def results(metrics: dict[str, Any], counts: dict[str, np.ndarray]) -> dict[str, float]:
    """Each metric's value from its counts summed over batches (a mean: sum / examples)."""
    return {name: _result(metric, counts[name]) for name, metric in metrics.items()}


def _counts(metric: Any, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if is_counting(metric):
        return metric.counts(y_true, y_pred)
    return np.array([_total(metric, y_true, y_pred), y_pred.shape[0]])


def _result(metric: Any, counts: np.ndarray) -> float:
    """A counting metric's value of its counts; a mean's of ``sum / examples``."""
    if is_counting(metric):
        return metric.result(counts)
    return finished_mean(metric, float(counts[0] / counts[1]))


def finished_mean(metric: Metric, mean: float) -> float:
    """A mean metric's value from the mean of its values: the mean itself, or passed
    through the metric's ``finish`` if it has one (the root of a root mean square)."""
    finish = getattr(metric, "finish", None)
    return mean if finish is None else float(finish(mean))


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

"""``from nnscratch.keras import metrics``: Keras' metric functions and metric classes.

The functions (Keras 2's): ``compile(metrics=[metrics.categorical_accuracy])`` reports
under the function's name, as ``compile(metrics=["categorical_accuracy"])`` does;
``metrics.mae(y_true, y_pred)`` gives one value per example. These are
:mod:`nnscratch.engine.metrics`' functions.

The classes (Keras 3's): ``compile(metrics=[metrics.SparseCategoricalAccuracy()])``
is ``metrics=["sparse_categorical_accuracy"]`` (the model saves with it); with
``name="acc"`` it reports under that name instead. Outside ``compile`` they are Keras'
stateful metrics: ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
``result()`` is the (weighted) mean so far, ``reset_state()`` starts again, and calling
the object updates it and returns the result.

The counting classes (``Precision``, ``Recall``, ``AUC``, ``TruePositives``,
``FalsePositives``, ``TrueNegatives``, ``FalseNegatives``; also by name,
``metrics=["precision", "auc"]``) report a ratio of counts over all the batches, not a
mean of the batches' values (:mod:`nnscratch.engine.confusion`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.checks import flag
from ..engine.confusion import COUNTING
from ..engine.metrics import (
    METRICS,
    binary_accuracy,
    binary_crossentropy,
    binary_crossentropy_from_logits,
    categorical_accuracy,
    categorical_crossentropy,
    categorical_crossentropy_from_logits,
    finished_mean,
    get,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    renamed,
    root_mean_squared_error,
    sparse_categorical_accuracy,
)
from ..engine.summary import snake_case
from . import _confusion
from ._confusion import *  # noqa: F403  (Precision, Recall, AUC, ...)
from ._confusion import CountingMetric
from ._refusals import missing, unsupported
from ._targets import StatefulMetric, batch, example_weights

mae = mean_absolute_error
mse = mean_squared_error
mape = mean_absolute_percentage_error

__all__ = [
    *_confusion.__all__,
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetric",
    "MeanSquaredError",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "binary_accuracy",
    "binary_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "for_compile",
    "get",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_accuracy",
]


class MeanMetric(StatefulMetric):
    """A Keras metric object over one of the engine's per-example metric functions: the
    mean of its values over every example given since the last ``reset_state``."""

    #: the engine's function, whose name is the metric's default name
    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    #: integer labels, one-hot encoded against y_pred's columns
    sparse = False
    #: the name it reports under by default, when not its function's
    default_name: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        default = type(self).default_name or type(self).function.__name__
        if name is not None and not (isinstance(name, str) and name):
            raise TypeError(f"name must be a non-empty string, got {name!r}")
        self.name = default if name is None else name
        self.dtype = dtype
        self.reset_state()

    def reset_state(self) -> None:
        """Forget every batch given so far."""
        self.total, self.count = 0.0, 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch: ``y_pred`` of shape ``(n, outputs)``, ``y_true`` of the same shape
        (integer labels ``(n,)`` for the sparse metric), ``sample_weight`` one per example."""
        y_true, y_pred = batch(y_true, y_pred, self.sparse)
        values = self.function(y_true, y_pred)
        weights = example_weights(sample_weight, len(values))
        self.total += float(np.sum(values * weights))
        self.count += float(np.sum(weights))

    def result(self) -> float:
        """The weighted mean so far (0.0 before any batch); its root for
        :class:`RootMeanSquaredError` (the function's ``finish``)."""
        return finished_mean(self.function, self.total / self.count if self.count else 0.0)


class BinaryAccuracy(MeanMetric):
    """The fraction of outputs on the right side of 0.5 (``"binary_accuracy"``)."""

    function = staticmethod(binary_accuracy)


class CategoricalAccuracy(MeanMetric):
    """The fraction of examples whose largest output is the one-hot target's class."""

    function = staticmethod(categorical_accuracy)


class SparseCategoricalAccuracy(MeanMetric):
    """The fraction of examples whose largest output is the integer label."""

    function = staticmethod(sparse_categorical_accuracy)
    sparse = True


class _CrossEntropy(MeanMetric):
    """A cross-entropy as a metric: Keras' ``from_logits`` picks the engine's function of
    the logits (for a linear output layer)."""

    logits_function: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __init__(
        self,
        name: str | None = None,
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        if label_smoothing:
            raise unsupported(type(self).__name__, "label_smoothing", label_smoothing, _SMOOTH)
        if flag("from_logits", from_logits):
            self.function = type(self).logits_function
        super().__init__(name, dtype)


class BinaryCrossentropy(_CrossEntropy):
    """The binary cross-entropy, averaged over outputs (``"binary_crossentropy"``)."""

    function = staticmethod(binary_crossentropy)
    logits_function = staticmethod(binary_crossentropy_from_logits)


class CategoricalCrossentropy(_CrossEntropy):
    """``-sum_k y_k log p_k`` per example, against one-hot targets."""

    function = staticmethod(categorical_crossentropy)
    logits_function = staticmethod(categorical_crossentropy_from_logits)


class SparseCategoricalCrossentropy(_CrossEntropy):
    """``-log p[label]`` per example, against integer labels."""

    function = staticmethod(categorical_crossentropy)
    logits_function = staticmethod(categorical_crossentropy_from_logits)
    sparse = True
    default_name = "sparse_categorical_crossentropy"


class MeanSquaredError(MeanMetric):
    """The mean over outputs of ``(y_pred - y_true)**2``, averaged over examples."""

    function = staticmethod(mean_squared_error)


class MeanAbsoluteError(MeanMetric):
    """The mean over outputs of ``|y_pred - y_true|``, averaged over examples."""

    function = staticmethod(mean_absolute_error)


class RootMeanSquaredError(MeanMetric):
    """``sqrt(mean((y_pred - y_true)**2))`` over every example given: the root of the
    mean, not a mean of roots."""

    function = staticmethod(root_mean_squared_error)


class MeanAbsolutePercentageError(MeanMetric):
    """``100 * mean(|(y_true - y_pred) / y_true|)``, ``|y_true|`` at least 1e-7."""

    function = staticmethod(mean_absolute_percentage_error)


#: the names the engine knows, mean and counting
_NAMES = {*METRICS, *COUNTING}


def for_compile(metric: Any) -> Any:
    """What ``compile(metrics=[...])`` hands the engine for one entry: a class's name
    (``"RootMeanSquaredError"``) is its snake-case name, as in Keras 3; a metric object is
    its engine function's name, or under a name of its own, that function
    :func:`~nnscratch.engine.metrics.renamed` (both save with the model); a counting
    metric is the engine's metric it counts with; anything else is left as it is."""
    if isinstance(metric, CountingMetric):
        return metric.metric
    if isinstance(metric, str) and metric.lower() not in _NAMES:
        snake = snake_case(metric)  # a class name, as Keras 3 takes it: "MeanSquaredError"
        return snake if snake in _NAMES else metric
    if not isinstance(metric, MeanMetric):
        return metric
    if METRICS.get(metric.name) is metric.function:  # a name the engine knows
        return metric.name
    return renamed(metric.function, metric.name)


_SMOOTH = "the metric is the cross-entropy of the targets as given; smooth them before fit"

_MISSING = {
    "Metric": (
        "a stateful metric of your own is not supported: compile(metrics=[...]) takes "
        "names, this module's classes, or a function metric(y_true, y_pred) returning one "
        "value per example (fit reports its mean over the epoch)"
    ),
    **dict.fromkeys(
        ("F1Score", "FBetaScore", "PrecisionAtRecall", "RecallAtPrecision"),
        "compute it from model.predict(x) afterwards (sklearn.metrics has them all)",
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

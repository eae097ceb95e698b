"""Metrics, Keras-style: ``compile(metrics=["accuracy", Precision(class_id=1)])``.

By name in ``compile(metrics=...)``: ``"accuracy"`` (or ``"acc"``),
``"binary_accuracy"``, ``"categorical_accuracy"``, ``"sparse_categorical_accuracy"``,
``"mae"``, ``"mse"``, ``"root_mean_squared_error"``, ``"mape"``, and the counting
metrics ``"precision"``, ``"recall"``, ``"auc"``, ``"true_positives"``,
``"false_positives"``, ``"true_negatives"``, ``"false_negatives"``. The classes here
take the counting metrics' arguments (a threshold, a class, the curve of an AUC); a
function ``metric(y_true, y_pred)`` of your own, returning one value per example, is
accepted too.

>>> from nnscratch.metrics import Precision
>>> Precision(thresholds=0.3, name="p30")
Precision(thresholds=0.3, top_k=None, class_id=None, name='p30')
"""

from .engine import confusion as _confusion
from .engine.confusion import *  # noqa: F403  (the counting metrics' classes)
from .engine.metrics import (
    binary_accuracy,
    categorical_accuracy,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    root_mean_squared_error,
    sparse_categorical_accuracy,
)

# the classes of the counting metrics (not the engine's table and base class), then the functions
__all__ = [
    *(name for name in _confusion.__all__ if name not in ("COUNTING", "ConfusionMetric")),
    "binary_accuracy",
    "categorical_accuracy",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "sparse_categorical_accuracy",
]

"""What Keras' loss and metric objects do to their arguments before computing: targets
and predictions as float ``(n, outputs)`` arrays of one shape, and one weight per example.

``keras.losses.BinaryCrossentropy()([0, 1], [0.2, 0.7])`` and
``keras.metrics.SparseCategoricalAccuracy().update_state([1, 2], probabilities)`` take
targets as Keras does: of the predictions' shape or flat (``(n,)`` for one output), or
integer labels for the sparse ones, one-hot encoded against the predictions' columns.
:class:`StatefulMetric` is what every Keras metric object here shares: calling it adds a
batch and returns the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.inputs import checked_sample_weight
from ..engine.labels import one_hot

__all__ = ["StatefulMetric", "batch", "example_weights"]


def batch(y_true: Any, y_pred: Any, sparse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` as float arrays of shape ``(n, outputs)``; ``ValueError`` naming
    both shapes when they do not hold the same number of values."""
    y_pred = np.asarray(y_pred, dtype=float)
    y_pred = y_pred.reshape(len(y_pred), -1)
    if sparse:
        y_true = one_hot(np.asarray(y_true).reshape(-1), y_pred.shape[1])
    y_true = np.asarray(y_true, dtype=float)
    if y_true.size != y_pred.size:
        raise ValueError(
            f"y_true of shape {y_true.shape} does not match y_pred of shape {y_pred.shape}"
        )
    return y_true.reshape(y_pred.shape), y_pred


def example_weights(sample_weight: Any, n: int) -> np.ndarray:
    """One weight per example, checked as ``fit``'s are (``(n,)`` or ``(n, 1)``, finite,
    not negative); ones without ``sample_weight``."""
    return np.ones(n) if sample_weight is None else checked_sample_weight(sample_weight, n)


class StatefulMetric:
    """Keras' metric objects: ``update_state`` adds a batch, ``result`` is the metric of
    the batches so far, and calling the object does both."""

    name: str

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch (each metric class counts its own way)."""
        raise NotImplementedError

    def result(self) -> float:
        """The metric of every batch so far."""
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """Keras' call: update with the batch, then the result."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

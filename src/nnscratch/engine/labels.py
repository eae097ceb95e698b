"""Class labels: integers ``0..C-1`` checked against the number of classes, and their
one-hot rows (what the cross-entropies compare the network's outputs with).

>>> one_hot([0, 2], 3)
array([[1., 0., 0.],
       [0., 0., 1.]])
"""

from __future__ import annotations

import numpy as np

__all__ = ["one_hot"]


def one_hot(labels: np.ndarray, n_classes: int, dtype: np.dtype = np.float64) -> np.ndarray:
    """Encode integer labels ``0..n_classes-1`` as one-hot rows.

    Raises ``ValueError`` naming the offending labels when a label does not fit.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or (
        labels.size and not 0 <= labels.min() <= labels.max() < n_classes
    ):
        labels = _checked_labels(labels, n_classes)
    # row i is 1.0 in the column of its label, 0.0 elsewhere
    return (labels[:, None] == np.arange(n_classes)).astype(dtype)


def _checked_labels(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels from whole-number floats; ``ValueError`` naming the labels that do
    not fit ``0..n_classes-1``."""
    if labels.size and labels.dtype.kind not in "iu":
        as_int = labels.astype(np.int64) if labels.dtype.kind in "bf" else None
        if as_int is None or not np.array_equal(as_int, labels):
            raise ValueError(
                f"class labels must be integers 0..{n_classes - 1}, got dtype {labels.dtype}"
            )
        labels = as_int
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = np.unique(labels[(labels < 0) | (labels >= n_classes)])[:5].tolist()
        raise ValueError(
            f"labels {bad} do not fit an output layer of {n_classes} units: expected "
            f"labels in 0..{n_classes - 1}"
        )
    return labels

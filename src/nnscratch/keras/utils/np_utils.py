"""``from nnscratch.keras.utils import np_utils; np_utils.to_categorical(y, 2)`` (Keras 1/2's
module; ``nnscratch.keras.utils.to_categorical`` and ``normalize`` are the same functions)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.checks import positive_int
from ...engine.labels import one_hot

__all__ = ["normalize", "to_categorical"]


def to_categorical(y: Any, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot rows for integer class labels, as Keras' ``to_categorical``.

    ``to_categorical([0, 2, 1])`` is a ``(3, 3)`` array with a single 1 per row.
    ``num_classes`` defaults to ``max(y) + 1``; labels must be integers in
    ``0..num_classes-1`` (whole-number floats such as ``2.0`` count as integers).

    Labels of any shape get a last axis of ``num_classes``, as in Keras: a ``(n, 1)``
    column gives ``(n, num_classes)`` (the column's axis is dropped), a ``(n, h, w)``
    mask of pixel classes gives ``(n, h, w, num_classes)`` and one label gives one row
    of shape ``(num_classes,)``. ``dtype`` is Keras 2's argument (Keras 3 has none).

    >>> to_categorical([0, 1], 2)
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    >>> to_categorical([[0], [2]]).shape
    (2, 3)
    """
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf":
        raise ValueError(f"class labels must be integers, got dtype {labels.dtype}")
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    labels = labels.reshape(-1)
    if num_classes is None:
        if labels.size == 0:
            raise ValueError("cannot infer num_classes from an empty array; pass num_classes=")
        num_classes = int(np.max(labels)) + 1
    num_classes = positive_int("num_classes", num_classes)
    return one_hot(labels, num_classes, np.dtype(dtype)).reshape(*shape, num_classes)


def normalize(x: Any, axis: int | None = -1, order: Any = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (a zero norm divides by 1), as
    Keras' ``normalize``: ``normalize(x_train, axis=1)`` scales each row of each image to
    unit length, as in the well-known "Deep learning with Python, TensorFlow and Keras"
    MNIST tutorial. ``axis=None`` divides by the norm of all the values as one vector.

    ``order`` is :func:`numpy.linalg.norm`'s ``ord``. (Keras turns ``axis=0`` into
    ``-1`` when it divides, which is wrong unless the array is square; here the norm is
    taken and divided along the same axis.)

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]])
    """
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"normalize takes a numeric array, got dtype {array.dtype}")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer or None, got {axis!r}")
        if not -array.ndim <= axis < array.ndim:
            raise ValueError(f"axis {axis} is out of range for an array of shape {array.shape}")
    if axis is None:
        norm = np.linalg.norm(array.reshape(-1), order)  # of all the values as one vector
    else:
        norm = np.linalg.norm(array, order, axis, keepdims=True)
    return array / np.where(norm == 0, 1, norm)

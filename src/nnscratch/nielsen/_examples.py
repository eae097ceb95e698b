"""The book's data, lists of ``(x, y)`` column pairs, as the engine's matrices.

The book keeps a data set as a list of pairs: ``x`` a ``(784, 1)`` column, ``y`` a
``(10, 1)`` one-hot column (training data) or a digit (validation and test data). The
engine wants one matrix ``X (n, 784)`` and one target matrix. :func:`as_list` and
:func:`to_matrices` convert, checking every example and naming the first that does not
fit; :class:`LayerList` is the book's ``net.weights`` list, whose items write through to
the engine's arrays.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["LayerList", "as_list", "to_matrices"]


# -- data: lists of (x, y) pairs, as the book has them ---------------------------------
# An iterator (zip, generator) can be read only once. The book's Python 3 readers pass
# the same zip to SGD twice and silently train on nothing; we remember what an iterator
# held, keyed by the object itself (kept alive here so that its id stays unique).
_SEEN_ITERATORS: collections.OrderedDict[int, tuple[Any, list]] = collections.OrderedDict()
_MAX_SEEN = 8


def as_list(data: Any, name: str) -> list:
    """The examples of ``data`` as a list, reading an iterator only once."""
    if isinstance(data, list):
        return data
    if isinstance(data, (tuple, Sequence)) and not isinstance(data, (str, bytes)):
        return list(data)
    if isinstance(data, np.ndarray):
        raise TypeError(
            f"{name} must be a list of (x, y) pairs, got a NumPy array of shape {data.shape}; "
            f"use mnist_loader.load_data_wrapper() or list(zip(inputs, labels))"
        )
    if not isinstance(data, Iterable):
        raise TypeError(f"{name} must be a list of (x, y) pairs, got {type(data).__name__}")
    seen = _SEEN_ITERATORS.get(id(data))
    if seen is not None and seen[0] is data:
        _SEEN_ITERATORS.move_to_end(id(data))
        return seen[1]
    items = list(data)
    _SEEN_ITERATORS[id(data)] = (data, items)
    while len(_SEEN_ITERATORS) > _MAX_SEEN:
        _SEEN_ITERATORS.popitem(last=False)
    return items


def to_matrices(
    data: list, name: str, n_in: int, n_out: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Stack ``[(x, y), ...]`` into ``X (n, n_in)`` and ``Y``.

    ``Y`` is one-hot ``(n, n_out)`` when the labels are vectors (the training data of
    ``load_data_wrapper``), otherwise integer labels ``(n,)``; the flag says which.
    """
    n = len(data)
    if n == 0:
        raise ValueError(
            f"{name} is empty: an exhausted zip or generator? Pass a list, "
            f"e.g. list(zip(inputs, labels))"
        )
    fast = _stack_fast(data, n_in, n_out, dtype)
    if fast is not None:
        return fast
    # The careful way, example by example, to name the first one that does not fit.
    X = np.empty((n, n_in), dtype=dtype)
    first = data[0]
    if not isinstance(first, (tuple, list)) or len(first) != 2:
        raise TypeError(f"{name}[0] must be a pair (x, y), got {type(first).__name__}")
    y0 = np.asarray(first[1])
    vector_labels = y0.size > 1
    Y = np.empty((n, n_out), dtype=dtype) if vector_labels else np.empty(n, dtype=np.int64)
    for i, pair in enumerate(data):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}[{i}] must be a pair (x, y), got {type(pair).__name__}"
            ) from None
        x = np.asarray(x)
        if x.size != n_in or (x.ndim == 2 and x.shape[1] != 1) or x.ndim > 2:
            raise ValueError(
                f"{name}[{i}]: expected an input column of shape ({n_in}, 1), got shape {x.shape}"
            )
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name}[{i}]: the input must be numeric, got dtype {x.dtype}")
        X[i] = x.reshape(n_in)
        y = np.asarray(y)
        if vector_labels:
            if y.size != n_out:
                raise ValueError(
                    f"{name}[{i}]: expected a label vector of shape ({n_out}, 1), "
                    f"got shape {y.shape}"
                )
            Y[i] = y.reshape(n_out)
        else:
            if y.size != 1 or y.dtype.kind not in "biu":
                raise ValueError(
                    f"{name}[{i}]: expected an integer label 0..{n_out - 1} (like the first "
                    f"example's), got {y!r}"
                )
            Y[i] = int(y.reshape(()))
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite inputs")
    if vector_labels:
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{name} contains NaN or infinite labels")
    elif Y.min() < 0 or Y.max() >= n_out:
        bad = np.unique(Y[(Y < 0) | (Y >= n_out)])[:5].tolist()
        raise ValueError(
            f"{name}: labels {bad} do not fit an output layer of {n_out} neurons "
            f"(expected 0..{n_out - 1})"
        )
    return X, Y, vector_labels


def _stack_fast(
    data: list, n_in: int, n_out: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """Stack well-formed data in a few C loops; ``None`` when anything looks unusual.

    The inputs that ``mnist_loader`` makes are views of the rows of one array: then
    ``X`` is that array's rows, in the list's order (no copy when the order is the
    array's), and keeps its float dtype; the engine converts each part it trains on.
    """
    try:
        xs, ys = zip(*data)
        X = _rows_of_one_array(xs, n_in)
        if X is None:
            X = np.array(xs)
        Y = np.array(ys)
    except (TypeError, ValueError):
        return None
    n = len(data)
    if X.dtype.kind not in "fiu" or X.shape not in ((n, n_in, 1), (n, n_in)):
        return None
    X = X.reshape(n, n_in)
    if X.dtype.kind != "f" or X.dtype.itemsize > np.dtype(dtype).itemsize:
        X = X.astype(dtype)
    if not np.all(np.isfinite(X)):
        return None
    if Y.shape in ((n, n_out, 1), (n, n_out)) and n_out > 1 and Y.dtype.kind in "fiu":
        Y = Y.reshape(n, n_out).astype(dtype, copy=False)
        return (X, Y, True) if np.all(np.isfinite(Y)) else None
    if Y.shape == (n,) and Y.dtype.kind in "iu" and Y.size and 0 <= Y.min() and Y.max() < n_out:
        return X, Y.astype(np.int64, copy=False), False
    return None


def _rows_of_one_array(xs: tuple[Any, ...], n_in: int) -> np.ndarray | None:
    """``xs`` as one ``(n, n_in)`` matrix without stacking them, when every ``x`` is a
    contiguous view of a whole row of one C-contiguous 2-D float array: that array, or
    its rows in the order of ``xs``; ``None`` for anything else (then they are stacked).
    """
    base = getattr(xs[0], "base", None)
    if not (
        isinstance(base, np.ndarray)
        and base.ndim == 2
        and base.shape[1] == n_in
        and base.dtype.kind == "f"
        and base.flags.c_contiguous
    ):
        return None
    for x in xs:
        if getattr(x, "base", None) is not base or x.size != n_in or not x.flags.c_contiguous:
            return None
    offsets = np.fromiter((x.ctypes.data for x in xs), np.intp, len(xs)) - base.ctypes.data
    rows, rest = np.divmod(offsets, base.strides[0])
    if rest.any() or rows.min() < 0 or rows.max() >= base.shape[0]:
        return None
    in_order = len(xs) == base.shape[0] and np.array_equal(rows, np.arange(len(xs)))
    return base if in_order else base[rows]


class LayerList(list):
    """The book's ``net.weights`` / ``net.biases``: a list whose items write through.

    ``net.weights[0] = w`` copies ``w`` into the engine's kernel, as the book's readers
    expect when they set weights by hand.
    """

    def __init__(self, items: Iterable[np.ndarray], name: str) -> None:
        super().__init__(items)
        self._name = name

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError(f"assign {self._name} one layer at a time, or the whole list")
        target = self[index]
        value = np.asarray(value, dtype=float)
        if value.shape != target.shape:
            raise ValueError(
                f"{self._name}[{index}]: expected shape {target.shape}, got {value.shape}"
            )
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{self._name}[{index}] contains NaN or infinite values")
        target[...] = value

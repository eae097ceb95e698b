"""Checking what users hand to a model: inputs, targets, example weights, weight arrays.

Every check raises an error that names what was wrong and what is accepted; nothing
here changes the model. ``Sequential`` calls these from ``fit``, ``evaluate``,
``predict``, ``train_on_batch`` and ``set_weights``.

Weights follow Keras: ``sample_weight`` gives each example's loss a factor (the
objective of a batch of ``n`` is ``sum_i w_i loss_i / n`` with ``reduction="mean"``,
Keras' ``"sum_over_batch_size"``); ``class_weight`` maps a class to a factor for its
examples (classes it does not name keep 1.0); given both, the factors multiply (Keras 2;
Keras 3 refuses the pair).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .checks import number

__all__ = [
    "bad_targets",
    "class_weights",
    "float_array",
    "numeric",
    "sample_weights",
    "split_off",
    "validation_set",
    "weight_arrays",
]

Shape = tuple[int, ...]


def float_array(x: Any, name: str, dtype: np.dtype, shape: Shape | None) -> np.ndarray:
    """``x`` checked (numbers, ``(n, *shape)``, finite) and converted to ``dtype``."""
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf" or arr.size == 0 or arr.shape[1:] != (shape or arr.shape[1:]):
        arr = _numeric_or_raise(arr, name, shape)
    if arr.ndim < 2:
        raise _bad_inputs(arr, name, shape)
    with np.errstate(over="ignore"):  # a value beyond float32's range: reported below
        converted = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(converted).all():
        raise _not_finite(arr, converted, name)
    return converted


def numeric(arr: np.ndarray) -> np.ndarray:
    """An object array whose every value is a real number or a boolean, as ``float64``
    (``np.asarray`` of a pandas table with float and bool columns, which
    ``pd.get_dummies`` makes, is such an array); any other array as it is. Strings are
    not numbers here, even ``"1.5"``."""
    if arr.dtype.kind != "O" or arr.size == 0:
        return arr
    real = (numbers.Real, np.bool_)
    if not all(isinstance(v, real) and not isinstance(v, str) for v in arr.flat):
        return arr
    return arr.astype(np.float64)


def _numeric_or_raise(arr: np.ndarray, name: str, shape: Shape | None) -> np.ndarray:
    """An object table of numbers and booleans (pandas' ``get_dummies`` makes them) as
    ``float64``; for any other array that failed the checks, the error saying why."""
    converted = numeric(arr)
    if converted is arr or converted.shape[1:] != (shape or converted.shape[1:]):
        raise _bad_inputs(converted, name, shape)  # (numbers: the shape is what is wrong)
    return converted


def _bad_inputs(arr: np.ndarray, name: str, shape: Shape | None) -> Exception:
    if arr.dtype.kind == "O" and arr.size:
        odd = next(v for v in arr.flat if not isinstance(v, (numbers.Real, np.bool_)))
        return TypeError(
            f"{name} must be numeric, got an object array holding {odd!r} "
            f"({type(odd).__name__}); convert or drop that column (df.astype('float32'))"
        )
    if arr.dtype.kind not in "biuf":
        return TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    wanted = 1 + len(shape) if shape else 2
    if arr.ndim != wanted or arr.ndim < 2:
        example = ", ".join(map(str, shape)) if shape else "n_features"
        hint = " (use x.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
        return ValueError(
            f"expected {wanted}-D {name} (n_samples, {example}), got shape {arr.shape}{hint}"
        )
    if arr.size == 0:
        return ValueError(f"{name} is empty: shape {arr.shape}")
    if len(arr.shape) == 2:
        return ValueError(f"{name} has {arr.shape[1]} features but the model expects {shape[0]}")  # type: ignore[index]
    return ValueError(f"{name} has examples of shape {arr.shape[1:]} but the model expects {shape}")


def _not_finite(arr: np.ndarray, converted: np.ndarray, name: str) -> Exception:
    if arr.dtype.kind == "f" and np.isfinite(arr).all():
        limit = np.finfo(converted.dtype).max
        return ValueError(
            f"{name} has values beyond {converted.dtype}'s range (|x| > {limit:.3g}); "
            f"use dtype='float64' or rescale the inputs"
        )
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    return ValueError(f"{name} contains {bad} NaN or infinite value(s)")


def bad_targets(given: Any, y: np.ndarray, n: int) -> Exception:
    """Why targets ``y`` (from ``given``) do not go with ``n`` inputs."""
    if y.ndim == 0:
        return ValueError(f"y must be an array of targets, got a scalar {given!r}")
    if len(y) != n:
        return ValueError(f"x and y have different numbers of samples: {n} and {len(y)}")
    if y.dtype.kind not in "biuf":
        return TypeError(f"y must be numeric, got dtype {y.dtype}")
    return ValueError("y contains NaN or infinite values")


def weight_arrays(weights: Sequence[Any], params: Mapping[str, Any]) -> list[np.ndarray]:
    """``weights`` as NumPy arrays, checked against the model's ``params`` (dotted name:
    array): as many, each of its parameter's shape, numeric and finite."""
    if len(weights) != len(params):
        raise ValueError(f"expected {len(params)} weight arrays, got {len(weights)}")
    checked = []
    for (key, p), w in zip(params.items(), weights):
        w = np.asarray(w)
        if w.shape != p.shape:
            raise ValueError(f"weight {key}: expected shape {p.shape}, got {w.shape}")
        if w.dtype.kind not in "biuf":
            raise TypeError(f"weight {key} must be numeric, got dtype {w.dtype}")
        if not np.all(np.isfinite(w)):
            raise ValueError(f"weight {key} contains NaN or infinite values")
        checked.append(w)
    return checked


def sample_weights(
    targets: np.ndarray, sample_weight: Any, class_weight: Any, dtype: np.dtype
) -> np.ndarray | None:
    """One weight per example from ``sample_weight`` and ``class_weight`` (either may be
    ``None``; both ``None`` gives ``None``, the unweighted case)."""
    if sample_weight is None and class_weight is None:
        return None
    weights = None if sample_weight is None else checked_sample_weight(sample_weight, len(targets))
    if class_weight is not None:
        factors = class_weights(targets, class_weight)
        weights = factors if weights is None else weights * factors
    return np.asarray(weights, dtype=dtype)


def checked_sample_weight(sample_weight: Any, n: int, name: str = "sample_weight") -> np.ndarray:
    """``sample_weight`` as a float64 array of ``n`` finite, non-negative numbers (shape
    ``(n,)`` or ``(n, 1)``)."""
    try:
        w = np.asarray(sample_weight)
    except ValueError as exc:
        raise ValueError(f"{name} must be an array of numbers: {exc}") from None
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {w.dtype}")
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,), got shape {w.shape}")
    if len(w) != n:
        raise ValueError(f"{name} has {len(w)} values for {n} samples")
    w = w.astype(np.float64)
    if not np.isfinite(w).all():
        bad = int(np.count_nonzero(~np.isfinite(w)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    if (w < 0).any():
        first = int(np.argmax(w < 0))
        raise ValueError(f"{name} must be >= 0, got {float(w[first])!r} at index {first}")
    return w


def class_weights(targets: np.ndarray, class_weight: Any) -> np.ndarray:
    """Each example's factor from ``class_weight`` (``{class: weight}``), by the class
    of its encoded target: the column of the one-hot row, or for one output unit the
    target rounded (0 or 1). Classes not in the dict weigh 1.0.

    Raises ``TypeError`` for a non-dict or a key that is not an integer, and
    ``ValueError`` for a class the output layer does not have or a weight that is
    negative or not finite.
    """
    if not isinstance(class_weight, Mapping):
        raise TypeError(
            f"class_weight must be a dict {{class: weight}}, got {type(class_weight).__name__}"
        )
    n_classes = max(targets.shape[1], 2)
    table = np.ones(n_classes)
    for key, value in class_weight.items():
        if not isinstance(key, numbers.Integral) or isinstance(key, bool):
            raise TypeError(f"class_weight keys must be integer classes, got {key!r}")
        if not 0 <= key < n_classes:
            raise ValueError(
                f"class_weight names class {key}, but the output layer has {n_classes} "
                f"classes (0..{n_classes - 1})"
            )
        table[key] = number(f"class_weight[{key}]", value, low=0)
    if targets.shape[1] > 1:
        classes = targets.argmax(axis=1)
    else:
        classes = np.clip(np.round(targets[:, 0]), 0, n_classes - 1).astype(np.intp)
    return table[classes]


def validation_set(
    data: Any, check: Any, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``validation_data``: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``,
    checked by ``check(x, y)`` (the model's ``check_data``)."""
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        raise ValueError(
            "validation_data must be a pair (x_val, y_val) or a triple "
            "(x_val, y_val, sample_weight_val)"
        )
    x, targets = check(data[0], data[1])
    if len(data) == 2 or data[2] is None:
        return x, targets, None
    weights = checked_sample_weight(data[2], len(x), "validation sample_weight")
    return x, targets, weights.astype(dtype)


def split_off(
    arrays: Sequence[np.ndarray | None], fraction: float
) -> tuple[list[np.ndarray | None], list[np.ndarray | None]]:
    """Keras' ``validation_split``: the last ``fraction`` of every array held out (before
    any shuffling). ``None`` entries (no weights) stay ``None`` on both sides."""
    fraction = number("validation_split", fraction, 0, 1, low_open=True, high_open=True)
    n = len(arrays[0])  # type: ignore[arg-type]
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(f"validation_split={fraction} leaves no data on one side of {n} samples")
    cut = n - n_val
    train = [None if a is None else a[:cut] for a in arrays]
    held_out = [None if a is None else a[cut:] for a in arrays]
    return train, held_out

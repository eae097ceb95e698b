"""Weight constraints, with Keras' names, formulas and defaults.

A constraint is applied to a weight after every optimizer update, ``w <- c(w)``, in place
(Keras does the same): the step is taken freely, then the weight is put back into its
allowed set. Give one to a layer, ``Dense(64, kernel_constraint=max_norm(3))``.

Norms are taken along ``axis`` (default 0): for a dense kernel ``(fan_in, units)`` that is
each unit's vector of incoming weights; for a convolution kernel ``(kh, kw, c_in,
filters)`` use ``axis=(0, 1, 2)`` for each filter. ``eps = 1e-7`` (Keras' epsilon) keeps
the division finite::

    max_norm(m)              w * clip(|w|, 0, m) / (eps + |w|)
    non_neg()                max(w, 0)
    unit_norm()              w / (eps + |w|)
    min_max_norm(lo, hi, r)  w * (r clip(|w|, lo, hi) + (1 - r) |w|) / (eps + |w|)

Max-norm is the constraint of the dropout paper (Srivastava et al., 2014), used with
``max_value`` 3 or 4.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .checks import lookup, number
from .config import constructor_config, constructor_repr, named_config

__all__ = [
    "CONSTRAINTS",
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "unit_norm",
]

EPSILON = 1e-7

Axis = int | tuple[int, ...]


class Constraint:
    """Base class: ``constraint(w)`` returns the constrained weight (a new array).

    ``name`` is the key in :data:`CONSTRAINTS`; ``get_config()`` returns
    ``{"name": ..., <arguments>}``, which :func:`get` accepts back (for saving).
    """

    name = ""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _arguments(self, skip_missing: bool = False) -> dict[str, Any]:
        """The constructor's arguments, read back (:func:`constructor_config`)."""
        return constructor_config(self, skip_missing=skip_missing)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._arguments()}

    def __repr__(self) -> str:
        return constructor_repr(self, self._arguments(skip_missing=True))


def _axis(axis: Any) -> Axis:
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if (
        isinstance(axis, (tuple, list))
        and axis
        and all(isinstance(a, numbers.Integral) for a in axis)
    ):
        return tuple(int(a) for a in axis)
    raise TypeError(f"axis must be an integer or a tuple of integers, got {axis!r}")


class _Norm(Constraint):
    """A constraint on the norms along ``axis``."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = _axis(axis)

    def norms(self, w: np.ndarray) -> np.ndarray:
        """``sqrt(sum(w**2))`` along the axis, kept for broadcasting."""
        return np.sqrt(np.sum(np.square(w), axis=self.axis, keepdims=True))

    def _arguments(self, skip_missing: bool = False) -> dict[str, Any]:
        axis = list(self.axis) if isinstance(self.axis, tuple) else self.axis  # JSON has lists
        return constructor_config(self, skip_missing=skip_missing, axis=axis)


class MaxNorm(_Norm):
    """Norms above ``max_value`` are scaled down to it; smaller ones stay (nearly) as they
    are. Keras' default ``max_value`` is 2."""

    name = "max_norm"

    def __init__(self, max_value: float = 2.0, axis: Any = 0) -> None:
        super().__init__(axis)
        self.max_value = number("max_value", max_value, low=0)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        norms = self.norms(w)
        return w * (np.clip(norms, 0.0, self.max_value) / (EPSILON + norms))


class NonNeg(Constraint):
    """Negative weights become 0."""

    name = "non_neg"

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return np.maximum(w, 0.0)


class UnitNorm(_Norm):
    """Every norm along the axis becomes 1."""

    name = "unit_norm"

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w / (EPSILON + self.norms(w))


class MinMaxNorm(_Norm):
    """Norms are moved into ``[min_value, max_value]``, by the fraction ``rate`` of the way
    per update (``rate=1.0``: at once). Keras' defaults: 0.0, 1.0, 1.0."""

    name = "min_max_norm"

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        super().__init__(axis)
        self.min_value = number("min_value", min_value, low=0)
        self.max_value = number("max_value", max_value, low=self.min_value)
        self.rate = number("rate", rate, 0, 1)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        norms = self.norms(w)
        clipped = np.clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1.0 - self.rate) * norms
        return w * (desired / (EPSILON + norms))


def max_norm(max_value: float = 2.0, axis: Any = 0) -> MaxNorm:
    """Keras' ``max_norm``: :class:`MaxNorm`."""
    return MaxNorm(max_value, axis)


def non_neg() -> NonNeg:
    """Keras' ``non_neg``: :class:`NonNeg`."""
    return NonNeg()


def unit_norm(axis: Any = 0) -> UnitNorm:
    """Keras' ``unit_norm``: :class:`UnitNorm`."""
    return UnitNorm(axis)


def min_max_norm(
    min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
) -> MinMaxNorm:
    """Keras' ``min_max_norm``: :class:`MinMaxNorm`."""
    return MinMaxNorm(min_value, max_value, rate, axis)


CONSTRAINTS: dict[str, type[Constraint]] = {
    "max_norm": MaxNorm,
    "maxnorm": MaxNorm,  # Keras 2's spellings (and the class names, lower-cased)
    "non_neg": NonNeg,
    "nonneg": NonNeg,
    "unit_norm": UnitNorm,
    "unitnorm": UnitNorm,
    "min_max_norm": MinMaxNorm,
    "minmaxnorm": MinMaxNorm,
}


def get(identifier: Constraint | dict[str, Any] | str | None) -> Constraint | None:
    """A constraint from an instance, a name (Keras' defaults), a config from
    :meth:`Constraint.get_config`, or ``None`` (no constraint)."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, dict):
        cls, arguments = named_config("constraint", identifier, CONSTRAINTS, "a Constraint")
        return cls(**arguments)
    return lookup("constraint", identifier, CONSTRAINTS, "a Constraint")()

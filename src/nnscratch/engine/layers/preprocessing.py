"""``Normalization`` and ``Rescaling``: layers that put the inputs on a good scale.

``Rescaling(1 / 255)`` turns pixel values into ``[0, 1]``: ``y = x * scale + offset``.

Gradient descent is slow on features of very different scales (the loss surface is a
long, narrow valley). Standardising each feature to mean 0 and variance 1 fixes that::

    y = (x - mean) / max(sqrt(variance), 1e-7)

``adapt(data)`` computes ``mean`` and ``variance`` from the training data (the population
variance, over every axis but the feature axis), as Keras' ``Normalization.adapt`` does;
they are non-trainable weights, so they are saved with the model and the optimizer never
touches them. The layer's gradient is the division's: ``dL/dx = dL/dy / max(sqrt(var),
1e-7)``.

>>> import numpy as np
>>> layer = Normalization()
>>> layer.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
>>> layer.mean, layer.variance
(array([ 2., 20.]), array([  1., 100.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import flag, number
from ..initializers import Constant
from ..inputs import numeric
from .base import Layer, Shape, register_layer

__all__ = ["Normalization", "Rescaling"]

#: the smallest standard deviation divided by (Keras' epsilon): a constant feature stays 0
EPSILON = 1e-7


@register_layer
class Normalization(Layer):
    """Feature-wise standardisation, ``(x - mean) / sqrt(variance)`` (Keras' layer).

    Parameters
    ----------
    axis : -1 or None, default -1
        ``-1``: one mean and variance per feature (the last axis). ``None``: one of each
        for all the values.
    mean, variance : float or array, optional
        Statistics known in advance; otherwise call :meth:`adapt` with the training data
        (without either, the layer passes its inputs through unchanged).
    invert : bool, default False
        Undo a normalisation instead: ``x * sqrt(variance) + mean``.

    Examples
    --------
    >>> Normalization(mean=[0.0, 5.0], variance=[1.0, 4.0])
    Normalization(axis=-1)
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def __init__(
        self,
        axis: int | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is not None and (isinstance(axis, bool) or axis != -1):
            raise ValueError(
                f"Normalization axis must be -1 (one mean per feature) or None (one for "
                f"all values), got {axis!r}"
            )
        if (mean is None) != (variance is None):
            raise ValueError("give Normalization both mean and variance, or neither (adapt)")
        self.axis, self.invert = axis, flag("invert", invert)
        #: the statistics given to the constructor (Keras keeps them under these names)
        self.input_mean = None if mean is None else _statistic("mean", mean).tolist()
        self.input_variance = (
            None if variance is None else _statistic("variance", variance).tolist()
        )
        if self.input_variance is not None and np.min(self.input_variance) < 0:
            raise ValueError(f"variance must be >= 0, got {variance!r}")
        given = mean is not None
        #: the statistics the weights start from: given, or from adapt() before building
        self.adapted_mean = np.asarray(self.input_mean) if given else None
        self.adapted_variance = np.asarray(self.input_variance) if given else None
        self.adapted_count = 0

    @property
    def mean(self) -> np.ndarray | None:
        """The mean the inputs are centred on (the weight, once built)."""
        return self.params["mean"] if self.built else self.adapted_mean

    @property
    def variance(self) -> np.ndarray | None:
        """The variance the inputs are scaled by (the weight, once built)."""
        return self.params["variance"] if self.built else self.adapted_variance

    def adapt(self, data: Any) -> None:
        """Learn ``mean`` and ``variance`` from ``data``, ``(n, ..., features)``: over every
        axis but the last one (over all values with ``axis=None``). On a built layer the
        weights change in place; before, they will start from these."""
        values = numeric(np.asarray(data))  # (a pandas table of floats and booleans too)
        if values.dtype.kind not in "biuf" or values.size == 0:
            raise TypeError(
                f"Normalization.adapt needs a non-empty numeric array, got "
                f"{type(data).__name__} of dtype {values.dtype} and shape {values.shape}"
            )
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise ValueError("Normalization.adapt: the data has NaN or infinite values")
        if self.axis is None:
            mean, variance, count = values.mean(), values.var(), values.size
        elif values.ndim < 2:
            raise ValueError(
                f"Normalization.adapt with axis=-1 needs (examples, features), got shape "
                f"{values.shape}; give axis=None for one feature"
            )
        else:
            axes = tuple(range(values.ndim - 1))
            mean, variance, count = values.mean(axis=axes), values.var(axis=axes), len(values)
        if self.built:
            expected = self.params["mean"].shape
            if np.shape(mean) != expected:
                raise ValueError(
                    f"Normalization was built for {expected[0] if expected else 1} "
                    f"feature(s), got data of shape {values.shape}"
                )
            xp = self.xp
            self.params["mean"][...] = xp.asarray(mean, dtype=self.params["mean"].dtype)
            self.params["variance"][...] = xp.asarray(variance, dtype=self.params["mean"].dtype)
            self.params["count"][...] = count
        self.adapted_mean, self.adapted_variance = np.asarray(mean), np.asarray(variance)
        self.adapted_count = int(count)
        if self.declared_input_shape is None:  # as in Keras, the data tells the input shape
            self.declared_input_shape = values.shape[1:] or (1,)

    def build(self, input_shape: Shape) -> None:
        shape = () if self.axis is None else (input_shape[-1],)
        if self.adapted_mean is not None and self.adapted_mean.shape not in (shape, ()):
            raise ValueError(
                f"Normalization's mean has shape {self.adapted_mean.shape}, but its inputs "
                f"(None, {', '.join(map(str, input_shape))}) have {shape[0]} feature(s)"
            )
        mean, variance = self.adapted_mean, self.adapted_variance
        # given or adapted statistics, else the identity: mean 0, variance 1
        mean = 0.0 if mean is None else mean.tolist()
        variance = 1.0 if variance is None else variance.tolist()
        self.add_weight("mean", shape, Constant(mean), trainable=False)
        self.add_weight("variance", shape, Constant(variance), trainable=False)
        self.add_weight("count", (), Constant(self.adapted_count), trainable=False)

    def _scale(self) -> Any:
        """``max(sqrt(variance), 1e-7)``: what the inputs are divided by."""
        xp = self.xp
        return xp.maximum(xp.sqrt(self.params["variance"]), EPSILON)

    def forward(self, x: Any, training: bool = False) -> Any:
        mean = self.params["mean"]
        if self.invert:
            return mean + x * self._scale()  # x * sqrt(var) + mean
        return (x - mean) / self._scale()  # (x - mean) / sqrt(var)

    def backward(self, grad: Any) -> Any:
        return grad * self._scale() if self.invert else grad / self._scale()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": self.input_mean,
            "variance": self.input_variance,
        }

    def __repr__(self) -> str:
        return f"Normalization(axis={self.axis})"


@register_layer
class Rescaling(Layer):
    """``y = x * scale + offset`` (Keras' layer): ``Rescaling(1 / 255)`` for pixels.

    Examples
    --------
    >>> Rescaling(1 / 255)
    Rescaling(scale=0.00392157, offset=0)
    """

    array_api = True  # written with plain arithmetic: runs on any array namespace

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = number("scale", scale), number("offset", offset)

    def forward(self, x: Any, training: bool = False) -> Any:
        return x * self.scale + self.offset

    def backward(self, grad: Any) -> Any:
        return grad * self.scale  # dy/dx = scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}

    def __repr__(self) -> str:
        return f"Rescaling(scale={self.scale:g}, offset={self.offset:g})"


def _statistic(name: str, value: Any) -> np.ndarray:
    values = np.asarray(value)
    if values.dtype.kind not in "iuf" or not np.isfinite(values).all() or values.ndim > 1:
        raise ValueError(f"Normalization {name} must be a number or a 1-D array, got {value!r}")
    return values.astype(np.float64)

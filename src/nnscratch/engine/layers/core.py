"""Layers without weights: ``Activation``, ``Dropout``, ``Flatten`` and ``Reshape``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import activations
from ..checks import number
from .base import Layer, Shape, _dimension, register_layer

__all__ = ["Activation", "Dropout", "Flatten", "Reshape"]


@register_layer
class Activation(Layer):
    """Applies an activation function on its own, as Keras' ``Activation("softmax")``.

    Examples
    --------
    >>> from nnscratch.layers import Activation
    >>> Activation("softmax")
    Activation('softmax')
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def __init__(self, activation: str | activations.Activation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        a = self.activation.forward(x)
        if training:
            self.a = a
        return a

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return self.activation.backward(grad, self.a)

    def backward_z(self, dz: np.ndarray) -> np.ndarray:
        """``dz`` is already dL/d(input): the loss folded the activation in."""
        return dz

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.name_of(self.activation)}

    def __repr__(self) -> str:
        return f"Activation({self.activation.name!r})"


@register_layer
class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate``.

    During training every entry is kept with probability ``1 - rate`` and the kept ones
    are scaled by ``1 / (1 - rate)``::

        mask = (u >= rate) / (1 - rate),   u ~ Uniform[0, 1)
        out  = x * mask                    dL/dx = dL/dout * mask

    so the expected output equals the input and nothing needs rescaling at prediction
    time: outside training (``predict``, ``evaluate``) the layer passes its input
    through unchanged. Dropping random units stops them from co-adapting, which
    regularises the network like training many thinned networks. Works on inputs of
    any shape (vectors, images).

    Parameters
    ----------
    rate : float
        Fraction of the inputs to drop, in ``[0, 1)``.
    seed : int, Generator or RandomState, optional
        Generator for the masks; by default the model's (from ``Sequential(seed=...)``),
        so the same seed gives the same masks.

    Examples
    --------
    >>> from nnscratch.layers import Dropout
    >>> Dropout(0.2)
    Dropout(0.2)
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def __init__(self, rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = number("Dropout rate", rate, 0, 1, high_open=True)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        # Drawn with NumPy (Generator and RandomState both have random()), then moved to
        # the device: the same seed drops the same units everywhere.
        keep = self.xp.asarray(self.rng.random(x.shape) >= self.rate)
        # mask = 1{u >= rate} / (1 - rate): kept units are scaled up, dropped ones are 0.
        self.mask = self.xp.astype(keep, x.dtype) / (1.0 - self.rate)
        return x * self.mask

    def backward(self, grad: np.ndarray) -> np.ndarray:
        # The mask is the Jacobian's diagonal; without one (rate 0) the layer is identity.
        return grad if self.mask is None else grad * self.mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rate})"


@register_layer
class Flatten(Layer):
    """Flattens each example to a vector: ``(n, H, W, C) -> (n, H * W * C)``.

    The bridge from convolutional layers to ``Dense``. The order is row-major (C
    order), as Keras' ``Flatten`` with channels-last data.
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.xp.reshape(x, (x.shape[0], -1))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return self.xp.reshape(grad, (grad.shape[0], *self.input_shape))  # type: ignore[misc]

    def __repr__(self) -> str:
        return "Flatten()"


@register_layer
class Reshape(Layer):
    """Gives each example a new shape holding the same values, in row-major order, as
    Keras' ``Reshape``: ``Reshape((28, 28, 1))`` turns ``(n, 784)`` rows into images.

    Parameters
    ----------
    target_shape : tuple of int
        The shape of one example (no batch axis). One entry may be ``-1``: the length
        that makes the number of values match.

    Examples
    --------
    >>> from nnscratch import Sequential
    >>> Sequential([Reshape((4, -1), input_shape=(8,))]).layers[0].output_shape
    (4, 2)
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        ok = isinstance(target_shape, (tuple, list)) and len(target_shape) > 0
        dims = list(target_shape) if ok else []
        if not ok or not all(_dimension(d) or d == -1 for d in dims) or dims.count(-1) > 1:
            raise ValueError(
                "target_shape must be a tuple of positive integers, one of which may be -1, "
                f"such as (28, 28, 1); got {target_shape!r}"
            )
        self.target_shape = tuple(int(d) for d in dims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        values, known = math.prod(input_shape), math.prod(d for d in self.target_shape if d > 0)
        if -1 in self.target_shape and values % known == 0:
            return tuple(values // known if d == -1 else d for d in self.target_shape)
        if known != values or -1 in self.target_shape:
            raise ValueError(
                f"{self.describe()}: an input of shape {tuple(input_shape)} holds {values} "
                f"values per example, which do not fit target_shape {self.target_shape}"
            )
        return self.target_shape

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.xp.reshape(x, (x.shape[0], *self.output_shape))  # type: ignore[misc]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return self.xp.reshape(grad, (grad.shape[0], *self.input_shape))  # type: ignore[misc]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}

    def __repr__(self) -> str:
        return f"Reshape({self.target_shape})"

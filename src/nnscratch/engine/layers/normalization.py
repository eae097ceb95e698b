"""``BatchNormalization``: normalise each channel over the batch, then scale and shift.

Ioffe and Szegedy (2015) noticed that a layer trains more easily when its inputs keep a
steady scale. Batch normalization enforces one: for every channel ``c`` (the last axis,
the features of a Dense output or the channels of a ``(n, H, W, C)`` image) it takes the
mean and variance over every other axis of the batch, here ``m`` numbers per channel::

    mu     = mean of x over the m values          var = mean of (x - mu)**2   (biased, /m)
    inv    = 1 / sqrt(var + epsilon)
    x_hat  = (x - mu) * inv                       zero mean, unit variance per channel
    y      = gamma * x_hat + beta                 gamma, beta: learned, one per channel

so the next layer sees inputs of the scale ``gamma`` and offset ``beta`` that training
chose. A prediction must not depend on the other examples of its batch, so the layer also
keeps running averages of the statistics (Keras' rule, with ``momentum`` 0.99)::

    moving_mean     <- moving_mean * momentum     + mu  * (1 - momentum)
    moving_variance <- moving_variance * momentum + var * (1 - momentum)

updated on every forward pass in training mode, and uses them outside training
(``predict``, ``evaluate``): ``y = gamma * (x - moving_mean) / sqrt(moving_variance +
epsilon) + beta``. The moving statistics are weights with ``trainable=False``: saved and
loaded with the model, counted as non-trainable in ``summary()``, never given to the
optimizer.

Backpropagation goes through the batch statistics too, since ``mu`` and ``var`` depend on
every ``x``. With ``g = dL/dy`` and ``d = g * gamma = dL/dx_hat``, summing over the ``m``
values of a channel::

    dL/dbeta  = sum of g                   dL/dgamma = sum of g * x_hat
    dL/dx     = inv * (d - mean(d) - x_hat * mean(d * x_hat))

The two means are what the batch statistics add: without them this would be the
gradient of a fixed affine map. (Derivation: Ioffe and Szegedy's section 3, or
``dL/dvar`` and ``dL/dmu`` by the chain rule, then collect terms.)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from ..checks import flag, number
from .base import Layer, Shape, register_layer
from .settings import resolve_settings

__all__ = ["BatchNormalization"]


@register_layer
class BatchNormalization(Layer):
    """Batch normalization of the last axis, as Keras 3's ``BatchNormalization``.

    In training (``fit``, ``train_on_batch``) the layer normalises with the batch's own
    mean and (biased) variance and updates its moving averages; outside training it
    normalises with the moving averages. Works on inputs of any rank: after ``Dense``,
    ``(n, features)``; after ``Conv2D``, ``(n, height, width, channels)``, with the
    statistics over the batch and both image axes.

    Parameters
    ----------
    axis : int, default -1
        The axis that is normalised, counted as Keras does (the batch axis is 0). Only
        the last axis is supported: ``-1``, or its positive index (``1`` for Dense
        outputs, ``3`` for images).
    momentum : float, default 0.99
        In ``[0, 1]``: the weight of the old moving average at each update. (PyTorch's
        ``momentum`` is ``1 - momentum``.)
    epsilon : float, default 1e-3
        Added to the variance before the square root, > 0.
    center : bool, default True
        Add the learned offset ``beta``; ``False`` leaves it out.
    scale : bool, default True
        Multiply by the learned ``gamma``; ``False`` leaves it out (when the next layer
        is linear it can do the scaling itself).
    beta_initializer, gamma_initializer : str or callable, default "zeros", "ones"
    moving_mean_initializer, moving_variance_initializer : str or callable, default
        "zeros", "ones"
    beta_regularizer, gamma_regularizer : Regularizer, optional
    beta_constraint, gamma_constraint : Constraint, optional
        Applied to the weight after every update.
    **kwargs
        ``name``, ``input_shape`` (for the first layer), ``seed``,
        ``activity_regularizer``: see :class:`~nnscratch.engine.layers.base.Layer`.

    Examples
    --------
    >>> from nnscratch.layers import BatchNormalization
    >>> BatchNormalization(momentum=0.9)
    BatchNormalization(momentum=0.9, epsilon=0.001)
    """

    beta_constraint: constraints.Constraint | None = None
    gamma_constraint: constraints.Constraint | None = None

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: regularizers.Regularizer | str | dict | None = None,
        gamma_regularizer: regularizers.Regularizer | str | dict | None = None,
        beta_constraint: constraints.Constraint | str | dict | None = None,
        gamma_constraint: constraints.Constraint | str | dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise TypeError(f"BatchNormalization axis must be an integer, got {axis!r}")
        self.axis = int(axis)
        self.momentum = number("BatchNormalization momentum", momentum, 0, 1)
        self.epsilon = number("BatchNormalization epsilon", epsilon, 0, low_open=True)
        self.center = flag("center", center)
        self.scale = flag("scale", scale)
        resolve_settings(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        resolve_settings(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape: Shape) -> None:
        if self.axis not in (-1, len(input_shape)):
            raise ValueError(
                f"BatchNormalization(axis={self.axis}) on inputs of shape (None, "
                f"{', '.join(map(str, input_shape))}): only the last axis can be normalised "
                f"here, axis=-1 (or {len(input_shape)}); for channels-first data, transpose "
                f"it to channels-last"
            )
        shape = (input_shape[-1],)
        if self.scale:
            init, reg, c = self.gamma_initializer, self.gamma_regularizer, self.gamma_constraint
            self.gamma = self.add_weight("gamma", shape, init, reg, constraint=c)
        if self.center:
            init, reg, c = self.beta_initializer, self.beta_regularizer, self.beta_constraint
            self.beta = self.add_weight("beta", shape, init, reg, constraint=c)
        init = self.moving_mean_initializer
        self.moving_mean = self.add_weight("moving_mean", shape, init, trainable=False)
        init = self.moving_variance_initializer
        self.moving_variance = self.add_weight("moving_variance", shape, init, trainable=False)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            axes = tuple(range(x.ndim - 1))  # every axis but the channels
            mean = x.mean(axis=axes)  # mu
            centred = x - mean
            var = np.mean(centred * centred, axis=axes)  # biased: divided by m, as Keras
            m = self.momentum  # the moving averages, in place (the arrays stay the same)
            self.moving_mean[...] = self.moving_mean * m + mean * (1.0 - m)
            self.moving_variance[...] = self.moving_variance * m + var * (1.0 - m)
        else:
            centred, var = x - self.moving_mean, self.moving_variance
        inv = 1.0 / np.sqrt(var + self.epsilon)  # 1 / sqrt(var + epsilon), per channel
        x_hat = centred * inv
        if training:
            self.x_hat, self.inv = x_hat, inv
        y = x_hat * self.gamma if self.scale else x_hat
        return y + self.beta if self.center else y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        axes = tuple(range(grad.ndim - 1))
        x_hat = self.x_hat
        if self.center:
            self.grads["beta"] = grad.sum(axis=axes)  # dL/dbeta = sum of g
        if self.scale:
            self.grads["gamma"] = (grad * x_hat).sum(axis=axes)  # dL/dgamma = sum g x_hat
            grad = grad * self.gamma  # d = dL/dx_hat
        # dL/dx = inv * (d - mean(d) - x_hat * mean(d * x_hat))
        mean_d = grad.mean(axis=axes)
        mean_dx = (grad * x_hat).mean(axis=axes)
        return self.inv * (grad - mean_d - x_hat * mean_dx)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "axis": self.axis}
        config |= {"momentum": self.momentum, "epsilon": self.epsilon}
        config |= {"center": self.center, "scale": self.scale}
        for key in ("beta", "gamma", "moving_mean", "moving_variance"):
            kept = initializers.serialize(getattr(self, f"{key}_initializer"))
            if kept is not None:  # a function of your own: the saved weights stand for it
                config[f"{key}_initializer"] = kept
        for key in ("beta", "gamma"):
            reg = getattr(self, f"{key}_regularizer")
            config[f"{key}_regularizer"] = None if reg is None else reg.get_config()
            bound = getattr(self, f"{key}_constraint")
            if bound is not None:
                config[f"{key}_constraint"] = bound.get_config()
        return config

    def __repr__(self) -> str:
        return f"BatchNormalization(momentum={self.momentum:g}, epsilon={self.epsilon:g})"

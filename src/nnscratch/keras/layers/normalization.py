"""``from nnscratch.keras.layers import BatchNormalization`` (Keras 2's
``keras.layers.normalization``).

The engine's :class:`~nnscratch.engine.layers.normalization.BatchNormalization` with the
calls of :class:`~.core.KerasLayer` (``BatchNormalization()(x)`` on a placeholder,
``get_weights()`` as ``[gamma, beta, moving_mean, moving_variance]``) and Keras 1's
``beta_init=`` and ``gamma_init=`` (with a ``DeprecationWarning``).

As in Keras 3, ``trainable = False`` also puts the layer in inference mode during
``fit``: it normalises with its moving statistics and leaves them as they are, so
fine-tuning the layers after a frozen one does not move its statistics. The input
gradient is then ``grad * gamma / sqrt(moving_variance + epsilon)``: the statistics are
constants, so none of the batch terms of the training-mode gradient appear.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...engine import layers as engine_layers
from ...engine.layers import register_layer
from .._renames import renamed
from .core import KerasLayer

__all__ = ["BatchNormalization"]


@register_layer(name="BatchNormalization")
class BatchNormalization(KerasLayer, engine_layers.BatchNormalization):
    """``nnscratch.layers.BatchNormalization``, also taking Keras 1's ``beta_init`` and
    ``gamma_init``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        renames = {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"}
        super().__init__(*args, **renamed("BatchNormalization", kwargs, renames))

    #: in a frozen layer's training pass, 1 / sqrt(moving_variance + epsilon) for backward
    frozen_inv: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        frozen = training and not self.trainable
        self.frozen_inv = (
            1.0 / self.xp.sqrt(self.moving_variance + self.epsilon) if frozen else None
        )
        return super().forward(x, training=training and not frozen)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        if self.frozen_inv is None:
            return super().backward(grad)
        grad = grad * self.gamma if self.scale else grad  # dL/dx_hat
        return grad * self.frozen_inv  # x_hat = (x - moving_mean) * frozen_inv

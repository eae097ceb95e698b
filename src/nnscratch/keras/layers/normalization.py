"""``from nnscratch.keras.layers import BatchNormalization`` (Keras 2's
``keras.layers.normalization``).

The engine's :class:`~nnscratch.engine.layers.normalization.BatchNormalization` with the
calls of :class:`~.core.KerasLayer` (``BatchNormalization()(x)`` on a placeholder,
``get_weights()`` as ``[gamma, beta, moving_mean, moving_variance]``) and Keras 1's
``beta_init=`` and ``gamma_init=`` (with a ``DeprecationWarning``).
"""

from __future__ import annotations

from typing import Any

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

"""``from nnscratch.keras.layers.core import Dense, Activation, Dropout, Flatten``.

The module path of Keras 1 and 2 (``keras.layers.core``) that older tutorials import
from. The classes are the engine's layers, taking Keras 1's argument names too (with a
``DeprecationWarning`` naming the new one: see :mod:`nnscratch.keras._renames`). A model
saved with them loads as the engine's layers, which are the same but for the old names.
"""

from __future__ import annotations

from typing import Any

from ...engine import layers as engine_layers
from ...engine.layers import Activation, Flatten, Layer, register_layer
from .._renames import renamed

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Layer"]


@register_layer(name="Dense")
class Dense(engine_layers.Dense):
    """``nnscratch.layers.Dense``, also taking Keras 1's ``output_dim``, ``init``,
    ``W_regularizer``, ``b_regularizer`` and ``bias``."""

    def __init__(self, units: int | None = None, activation: Any = None, **kwargs: Any) -> None:
        kwargs = renamed(
            "Dense",
            {"units": units, **kwargs} if units is not None else kwargs,
            {
                "output_dim": "units",
                "init": "kernel_initializer",
                "W_regularizer": "kernel_regularizer",
                "b_regularizer": "bias_regularizer",
                "bias": "use_bias",
            },
        )
        if "units" not in kwargs:
            raise TypeError("Dense() needs the number of units: Dense(units) such as Dense(3)")
        super().__init__(activation=activation, **kwargs)


@register_layer(name="Dropout")
class Dropout(engine_layers.Dropout):
    """``nnscratch.layers.Dropout``, also taking Keras 1's ``p``."""

    def __init__(self, rate: float | None = None, **kwargs: Any) -> None:
        kwargs = renamed(
            "Dropout", {"rate": rate, **kwargs} if rate is not None else kwargs, {"p": "rate"}
        )
        if "rate" not in kwargs:
            raise TypeError("Dropout() needs the rate: Dropout(rate) such as Dropout(0.5)")
        super().__init__(**kwargs)

"""``from nnscratch.keras.layers.core import Dense, Activation, Dropout, Flatten``.

The module path of Keras 1 and 2 (``keras.layers.core``) that older tutorials import
from. The classes are the engine's layers with what Keras layers do beyond the engine's
contract (:class:`KerasLayer`):

* ``layer(placeholder)``, the functional style (``Dense(64)(inputs)``, see
  :mod:`nnscratch.keras.functional`);
* ``layer.get_weights()`` / ``layer.set_weights(weights)``, the weights as a list of
  arrays in the order the layer declares them (``[kernel, bias]`` for ``Dense``);
* Keras 1's argument names, with a ``DeprecationWarning`` naming the new one (see
  :mod:`nnscratch.keras._renames`).

A model saved with them loads as the engine's layers, which compute the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...engine import layers as engine_layers
from ...engine.layers import Layer, register_layer
from .._renames import renamed

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "KerasLayer", "Layer"]

_CHAIN = "a layer is called on one placeholder from keras.Input (a single chain of layers)"


class KerasLayer:
    """Mixin for :class:`~nnscratch.engine.layers.Layer` subclasses: Keras' calls."""

    params: dict[str, np.ndarray]

    def __call__(self, inputs: Any) -> Any:
        """``Dense(64)(inputs)``: the placeholder of this layer's output."""
        apply = getattr(inputs, "apply_layer", None)
        if apply is not None:
            return apply(self)
        if isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"calling a layer on {len(inputs)} inputs (a merge or a skip connection) is "
                f"not supported: {_CHAIN}"
            )
        raise TypeError(
            f"calling a layer on {type(inputs).__name__} is not supported: {_CHAIN}; to "
            f"compute outputs, put the layer in a model and call model.predict(x)"
        )

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in declaration order (``[]`` before the layer is built)."""
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights (the order and shapes of :meth:`get_weights`), in place.

        Every array is checked (count, shape, numbers, finite) before any is written.
        """
        if len(weights) != len(self.params):
            raise ValueError(
                f"{self.describe()} has {len(self.params)} weight arrays "  # type: ignore[attr-defined]
                f"({', '.join(self.params) or 'none yet'}), got {len(weights)}"
            )
        checked = []
        for (key, p), w in zip(self.params.items(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"weight {key}: expected shape {p.shape}, got {w.shape}")
            if w.dtype.kind not in "biuf" or not np.all(np.isfinite(w)):
                raise ValueError(f"weight {key} must hold finite numbers (dtype {w.dtype})")
            checked.append(w)
        for p, w in zip(self.params.values(), checked):
            p[...] = w


@register_layer(name="Dense")
class Dense(KerasLayer, engine_layers.Dense):
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
class Dropout(KerasLayer, engine_layers.Dropout):
    """``nnscratch.layers.Dropout``, also taking Keras 1's ``p``."""

    def __init__(self, rate: float | None = None, **kwargs: Any) -> None:
        kwargs = renamed(
            "Dropout", {"rate": rate, **kwargs} if rate is not None else kwargs, {"p": "rate"}
        )
        if "rate" not in kwargs:
            raise TypeError("Dropout() needs the rate: Dropout(rate) such as Dropout(0.5)")
        super().__init__(**kwargs)


@register_layer(name="Activation")
class Activation(KerasLayer, engine_layers.Activation):
    """``nnscratch.layers.Activation``, callable on a placeholder."""


@register_layer(name="Flatten")
class Flatten(KerasLayer, engine_layers.Flatten):
    """``nnscratch.layers.Flatten``, callable on a placeholder."""

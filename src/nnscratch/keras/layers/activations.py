"""``from nnscratch.keras.layers import LeakyReLU, ReLU, ELU, Softmax`` (Keras' activation
layers, Keras 2's ``keras.layers.advanced_activations``).

Each is an :class:`~.core.Activation` layer of the engine's activation with that
setting, so a model holding one computes, saves and loads as with
``Activation({"name": "leaky_relu", "negative_slope": 0.3})``; the summary names it
``activation (Activation)``. What the engine's activations cannot compute is refused
when the layer is made: ``ReLU(max_value=, negative_slope=, threshold=)`` and a softmax
over another axis than the last.

================================  ==========================================
Keras                             here
================================  ==========================================
``LeakyReLU(negative_slope=0.3)``  ``max(x, negative_slope * x)``; Keras 2's
                                  ``alpha=`` with a ``DeprecationWarning``
``ReLU()``                        ``max(x, 0)``
``ELU(alpha=1.0)``                ``x`` for ``x > 0``, else ``alpha * (e**x - 1)``
``Softmax(axis=-1)``              the softmax over the last axis
================================  ==========================================
"""

from __future__ import annotations

from typing import Any

from ...engine.checks import number
from .._refusals import unsupported
from .._renames import renamed
from .core import Activation

__all__ = ["ELU", "LeakyReLU", "ReLU", "Softmax"]


def LeakyReLU(negative_slope: float | None = None, **kwargs: Any) -> Activation:
    """Keras' ``LeakyReLU`` layer (default slope 0.3, Keras' own default)."""
    given = renamed(
        "LeakyReLU",
        {"negative_slope": negative_slope, **kwargs} if negative_slope is not None else kwargs,
        {"alpha": "negative_slope"},
    )
    slope = number("negative_slope", given.pop("negative_slope", 0.3), low=0)
    return Activation({"name": "leaky_relu", "negative_slope": slope}, **given)


def ReLU(
    max_value: float | None = None,
    negative_slope: float = 0.0,
    threshold: float = 0.0,
    **kwargs: Any,
) -> Activation:
    """Keras' ``ReLU`` layer with its defaults (no cap, no slope, threshold 0)."""
    if max_value is not None or negative_slope != 0.0 or threshold != 0.0:
        raise ValueError(
            f"ReLU(max_value={max_value!r}, negative_slope={negative_slope!r}, "
            f"threshold={threshold!r}) is not supported: only max(x, 0); for a slope use "
            f"LeakyReLU(negative_slope=...)"
        )
    return Activation("relu", **kwargs)


def ELU(alpha: float = 1.0, **kwargs: Any) -> Activation:
    """Keras' ``ELU`` layer."""
    return Activation({"name": "elu", "alpha": number("alpha", alpha)}, **kwargs)


def Softmax(axis: int = -1, **kwargs: Any) -> Activation:
    """Keras' ``Softmax`` layer over the last axis."""
    if axis != -1:
        raise unsupported("Softmax", "axis", axis, "the softmax is over the last axis (axis=-1)")
    return Activation("softmax", **kwargs)

"""``from nnscratch.keras import activations``: Keras' activation functions.

Keras code passes them to layers, or calls them on arrays::

    Dense(64, activation=keras.activations.relu)    # the same as activation="relu"
    keras.activations.softmax(np.array([[1.0, 2.0]]))

Each function computes the engine's activation of the same name
(:mod:`nnscratch.engine.activations`) on a NumPy array. Given to a
``nnscratch.keras.layers`` class, a function is that activation by name, so the model
saves and loads as with ``activation="relu"``. ``leaky_relu`` and ``elu`` take their
argument (``negative_slope``, ``alpha``) when called on arrays; as a layer's activation
they use Keras' default (give ``activation={"name": "leaky_relu", "negative_slope": 0.1}``
for another slope).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import activations as engine_activations
from ..engine.checks import lookup

__all__ = [
    "elu",
    "get",
    "leaky_relu",
    "linear",
    "relu",
    "selu",
    "serialize",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]

#: this module's functions by name (``get`` and the layers look them up here)
FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {}


def _function(name: str) -> Callable[..., np.ndarray]:
    """Keras' ``activations.<name>(x, **arguments)``: the engine's activation on ``x``."""
    make = engine_activations.ACTIVATIONS[name]

    def function(x: Any, **arguments: Any) -> np.ndarray:
        return make(**arguments).forward(np.asarray(x, dtype=float))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"``{name}(x)``, element-wise (see :class:`{make.__module__}.{make.__name__}`)."
    )
    FUNCTIONS[name] = function
    return function


# One function per engine activation, under the activation's name.
elu, leaky_relu, linear, relu, selu, sigmoid, softmax, softplus, softsign, tanh = map(
    _function,
    (
        "elu",
        "leaky_relu",
        "linear",
        "relu",
        "selu",
        "sigmoid",
        "softmax",
        "softplus",
        "softsign",
        "tanh",
    ),
)


def get(identifier: str | Callable[..., np.ndarray] | None) -> Callable[..., np.ndarray]:
    """The function for a name (``"relu"``), one of this module's functions itself, or
    ``linear`` for ``None``; ``ValueError`` listing the names otherwise."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return lookup("activation", identifier, FUNCTIONS)  # type: ignore[no-any-return]
    if FUNCTIONS.get(getattr(identifier, "__name__", "")) is identifier:
        return identifier
    raise TypeError(
        f"activation {identifier!r} is not one of nnscratch.keras.activations' functions "
        f"({', '.join(sorted(FUNCTIONS))})"
    )


def serialize(function: Callable[..., np.ndarray]) -> str:
    """The name of one of this module's functions (``serialize(relu) == "relu"``)."""
    return get(function).__name__


def as_identifier(activation: Any) -> Any:
    """What a layer's ``activation=`` becomes: one of this module's functions is its
    name; anything else is left for the engine's layer to accept or refuse."""
    name = getattr(activation, "__name__", None)
    return name if name is not None and FUNCTIONS.get(name) is activation else activation

"""Layers, Keras-style: ``from nnscratch.layers import Dense, Activation, Dropout, Flatten``.

Your own layer: subclass :class:`Layer` and decorate it with :func:`register_layer` (see
:mod:`nnscratch.engine.layers.base` for the contract and an example).
"""

from .engine.layers import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Layer,
    get_layer_class,
    register_layer,
)

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "get_layer_class",
    "register_layer",
]

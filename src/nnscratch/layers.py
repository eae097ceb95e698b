"""Layers, Keras-style: ``from nnscratch.layers import Dense, Activation, Dropout, Flatten``,
and for images ``Conv2D``, ``MaxPooling2D`` and ``AveragePooling2D`` (channels last).

Your own layer: subclass :class:`Layer` and decorate it with :func:`register_layer` (see
:mod:`nnscratch.engine.layers.base` for the contract and an example).
"""

from .engine.layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPooling2D,
    get_layer_class,
    register_layer,
)

__all__ = [
    "Activation",
    "AveragePooling2D",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "MaxPooling2D",
    "get_layer_class",
    "register_layer",
]

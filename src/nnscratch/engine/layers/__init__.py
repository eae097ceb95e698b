"""Layers: the building blocks of a :class:`~nnscratch.engine.model.Sequential` model.

Read :mod:`~nnscratch.engine.layers.base` first (the contract every layer follows), then
:mod:`~nnscratch.engine.layers.dense` (the tutorials' layer; its initializer, regularizer and
constraint arguments go through :mod:`~nnscratch.engine.layers.settings`) and
:mod:`~nnscratch.engine.layers.core` (Activation, Dropout, Flatten, Reshape); for images
:mod:`~nnscratch.engine.layers.conv` (Conv2D) and :mod:`~nnscratch.engine.layers.pooling`
(MaxPooling2D, AveragePooling2D and the global ones), which share
:mod:`~nnscratch.engine.layers.windows`;
:mod:`~nnscratch.engine.layers.preprocessing` (Normalization, Rescaling) scales the inputs.
"""

from .base import Layer, get_layer_class, register_layer, registered_name
from .conv import Conv2D
from .core import Activation, Dropout, Flatten, Reshape
from .dense import Dense
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from .preprocessing import Normalization, Rescaling

__all__ = [
    "Activation",
    "AveragePooling2D",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "Layer",
    "MaxPooling2D",
    "Normalization",
    "Rescaling",
    "Reshape",
    "get_layer_class",
    "register_layer",
    "registered_name",
]

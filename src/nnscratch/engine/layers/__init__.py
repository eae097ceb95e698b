"""Layers: the building blocks of a :class:`~nnscratch.engine.model.Sequential` model.

Read :mod:`~nnscratch.engine.layers.base` first (the contract every layer follows), then
:mod:`~nnscratch.engine.layers.dense` (the tutorials' layer) and
:mod:`~nnscratch.engine.layers.core` (Activation, Dropout, Flatten).
"""

from .base import Layer, get_layer_class, register_layer, registered_name
from .core import Activation, Dropout, Flatten
from .dense import Dense

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "get_layer_class",
    "register_layer",
    "registered_name",
]

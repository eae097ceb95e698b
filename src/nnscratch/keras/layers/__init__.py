"""``from nnscratch.keras.layers import Dense, Dropout, Flatten, Input`` (``keras.layers``).

The layers take Keras 1's argument names too and can be called on placeholders
(``Dense(64)(inputs)``); see :mod:`nnscratch.keras.layers.core`. ``Input`` and
``InputLayer`` make the placeholder (:mod:`nnscratch.keras.functional`). Images:
``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D`` (channels-last; also from Keras 2's
``keras.layers.convolutional`` and ``keras.layers.pooling``).
"""

from ..functional import Input, InputLayer
from . import convolutional, core, pooling
from .convolutional import Conv2D, Convolution2D
from .core import Activation, Dense, Dropout, Flatten, KerasLayer, Layer
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, AvgPool2D, MaxPool2D, MaxPooling2D

__all__ = [
    "Activation",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Conv2D",
    "Convolution2D",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "KerasLayer",
    "Layer",
    "MaxPool2D",
    "MaxPooling2D",
    "convolutional",
    "core",
    "pooling",
]

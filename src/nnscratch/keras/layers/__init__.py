"""``from nnscratch.keras.layers import Dense, Dropout, Flatten, Input`` (``keras.layers``).

The layers take Keras 1's argument names too and can be called on placeholders
(``Dense(64)(inputs)``); see :mod:`nnscratch.keras.layers.core`. ``Input`` and
``InputLayer`` make the placeholder (:mod:`nnscratch.keras.functional`). Images:
``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D`` (channels-last; also from Keras 2's
``keras.layers.convolutional`` and ``keras.layers.pooling``). Activation layers:
``LeakyReLU``, ``ReLU``, ``ELU``, ``Softmax`` (also from Keras 2's
``keras.layers.advanced_activations``).
"""

from ..functional import Input, InputLayer
from . import activations, convolutional, core, pooling
from . import activations as advanced_activations  # Keras 2's module name
from .activations import ELU, LeakyReLU, ReLU, Softmax
from .convolutional import Conv2D, Convolution2D
from .core import Activation, Dense, Dropout, Flatten, KerasLayer, Layer
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, AvgPool2D, MaxPool2D, MaxPooling2D

__all__ = [
    "ELU",
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
    "LeakyReLU",
    "MaxPool2D",
    "MaxPooling2D",
    "ReLU",
    "Softmax",
    "activations",
    "advanced_activations",
    "convolutional",
    "core",
    "pooling",
]

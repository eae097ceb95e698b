"""``from nnscratch.keras.layers import Dense, Flatten, Reshape, Input`` (``keras.layers``).

The layers take Keras 1's argument names too and can be called on placeholders
(``Dense(64)(inputs)``); see :mod:`nnscratch.keras.layers.core`. ``Input`` and
``InputLayer`` make the placeholder (:mod:`nnscratch.keras.functional`). Images:
``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D``, ``GlobalAveragePooling2D``,
``GlobalMaxPooling2D`` (channels-last; also from Keras 2's
``keras.layers.convolutional`` and ``keras.layers.pooling``). Activation layers:
``LeakyReLU``, ``ReLU``, ``ELU``, ``Softmax`` (also from Keras 2's
``keras.layers.advanced_activations``). Inputs: ``Normalization`` (with ``adapt``) and
``Rescaling``.
"""

from typing import Any

from .._refusals import missing
from ..functional import Input, InputLayer
from . import activations, convolutional, core, pooling, preprocessing
from . import activations as advanced_activations  # Keras 2's module name
from .activations import ELU, LeakyReLU, ReLU, Softmax
from .convolutional import Conv2D, Convolution2D
from .core import Activation, Dense, Dropout, Flatten, KerasLayer, Layer, Reshape
from .normalization import BatchNormalization
from .pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from .preprocessing import Normalization, Rescaling

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
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "KerasLayer",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "MaxPooling2D",
    "Normalization",
    "ReLU",
    "Rescaling",
    "Reshape",
    "Softmax",
    "activations",
    "advanced_activations",
    "convolutional",
    "core",
    "pooling",
    "preprocessing",
]


_MISSING = {
    **dict.fromkeys(
        ("Conv1D", "Conv3D", "GlobalMaxPooling1D", "GlobalAveragePooling1D", "MaxPooling1D"),
        "images only: Conv2D and the 2-D pooling layers, channels last",
    ),
    **dict.fromkeys(
        ("LSTM", "GRU", "SimpleRNN", "Embedding", "MultiHeadAttention"),
        "there are no recurrent, embedding or attention layers: Dense, Conv2D, pooling, "
        "Dropout, BatchNormalization, Flatten and the activation layers",
    ),
    **dict.fromkeys(
        ("Add", "add", "Concatenate", "concatenate", "Multiply", "Average"),
        "a model is a single chain of layers, so there are no merge layers",
    ),
    **dict.fromkeys(
        ("CategoryEncoding", "StringLookup", "IntegerLookup", "Discretization", "Resizing"),
        "encode or resize the arrays with NumPy before fit; the preprocessing layers here are "
        "Normalization and Rescaling",
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

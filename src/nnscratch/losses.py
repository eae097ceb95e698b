"""Losses, Keras-style: ``from nnscratch.losses import CategoricalCrossentropy``.

By name in ``compile(loss=...)``: ``"categorical_crossentropy"``,
``"sparse_categorical_crossentropy"``, ``"binary_crossentropy"``, ``"mse"``, ``"mae"``,
``"huber"``, ``"hinge"``, ``"squared_hinge"``, ``"categorical_hinge"``, ``"quadratic"``.
"""

from .engine.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    Quadratic,
    SquaredHinge,
    get,
)

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "Hinge",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Quadratic",
    "SquaredHinge",
    "get",
]

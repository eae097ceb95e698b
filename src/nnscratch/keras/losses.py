"""``from nnscratch.keras.losses import CategoricalCrossentropy, MeanSquaredError, ...``."""

from ..engine.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    MeanSquaredError,
    get,
)

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanSquaredError", "get"]

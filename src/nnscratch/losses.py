"""Losses, Keras-style: ``from nnscratch.losses import CategoricalCrossentropy``."""

from .engine.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    MeanSquaredError,
    Quadratic,
)

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanSquaredError", "Quadratic"]

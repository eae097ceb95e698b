"""``from nnscratch.keras.layers import Dense, Activation, Dropout, Flatten`` (``keras.layers``)."""

from . import core
from .core import Activation, Dense, Dropout, Flatten, Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Layer", "core"]

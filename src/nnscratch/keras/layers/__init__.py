"""``from nnscratch.keras.layers import Dense, Activation, Dropout`` (Keras' ``keras.layers``)."""

from . import core
from .core import Activation, Dense, Dropout, Layer

__all__ = ["Activation", "Dense", "Dropout", "Layer", "core"]

"""Layers, Keras-style: ``from nnscratch.layers import Dense, Activation, Dropout``."""

from .engine.layers import Activation, Dense, Dropout, Layer

__all__ = ["Activation", "Dense", "Dropout", "Layer"]

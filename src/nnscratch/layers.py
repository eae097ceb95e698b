"""Layers, Keras-style: ``from nnscratch.layers import Dense, Activation``."""

from .engine.layers import Activation, Dense, Layer

__all__ = ["Activation", "Dense", "Layer"]

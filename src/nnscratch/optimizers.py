"""Optimizers, Keras-style: ``from nnscratch.optimizers import SGD``."""

from .engine.optimizers import SGD, Optimizer

__all__ = ["SGD", "Optimizer"]

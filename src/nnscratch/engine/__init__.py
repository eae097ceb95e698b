"""The engine: layers, losses, optimizers and the training loop, in NumPy alone.

Nothing in here prints, reads or writes files, or plots: those live in the layers above
(``nnscratch.data``, the facades, ``nnscratch.lab``, ``nnscratch.cli``).
"""

from .callbacks import Callback, History, LambdaCallback
from .layers import Activation, Dense, Layer
from .model import Sequential, TrainingDiverged

__all__ = [
    "Activation",
    "Callback",
    "Dense",
    "History",
    "LambdaCallback",
    "Layer",
    "Sequential",
    "TrainingDiverged",
]

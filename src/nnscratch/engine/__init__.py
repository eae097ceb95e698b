"""The engine: layers, losses, optimizers and the training loop, in NumPy alone.

Nothing in here prints, reads or writes files, or plots: those live in the layers above
(``nnscratch.data``, the facades, ``nnscratch.lab``, ``nnscratch.cli``). Read it in the
order of ``docs/engine.md``: layers, then ``model.py``, then ``training.py``.
"""

from .callbacks import Callback, History, LambdaCallback
from .layers import Activation, Dense, Dropout, Flatten, Layer, register_layer
from .model import Sequential
from .training import TrainingDiverged, plain_path

__all__ = [
    "Activation",
    "Callback",
    "Dense",
    "Dropout",
    "Flatten",
    "History",
    "LambdaCallback",
    "Layer",
    "Sequential",
    "TrainingDiverged",
    "plain_path",
    "register_layer",
]

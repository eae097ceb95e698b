"""Optimizers and learning-rate schedules, Keras-style.

``from nnscratch.optimizers import SGD, Adam`` or look one up by name with
``get("adam")``; schedules (``StepDecay``, ``ExponentialDecay``, ``InverseTimeDecay``) go
in as ``learning_rate=``.
"""

from .engine.optimizers import SGD, Adadelta, Adagrad, Adam, Nadam, Optimizer, RMSprop, get
from .engine.schedules import (
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    StepDecay,
)

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "StepDecay",
    "get",
]

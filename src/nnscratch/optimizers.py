"""Optimizers and learning-rate schedules, Keras-style.

``from nnscratch.optimizers import SGD, Adam`` or look one up by name with
``get("adam")``; schedules (``StepDecay``, ``ExponentialDecay``, ``InverseTimeDecay``,
``PiecewiseConstantDecay``, ``PolynomialDecay``, ``CosineDecay``) go in as
``learning_rate=``.
"""

from .engine.optimizers import SGD, Adadelta, Adagrad, Adam, Nadam, Optimizer, RMSprop, get
from .engine.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    StepDecay,
)

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "Nadam",
    "Optimizer",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "RMSprop",
    "StepDecay",
    "get",
]

"""``from nnscratch.keras.optimizers.schedules import ExponentialDecay, CosineDecay``: Keras 3's
learning-rate schedules (the engine's, which take Keras' arguments), and nnscratch's
``StepDecay``."""

from typing import Any

from ...engine.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    StepDecay,
)
from .._refusals import missing

__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "StepDecay",
]


_MISSING = {
    "CosineDecayRestarts": (
        "use CosineDecay (one decay, optionally after a warmup), or set any rate per epoch "
        "with keras.callbacks.LearningRateScheduler(lambda epoch, lr: ...)"
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

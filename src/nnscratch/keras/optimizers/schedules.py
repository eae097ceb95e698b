"""``from nnscratch.keras.optimizers.schedules import ExponentialDecay, InverseTimeDecay``."""

from typing import Any

from ...engine.schedules import (
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    StepDecay,
)
from .._refusals import missing

__all__ = ["ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule", "StepDecay"]


_MISSING = {
    **dict.fromkeys(
        ("PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts"),
        "use ExponentialDecay, InverseTimeDecay or StepDecay, or set any rate per epoch "
        "with keras.callbacks.LearningRateScheduler(lambda epoch, lr: ...)",
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

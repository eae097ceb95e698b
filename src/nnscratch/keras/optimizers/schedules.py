"""``from nnscratch.keras.optimizers.schedules import ExponentialDecay, InverseTimeDecay``."""

from ...engine.schedules import (
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    StepDecay,
)

__all__ = ["ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule", "StepDecay"]

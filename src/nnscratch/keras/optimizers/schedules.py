"""``from nnscratch.keras.optimizers.schedules import ExponentialDecay, CosineDecay``: Keras 3's
learning-rate schedules (the engine's, which take Keras' arguments), and nnscratch's
``StepDecay``."""

from typing import Any

from ...engine import schedules as _engine
from ...engine.schedules import *  # noqa: F403  (the schedules' classes)
from .._refusals import missing

#: the engine's schedule classes (its table and config functions are nnscratch's own form,
#: not Keras' serialize / deserialize)
__all__ = [name for name in _engine.__all__ if name[0].isupper() and name != "SCHEDULES"]


_MISSING = {
    "CosineDecayRestarts": (
        "use CosineDecay (one decay, optionally after a warmup), or set any rate per epoch "
        "with keras.callbacks.LearningRateScheduler(lambda epoch, lr: ...)"
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

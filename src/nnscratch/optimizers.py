"""Optimizers and learning-rate schedules, Keras-style.

``from nnscratch.optimizers import SGD, Adam`` or look one up by name with
``get("adam")``; schedules (``StepDecay``, ``ExponentialDecay``, ``InverseTimeDecay``,
``PiecewiseConstantDecay``, ``PolynomialDecay``, ``CosineDecay``) go in as
``learning_rate=``.
"""

from .engine import optimizers as _optimizers
from .engine import schedules as _schedules

# The schedules first, so that `get` is the optimizers' (imported last).
# isort: off
from .engine.schedules import *  # noqa: F403  (the schedules' classes)
from .engine.optimizers import *  # noqa: F403  (the optimizers and get)

# isort: on

#: the engine's optimizers and get, then its schedule classes (not their tables)
__all__ = [
    *(name for name in _optimizers.__all__ if name not in ("OPTIMIZERS", "ALIASES")),
    *(name for name in _schedules.__all__ if name[0].isupper() and name != "SCHEDULES"),
]

"""Learning-rate schedules: a learning rate that changes as training goes on.

A schedule is an object called with a step number that returns the learning rate for
that step. Give one to an optimizer as ``learning_rate=`` (as Keras'
``LearningRateSchedule``): the optimizer calls it with its iteration count (the number
of updates done so far, starting at 0) before every update. Or give one to the
:class:`~nnscratch.engine.callbacks.LearningRateScheduler` callback, which calls it with
the epoch number instead.

With ``lr0`` the initial learning rate and ``t`` the step::

    StepDecay            lr0 * drop ** floor(t / step_size)
    ExponentialDecay     lr0 * decay_rate ** (t / decay_steps)     (staircase: floor(...))
    InverseTimeDecay     lr0 / (1 + decay_rate * t / decay_steps)  (staircase: floor(...))

Step decay is exponential decay with a staircase: the rate stays flat for ``step_size``
steps, then drops by the factor ``drop``. Inverse time decay is the ``decay=`` argument of
old Keras optimizers (``lr / (1 + decay * iterations)``) with ``decay_steps=1``.

Every schedule has ``get_config()`` and is rebuilt by :func:`get` from
``{"name": ..., "config": {...}}``, so a saved model keeps its schedule.

Examples
--------
>>> sched = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
>>> sched(0), sched(100), sched(200)
(0.1, 0.05, 0.025)
"""

from __future__ import annotations

import math
from typing import Any

from .checks import integer, number, positive_int
from .config import constructor_config, constructor_repr

__all__ = [
    "SCHEDULES",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "StepDecay",
    "get",
    "serialize",
]


def _step(value: Any) -> int:
    return integer("a schedule's step", value, low=0)


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate for ``step`` (an int >= 0)."""

    name = ""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, read back from the attributes of the same names
        (:func:`~nnscratch.engine.config.constructor_config`)."""
        return constructor_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        return constructor_repr(self)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))


class StepDecay(LearningRateSchedule):
    """Drop the learning rate by a factor every ``step_size`` steps.

    ``lr(t) = initial_learning_rate * drop ** floor(t / step_size)``

    Parameters
    ----------
    initial_learning_rate : float
    drop : float, default 0.5
        Factor in (0, 1] applied at every drop.
    step_size : int, default 10
        Steps (iterations, or epochs with the ``LearningRateScheduler`` callback)
        between drops.

    Examples
    --------
    >>> StepDecay(0.1, drop=0.5, step_size=10)(25)
    0.025
    """

    name = "step_decay"

    def __init__(self, initial_learning_rate: float, drop: float = 0.5, step_size: int = 10):
        self.initial_learning_rate = number(
            "initial_learning_rate", initial_learning_rate, low=0, low_open=True
        )
        self.drop = number("drop", drop, 0, 1, low_open=True)
        self.step_size = positive_int("step_size", step_size)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.drop ** (_step(step) // self.step_size)


class _DecayOverSteps(LearningRateSchedule):
    """What Keras' two decays share: ``lr0``, ``decay_steps``, ``decay_rate``, staircase."""

    #: whether ``decay_rate=0`` (a constant rate) is accepted
    _zero_rate_ok = False

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
    ) -> None:
        self.initial_learning_rate = number(
            "initial_learning_rate", initial_learning_rate, low=0, low_open=True
        )
        self.decay_steps = number("decay_steps", decay_steps, low=0, low_open=True)
        self.decay_rate = number("decay_rate", decay_rate, low=0, low_open=not self._zero_rate_ok)
        self.staircase = bool(staircase)

    def _progress(self, step: int) -> float:
        """``t / decay_steps``, floored with ``staircase=True``."""
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return p


class ExponentialDecay(_DecayOverSteps):
    """Keras' ``ExponentialDecay``: ``lr0 * decay_rate ** (t / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(t / decay_steps)`` (a step decay).

    Examples
    --------
    >>> ExponentialDecay(1.0, decay_steps=10, decay_rate=0.1)(5)  # doctest: +ELLIPSIS
    0.316...
    """

    name = "exponential_decay"

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class InverseTimeDecay(_DecayOverSteps):
    """Keras' ``InverseTimeDecay``: ``lr0 / (1 + decay_rate * t / decay_steps)``.

    With ``staircase=True`` the ratio ``t / decay_steps`` is floored.

    Examples
    --------
    >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)
    0.05
    """

    name = "inverse_time_decay"
    _zero_rate_ok = True

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.name: cls for cls in (StepDecay, ExponentialDecay, InverseTimeDecay)
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"name": "exponential_decay", "config": {...}}`` for a built-in schedule."""
    if type(schedule) not in SCHEDULES.values():
        raise TypeError(
            f"only the built-in schedules can be saved ({', '.join(sorted(SCHEDULES))}), "
            f"got {type(schedule).__name__}"
        )
    return {"name": schedule.name, "config": schedule.get_config()}


def get(identifier: LearningRateSchedule | dict[str, Any]) -> LearningRateSchedule:
    """A schedule from an instance (returned as it is) or a :func:`serialize` dict."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        name = identifier.get("name")
        config = identifier.get("config", {})
        if name not in SCHEDULES:
            raise ValueError(
                f"unknown learning-rate schedule {name!r}; valid: {', '.join(sorted(SCHEDULES))}"
            )
        if not isinstance(config, dict):
            raise ValueError(f"schedule config must be a dict, got {type(config).__name__}")
        try:
            return SCHEDULES[name].from_config(config)
        except TypeError as exc:
            raise ValueError(f"bad config for schedule {name!r}: {exc}") from None
    kind = type(identifier).__name__
    raise TypeError(f"a schedule must be a LearningRateSchedule or a config dict, got {kind}")

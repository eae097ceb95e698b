"""Learning-rate schedules: a learning rate that changes as training goes on.

A schedule is an object called with a step number that returns the learning rate for
that step. Give one to an optimizer as ``learning_rate=`` (as Keras'
``LearningRateSchedule``): the optimizer calls it with its iteration count (the number
of updates done so far, starting at 0) before every update. Or give one to the
:class:`~nnscratch.engine.callbacks.LearningRateScheduler` callback, which calls it with
the epoch number instead.

With ``lr0`` the initial learning rate and ``t`` the step::

    StepDecay               lr0 * drop ** floor(t / step_size)
    ExponentialDecay        lr0 * decay_rate ** (t / decay_steps)     (staircase: floor(...))
    InverseTimeDecay        lr0 / (1 + decay_rate * t / decay_steps)  (staircase: floor(...))
    PiecewiseConstantDecay  values[i] for boundaries[i-1] < t <= boundaries[i]
    PolynomialDecay         (lr0 - end) * (1 - t / decay_steps) ** power + end
    CosineDecay             lr0 * ((1 - alpha) * (1 + cos(pi * t / decay_steps)) / 2 + alpha)

(``t`` stops at ``decay_steps`` for the last two: the rate then stays at its end;
``CosineDecay`` may first warm up linearly, as Keras 3's.)

Step decay is exponential decay with a staircase: the rate stays flat for ``step_size``
steps, then drops by the factor ``drop``. Inverse time decay is the ``decay=`` argument of
old Keras optimizers (``lr / (1 + decay * iterations)``) with ``decay_steps=1``.

Every schedule has ``get_config()`` and is rebuilt by :func:`get` from
``{"name": ..., "config": {...}}``, so a saved model keeps its schedule. The ``name``
argument is Keras' label (``"ExponentialDecay"``); the table's key is the class's ``key``.

Examples
--------
>>> sched = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
>>> sched(0), sched(100), sched(200)
(0.1, 0.05, 0.025)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .checks import flag, integer, number, positive_int
from .config import constructor_config, constructor_repr

__all__ = [
    "SCHEDULES",
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "StepDecay",
    "get",
    "serialize",
]


def _step(value: Any) -> int:
    return integer("a schedule's step", value, low=0)


def _label(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a schedule's name must be a non-empty string, got {name!r}")
    return name


def _rate(name: str, value: Any) -> float:
    return number(name, value, low=0, low_open=True)


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate for ``step`` (an int >= 0).

    A subclass of your own needs only ``__call__``; to be saved with a model a schedule
    must be one of :data:`SCHEDULES`.
    """

    #: the key in :data:`SCHEDULES` (and in a saved model's config)
    key = ""

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

    key = "step_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        drop: float = 0.5,
        step_size: int = 10,
        name: str = "StepDecay",
    ) -> None:
        self.initial_learning_rate = _rate("initial_learning_rate", initial_learning_rate)
        self.drop = number("drop", drop, 0, 1, low_open=True)
        self.step_size = positive_int("step_size", step_size)
        self.name = _label(name)

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
        name: str | None = None,
    ) -> None:
        self.initial_learning_rate = _rate("initial_learning_rate", initial_learning_rate)
        self.decay_steps = number("decay_steps", decay_steps, low=0, low_open=True)
        self.decay_rate = number("decay_rate", decay_rate, low=0, low_open=not self._zero_rate_ok)
        self.staircase = bool(staircase)
        self.name = _label(type(self).__name__ if name is None else name)

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

    key = "exponential_decay"

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

    key = "inverse_time_decay"
    _zero_rate_ok = True

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """Keras' ``PiecewiseConstantDecay``: a constant rate between step boundaries.

    ``values[0]`` while ``t <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < t <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Examples
    --------
    >>> rate = PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])
    >>> rate(100), rate(101), rate(500)
    (0.1, 0.01, 0.001)
    """

    key = "piecewise_constant_decay"

    def __init__(
        self, boundaries: Sequence[int], values: Sequence[float], name: str = "PiecewiseConstant"
    ) -> None:
        try:
            boundaries, values = list(boundaries), list(values)
        except TypeError:
            raise TypeError(
                f"boundaries and values must be lists of numbers, got "
                f"{type(boundaries).__name__} and {type(values).__name__}"
            ) from None
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"boundaries must be one shorter than values (a rate before, between and "
                f"after them), got {len(boundaries)} boundaries and {len(values)} values"
            )
        self.boundaries = [number("boundaries", b) for b in boundaries]
        if self.boundaries != sorted(self.boundaries):
            raise ValueError(f"boundaries must be in increasing order, got {list(boundaries)}")
        self.values = [number("values", v, low=0) for v in values]
        self.name = _label(name)

    def __call__(self, step: int) -> float:
        t = _step(step)
        return next((v for b, v in zip(self.boundaries, self.values) if t <= b), self.values[-1])


class PolynomialDecay(LearningRateSchedule):
    """Keras' ``PolynomialDecay``: from ``lr0`` to ``end_learning_rate`` over
    ``decay_steps``, ``(lr0 - end) * (1 - t / decay_steps) ** power + end``.

    After ``decay_steps`` the rate stays at ``end_learning_rate``; with ``cycle=True``
    the decay starts again over the next multiple of ``decay_steps``, as in Keras.
    ``power=1`` is a straight line.

    Examples
    --------
    >>> rate = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)
    >>> round(rate(5), 12), rate(10), rate(50)
    (0.05, 0.0, 0.0)
    """

    key = "polynomial_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = _rate("initial_learning_rate", initial_learning_rate)
        self.decay_steps = number("decay_steps", decay_steps, low=0, low_open=True)
        self.end_learning_rate = number("end_learning_rate", end_learning_rate, low=0)
        self.power = number("power", power, low=0)
        self.cycle = flag("cycle", cycle)
        self.name = _label(name)

    def __call__(self, step: int) -> float:
        t, steps = _step(step), self.decay_steps
        if self.cycle:  # over the first multiple of decay_steps at or beyond t (t = 0: one)
            steps *= max(1, math.ceil(t / steps))
        else:
            t = min(t, steps)
        span = self.initial_learning_rate - self.end_learning_rate
        return span * (1.0 - t / steps) ** self.power + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    """Keras 3's ``CosineDecay`` (Loshchilov and Hutter's SGDR without restarts): half a
    cosine from ``lr0`` down to ``alpha * lr0`` over ``decay_steps``, then flat.

    With ``warmup_target``, the rate first rises in a straight line from ``lr0`` to
    ``warmup_target`` over ``warmup_steps``, and the cosine then decays from there.

    Examples
    --------
    >>> rate = CosineDecay(0.1, decay_steps=100)
    >>> rate(0), round(rate(50), 12), rate(100), rate(200)
    (0.1, 0.05, 0.0, 0.0)
    """

    key = "cosine_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = number("initial_learning_rate", initial_learning_rate, low=0)
        self.decay_steps = number("decay_steps", decay_steps, low=0, low_open=True)
        self.alpha = number("alpha", alpha, 0, 1)
        self.name = _label(name)
        self.warmup_target = (
            None if warmup_target is None else _rate("warmup_target", warmup_target)
        )
        self.warmup_steps = integer("warmup_steps", warmup_steps, low=0)

    def __call__(self, step: int) -> float:
        t = _step(step)
        if self.warmup_target is None:
            return self._decayed(min(t, self.decay_steps), self.initial_learning_rate)
        t = min(t, self.decay_steps + self.warmup_steps)
        if t < self.warmup_steps:  # the straight line up
            rise = self.warmup_target - self.initial_learning_rate
            return self.initial_learning_rate + rise * t / self.warmup_steps
        return self._decayed(t - self.warmup_steps, self.warmup_target)

    def _decayed(self, t: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * t / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)


SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.key: cls
    for cls in (
        StepDecay,
        ExponentialDecay,
        InverseTimeDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        CosineDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"name": "exponential_decay", "config": {...}}`` for a built-in schedule (or a
    subclass that keeps its ``key`` and arguments, such as the Keras facade's)."""
    builtin = SCHEDULES.get(type(schedule).key)
    if builtin is None or not isinstance(schedule, builtin):
        raise TypeError(
            f"only the built-in schedules can be saved ({', '.join(sorted(SCHEDULES))}), "
            f"got {type(schedule).__name__}"
        )
    return {"name": builtin.key, "config": schedule.get_config()}


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

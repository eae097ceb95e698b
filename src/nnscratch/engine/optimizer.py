"""The optimizer base class: the learning rate, the update counter and per-parameter state.

Every optimizer in :mod:`~nnscratch.engine.optimizers` subclasses :class:`Optimizer` and
writes only its update for one weight array (``_update``). ``step(params, grads)`` takes
two dicts keyed by the model's dotted parameter names (``"0.kernel"``, ``"1.bias"``) and
updates ``params`` in place. Per-parameter state (a momentum buffer, running averages of
the gradient) lives in ``optimizer.state[slot][name]`` under the same names, and
``iterations`` counts the updates done: :meth:`Optimizer.get_state` /
:meth:`Optimizer.set_state` hand both over as plain arrays, which is what lets a saved
model resume training exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from . import schedules as schedules_module
from .backend import array_namespace, to_numpy
from .checks import number
from .config import constructor_config, constructor_repr
from .schedules import LearningRateSchedule

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: the learning rate, the update counter and per-parameter state.

    Subclasses name their state ``slots`` and implement ``_update(key, p, g, lr)`` for one
    parameter array (in place).
    """

    name: ClassVar[str] = ""
    #: names of the per-parameter state arrays, e.g. ("m", "v") for Adam
    slots: ClassVar[tuple[str, ...]] = ()
    _schedule: LearningRateSchedule | None = None
    #: slot -> {parameter name: state array}; the number of updates done
    state: dict[str, dict[str, np.ndarray]]
    iterations: int

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.01) -> None:
        self.learning_rate = learning_rate  # type: ignore[assignment]
        self.state, self.iterations = {slot: {} for slot in self.slots}, 0

    # -- the learning rate -------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update (a schedule is evaluated at ``iterations``)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(value, LearningRateSchedule):
            self._schedule, self._learning_rate = value, math.nan
        else:
            rate = number("learning_rate", value, low=0, low_open=True)
            self._schedule, self._learning_rate = None, rate

    @property
    def schedule(self) -> LearningRateSchedule | None:
        """The learning-rate schedule, or ``None`` for a constant rate."""
        return self._schedule

    # -- updates -----------------------------------------------------------------------
    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys)."""
        lr = self.learning_rate
        for key, p in params.items():
            self._update(key, p, grads[key], lr)
        self.iterations += 1

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def _slot(self, slot: str, key: str, like: np.ndarray, fill: float = 0.0) -> np.ndarray:
        arr = self.state[slot].get(key)
        if arr is None:
            arr = self.state[slot][key] = array_namespace(like).full_like(like, fill)
        return arr

    # -- state, for saving and resuming --------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """The state arrays as ``{"slot/param": array}`` (NumPy copies), e.g. ``"m/0.kernel"``."""
        return {
            f"{slot}/{key}": np.array(to_numpy(arr))
            for slot in self.slots
            for key, arr in self.state[slot].items()
        }

    def set_state(
        self,
        state: Mapping[str, np.ndarray],
        params: Mapping[str, np.ndarray],
        iterations: int = 0,
    ) -> None:
        """Restore what :meth:`get_state` returned, checked against the model's ``params``.

        Raises ``ValueError`` for an unknown slot or parameter name, a shape that does not
        match the parameter, or a non-finite value.
        """
        if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
            raise TypeError(f"iterations must be an integer, got {iterations!r}")
        if iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {iterations}")
        new: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.slots}
        for name, arr in state.items():
            slot, _, key = name.partition("/")
            if slot not in new:
                valid = ", ".join(self.slots) or "none"
                raise ValueError(
                    f"{type(self).__name__} has no state slot {slot!r} (from {name!r}); "
                    f"its slots: {valid}"
                )
            if key not in params:
                raise ValueError(f"optimizer state {name!r} names no parameter of the model")
            arr = np.asarray(arr)
            if arr.shape != params[key].shape:
                raise ValueError(
                    f"optimizer state {name!r}: expected shape {params[key].shape}, got {arr.shape}"
                )
            if arr.dtype.kind not in "fiu" or not np.all(np.isfinite(arr)):
                raise ValueError(f"optimizer state {name!r} is not an array of finite numbers")
            xp = array_namespace(params[key])  # the weights' device
            new[slot][key] = xp.astype(xp.asarray(arr), params[key].dtype)
        self.state = new
        self.iterations = int(iterations)

    # -- configuration -----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "learning_rate": ..., <the other arguments>}``, JSON-ready.

        The arguments are those of the constructor, read back from the attributes of the
        same names (:func:`~nnscratch.engine.config.constructor_config`). A schedule
        appears as ``{"name": "exponential_decay", "config": {...}}``.
        """
        return {"name": self.name, **self._arguments()}

    def _arguments(self, skip_missing: bool = False) -> dict[str, Any]:
        lr: Any = (
            self._learning_rate
            if self._schedule is None
            else schedules_module.serialize(self._schedule)
        )
        return constructor_config(self, skip_missing=skip_missing, learning_rate=lr)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """Rebuild an optimizer from :meth:`get_config` (without its state)."""
        config = dict(config)
        config.pop("name", None)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules_module.get(lr)
        return cls(**config)

    def __repr__(self) -> str:
        return constructor_repr(self, self._arguments(skip_missing=True))

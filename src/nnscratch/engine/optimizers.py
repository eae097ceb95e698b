"""Optimizers: how a gradient becomes a step. Simplest first.

Each optimizer has ``step(params, grads)``, where both are dicts keyed by the model's
dotted parameter names (``"0.kernel"``, ``"1.bias"``), and updates ``params`` in place.
Per-parameter state (a momentum buffer, running averages of the gradient) lives in
``optimizer.state[slot][name]`` under the same names, and ``iterations`` counts the
updates done: :meth:`Optimizer.get_state` / :meth:`Optimizer.set_state` hand both over
as plain arrays, which is what lets a saved model resume training exactly.

The formulas, with ``g`` the gradient, ``lr`` the learning rate and ``t`` the update
number (1 for the first update), are Keras' (same defaults, same placement of epsilon):

=========  ==================================================================
SGD        w <- w - lr g                                   (WildML, Nielsen)
momentum   v <- mu v - lr g;  w <- w + v
nesterov   v <- mu v - lr g;  w <- w + mu v - lr g
Adagrad    G <- G + g^2;  w <- w - lr g / sqrt(G + eps)     (G starts at 0.1)
RMSprop    s <- rho s + (1 - rho) g^2;  w <- w - lr g / sqrt(s + eps)
Adam       m <- m + (1 - b1)(g - m);  v <- v + (1 - b2)(g^2 - v)
           w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
=========  ==================================================================

``learning_rate`` may be a number or a schedule from :mod:`nnscratch.engine.schedules`,
called with ``iterations`` before every update.

Look optimizers up by name with :func:`get` (``get("adam")``, ``get("sgd",
learning_rate=0.1)``); unknown names raise ``ValueError`` listing the valid ones. (Keras 2's
``lr=`` and ``decay=`` are accepted by the classes in ``nnscratch.keras.optimizers``.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from . import schedules as schedules_module
from .checks import flag, lookup, number
from .schedules import LearningRateSchedule

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "Optimizer",
    "RMSprop",
    "get",
]


class Optimizer:
    """Base class: the learning rate, the update counter and per-parameter state.

    Subclasses name their state ``slots`` and implement ``_update(key, p, g, lr)`` for one
    parameter array (in place).
    """

    name: ClassVar[str] = ""
    #: names of the per-parameter state arrays, e.g. ("m", "v") for Adam
    slots: ClassVar[tuple[str, ...]] = ()

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.01) -> None:
        self.learning_rate = learning_rate  # type: ignore[assignment]
        self.state: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.slots}
        self.iterations = 0

    # -- the learning rate -------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update (a schedule is evaluated at ``iterations``)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        scheduled = isinstance(value, LearningRateSchedule)
        self._schedule: LearningRateSchedule | None = value if scheduled else None  # type: ignore[assignment]
        self._learning_rate = (
            math.nan if scheduled else number("learning_rate", value, low=0, low_open=True)
        )

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
            arr = self.state[slot][key] = np.full_like(like, fill)
        return arr

    # -- state, for saving and resuming --------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """The state arrays as ``{"slot/param": array}`` (copies), e.g. ``"m/0.kernel"``."""
        return {
            f"{slot}/{key}": arr.copy()
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
            new[slot][key] = np.array(arr, dtype=params[key].dtype)
        self.state = new
        self.iterations = int(iterations)

    # -- configuration -----------------------------------------------------------------
    def _hyperparameters(self) -> dict[str, Any]:
        return {}

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "learning_rate": ..., <hyperparameters>}``, JSON-ready.

        A schedule appears as ``{"name": "exponential_decay", "config": {...}}``.
        """
        lr: Any = (
            self._learning_rate
            if self._schedule is None
            else schedules_module.serialize(self._schedule)
        )
        return {"name": self.name, "learning_rate": lr, **self._hyperparameters()}

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
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    Plain SGD is ``w <- w - learning_rate * g`` (WildML: ``W1 += -epsilon * dW1``).
    With momentum ``mu`` (Keras' formulation) a velocity accumulates the steps::

        v <- mu * v - learning_rate * g
        w <- w + v                              (momentum)
        w <- w + mu * v - learning_rate * g     (nesterov=True: look one step ahead)

    Parameters
    ----------
    learning_rate : float or schedule, default 0.01
    momentum : float, default 0.0
        In ``[0, 1)``. ``0.9`` is the usual choice.
    nesterov : bool, default False

    Examples
    --------
    >>> from nnscratch.optimizers import SGD
    >>> SGD(0.01)
    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    >>> SGD(0.1, momentum=0.9, nesterov=True)
    SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    name = "sgd"
    slots = ("momentum",)

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = number("momentum", momentum, 0, 1, high_open=True)
        self.nesterov = flag("nesterov", nesterov)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        mu = self.momentum
        if not mu:
            p -= lr * g  # w <- w - lr g   (WildML: W1 += -epsilon * dW1)
            return
        v = self._slot("momentum", key, p)
        v *= mu  # v <- mu v - lr g
        v -= lr * g
        if self.nesterov:
            p += mu * v - lr * g  # w <- w + mu v - lr g
        else:
            p += v  # w <- w + v

    def _hyperparameters(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the squared gradients it has seen.

    ::

        G <- G + g**2                              (G starts at initial_accumulator_value)
        w <- w - learning_rate * g / sqrt(G + epsilon)

    Weights with large past gradients move less; rarely updated weights move more.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    initial_accumulator_value : float, default 0.1
    epsilon : float, default 1e-7

    Examples
    --------
    >>> Adagrad(0.01)
    Adagrad(learning_rate=0.01, initial_accumulator_value=0.1, epsilon=1e-07)
    """

    name = "adagrad"
    slots = ("accumulator",)

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.initial_accumulator_value = number(
            "initial_accumulator_value", initial_accumulator_value, low=0
        )
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        acc = self._slot("accumulator", key, p, self.initial_accumulator_value)
        acc += g * g  # G <- G + g^2
        p -= lr * g / np.sqrt(acc + self.epsilon)

    def _hyperparameters(self) -> dict[str, Any]:
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of the gradient.

    ::

        s <- rho * s + (1 - rho) * g**2
        step = learning_rate * g / sqrt(s + epsilon)
        w <- w - step                                   (momentum = 0)
        m <- momentum * m + step;  w <- w - m           (momentum > 0)

    Unlike Adagrad the average forgets old gradients (factor ``rho`` per update), so the
    step size does not decay to zero. With ``centered=True`` the variance
    ``s - mean(g)**2`` replaces ``s``.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    rho : float, default 0.9
    momentum : float, default 0.0
    epsilon : float, default 1e-7
    centered : bool, default False

    Examples
    --------
    >>> RMSprop()
    RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)
    """

    name = "rmsprop"
    slots = ("velocity", "average_gradient", "momentum")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.rho = number("rho", rho, 0, 1, high_open=True)
        self.momentum = number("momentum", momentum, 0, 1, high_open=True)
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)
        self.centered = flag("centered", centered)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        rho = self.rho
        s = self._slot("velocity", key, p)
        s *= rho  # s <- rho s + (1 - rho) g^2
        s += (1.0 - rho) * (g * g)
        if self.centered:
            mg = self._slot("average_gradient", key, p)
            mg *= rho  # mean gradient, same running average
            mg += (1.0 - rho) * g
            denominator = s - mg * mg + self.epsilon
        else:
            denominator = s + self.epsilon
        increment = lr * g / np.sqrt(denominator)
        if self.momentum:
            m = self._slot("momentum", key, p)
            m *= self.momentum
            m += increment
            p -= m
        else:
            p -= increment

    def _hyperparameters(self) -> dict[str, Any]:
        return {
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop's scaling, with bias correction.

    ::

        m <- m + (1 - beta_1) * (g - m)          running mean of g
        v <- v + (1 - beta_2) * (g**2 - v)       running mean of g^2
        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    ``t`` counts the updates from 1. ``m`` and ``v`` start at zero, so early on they are
    too small; ``alpha`` undoes that bias (this is Keras' form, with epsilon outside the
    bias correction). ``amsgrad=True`` uses the largest ``v`` seen so far.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    beta_1 : float, default 0.9
    beta_2 : float, default 0.999
    epsilon : float, default 1e-7
    amsgrad : bool, default False

    Examples
    --------
    >>> Adam(0.01)
    Adam(learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """

    name = "adam"
    slots = ("m", "v", "vhat")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = number("beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = number("beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)
        self.amsgrad = flag("amsgrad", amsgrad)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        t = self.iterations + 1
        lr = self.learning_rate
        # The bias correction folded into the step size, once per update.
        self._alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        for key, p in params.items():
            self._update(key, p, grads[key], lr)
        self.iterations += 1

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        m = self._slot("m", key, p)
        v = self._slot("v", key, p)
        m += (g - m) * (1.0 - self.beta_1)
        v += (g * g - v) * (1.0 - self.beta_2)
        if self.amsgrad:
            vhat = self._slot("vhat", key, p)
            np.maximum(vhat, v, out=vhat)
            v = vhat
        p -= (m * self._alpha) / (np.sqrt(v) + self.epsilon)

    def _hyperparameters(self) -> dict[str, Any]:
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam)}

# Names for common settings of the classes above.
ALIASES: dict[str, Any] = {
    "momentum": lambda **kwargs: SGD(**{"momentum": 0.9, **kwargs}),
    "nesterov": lambda **kwargs: SGD(**{"momentum": 0.9, "nesterov": True, **kwargs}),
}


def get(identifier: str | Optimizer | Mapping[str, Any], **kwargs: Any) -> Optimizer:
    """Return an optimizer for a name, a :meth:`~Optimizer.get_config` dict, or an instance.

    A name gives that optimizer with its default settings, overridden by ``kwargs``:
    ``get("adam")``, ``get("sgd", learning_rate=0.1)``. ``"momentum"`` is
    ``SGD(momentum=0.9)`` and ``"nesterov"`` adds ``nesterov=True``. An instance is
    returned as it is.

    >>> get("adam")
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """
    if isinstance(identifier, Optimizer):
        if kwargs:
            raise TypeError("keyword arguments apply to optimizer names, not to an instance")
        return identifier
    if isinstance(identifier, Mapping):
        return lookup("optimizer", identifier.get("name"), OPTIMIZERS).from_config(identifier)
    return lookup("optimizer", identifier, {**OPTIMIZERS, **ALIASES}, "an Optimizer")(**kwargs)

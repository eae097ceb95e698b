"""Optimizers: how a gradient becomes a step. Simplest first.

Each optimizer has ``step(params, grads)``, where both are dicts keyed by the model's
dotted parameter names (``"0.kernel"``, ``"1.bias"``), and updates ``params`` in place.
Per-parameter state (a momentum buffer, say) is kept under the same names, which makes it
easy to save and restore.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["OPTIMIZERS", "SGD", "Optimizer", "get"]


def _check_rate(name: str, value: Any, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not math.isfinite(value) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


class Optimizer:
    """Base class: holds the learning rate and per-parameter state."""

    name = ""

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = _check_rate("learning_rate", learning_rate)
        self.state: dict[str, np.ndarray] = {}
        self.iterations = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    Plain SGD is ``w <- w - learning_rate * g`` (WildML: ``W1 += -epsilon * dW1``).
    With momentum ``mu`` (Keras' formulation) a velocity accumulates the steps:
    ``v <- mu * v - learning_rate * g;  w <- w + v``.

    Parameters
    ----------
    learning_rate : float, default 0.01
    momentum : float, default 0.0
        In ``[0, 1)``.

    Examples
    --------
    >>> from nnscratch.optimizers import SGD
    >>> SGD(0.01)
    SGD(learning_rate=0.01, momentum=0.0)
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0) -> None:
        super().__init__(learning_rate)
        self.momentum = _check_rate("momentum", momentum, allow_zero=True)
        if self.momentum >= 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self._scratch: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        lr = self.learning_rate
        if self.momentum:
            mu = self.momentum
            for key, p in params.items():
                v = self.state.get(key)
                if v is None:
                    v = self.state[key] = np.zeros_like(p)
                v *= mu
                v -= lr * grads[key]
                p += v
        else:
            scratch = self._scratch
            for key, p in params.items():
                g = grads[key]
                tmp = scratch.get(key)
                if tmp is None or tmp.shape != g.shape or tmp.dtype != g.dtype:
                    tmp = scratch[key] = np.empty_like(g)
                # p - lr*g, rounded exactly as the tutorials' `p += -lr * g`.
                np.multiply(g, lr, out=tmp)
                np.subtract(p, tmp, out=p)
        self.iterations += 1

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate, "momentum": self.momentum}


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD}


def get(identifier: str | Optimizer) -> Optimizer:
    """Return an optimizer for a name (default settings) or an instance as it is."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in OPTIMIZERS:
            return OPTIMIZERS[key]()
        raise ValueError(
            f"unknown optimizer {identifier!r}; valid names: {', '.join(sorted(OPTIMIZERS))}"
        )
    raise TypeError(f"optimizer must be a name or an Optimizer, got {type(identifier).__name__}")

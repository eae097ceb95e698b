"""Weight penalties, with Keras semantics.

A regularizer adds a penalty on a kernel ``W`` to the training objective:

    l1(k):        k * sum(|W|)
    l2(k):        k * sum(W**2)          gradient 2 k W
    l1_l2(a, b):  a * sum(|W|) + b * sum(W**2)

Note the Keras convention: ``l2(k)`` has *no* 1/2. The WildML tutorial writes its penalty
as ``reg_lambda / 2 * sum(W**2)`` with gradient ``reg_lambda * W``, so its
``reg_lambda = 0.01`` is ``l2(0.005)`` here. Biases are not penalised.

The penalty is added to the objective as it is, whatever the loss reduction: with
``reduction="sum"`` (the tutorial's) the objective is ``sum of losses + penalty``.
"""

from __future__ import annotations

import numpy as np

from .backend import array_namespace
from .checks import number

__all__ = ["L1L2", "Regularizer", "get", "l1", "l1_l2", "l2"]


class Regularizer:
    """Base class: ``penalty(W)`` is a float, ``gradient(W)`` an array like ``W``.

    The training step adds ``penalty(W)`` to the objective and ``gradient(W)`` to the
    weight's gradient. To save a model with a regularizer of your own, give it a
    ``get_config()`` that returns ``{"l1": ..., "l2": ...}``-style plain data.
    """

    def penalty(self, w: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def add_to(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """``grad`` plus the penalty's gradient at ``w`` (a new array)."""
        return grad + self.gradient(w)

    def get_config(self) -> dict[str, float]:
        raise TypeError(f"a {type(self).__name__} regularizer cannot be saved by name")


class L1L2(Regularizer):
    """``l1 * sum(|W|) + l2 * sum(W**2)``.

    Parameters
    ----------
    l1, l2 : float
        Non-negative, finite strengths.

    Examples
    --------
    >>> import numpy as np
    >>> L1L2(l2=0.005).penalty(np.array([[1.0, 2.0]]))
    0.025
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = number("l1", l1, low=0)
        self.l2 = number("l2", l2, low=0)
        # 2*l2 is exact in binary floating point, so (2*l2) * W rounds exactly like the
        # tutorial's reg_lambda * W.
        self._two_l2 = 2.0 * self.l2

    def penalty(self, w: np.ndarray) -> float:
        total, xp = 0.0, array_namespace(w)
        if self.l1:
            total += self.l1 * float(xp.sum(xp.abs(w)))
        if self.l2:  # sum(W**2) as one dot product of the flattened weights
            flat = xp.reshape(w, (-1,))
            total += self.l2 * float(xp.vecdot(flat, flat))
        return total

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return self.add_to(w, array_namespace(w).zeros_like(w))

    def add_to(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        # d/dW [l2 sum W^2] = 2 l2 W  (WildML: dW += reg_lambda * W, with l2 = reg_lambda/2)
        if self.l2:
            grad = grad + self._two_l2 * w
        if self.l1:
            grad = grad + self.l1 * array_namespace(w).sign(w)  # d/dW [l1 sum |W|] = l1 sign(W)
        return grad

    def get_config(self) -> dict[str, float]:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"L1L2(l1={self.l1}, l2={self.l2})"


def l1(l1: float = 0.01) -> L1L2:
    """L1 penalty ``l1 * sum(|W|)`` (Keras default strength 0.01)."""
    return L1L2(l1=l1)


def l2(l2: float = 0.01) -> L1L2:
    """L2 penalty ``l2 * sum(W**2)`` (Keras default strength 0.01)."""
    return L1L2(l2=l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Both penalties: ``l1 * sum(|W|) + l2 * sum(W**2)``."""
    return L1L2(l1=l1, l2=l2)


def get(identifier: Regularizer | dict | str | None) -> Regularizer | None:
    """Return a regularizer from an instance, a config dict, a name, or ``None``."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        unknown = set(identifier) - {"l1", "l2"}
        if unknown:
            raise ValueError(f"a regularizer config has only l1 and l2, got {sorted(unknown)}")
        return L1L2(**identifier)
    if isinstance(identifier, str):
        table = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
        if identifier in table:
            return table[identifier]()
        raise ValueError(f"unknown regularizer {identifier!r}; valid names: l1, l1_l2, l2")
    raise TypeError(f"regularizer must be a Regularizer or a name, got {type(identifier).__name__}")

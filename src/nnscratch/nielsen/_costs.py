"""The book's small functions and its two costs, shared by ``network`` and ``network2``."""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "COSTS",
    "CrossEntropyCost",
    "QuadraticCost",
    "cost_class",
    "is_book_cost",
    "sigmoid",
    "sigmoid_prime",
    "vectorized_result",
]


def sigmoid(z: Any) -> np.ndarray:
    """The sigmoid function ``1 / (1 + exp(-z))``, elementwise (the book's ``sigmoid``)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: Any) -> np.ndarray:
    """Derivative of the sigmoid: ``sigmoid(z) * (1 - sigmoid(z))``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def vectorized_result(j: int) -> np.ndarray:
    """A ``(10, 1)`` unit vector with 1.0 in position ``j``: the book's one-hot label."""
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j <= 9:
        raise ValueError(f"a digit label must be an integer 0..9, got {j!r}")
    e = np.zeros((10, 1))
    e[int(j)] = 1.0
    return e


class QuadraticCost:
    """The quadratic cost ``C = 1/2 ||a - y||^2`` of one example (chapters 1 and 3).

    ``fn`` and ``delta`` are the book's; training uses the engine's ``"quadratic"`` loss,
    whose gradient with respect to the output is ``a - y``, multiplied through the
    sigmoid's slope: ``delta = (a - y) * sigmoid_prime(z)``.
    """

    #: the engine loss this cost trains with
    engine_loss: ClassVar[str] = "quadratic"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        """Cost of output ``a`` for desired output ``y``."""
        return float(0.5 * np.linalg.norm(np.asarray(a) - np.asarray(y)) ** 2)

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The error ``dC/dz`` of the output layer."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """The cross-entropy cost ``-sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]`` (chapter 3).

    With sigmoid outputs the slope of the sigmoid cancels and ``delta = a - y``: the
    learning does not slow down when a neuron saturates. The engine's
    ``"binary_crossentropy"`` loss fuses with the sigmoid in exactly this way.
    """

    engine_loss: ClassVar[str] = "binary_crossentropy"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        """Cost of output ``a`` for desired output ``y`` (``nan_to_num`` for ``0 log 0``)."""
        a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The error ``dC/dz`` of the output layer: ``a - y`` (``z`` is not needed)."""
        return a - y


#: the costs by name, as ``save`` writes them and ``load`` reads them
COSTS: dict[str, type] = {"QuadraticCost": QuadraticCost, "CrossEntropyCost": CrossEntropyCost}


def cost_class(cost: Any) -> type:
    """The cost class from the class, an instance or (for the book's two) its name.

    The book passes the class (``cost=network2.CrossEntropyCost``); its ``fig/`` scripts
    ``overfitting.py`` and ``more_data.py`` pass an instance (``CrossEntropyCost()``),
    which works there because ``fn`` and ``delta`` are static methods. Both give the class.
    A class of one's own with the book's ``fn(a, y)`` and ``delta(z, a, y)`` is accepted
    too: :func:`is_book_cost` tells it from the two the engine trains.
    """
    if isinstance(cost, str):
        if cost in COSTS:
            return COSTS[cost]
        raise ValueError(f"unknown cost {cost!r}; valid: {', '.join(COSTS)}")
    cls = cost if isinstance(cost, type) else type(cost)
    if cls in COSTS.values() or all(callable(getattr(cls, m, None)) for m in ("fn", "delta")):
        return cls
    raise ValueError(
        f"cost must be QuadraticCost, CrossEntropyCost or a class with the book's static "
        f"methods fn(a, y) and delta(z, a, y), got {cost!r}"
    )


def is_book_cost(cost: type) -> bool:
    """Whether ``cost`` is the book's ``QuadraticCost`` or ``CrossEntropyCost`` itself
    (which the engine trains as one of its losses), not a class of one's own."""
    return cost in COSTS.values()

"""The book's ``network.py`` (chapter 1): a network of sigmoid neurons, quadratic cost.

The reader's session, on Python 3::

    >>> from nnscratch.nielsen import mnist_loader, network
    >>> training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    >>> net = network.Network([784, 30, 10])                           # doctest: +SKIP
    >>> net.SGD(training_data, 30, 10, 3.0, test_data=test_data)       # doctest: +SKIP
    Epoch 0: 9036 / 10000
    ...

(``nnscratch.nielsen.install_book_modules()`` makes the book's own ``import network``
work.) The weights and biases are drawn from ``np.random`` as the book draws them
(N(0, 1), all biases first), so ``np.random.seed(0)`` before ``Network(...)`` gives the
book's network; ``random.seed(0)`` fixes the shuffles of ``random.shuffle``.
``backprop(x, y)`` returns the book's ``(nabla_b, nabla_w)`` for one example, and
``update_mini_batch`` the book's step; the training itself runs each mini-batch as one
matrix on the engine (see :mod:`nnscratch.nielsen`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._costs import QuadraticCost, sigmoid, sigmoid_prime
from ._net import Lines
from ._net import Network as _BookNetwork

__all__ = ["Network", "sigmoid", "sigmoid_prime"]


class Network(_BookNetwork):
    """``network.Network(sizes)``: quadratic cost, weights and biases N(0, 1).

    Keyword-only extras: ``dtype`` ("float64", the book's, or "float32"), ``random_state``
    (a ``np.random.RandomState`` instead of the global ``np.random``) and ``print_fn``
    (where the "Epoch 0: 9036 / 10000" lines go; ``None`` is silent).

    >>> import numpy as np
    >>> np.random.seed(0)
    >>> Network([784, 30, 10])
    Network([784, 30, 10], cost=QuadraticCost)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        dtype: str = "float64",
        random_state: np.random.RandomState | None = None,
        print_fn: Lines | None = print,
    ) -> None:
        super().__init__(sizes, None, dtype=dtype, random_state=random_state, print_fn=print_fn)
        self.cost = QuadraticCost

    def SGD(  # type: ignore[override]
        self,
        training_data: Any,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        test_data: Any = None,
    ) -> None:
        """Train by mini-batch SGD; with ``test_data``, print "Epoch j: correct / total"
        after every epoch (otherwise "Epoch j complete"), as network.py does."""
        super().SGD(training_data, epochs, mini_batch_size, eta, test_data=test_data)

    def update_mini_batch(self, mini_batch: Any, eta: float) -> None:  # type: ignore[override]
        """One gradient step ``w <- w - (eta / m) sum_x dC_x/dw`` on ``mini_batch``."""
        super().update_mini_batch(mini_batch, eta)

"""The book's ``network2.py`` (chapter 3): cross-entropy, L2 regularization, better weights.

The reader's session, on Python 3::

    >>> from nnscratch.nielsen import mnist_loader, network2
    >>> training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    >>> net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    >>> net.SGD(training_data, 30, 10, 0.5, lmbda=5.0,
    ...         evaluation_data=validation_data,
    ...         monitor_evaluation_accuracy=True)                       # doctest: +SKIP
    Epoch 0 training complete
    Accuracy on evaluation data: 9338 / 10000
    ...

``Network(sizes)`` defaults to ``CrossEntropyCost`` and ``default_weight_initializer``
(weights N(0, 1/n_in), biases N(0, 1)), as in the book; ``large_weight_initializer()``
gives chapter 1's N(0, 1) for comparison. ``SGD`` returns the four monitored lists,
``total_cost`` and ``accuracy`` are the book's, ``save`` writes its JSON and
:func:`load` reads it back (safely: see :mod:`nnscratch.nielsen._files`). ``cost`` may
be the class, an instance (``fig/overfitting.py`` passes ``CrossEntropyCost()``) or a
class of one's own with ``fn(a, y)`` and ``delta(z, a, y)``; a subclass's own
``update_mini_batch`` or ``backprop`` is what ``SGD`` runs (see :mod:`nnscratch.nielsen`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._costs import (
    CrossEntropyCost,
    QuadraticCost,
    sigmoid,
    sigmoid_prime,
    vectorized_result,
)
from ._files import read_network_file
from ._net import Network as _BookNetwork

__all__ = [
    "CrossEntropyCost",
    "Network",
    "QuadraticCost",
    "load",
    "sigmoid",
    "sigmoid_prime",
    "vectorized_result",
]


class Network(_BookNetwork):
    """``network2.Network(sizes, cost=CrossEntropyCost)``.

    The book's signature; ``extras`` are the keyword-only ``dtype``, ``random_state`` and
    ``print_fn`` of :class:`nnscratch.nielsen.network.Network`.

    >>> import numpy as np
    >>> np.random.seed(0)
    >>> Network([784, 30, 10])
    Network([784, 30, 10], cost=CrossEntropyCost)
    """

    _network2 = True

    def __init__(self, sizes: Sequence[int], cost: Any = CrossEntropyCost, **extras: Any) -> None:
        super().__init__(sizes, cost, **extras)


def load(filename: str | os.PathLike[str], *, dtype: str = "float64") -> Network:
    """Load a network saved by ``Network.save`` (ours or the book's ``network2``).

    The file is read as untrusted input: regular files only, at most
    :data:`~nnscratch.nielsen._files.MAX_NETWORK_BYTES`, JSON depth and numbers bounded,
    every array's shape checked against ``sizes``. The global ``np.random`` is not moved.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it is not such a file, naming the file and what is wrong.
    """
    data = read_network_file(filename)
    # A private generator for the throwaway initial weights: loading a network must not
    # move the global np.random state that a reader's script may have seeded.
    net = Network(
        data["sizes"], cost=data["cost"], dtype=dtype, random_state=np.random.RandomState(0)
    )
    net.weights = data["weights"]
    net.biases = data["biases"]
    net.random_state = None
    return net

"""The book's ``mnist_loader.py``: ``load_data()`` and ``load_data_wrapper()``.

The data comes from :func:`nnscratch.data.mnist.load_mnist`, which looks, in order, at
the ``path`` argument, the ``NNSCRATCH_DATA`` environment variable, the book's own
layout (``../data/mnist.pkl.gz`` from the book's ``src/`` folder, then
``./mnist.pkl.gz``), the user cache, and finally downloads a verified copy. Nielsen's
split: 50,000 training, 10,000 validation and 10,000 test images.

Unlike the popular Python 3 port, ``load_data_wrapper`` returns *lists*: ``len()`` works
and a second ``SGD`` call does not train on an exhausted ``zip``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._costs import vectorized_result

__all__ = ["load_data", "load_data_wrapper", "vectorized_result"]


def load_data(
    path: str | os.PathLike[str] | None = None, **options: Any
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``(training_data, validation_data, test_data)``, each a pair of arrays.

    The images are a ``(n, 784)`` float32 array of pixel intensities in [0, 1) (the
    book's rows of 28x28 = 784 values), the labels an ``(n,)`` array of digits.
    ``options`` go to :func:`~nnscratch.data.mnist.load_mnist` (``cache_dir=``,
    ``download=`` ...).
    """
    from ..data.mnist import load_mnist

    mnist = load_mnist(path, **options)
    return (
        (mnist.train[0], mnist.train[1]),
        (mnist.validation[0], mnist.validation[1]),
        (mnist.test[0], mnist.test[1]),
    )


def load_data_wrapper(
    path: str | os.PathLike[str] | None = None, **options: Any
) -> tuple[list, list, list]:
    """The data in the book's training format: three *lists* of ``(x, y)`` pairs.

    ``x`` is a ``(784, 1)`` column. In ``training_data`` ``y`` is the one-hot
    ``(10, 1)`` column of the digit (``vectorized_result``); in ``validation_data``
    and ``test_data`` it is the digit itself, an ``int``.
    """
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = load_data(path, **options)
    eye = np.eye(10)
    training_data = [(x.reshape(784, 1), eye[:, [int(y)]]) for x, y in zip(tr_x, tr_y)]
    validation_data = [(x.reshape(784, 1), int(y)) for x, y in zip(va_x, va_y)]
    test_data = [(x.reshape(784, 1), int(y)) for x, y in zip(te_x, te_y)]
    return training_data, validation_data, test_data

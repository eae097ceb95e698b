"""``keras.datasets.mnist.load_data()``, from nnscratch's verified MNIST loader.

Keras' function downloads ``mnist.npz`` and returns the official split: 60,000 training
images and 10,000 test images, ``uint8`` arrays of shape ``(n, 28, 28)`` with values
0..255, and ``uint8`` labels 0..9. This one returns the same arrays, read by
:func:`nnscratch.data.mnist.load_mnist` (found on disk or downloaded with its SHA-256
checked, parsed safely, cached):

* ``x_train``, ``y_train``: the book's 50,000 training images followed by its 10,000
  validation images, which is the official training set in its original order (the book
  split it as first 50,000 / last 10,000);
* ``x_test``, ``y_test``: the official 10,000 test images.

The pixels are the files' own bytes: the book's ``mnist.pkl.gz`` stores ``byte / 256``,
which is converted back exactly (a pixel that is not a multiple of 1/256 is refused, never
rounded), and the cache stores the bytes themselves.

>>> from nnscratch.keras.datasets import mnist
>>> (x_train, y_train), (x_test, y_test) = mnist.load_data()   # doctest: +SKIP
>>> x_train.shape, x_train.dtype, y_train[:5]                   # doctest: +SKIP
((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9], dtype=uint8))
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

__all__ = ["load_data"]

#: Keras' default for ``path``; it asks for nnscratch's usual search.
DEFAULT_PATH = "mnist.npz"

if TYPE_CHECKING:
    from ...data.mnist.base import TrainTest


def load_data(path: str | os.PathLike[str] = DEFAULT_PATH) -> TrainTest:
    """Load MNIST as Keras does: ``(x_train, y_train), (x_test, y_test)``.

    Parameters
    ----------
    path : path-like, default "mnist.npz"
        In Keras, the file name under ``~/.keras/datasets/`` to cache the download as.
        Here the default means nnscratch's usual search (the ``NNSCRATCH_DATA``
        environment variable, the book's ``../data/mnist.pkl.gz`` and ``./mnist.pkl.gz``,
        the user cache, then a verified download; see
        :func:`nnscratch.data.mnist.load_mnist`). Any other value is a file or folder to
        load from: Keras' own ``mnist.npz`` (for instance
        ``~/.keras/datasets/mnist.npz``), the book's ``mnist.pkl.gz``, an nnscratch
        ``.npz`` cache, or a folder of the four IDX files.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` uint8 of shape ``(n, 28, 28)``, values 0..255; ``y_*`` uint8 labels 0..9;
        60,000 training and 10,000 test images for the real data.

    Raises
    ------
    FileNotFoundError, nnscratch.data.mnist.MNISTFormatError,
    nnscratch.data.mnist.MNISTDownloadError
        As :func:`~nnscratch.data.mnist.load_mnist` raises them.
    """
    from ...data.mnist import load_mnist

    source = None if os.fspath(path) == DEFAULT_PATH else path
    data = load_mnist(source, as_bytes=True)

    def images(*parts: np.ndarray) -> np.ndarray:
        joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return joined.reshape(len(joined), 28, 28)

    x_train = images(data.train.X, data.validation.X)
    y_train = np.concatenate([data.train.y, data.validation.y]).astype(np.uint8)
    return (x_train, y_train), (images(data.test.X), data.test.y.astype(np.uint8))

"""``keras.datasets.fashion_mnist.load_data()``: Zalando's Fashion-MNIST, as Keras returns it.

60,000 training and 10,000 test images, ``uint8`` arrays ``(n, 28, 28)`` with values
0..255, and ``uint8`` labels 0..9 (the clothes' names are
:data:`nnscratch.data.fashion_mnist.CLASS_NAMES`), from
:func:`nnscratch.data.fashion_mnist.load_fashion_mnist`: the user cache, or a download with
every file's MD5 checked. As in TensorFlow's "Basic classification" tutorial::

    from nnscratch import keras
    (train_images, train_labels), (test_images, test_labels) = (
        keras.datasets.fashion_mnist.load_data()
    )
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["load_data"]

if TYPE_CHECKING:
    from ...data.mnist.base import TrainTest


def load_data() -> TrainTest:
    """Load Fashion-MNIST as Keras does: ``(x_train, y_train), (x_test, y_test)``."""
    from ...data.fashion_mnist import load_fashion_mnist  # (imported when first used)

    return load_fashion_mnist()

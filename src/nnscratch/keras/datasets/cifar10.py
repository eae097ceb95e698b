"""``keras.datasets.cifar10.load_data()``: CIFAR-10's 60,000 colour pictures, as Keras gives them.

50,000 training and 10,000 test images, ``uint8`` arrays ``(n, 32, 32, 3)`` (channels
last) with values 0..255, and ``uint8`` labels ``(n, 1)`` in 0..9 (the classes' names are
:data:`nnscratch.data.cifar10.CLASS_NAMES`), from :func:`nnscratch.data.cifar10.load_cifar10`:
the user cache, or a download of the authors' binary archive with its MD5 checked (Keras
unpickles the "python version"; nothing here is unpickled). As in TensorFlow's
"Convolutional Neural Network (CNN)" tutorial::

    from nnscratch import keras
    (train_images, train_labels), (test_images, test_labels) = keras.datasets.cifar10.load_data()
    train_images, test_images = train_images / 255.0, test_images / 255.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["load_data"]

if TYPE_CHECKING:
    from ...data.mnist.base import TrainTest


def load_data() -> TrainTest:
    """Load CIFAR-10 as Keras does: ``(x_train, y_train), (x_test, y_test)``."""
    from ...data.cifar10 import load_cifar10  # (imported when first used)

    return load_cifar10()

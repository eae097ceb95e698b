"""Keras' ``keras.datasets``: the data sets Keras examples load by name.

``mnist``, the one every Keras MLP and CNN example starts with, ``fashion_mnist``,
TensorFlow's first tutorial's, ``cifar10``, its CNN tutorial's, and the regression sets
``boston_housing`` and ``california_housing``::

    from nnscratch.keras.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()

Importing this package is cheap: the loader is imported when ``load_data()`` is called.
"""

from typing import Any

from .._refusals import missing
from . import boston_housing, california_housing, cifar10, fashion_mnist, mnist

__all__ = ["boston_housing", "california_housing", "cifar10", "fashion_mnist", "mnist"]

_MISSING = {
    **dict.fromkeys(
        ("imdb", "reuters"),
        "Keras' files of word lists need unpickling, which nnscratch never does; the data "
        "sets here are mnist, fashion_mnist, cifar10, boston_housing and california_housing",
    ),
    **dict.fromkeys(
        ("cifar100",),
        "the data sets here are mnist, fashion_mnist, cifar10, boston_housing and "
        "california_housing; load others with NumPy (a CSV file: nnscratch.data.load_csv)",
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras data set this package does not have: ``AttributeError`` saying why."""
    raise missing(__name__, name, _MISSING)

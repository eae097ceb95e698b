"""Keras' ``keras.datasets``: the data sets Keras examples load by name.

``mnist``, the one every Keras MLP and CNN example starts with, and ``fashion_mnist``,
TensorFlow's first tutorial's::

    from nnscratch.keras.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()

Importing this package is cheap: the loader is imported when ``load_data()`` is called.
"""

from . import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]

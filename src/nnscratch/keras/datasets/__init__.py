"""Keras' ``keras.datasets``: the data sets Keras examples load by name.

Only ``mnist`` is here, the one every Keras MLP and CNN example starts with::

    from nnscratch.keras.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()

Importing this package is cheap: the loader is imported when ``load_data()`` is called.
"""

from . import mnist

__all__ = ["mnist"]

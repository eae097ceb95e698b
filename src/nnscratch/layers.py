"""Layers, Keras-style: ``from nnscratch.layers import Dense, Activation, Dropout, Flatten``,
``Reshape``; for images ``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D``,
``GlobalAveragePooling2D`` and ``GlobalMaxPooling2D`` (channels last); for the inputs
``Normalization`` (``adapt(x)``) and ``Rescaling``.

Your own layer: subclass :class:`Layer` and decorate it with :func:`register_layer` (see
:mod:`nnscratch.engine.layers.base` for the contract and an example).
"""

from .engine import layers as _engine_layers
from .engine.layers import *  # noqa: F403  (the names below)

# The engine's public layer names; ``registered_name`` is the serializer's, not the user's.
__all__ = [name for name in _engine_layers.__all__ if name != "registered_name"]

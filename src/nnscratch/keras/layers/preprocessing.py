"""``from nnscratch.keras.layers import Normalization, Rescaling`` (Keras' preprocessing
layers).

The engine's :class:`~nnscratch.engine.layers.preprocessing.Normalization` (with
``adapt(data)``) and :class:`~nnscratch.engine.layers.preprocessing.Rescaling`, with the
calls of :class:`~.core.KerasLayer`. As in TensorFlow's regression tutorial::

    normalizer = Normalization(axis=-1)
    normalizer.adapt(np.array(train_features))
    model = Sequential([normalizer, Dense(64, activation="relu"), Dense(1)])

``axis`` is ``-1`` (a mean per feature) or ``None`` (one for all values): the axis
tuples of Keras' image uses are not taken.
"""

from __future__ import annotations

from ...engine import layers as engine_layers
from ...engine.layers import register_layer
from .core import KerasLayer

__all__ = ["Normalization", "Rescaling"]


@register_layer(name="Normalization")
class Normalization(KerasLayer, engine_layers.Normalization):
    """``nnscratch.layers.Normalization`` with Keras' calls."""


@register_layer(name="Rescaling")
class Rescaling(KerasLayer, engine_layers.Rescaling):
    """``nnscratch.layers.Rescaling`` with Keras' calls."""

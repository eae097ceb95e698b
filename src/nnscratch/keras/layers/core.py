"""``from nnscratch.keras.layers.core import Dense, Activation, Dropout``.

The module path of Keras 1 and 2 (``keras.layers.core``) that older tutorials import
from; the classes are the engine's own.
"""

from ...engine.layers import Activation, Dense, Dropout, Layer

__all__ = ["Activation", "Dense", "Dropout", "Layer"]

"""``from nnscratch.keras.utils import np_utils; np_utils.to_categorical(y, 2)`` (Keras 1/2)."""

from . import to_categorical

__all__ = ["to_categorical"]

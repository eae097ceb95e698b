"""``from nnscratch.keras.utils import to_categorical`` (also ``utils.np_utils``)."""

from . import np_utils
from .np_utils import to_categorical

__all__ = ["np_utils", "to_categorical"]

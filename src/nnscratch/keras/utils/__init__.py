"""``from nnscratch.keras.utils import to_categorical`` (also ``utils.np_utils``), and
Keras 3's ``set_random_seed`` and ``clear_session`` (:mod:`nnscratch.keras.backend`'s)."""

from ..backend import clear_session, set_random_seed
from . import np_utils
from .np_utils import to_categorical

__all__ = ["clear_session", "np_utils", "set_random_seed", "to_categorical"]

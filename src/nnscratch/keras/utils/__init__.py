"""``from nnscratch.keras.utils import to_categorical, normalize`` (also ``utils.np_utils``), and
Keras 3's ``set_random_seed`` and ``clear_session`` (:mod:`nnscratch.keras.backend`'s)."""

from typing import Any

from .._refusals import missing
from ..backend import clear_session, set_random_seed
from . import np_utils
from .np_utils import normalize, to_categorical

__all__ = ["clear_session", "normalize", "np_utils", "set_random_seed", "to_categorical"]


_MISSING = {
    **dict.fromkeys(
        ("PyDataset", "Sequence"),
        "fit, evaluate and predict take NumPy arrays: collect the batches into arrays "
        "first (x = np.concatenate([...]), y = np.concatenate([...]))",
    ),
    "plot_model": "model.summary() prints the layers and their output shapes",
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

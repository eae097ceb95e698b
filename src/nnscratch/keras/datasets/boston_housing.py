"""``keras.datasets.boston_housing.load_data()``: 506 areas of Boston, 13 features, the
median home value in k$, split as Keras splits it (:mod:`nnscratch.data.housing`, whose
warning about this data set applies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["load_data"]

if TYPE_CHECKING:
    from ...data.mnist.base import TrainTest


def load_data(
    path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)`` as Keras gives them: ``x`` ``(n, 13)``.

    ``path`` as Keras' default is the file in the user cache (downloaded there if
    missing, its SHA-256 checked); any other ``path`` is a copy of the file to read.
    """
    from ...data.housing import load_boston_housing  # (imported when first used)

    own = None if path == "boston_housing.npz" else path
    return load_boston_housing(own, test_split, seed)

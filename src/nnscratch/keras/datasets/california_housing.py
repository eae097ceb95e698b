"""``keras.datasets.california_housing.load_data()``: 20,640 block groups of California,
8 features, the median house value, split as Keras splits it
(:mod:`nnscratch.data.housing`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["load_data"]

if TYPE_CHECKING:
    from ...data.mnist.base import TrainTest


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)`` as Keras gives them: ``x`` ``(n, 8)``;
    ``version="small"`` keeps the first 600 rows.

    ``path`` as Keras' default is the file in the user cache (downloaded there if
    missing, its SHA-256 checked); any other ``path`` is a copy of the file to read.
    """
    from ...data.housing import load_california_housing  # (imported when first used)

    own = None if path == "california_housing.npz" else path
    return load_california_housing(version, own, test_split, seed)

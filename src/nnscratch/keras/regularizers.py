"""``from nnscratch.keras.regularizers import l1, l2, l1_l2`` (Keras semantics).

``l2(k)`` adds ``k * sum(W**2)`` to the loss, ``l1(k)`` adds ``k * sum(|W|)``. Keras 3's
spellings ``L2(k)``, ``L1(k)`` and ``L1L2(l1=, l2=)`` are the same (``L1`` and ``L2``
make an ``L1L2`` with the other factor 0).

Keras 1 called ``l1_l2`` ``l1l2``; ``from nnscratch.keras.regularizers import l1l2`` still
works but warns (``DeprecationWarning``) that the name is now ``l1_l2``. The warning is
given when the old name is looked up, not when this module is imported.
"""

import warnings
from typing import Any

from ..engine.regularizers import L1L2, Regularizer, get, l1, l1_l2, l2

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2"]

L1, L2 = l1, l2  # Keras 3's class names: L2(0.01) is l2(0.01)

_RENAMED = {"l1l2": "l1_l2"}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        new = _RENAMED[name]
        warnings.warn(
            f"{name} was renamed in Keras 2: use {new} (from nnscratch.keras.regularizers "
            f"import {new})",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

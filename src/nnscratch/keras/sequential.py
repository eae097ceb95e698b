"""``nnscratch.keras.models.Sequential``: ``nnscratch.Sequential`` with Keras' defaults.

Its ``fit`` trains on mini-batches of 32 when no ``batch_size`` is given, as Keras does
(``batch_size=len(x)`` is full-batch gradient descent, one step per epoch), and also
takes Keras 1's ``nb_epoch`` (with a ``DeprecationWarning``); its ``dtype`` defaults to
:func:`nnscratch.keras.backend.floatx`.
"""

from __future__ import annotations

from typing import Any

from .. import models
from ..engine.model import BATCH_SIZE as DEFAULT_BATCH_SIZE  # 32, Keras' fit(batch_size=None)
from . import backend
from ._renames import renamed

__all__ = ["DEFAULT_BATCH_SIZE", "Sequential"]


class Sequential(models.Sequential):
    """``nnscratch.Sequential``, whose ``fit`` defaults to batches of 32 and also takes
    Keras 1's ``nb_epoch``.

    ``Sequential(layers=None, name=None)`` as in Keras; ``dtype`` defaults to
    :func:`nnscratch.keras.backend.floatx` (``"float64"`` unless changed with
    ``set_floatx``), and ``seed`` is ``nnscratch.Sequential``'s.
    """

    def __init__(self, layers: Any = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", backend.floatx())
        super().__init__(layers, name=name, **kwargs)

    def fit(self, x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """``nnscratch.Sequential.fit`` in Keras' argument order, which also takes Keras 1's
        ``nb_epoch``; ``batch_size=None`` means ``DEFAULT_BATCH_SIZE`` (32), Keras' default
        and the engine's."""
        kwargs = renamed("fit", kwargs, {"nb_epoch": "epochs"})
        return super().fit(x, y, *args, **kwargs)

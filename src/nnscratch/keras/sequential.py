"""``nnscratch.keras.models.Sequential``: ``nnscratch.Sequential`` with Keras' defaults.

Its ``fit`` also takes Keras 1's ``nb_epoch`` (with a ``DeprecationWarning``), and its
``dtype`` defaults to :func:`nnscratch.keras.backend.floatx`.
"""

from __future__ import annotations

from typing import Any

from .. import models
from . import backend
from ._renames import renamed

__all__ = ["Sequential"]


class Sequential(models.Sequential):
    """``nnscratch.Sequential``, whose ``fit`` also takes Keras 1's ``nb_epoch``.

    ``Sequential(layers=None, name=None)`` as in Keras; ``dtype`` defaults to
    :func:`nnscratch.keras.backend.floatx` (``"float64"`` unless changed with
    ``set_floatx``), and ``seed`` is ``nnscratch.Sequential``'s.
    """

    def __init__(self, layers: Any = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", backend.floatx())
        super().__init__(layers, name=name, **kwargs)

    def fit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().fit(*args, **renamed("fit", kwargs, {"nb_epoch": "epochs"}))

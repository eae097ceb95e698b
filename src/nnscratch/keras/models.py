"""``from nnscratch.keras.models import Sequential, load_model`` (Keras' ``keras.models``)."""

from __future__ import annotations

from typing import Any

from .. import models
from ..models import load_model
from ..saving import save_model
from ._renames import renamed

__all__ = ["Sequential", "load_model", "save_model"]


class Sequential(models.Sequential):
    """``nnscratch.Sequential``, whose ``fit`` also takes Keras 1's ``nb_epoch``."""

    def fit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().fit(*args, **renamed("fit", kwargs, {"nb_epoch": "epochs"}))

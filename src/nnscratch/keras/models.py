"""``from nnscratch.keras.models import Sequential, Model, load_model, model_from_json``.

Keras' ``keras.models``: :class:`Sequential` is ``nnscratch.Sequential`` (every Keras
method is there; see :mod:`nnscratch.keras.sequential`), :class:`Model` the functional
``Model(inputs, outputs)`` for a chain of layers (:mod:`nnscratch.keras.functional`).
"""

from __future__ import annotations

from typing import Any

from .. import model_config
from ..models import load_model
from ..saving import save_model
from .functional import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "model_from_json", "save_model"]


def model_from_json(json_string: str | bytes, custom_objects: Any = None) -> Sequential:
    """The model that ``model.to_json()`` described, with fresh weights (Keras'
    ``keras.models.model_from_json``); see :mod:`nnscratch.model_config`."""
    return model_config.model_from_json(json_string, Sequential, custom_objects)

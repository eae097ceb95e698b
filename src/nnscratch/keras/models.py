"""``from nnscratch.keras.models import Sequential, Model, load_model, model_from_json``.

Keras' ``keras.models``: :class:`Sequential` is ``nnscratch.Sequential`` (every Keras
method is there; see :mod:`nnscratch.keras.sequential`), :class:`Model` the functional
``Model(inputs, outputs)`` for a chain of layers (:mod:`nnscratch.keras.functional`).
``load_model`` and ``model_from_json`` return this module's ``Sequential``, so a loaded
model trains with Keras' defaults too (``fit`` in batches of 32).
"""

from __future__ import annotations

import os
from typing import Any

from .. import model_config
from ..engine import serialize
from ..saving import ModelFileError, read_model_file, save_model
from .functional import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "model_from_json", "save_model"]


def load_model(
    filepath: str | os.PathLike[str], custom_objects: Any = None, compile: bool = True
) -> Sequential:
    """The model saved in ``filepath`` by ``model.save`` (Keras' ``keras.models.load_model``).

    As :func:`nnscratch.load_model`, but the model is a :class:`Sequential` of
    ``nnscratch.keras`` (its ``fit`` defaults to batches of 32, as Keras' does).
    ``custom_objects`` is accepted when every class in it is a registered layer; layers
    are found by their registered names. ``compile=False`` gives a model ready to
    ``predict``.
    """
    model_config.check_custom_objects(custom_objects)
    config, arrays = read_model_file(filepath)
    try:
        return serialize.model_from_data(config, arrays, compile=compile, model_class=Sequential)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise ModelFileError(filepath, str(exc)) from None


def model_from_json(json_string: str | bytes, custom_objects: Any = None) -> Sequential:
    """The model that ``model.to_json()`` described, with fresh weights (Keras'
    ``keras.models.model_from_json``); see :mod:`nnscratch.model_config`."""
    return model_config.model_from_json(json_string, Sequential, custom_objects)

"""``from nnscratch.keras.models import Sequential, Model, load_model, model_from_json``.

Keras' ``keras.models``: :class:`Sequential` is ``nnscratch.Sequential`` (every Keras
method is there; see :mod:`nnscratch.keras.sequential`), :class:`Model` the functional
``Model(inputs, outputs)`` for a chain of layers (:mod:`nnscratch.keras.functional`).
``load_model`` and ``model_from_json`` return this module's ``Sequential``, so a loaded
model trains with Keras' defaults too (``fit`` in batches of 32); ``clone_model`` is
Keras' copy of the architecture with fresh weights.
"""

from __future__ import annotations

import os
from typing import Any

from .. import model_config, models
from ..engine import serialize
from ..saving import ModelFileError, read_model_file, save_model
from .functional import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]


def clone_model(model: Any) -> Sequential:
    """A new model with ``model``'s layers and settings and freshly drawn weights, not
    compiled (Keras' ``keras.models.clone_model``).

    The layers are new objects with the same names; copy the weights with
    ``clone.set_weights(model.get_weights())`` and compile the clone before ``fit``.
    ``Sequential.from_config(model.get_config())`` is the same copy.
    """
    if not isinstance(model, models.Sequential):
        raise TypeError(
            f"clone_model expects a model (Sequential or Model), got {type(model).__name__}"
        )
    return Sequential.from_config(model.get_config())


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

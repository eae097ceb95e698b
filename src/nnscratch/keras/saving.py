"""``from nnscratch.keras.saving import register_keras_serializable, load_model, save_model``.

``@register_keras_serializable()`` is :func:`nnscratch.layers.register_layer` under Keras'
name: a layer class of your own, decorated once, saves and loads by name.
"""

from __future__ import annotations

from typing import Any

from ..engine.layers import register_layer
from ..saving import save_model
from .models import load_model

__all__ = ["load_model", "register_keras_serializable", "save_model"]


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Any:
    """Class decorator registering a layer under ``name`` (default: the class's name).

    ``package`` is accepted for Keras' signature; nnscratch keeps one namespace of layer
    names, so it does not change the registered name.
    """
    if not isinstance(package, str):
        raise TypeError(f"package must be a string, got {package!r}")
    return register_layer(name=name)

"""A model's architecture as plain data: Keras' ``get_config`` / ``from_config`` / JSON.

``model.get_config()`` describes the layers, not the weights::

    {"name": "sequential",
     "layers": [{"class_name": "Dense", "config": {"units": 512, "activation": "relu",
                                                   "input_shape": [784], ...}},
                {"class_name": "Dropout", "config": {"rate": 0.2, ...}}, ...],
     "build_input_shape": [null, 784],
     "dtype": "float64", "seed": 0}

and ``Sequential.from_config(config)`` builds a new model with the same layers and
*fresh* weights (drawn from the config's seed), as Keras does. ``model.to_json()`` is
``{"module": "nnscratch", "class_name": "Sequential", "config": <get_config()>}`` as
text, and ``model_from_json(text)`` reads it back. To keep the weights, use
``save_weights`` / ``load_weights`` or the whole-model ``save`` / ``load_model``.

Layers are named by the class name they are registered under
(:func:`nnscratch.layers.register_layer`, or Keras' ``register_keras_serializable``), so
a layer class of your own round-trips once it is registered. The text from
``model_from_json`` is treated as untrusted: its size and nesting are bounded before it
is parsed, and every layer, activation and setting is checked by the same code that
loads model files (:mod:`nnscratch.engine.serialize`). Keras' own JSON (with
``"module": "keras.layers"`` and Keras' setting names) is not read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .engine import serialize
from .engine.layers import registered_name
from .untrusted import load_json

__all__ = [
    "MAX_JSON_BYTES",
    "check_custom_objects",
    "from_config",
    "get_config",
    "model_from_json",
    "to_json",
]

#: The largest JSON text ``model_from_json`` parses (a config is a few kB).
MAX_JSON_BYTES = 16 * 2**20


def get_config(model: Any) -> dict[str, Any]:
    """The architecture of ``model`` as JSON-ready data (see the module docstring)."""
    layers = []
    for i, layer in enumerate(model.layers):
        name = registered_name(layer)
        if name is None:
            raise TypeError(
                f"layer {i} ({type(layer).__name__}) has no config name: register its "
                f"class with @nnscratch.layers.register_layer"
            )
        layers.append({"class_name": name, "config": layer.get_config()})
    config: dict[str, Any] = {"name": model.name or "sequential", "layers": layers}
    if model.built:
        config["build_input_shape"] = [None, *model.input_shape[1:]]
    config["dtype"] = str(model.dtype)
    config["seed"] = model.seed if isinstance(model.seed, int) else None
    return config


def _layer_specs(config: Any) -> tuple[list[Any], Mapping[str, Any]]:
    if isinstance(config, list):  # Keras 2's older form: the list of layers alone
        return config, {}
    if not isinstance(config, Mapping) or not isinstance(config.get("layers"), list):
        raise ValueError(
            "a model config is a dict with a 'layers' list (what get_config() returns), got "
            f"{type(config).__name__}"
        )
    unknown = set(config) - {"name", "layers", "build_input_shape", "dtype", "seed"}
    if unknown:
        raise ValueError(f"the model config has unknown keys {sorted(unknown)}")
    return config["layers"], config


def _input_shape(value: Any) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value or value[0] is not None:
        raise ValueError(f"build_input_shape must be [None, *shape], got {value!r}")
    return list(value[1:])


def check_custom_objects(custom_objects: Any) -> None:
    """Keras' ``custom_objects``: accepted when every class in it is registered (layers
    are found by their registered name, so nothing else is needed)."""
    if custom_objects is None:
        return
    if not isinstance(custom_objects, Mapping):
        raise TypeError(f"custom_objects must be a dict, got {type(custom_objects).__name__}")
    for key, value in custom_objects.items():
        if not isinstance(value, type) or registered_name(value) is None:
            raise ValueError(
                f"custom_objects[{key!r}]: layers are found by their registered name; "
                f"decorate the class with @nnscratch.layers.register_layer (or "
                f"@nnscratch.keras.saving.register_keras_serializable())"
            )


def from_config(config: Any, model_class: type, custom_objects: Any = None) -> Any:
    """A new ``model_class`` with fresh weights from :func:`get_config`'s data.

    Raises ``ValueError`` naming the first thing in ``config`` that is not a valid
    model (an unknown layer type, activation or setting, layers that do not fit).
    """
    check_custom_objects(custom_objects)
    specs, settings = _layer_specs(config)
    data = {
        "format": serialize.FORMAT,
        "format_version": serialize.FORMAT_VERSION,
        "name": settings.get("name"),
        "seed": settings.get("seed", 0),
        "dtype": settings.get("dtype", "float64"),
        "input_shape": None,  # built below, with fresh weights
        "layers": specs,
        "compile": None,
        "training": None,
    }
    shape = _input_shape(settings.get("build_input_shape"))
    model = serialize.model_from_data(data, {}, compile=False, model_class=model_class)
    if shape is not None:
        try:
            model._build(shape)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"build_input_shape {[None, *shape]}: {exc}") from None
    return model


def to_json(model: Any, **kwargs: Any) -> str:
    """``model``'s architecture as JSON text; ``kwargs`` go to ``json.dumps``
    (``indent=2``, ...)."""
    document = {"module": "nnscratch", "class_name": "Sequential", "config": get_config(model)}
    return json.dumps(document, **{"allow_nan": False, **kwargs})


def model_from_json(json_string: str | bytes, model_class: type, custom_objects: Any = None) -> Any:
    """The model that :func:`to_json` described, with fresh weights."""
    check_custom_objects(custom_objects)
    document = load_json(json_string, what="model JSON", max_bytes=MAX_JSON_BYTES)
    if not isinstance(document, dict) or document.get("class_name") not in ("Sequential",):
        found = document.get("class_name") if isinstance(document, dict) else document
        raise ValueError(
            f"expected the JSON of a Sequential model (model.to_json()), got class_name "
            f"{str(found)[:80]!r}"
        )
    if document.get("module", "nnscratch") != "nnscratch":
        raise ValueError(
            f"this JSON comes from {str(document['module'])[:40]!r}, not nnscratch: only "
            f"model.to_json() of nnscratch is read"
        )
    return from_config(document.get("config"), model_class)

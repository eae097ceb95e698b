"""``from nnscratch.keras.layers.pooling import MaxPooling2D, AveragePooling2D`` (Keras 2).

The engine's pooling layers (channels-last) with Keras' positional order (``pool_size``,
``strides``, ``padding``, ``data_format``; for the global ones ``data_format``,
``keepdims``), its short names ``MaxPool2D``, ``AvgPool2D``, ``GlobalMaxPool2D`` and
``GlobalAvgPool2D``, the calls of :class:`~.core.KerasLayer`, and Keras 1's ``border_mode=`` and
``dim_ordering=`` (with a ``DeprecationWarning``).
"""

from __future__ import annotations

from typing import Any

from ...engine import layers as engine_layers
from ...engine.layers import register_layer
from .._renames import renamed
from .core import KerasLayer

__all__ = [
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "MaxPool2D",
    "MaxPooling2D",
    "check_data_format",
    "positional",
]


def check_data_format(where: str, kwargs: dict[str, Any]) -> None:
    """Take ``data_format`` out of ``kwargs`` (Keras 1's ``dim_ordering`` values ``"tf"``
    and ``"th"`` too), refusing anything but channels-last with the transpose that fixes
    the data."""
    value = kwargs.pop("data_format", None)
    value = {"tf": "channels_last", "th": "channels_first", "default": None}.get(value, value)
    if value in (None, "channels_last"):
        return
    if value == "channels_first":
        raise ValueError(
            f"{where}(data_format='channels_first'): nnscratch works channels-last, images "
            f"(n, height, width, channels); transpose yours with x.transpose(0, 2, 3, 1) and "
            f"give input_shape=(height, width, channels)"
        )
    raise ValueError(f"{where}: data_format must be 'channels_last' (or None), got {value!r}")


def positional(where: str, names: tuple[str, ...], args: tuple[Any, ...], kwargs: dict) -> dict:
    """``kwargs`` with the positional ``args`` named in Keras' order ``names``."""
    if len(args) > len(names):
        raise TypeError(
            f"{where}() takes at most {len(names)} positional arguments ({', '.join(names)}); "
            f"pass the others by name"
        )
    named = dict(kwargs)
    for name, value in zip(names, args):
        if name in named:
            raise TypeError(f"{where}() got {name} twice (by position and by name)")
        named[name] = value
    return named


_RENAMES = {"border_mode": "padding", "dim_ordering": "data_format"}


class _KerasPooling(KerasLayer):
    """Keras' positional order (``order``), Keras 1's argument names and ``data_format``
    in front of an engine pooling layer."""

    order = ("pool_size", "strides", "padding", "data_format")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        where = type(self).__name__
        kwargs = renamed(where, positional(where, self.order, args, kwargs), _RENAMES)
        check_data_format(where, kwargs)
        super().__init__(**kwargs)


@register_layer(name="MaxPooling2D")
class MaxPooling2D(_KerasPooling, engine_layers.MaxPooling2D):
    """``nnscratch.layers.MaxPooling2D`` with Keras' arguments (see the module)."""


@register_layer(name="AveragePooling2D")
class AveragePooling2D(_KerasPooling, engine_layers.AveragePooling2D):
    """``nnscratch.layers.AveragePooling2D`` with Keras' arguments (see the module)."""


@register_layer(name="GlobalAveragePooling2D")
class GlobalAveragePooling2D(_KerasPooling, engine_layers.GlobalAveragePooling2D):
    """``nnscratch.layers.GlobalAveragePooling2D`` with Keras' arguments (see the module)."""

    order = ("data_format", "keepdims")


@register_layer(name="GlobalMaxPooling2D")
class GlobalMaxPooling2D(_KerasPooling, engine_layers.GlobalMaxPooling2D):
    """``nnscratch.layers.GlobalMaxPooling2D`` with Keras' arguments (see the module)."""

    order = ("data_format", "keepdims")


#: Keras' short names
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalAvgPool2D = GlobalAveragePooling2D

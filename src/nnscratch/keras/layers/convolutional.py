"""``from nnscratch.keras.layers.convolutional import Conv2D, MaxPooling2D`` (Keras 2's path).

Keras 2 kept its convolution layers in ``keras.layers.convolutional`` and imported the
pooling layers there too, so tutorials import both from it; Keras 3 has them all in
``keras.layers``. The classes are the engine's
:class:`~nnscratch.engine.layers.conv.Conv2D` and pooling layers (channels-last), with
what Keras layers do beyond the engine's contract (:class:`~.core.KerasLayer`: calls on
placeholders, ``get_weights``/``set_weights``) and the older spellings, each with a
``DeprecationWarning`` naming today's:

==========================================  ===============================================
Keras 1                                     today
==========================================  ===============================================
``Convolution2D(32, 3, 3)``                 ``Conv2D(32, (3, 3))``
``nb_filter=``, ``nb_row=``, ``nb_col=``    ``filters=``, ``kernel_size=(rows, cols)``
``border_mode=``, ``subsample=``            ``padding=``, ``strides=``
``init=``, ``W_regularizer=``, ...          ``kernel_initializer=``, ``kernel_regularizer=``
``dim_ordering="tf"``                       ``data_format="channels_last"``
==========================================  ===============================================

Three integers alone, ``Conv2D(32, 3, 3)``, are read as Keras 1 and 2 read them (a 3x3
kernel, with the warning); with a fourth positional argument, ``Conv2D(32, 3, 1, "same")``
is Keras 3's ``(filters, kernel_size, strides, padding)``, which Keras 2 refused.

nnscratch works channels-last only (images ``(n, height, width, channels)``):
``data_format="channels_last"`` (or ``None``) is accepted, ``"channels_first"`` is refused
with the transpose that fixes the data. Dilated convolutions are not supported.
"""

from __future__ import annotations

import warnings
from typing import Any

from ...engine import layers as engine_layers
from ...engine.layers import register_layer
from .._refusals import unsupported
from .._renames import renamed
from .core import KerasLayer
from .pooling import (
    AveragePooling2D,
    AvgPool2D,
    MaxPool2D,
    MaxPooling2D,
    check_data_format,
    positional,
)

__all__ = [
    "AveragePooling2D",
    "AvgPool2D",
    "Conv2D",
    "Convolution2D",
    "MaxPool2D",
    "MaxPooling2D",
]

_RENAMES = {
    "nb_filter": "filters",
    "border_mode": "padding",
    "subsample": "strides",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "bias": "use_bias",
    "dim_ordering": "data_format",
}
#: Keras' positional order after (filters, kernel_size)
_POSITIONAL = ("strides", "padding", "data_format", "dilation_rate")


@register_layer(name="Conv2D")
class Conv2D(KerasLayer, engine_layers.Conv2D):
    """``nnscratch.layers.Conv2D`` with Keras' positional order (``strides``, ``padding``,
    ``data_format``, ``dilation_rate``) and Keras 1's spellings (see the module)."""

    def __init__(self, filters: Any = None, kernel_size: Any = None, *args: Any, **kwargs: Any):
        given = {"filters": filters, "kernel_size": kernel_size}
        kwargs = {**{k: v for k, v in given.items() if v is not None}, **kwargs}
        if len(args) == 1 and isinstance(kernel_size, int) and isinstance(args[0], int):
            # Keras 1's (filters, rows, cols), which Keras 2 still read that way; with
            # more positional arguments (Conv2D(32, 3, 1, "same")) it is Keras 3's order
            kwargs["kernel_size"], args = (kernel_size, args[0]), args[1:]
            _old(
                f"Conv2D({filters}, {kernel_size}, {kwargs['kernel_size'][1]}) is Keras 1's "
                f"spelling of {kwargs['kernel_size'][0]}x{kwargs['kernel_size'][1]} kernels "
                f"(Keras 2 reads it so too)",
                f"Conv2D({filters}, {kwargs['kernel_size']}), and strides= for a stride",
            )
        kwargs = renamed("Conv2D", positional("Conv2D", _POSITIONAL, args, kwargs), _RENAMES)
        if "nb_row" in kwargs or "nb_col" in kwargs:
            rows, cols = kwargs.pop("nb_row", None), kwargs.pop("nb_col", None)
            kwargs["kernel_size"] = (rows, cols)
            _old(
                "Conv2D(nb_row=, nb_col=) is the old Keras spelling", f"kernel_size={(rows, cols)}"
            )
        check_data_format("Conv2D", kwargs)
        dilation = kwargs.pop("dilation_rate", 1)
        if dilation not in (1, (1, 1), [1, 1]):
            raise unsupported("Conv2D", "dilation_rate", dilation, "no dilated convolutions")
        if "filters" not in kwargs or "kernel_size" not in kwargs:
            raise TypeError("Conv2D() needs filters and kernel_size: Conv2D(32, (3, 3))")
        super().__init__(**kwargs)


#: Keras 2's other name of ``Conv2D`` (Keras 1's class)
Convolution2D = Conv2D


def _old(old: str, new: str) -> None:
    warnings.warn(f"{old}; use {new}", DeprecationWarning, stacklevel=3)

"""``from nnscratch.keras import backend as K``: Keras' backend functions, on NumPy.

The settings Keras scripts ask about::

    K.image_data_format()   "channels_last": images are (n, height, width, channels)
    K.floatx()              the dtype of new nnscratch.keras models: "float64" here
    K.epsilon()             1e-07, Keras' fuzz factor
    K.backend()             "numpy"
    K.clear_session()       frees what dropped models hold (there is no graph to reset)
    K.set_random_seed(s)    keras.utils.set_random_seed: random, np.random and new models
    K.get_value(v)          Keras 2: v as NumPy (K.get_value(model.optimizer.lr))
    K.set_value(v, x)       Keras 2: v.assign(x) (K.set_value(model.optimizer.lr, 0.01))

and the handful of array functions that custom metrics and losses are written with
(``def mean_pred(y_true, y_pred): return K.mean(y_pred)``): ``mean``, ``sum``, ``max``,
``min``, ``abs``, ``square``, ``sqrt``, ``exp``, ``log``, ``clip``, ``round``, ``cast``,
``equal``, ``argmax``, with Keras' argument names (``axis``, ``keepdims``). Here they are
NumPy's functions on NumPy arrays.

Deliberate differences: the engine computes in float64 by default (so the tutorials'
numbers are reproduced exactly), hence ``floatx()`` is ``"float64"`` where Keras says
``"float32"``; ``set_floatx("float32")`` makes nnscratch.keras models created afterwards
use float32. Only ``"channels_last"`` images exist here (the layers are written for it),
so ``set_image_data_format("channels_first")`` is refused.
"""

from __future__ import annotations

import gc
import random
from typing import Any

import numpy as np

from ..engine.checks import one_of
from ..engine.initializers import check_random_state

__all__ = [
    "abs",
    "argmax",
    "backend",
    "cast",
    "clear_session",
    "clip",
    "epsilon",
    "equal",
    "exp",
    "floatx",
    "get_value",
    "image_data_format",
    "log",
    "max",
    "mean",
    "min",
    "random_seed",
    "round",
    "set_floatx",
    "set_image_data_format",
    "set_random_seed",
    "set_value",
    "sqrt",
    "square",
    "sum",
]

FLOATX = ("float64", "float32")
_settings: dict[str, Any] = {"floatx": "float64", "seed": 0}


def image_data_format() -> str:
    """``"channels_last"``: images are ``(n, height, width, channels)``, as Keras' default."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accepts only ``"channels_last"``, the layout every nnscratch layer is written for."""
    if data_format != "channels_last":
        raise ValueError(
            f"image data format {data_format!r} is not supported: nnscratch layers use "
            f"'channels_last' only (images of shape (n, height, width, channels)); "
            f"reshape channels-first data with np.transpose(x, (0, 2, 3, 1))"
        )


def floatx() -> str:
    """The dtype of nnscratch.keras models created from now on: ``"float64"`` unless
    :func:`set_floatx` changed it (Keras' default is ``"float32"``)."""
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    """Make new ``nnscratch.keras`` models compute in ``value``, ``"float64"`` or
    ``"float32"`` (models already made keep theirs)."""
    _settings["floatx"] = one_of("floatx", value, FLOATX)


def random_seed() -> int:
    """The seed of ``nnscratch.keras`` models created from now on (their initial weights
    and dropout masks): ``0`` unless :func:`set_random_seed` changed it."""
    return int(_settings["seed"])


def set_random_seed(seed: int) -> None:
    """Keras' ``keras.utils.set_random_seed``: seed Python's ``random``, NumPy's global
    generator (``np.random.seed``) and the models created from now on.

    Models made afterwards start from ``seed`` (each one, as every ``nnscratch`` model
    starts from its ``seed``, 0 by default), so a script is reproducible and another seed
    gives other initial weights; ``Sequential(seed=...)`` still wins.
    """
    if isinstance(seed, bool):
        raise TypeError(f"seed must be an integer in 0..2**32 - 1, got {seed!r}")
    check_random_state(seed)  # an integer in 0..2**32 - 1, or the error saying so
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (Keras seeds the global generator for the user's code)
    _settings["seed"] = int(seed)


def epsilon() -> float:
    """Keras' fuzz factor, ``1e-07`` (the default epsilon of Keras' optimizers)."""
    return 1e-07


def backend() -> str:
    """``"numpy"``: every computation here is NumPy."""
    return "numpy"


def clear_session(free_memory: bool = True) -> None:
    """Keras resets its graph and layer-name counters. nnscratch has neither (layers are
    named per model), so this only collects garbage, freeing the memory of models that
    are no longer referenced (``free_memory=False``: nothing at all)."""
    if free_memory:
        gc.collect()


def get_value(x: Any) -> Any:
    """Keras 2's ``K.get_value``: the value of ``x`` as NumPy, e.g.
    ``K.get_value(model.optimizer.learning_rate)`` (a 0-d array; ``float()`` of it is
    the rate)."""
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def set_value(x: Any, value: Any) -> None:
    """Keras 2's ``K.set_value``: ``x.assign(value)``. What a Keras script sets this way is
    the learning rate, ``K.set_value(model.optimizer.learning_rate, 0.01)``: on the
    optimizers of :mod:`nnscratch.keras.optimizers` (which ``compile("adam")`` makes)
    that sets the rate of the next update."""
    if not callable(getattr(x, "assign", None)):
        raise TypeError(
            f"set_value needs a variable with assign(), such as "
            f"model.optimizer.learning_rate of an nnscratch.keras optimizer; got "
            f"{type(x).__name__} (to change an engine optimizer's rate, set "
            f"optimizer.learning_rate = value)"
        )
    x.assign(value)


# -- array functions for custom metrics and losses (NumPy's, with Keras' argument names) --
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The mean of ``x`` along ``axis`` (all of it by default)."""
    return np.mean(x, axis=axis, keepdims=keepdims)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The sum of ``x`` along ``axis``."""
    return np.sum(x, axis=axis, keepdims=keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The maximum of ``x`` along ``axis``."""
    return np.max(x, axis=axis, keepdims=keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The minimum of ``x`` along ``axis``."""
    return np.min(x, axis=axis, keepdims=keepdims)


def abs(x: Any) -> Any:
    """``|x|``, element-wise."""
    return np.abs(x)


def square(x: Any) -> Any:
    """``x**2``, element-wise."""
    return np.square(x)


def sqrt(x: Any) -> Any:
    """The square root of ``max(x, 0)``, element-wise (Keras clips negatives to 0)."""
    return np.sqrt(np.maximum(x, 0.0))


def exp(x: Any) -> Any:
    """``e**x``, element-wise."""
    return np.exp(x)


def log(x: Any) -> Any:
    """The natural logarithm, element-wise."""
    return np.log(x)


def clip(x: Any, min_value: Any, max_value: Any) -> Any:
    """``x`` limited to ``[min_value, max_value]``."""
    return np.clip(x, min_value, max_value)


def round(x: Any) -> Any:
    """``x`` rounded to the nearest integer, halves to even (as Keras)."""
    return np.round(x)


def cast(x: Any, dtype: str) -> Any:
    """``x`` converted to ``dtype`` (``"float32"``, ``"int32"``, ...)."""
    return np.asarray(x).astype(dtype)


def equal(x: Any, y: Any) -> Any:
    """``x == y``, element-wise."""
    return np.equal(x, y)


def argmax(x: Any, axis: int = -1) -> Any:
    """The index of the largest value along ``axis`` (the last by default)."""
    return np.argmax(x, axis=axis)

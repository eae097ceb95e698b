"""``from nnscratch.keras import losses``: Keras' loss classes and loss functions.

The classes are the engine's (``CategoricalCrossentropy``, ``MeanSquaredError``, ...).
The functions, as Keras 2 scripts pass them to ``compile``::

    model.compile(loss=keras.losses.categorical_crossentropy, optimizer=...)

are the same losses, callable as Keras' functions: ``categorical_crossentropy(y_true,
y_pred)`` returns the loss of each example, shape ``(n,)``, for one-hot ``y_true``.
Passed to ``compile`` they are the engine's loss under that name (a saved model records
the name), so training is exactly as with ``loss="categorical_crossentropy"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as _losses
from ..engine import losses as engine_losses
from ..losses import *  # noqa: F403  (the classes and get)

# nnscratch.losses' names but Nielsen's Quadratic, then Keras' functions (defined below).
__all__ = [
    *(name for name in _losses.__all__ if name != "Quadratic"),
    "binary_crossentropy",
    "categorical_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "squared_hinge",
]


class LossFunction:
    """Mixin making a loss callable as Keras' function: ``f(y_true, y_pred)``."""

    __name__: str

    def __call__(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """The loss of each example, shape ``(n,)``; ``y_true`` encoded as ``y_pred``
        (one-hot rows for the cross-entropies)."""
        y_pred = np.asarray(y_pred, dtype=float)
        y_pred = y_pred.reshape(len(y_pred), -1)
        y_true = np.asarray(y_true, dtype=float).reshape(y_pred.shape)
        return self.per_example(y_true, y_pred)  # type: ignore[attr-defined]


def _function(name: str) -> Any:
    """Keras' loss function ``name``: the engine's loss of that name, callable."""
    base = engine_losses.LOSSES[name]
    kind = type(base.__name__, (LossFunction, base), {"__module__": __name__})
    function = kind()
    function.__name__ = name
    function.__doc__ = f"Keras' ``{name}(y_true, y_pred)``: see :class:`{base.__name__}`."
    return function


categorical_crossentropy = _function("categorical_crossentropy")
binary_crossentropy = _function("binary_crossentropy")
mean_squared_error = mse = _function("mean_squared_error")
mean_absolute_error = mae = _function("mean_absolute_error")
huber = _function("huber")
hinge = _function("hinge")
squared_hinge = _function("squared_hinge")
categorical_hinge = _function("categorical_hinge")

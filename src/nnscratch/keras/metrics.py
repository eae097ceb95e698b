"""``from nnscratch.keras import metrics``: Keras 2's metric functions.

``compile(metrics=[metrics.categorical_accuracy])`` reports under the function's name, as
``compile(metrics=["categorical_accuracy"])`` does; ``metrics.mae(y_true, y_pred)`` gives
one value per example. These are :mod:`nnscratch.engine.metrics`' functions.
"""

from ..engine.metrics import (
    binary_accuracy,
    categorical_accuracy,
    get,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
)

mae = mean_absolute_error
mse = mean_squared_error

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_accuracy",
]

"""Old Keras spellings, translated to the current ones with a ``DeprecationWarning``.

Tutorials written for Keras 1 (and pasted into Keras 2 code for years) say
``Dense(output_dim=3, init="uniform", W_regularizer=l2(0.01))`` and
``model.fit(X, Y, nb_epoch=100)``. Keras 2 accepted these with a warning, and so does
nnscratch: the call works and a ``DeprecationWarning`` names the argument to use instead
(Python shows it when the call is in your script). Arguments nnscratch has no equivalent
for raise ``TypeError`` naming the ones it accepts.

=====================  ==========================
old                    new
=====================  ==========================
Dense(output_dim=)     Dense(units=)
Dense(init=)           Dense(kernel_initializer=)
Dense(W_regularizer=)  Dense(kernel_regularizer=)
Dense(bias=)           Dense(use_bias=)
Dense(input_shape=)    Dense(input_dim=)  (no warning: Keras 2 spelling)
fit(nb_epoch=)         fit(epochs=)
SGD(lr=), Adam(lr=)    learning_rate=     (see :mod:`nnscratch.engine.optimizers`)
=====================  ==========================
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

__all__ = ["dense_arguments", "fit_arguments"]

_DENSE_RENAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "bias": "use_bias",
}
_DENSE_DEFAULTS: dict[str, Any] = {
    "units": None,
    "kernel_initializer": "glorot_uniform",
    "kernel_regularizer": None,
    "use_bias": True,
    "input_dim": None,
}
_DENSE_ACCEPTED = (
    "units, activation, kernel_initializer, bias_initializer, kernel_regularizer, use_bias, "
    "input_dim, seed, name"
)


def _warn(func: str, old: str, new: str, value: Any) -> None:
    warnings.warn(
        f"{func}({old}=...) is the old Keras spelling; use {func}({new}={value!r})",
        DeprecationWarning,
        stacklevel=4,
    )


def dense_arguments(current: dict[str, Any], legacy: dict[str, Any]) -> dict[str, Any]:
    """Merge Keras 1 ``Dense`` arguments (``legacy``) into the ``current`` ones.

    ``current`` holds the values of ``units``, ``kernel_initializer``,
    ``kernel_regularizer``, ``use_bias`` and ``input_dim`` as given; the result has the
    same keys. Raises ``TypeError`` for an argument given under both names, for an
    unknown argument, and when no unit count is given at all.
    """
    merged = dict(current)
    for old, value in legacy.items():
        if old == "input_shape":
            if (
                not isinstance(value, (tuple, list))
                or len(value) != 1
                or isinstance(value[0], bool)
                or not isinstance(value[0], numbers.Integral)
            ):
                raise TypeError(
                    f"Dense(input_shape=...) must be a 1-tuple such as (2,), got {value!r}; "
                    f"or use input_dim=2"
                )
            new, value = "input_dim", int(value[0])
        elif old in _DENSE_RENAMES:
            new = _DENSE_RENAMES[old]
            _warn("Dense", old, new, value)
        else:
            raise TypeError(
                f"Dense() got an unexpected keyword argument {old!r}; accepted: "
                f"{_DENSE_ACCEPTED} (and the old Keras output_dim, init, W_regularizer, bias)"
            )
        if merged[new] is not _DENSE_DEFAULTS[new] and merged[new] != _DENSE_DEFAULTS[new]:
            raise TypeError(f"Dense(): give {new}= only, not both {old}= and {new}=")
        merged[new] = value
    if merged["units"] is None:
        raise TypeError("Dense() needs the number of units: Dense(units) such as Dense(3)")
    return merged


def fit_arguments(epochs: Any, legacy: dict[str, Any]) -> Any:
    """Translate ``fit(nb_epoch=...)``; return the number of epochs to use."""
    for old, value in legacy.items():
        if old != "nb_epoch":
            raise TypeError(
                f"fit() got an unexpected keyword argument {old!r}; accepted: x, y, epochs, "
                f"batch_size, shuffle, validation_data, validation_split, callbacks, "
                f"verbose, initial_epoch"
            )
        if epochs != 1:
            raise TypeError("fit(): give epochs= only, not both nb_epoch= and epochs=")
        _warn("fit", "nb_epoch", "epochs", value)
        epochs = value
    return epochs

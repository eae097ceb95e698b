"""Old Keras spellings, translated to today's with a ``DeprecationWarning``.

Tutorials written for Keras 1 (and pasted into Keras 2 code for years) say
``Dense(output_dim=3, init="uniform", W_regularizer=l2(0.01))``,
``model.fit(X, Y, nb_epoch=100)`` and ``SGD(lr=0.01, decay=1e-6)``. Keras 2 accepted these
with a warning, and so does ``nnscratch.keras``: the call works and a
``DeprecationWarning`` names the argument to use instead (Python shows it when the call is
in your script). The engine's own classes (``nnscratch.layers.Dense``, ...) take only
today's names.

=====================  ==========================
old                    new
=====================  ==========================
Dense(output_dim=)     Dense(units=)
Dense(init=)           Dense(kernel_initializer=)
Dense(W_regularizer=)  Dense(kernel_regularizer=)
Dense(b_regularizer=)  Dense(bias_regularizer=)
Dense(bias=)           Dense(use_bias=)
Dropout(p=)            Dropout(rate=)
fit(nb_epoch=)         fit(epochs=)
SGD(lr=), Adam(lr=)    learning_rate=
SGD(decay=)            learning_rate=InverseTimeDecay(lr, 1, decay)
=====================  ==========================
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["renamed"]

_UNSET: Any = object()


def renamed(
    where: str, given: dict[str, Any], renames: dict[str, str], stacklevel: int = 3
) -> dict[str, Any]:
    """``given`` with every old name in ``renames`` replaced by its new one, warning once
    for each. Raises ``TypeError`` when both the old and the new name are given.

    ``stacklevel`` points the warning at the user's line: 3 when the caller of this
    function is the method the user called."""
    result = dict(given)
    for old, new in renames.items():
        if old not in result:
            continue
        value = result.pop(old)
        if result.get(new, _UNSET) is not _UNSET:
            raise TypeError(f"{where}(): give {new}= only, not both {old}= and {new}=")
        warnings.warn(
            f"{where}({old}=...) is the old Keras spelling; use {where}({new}={value!r})",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        result[new] = value
    return result

"""Losses, Keras-style: ``from nnscratch.losses import CategoricalCrossentropy``.

By name in ``compile(loss=...)``: ``"categorical_crossentropy"``,
``"sparse_categorical_crossentropy"``, ``"binary_crossentropy"``, ``"mse"``, ``"mae"``,
``"huber"``, ``"hinge"``, ``"squared_hinge"``, ``"categorical_hinge"``, ``"quadratic"``;
for a linear output layer, ``"categorical_crossentropy_from_logits"`` and
``"binary_crossentropy_from_logits"`` (the loss applies the softmax or the sigmoid).
"""

from .engine import losses as _engine_losses
from .engine.losses import *  # noqa: F403  (the names below)

# The engine's loss classes and ``get``; its tables ``LOSSES`` and ``REDUCTIONS`` are its own.
__all__ = [name for name in _engine_losses.__all__ if name not in ("LOSSES", "REDUCTIONS")]

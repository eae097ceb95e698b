"""Mini-batches in the data's order, as the book trains them, also past an overflow.

The book's code never checks its numbers: with a learning rate far too large its weights
overflow to ``inf`` and ``nan``, NumPy (or Theano) warns, and training goes on, printing
an accuracy of chance level. Chapter 3 does this on purpose, to show what a bad choice of
hyper-parameters looks like::

    >>> net = network2.Network([784, 10])                                 # doctest: +SKIP
    >>> net.SGD(training_data[:1000], 30, 10, 10.0, lmbda=1000.0,
    ...         evaluation_data=validation_data[:100],
    ...         monitor_evaluation_accuracy=True)
    Epoch 0 training complete
    Accuracy on evaluation data: 10 / 100
    ...

The engine's ``fit`` instead stops at the first loss that is not finite and raises
:class:`~nnscratch.engine.TrainingDiverged` (the right default for new code), and
``train_on_batch`` skips a step whose loss is not finite. :func:`fit_in_order` runs
``fit`` and, when that happens, puts the weights of the start of the pass back and runs
the same mini-batches one step at a time with the engine's own
:func:`~nnscratch.engine.training.compute_gradients` and
:func:`~nnscratch.engine.training.apply_update` (the step ``fit`` takes, taken whatever
the loss), so that the book's session goes on as the book's does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.callbacks import Callback
from ..engine.training import TrainingDiverged, apply_update, compute_gradients

__all__ = ["fit_in_order"]


class _LastBatch(Callback):
    """Remembers the last mini-batch ``fit`` began (the other callbacks have seen it)."""

    def __init__(self) -> None:
        super().__init__()
        self.batch = -1

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.batch = batch


def fit_in_order(
    model: Any, X: np.ndarray, Y: np.ndarray, batch_size: int, callbacks: Sequence[Callback] = ()
) -> bool:
    """One pass of SGD over ``X, Y`` in their order, in mini-batches of ``batch_size``.

    Returns whether the loss became NaN or infinite on the way (then the pass was run
    step by step; ``callbacks`` hear of each mini-batch once).
    """
    params = model.parameters()
    start_weights = {key: np.array(p, copy=True) for key, p in params.items()}
    last = _LastBatch()
    try:
        model.fit(
            X,
            Y,
            batch_size=batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=[*callbacks, last] if callbacks else None,  # (none: no cost per step)
        )
        return False
    except TrainingDiverged:
        for key, p in params.items():  # (set_weights would refuse weights already nan)
            p[...] = start_weights[key]
    for batch, start in enumerate(range(0, len(X), batch_size)):
        heard = batch <= last.batch  # fit already announced it to the callbacks
        for callback in () if heard else callbacks:
            callback.on_train_batch_begin(batch, {})
        x, targets = model.check_data(X[start : start + batch_size], Y[start : start + batch_size])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, out, grads = compute_gradients(model, x, targets)
            apply_update(model, model.parameters(trainable=True), grads)
        size = len(out)
        for callback in () if heard else callbacks:
            callback.on_train_batch_end(batch, {"loss": loss, "size": size})
    return True

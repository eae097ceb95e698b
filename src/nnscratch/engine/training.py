"""Training: the one path from a batch to a gradient step, and the loop around it.

One training step on a batch ``(x, y)``, in the WildML tutorial's words::

    forward:   z1 = x W1 + b1, a1 = tanh(z1), z2 = a1 W2 + b2, p = softmax(z2)
    loss:      L = sum_i -log p[i, y_i]  (+ penalty)
    backward:  delta3 = p - y;  dW2 = a1^T delta3;  delta2 = delta3 W2^T * (1 - a1**2); ...
    update:    W <- W - learning_rate * dW

:func:`compute_gradients` does the first three for one batch and is the only place
they are done: ``fit``, ``train_on_batch`` and the gradient check all call it, and
``evaluate`` reports the same :func:`batch_loss`. :func:`train_step` adds the update;
:func:`fit_loop` repeats it over mini-batches and epochs and reports through callbacks
(the engine never prints).

The reported loss is the objective *per example*: with ``reduction="mean"`` that is the
mean loss plus the penalty (Keras), with ``"sum"`` it is ``(sum of losses + penalty) / n``
(the tutorial's ``calculate_loss``), so the two are on the same scale.

Speed: :mod:`nnscratch.engine.fast` computes exactly the same numbers with fewer NumPy
calls; ``fit`` uses it unless the environment variable ``NNSCRATCH_PLAIN=1`` is set or
the code runs inside ``with plain_path():``. This module is the one the docs walk through.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import fast
from .callbacks import Callback, CallbackList, History
from .layers.base import check_gradient, check_size

__all__ = [
    "TrainingDiverged",
    "batch_loss",
    "compute_gradients",
    "fit_loop",
    "plain_path",
    "train_step",
]

# How often (in steps) the weights are copied aside, so that a run whose loss becomes
# NaN/inf can fall back to finite ones. Copying every step would cost a few percent.
SNAPSHOT_EVERY = 50

Compute = Callable[[np.ndarray, np.ndarray, Any], tuple[float, np.ndarray, dict[str, np.ndarray]]]
Update = Callable[[dict[str, np.ndarray]], None]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. The model keeps its last finite weights."""

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


# -- one batch ------------------------------------------------------------------------------
def batch_loss(model: Any, targets: np.ndarray, out: np.ndarray) -> float:
    """The objective of one batch, per example: loss (and penalty) divided as reported."""
    total = model.loss.total(targets, out)
    return model.loss.objective(total, model.penalty(), out.shape[0])


def fuses(loss: Any, layer: Any) -> bool:
    """True when ``loss`` folds ``layer``'s activation into its gradient (``p - y``)."""
    activation = getattr(layer, "activation", None)
    return activation is not None and activation.name == loss.fused_activation


def compute_gradients(
    model: Any, x: np.ndarray, targets: np.ndarray
) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """Forward, loss and backward on one batch: ``(loss, output, gradients)``.

    ``gradients`` maps each trainable weight's dotted name (``"0.kernel"``) to dL/dW,
    the regularizers' part included. No weight changes.
    """
    layers, loss = model.layers, model.loss
    out = model.forward(x, training=True)
    value = batch_loss(model, targets, out)
    if fuses(loss, layers[-1]):  # softmax + cross-entropy: dL/dz = p - y
        grad = layers[-1].backward_z(loss.fused_gradient(targets, out))
    else:
        grad = layers[-1].backward(loss.gradient(targets, out))
    for layer in reversed(layers[:-1]):
        grad = layer.backward(grad)
    return value, out, gradients(layers)


def gradients(layers: Sequence[Any]) -> dict[str, np.ndarray]:
    """What the layers left in ``grads``, plus each regularizer's gradient, under the
    dotted names ``"0.kernel"``, ..."""
    found = {}
    for i, layer in enumerate(layers):
        for key, g in layer.grads.items():
            check_gradient(layer, key, g)
            reg = layer.regularizers.get(key)
            found[f"{i}.{key}"] = g if reg is None else reg.add_to(layer.params[key], g)
    return found


def train_step(model: Any, x: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """One gradient step on one batch; returns the loss before the step and the output.

    When the loss is NaN or infinite no step is taken: the caller decides what to do.
    """
    value, out, grads = compute_gradients(model, x, targets)
    if math.isfinite(value):
        model.optimizer.step(model.parameters(trainable=True), grads)
    return value, out


# -- which path -----------------------------------------------------------------------------
_plain = contextvars.ContextVar("nnscratch_plain_path", default=False)


@contextlib.contextmanager
def plain_path() -> Iterator[None]:
    """Inside ``with plain_path():`` models train on the plain path (no fast module),
    as with ``NNSCRATCH_PLAIN=1``. The numbers are the same; only the speed differs."""
    token = _plain.set(True)
    try:
        yield
    finally:
        _plain.reset(token)


def make_step(model: Any) -> tuple[Compute, Update]:
    """The two halves of a step, as ``fit`` uses them.

    ``compute(x, targets, index)`` returns ``(loss, output, gradients)`` for the batch
    ``x[index]`` and ``update(gradients)`` takes the optimizer's step; between the two
    ``fit`` checks the loss. The fast path's halves unless it is switched off.
    """
    if not (_plain.get() or os.environ.get("NNSCRATCH_PLAIN") == "1"):
        return fast.make_step(model)
    params = model.parameters(trainable=True)
    return (
        lambda x, targets, index: compute_gradients(model, x[index], targets[index]),
        lambda grads: model.optimizer.step(params, grads),
    )


# -- the loop over epochs ---------------------------------------------------------------------
def _copy_weights(source: dict[str, np.ndarray], target: dict[str, np.ndarray]) -> None:
    for key, p in source.items():
        np.copyto(target[key], p)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # reported once, as divergence
def fit_loop(
    model: Any,
    x: np.ndarray,
    targets: np.ndarray,
    batch_size: int | None,
    epochs: range,
    shuffle: bool,
    callbacks: Sequence[Callback],
    validation: tuple[np.ndarray, np.ndarray] | None,
    verbose: Any,
) -> History:
    """Train ``model`` for the ``epochs`` (a range, e.g. ``range(0, 20000)``) over
    ``(x, targets)``.

    ``targets`` are already encoded for the loss. Each epoch shuffles the examples
    (with the model's generator), cuts them into batches of ``batch_size`` (``None``:
    one full batch) and takes one step per batch; the epoch's ``loss`` is the mean of
    the batch losses, each measured before its step.

    Every ``SNAPSHOT_EVERY`` steps the weights are copied aside just before an update,
    once their loss is known to be finite. If a loss comes out NaN or infinite, those
    weights are put back and training ends: with ``TrainingDiverged``, unless a callback
    (``TerminateOnNaN``) asked for a clean stop.
    """
    n = len(x)
    size = min(batch_size or n, n)
    check_size(size * model.bytes_per_example(), lambda: f"a training step on {size} examples")
    compute, update = make_step(model)
    weights = model.parameters()
    last_finite = {key: p.copy() for key, p in weights.items()}
    history = model.history = History()
    params = {"epochs": epochs.stop, "steps": -(-n // size), "samples": n, "verbose": verbose}
    hooks = CallbackList([history, *callbacks], model, params)
    steps, diverged, epoch, model.stop_training = 0, None, epochs.start, False
    hooks.call("on_train_begin", {})
    for epoch in epochs:
        hooks.call("on_epoch_begin", epoch, {})
        order = model.rng.permutation(n) if shuffle and size < n else None
        total, seen, correct = 0.0, 0, 0
        for batch, start in enumerate(range(0, n, size)):
            index = slice(start, start + size) if order is None else order[start : start + size]
            hooks.call("on_train_batch_begin", batch, {})
            loss, out, grads = compute(x, targets, index)
            if math.isfinite(loss):
                if steps % SNAPSHOT_EVERY == 0:
                    _copy_weights(weights, last_finite)  # finite weights, before the update
                update(grads)
            else:
                diverged = loss
            steps, seen, total = steps + 1, seen + len(out), total + loss * len(out)
            if model.metrics:
                correct += model.count_correct(targets[index], out)
            hooks.call("on_train_batch_end", batch, {"loss": loss, "size": len(out)})
            if diverged is not None or model.stop_training:
                break
        if diverged is not None:
            break
        # One batch: its loss as it is (loss * n / n could round differently).
        logs = {"loss": loss if seen == len(out) else total / seen}
        if model.metrics:
            logs["accuracy"] = correct / seen
        if validation is not None:
            scores = model.scores(model.forward(validation[0]), validation[1])
            logs.update({f"val_{key}": value for key, value in scores.items()})
        hooks.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            break
    if diverged is None and not all(np.isfinite(p).all() for p in weights.values()):
        diverged = float("nan")  # the last update made the weights non-finite
    if diverged is not None:
        _copy_weights(last_finite, weights)
        history.interrupted = history.diverged = True
    hooks.call(
        "on_train_end", {"diverged": diverged is not None, "interrupted": history.interrupted}
    )
    if diverged is not None and not model.stop_training:  # no callback asked for a clean stop
        raise TrainingDiverged(
            f"the loss became {diverged} at epoch {epoch}; training stopped and the model went "
            f"back to its last weights with a finite loss (at most {SNAPSHOT_EVERY} steps "
            f"earlier). Try a lower learning rate (now {model.optimizer.learning_rate:g}) or "
            f"standardise the inputs.",
            epoch,
            history,
        )
    return history

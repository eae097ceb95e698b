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
from functools import partial
from typing import Any

import numpy as np

from . import backend, fast
from .callbacks import Callback, CallbackList, History
from .checks import positive_int
from .layers.base import check_gradient, check_size
from .metrics import batch_counts, results

__all__ = [
    "TrainingDiverged",
    "apply_update",
    "batch_loss",
    "compute_gradients",
    "evaluate_forward",
    "fit_loop",
    "inference_batch",
    "inference_forward",
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
def batch_loss(model: Any, y: np.ndarray, out: np.ndarray, w: Any = None) -> float:
    """The objective of one batch, per example: loss (and penalty) divided as reported.

    ``y`` are the encoded targets of the outputs ``out``; ``w`` (the examples'
    ``sample_weight``, or ``None``) multiplies each example's loss;
    the sum is still divided by the number of examples. The penalty is the model's
    (:meth:`~nnscratch.engine.model.Sequential.penalty`: the weights' regularizers and
    the activity regularizers on the outputs of this forward pass).
    """
    total = model.loss.total(y, out) if w is None else model.loss.weighted_sum(y, out, w)
    return model.loss.objective(total, model.penalty(), out.shape[0])


def fuses(loss: Any, layer: Any) -> bool:
    """True when ``loss`` folds ``layer``'s activation into its gradient (``p - y``).

    Not when the layer has an activity regularizer: its gradient is one on the layer's
    output, which must go through the activation's own backward.
    """
    activation = getattr(layer, "activation", None) if layer.activity_regularizer is None else None
    return activation is not None and activation.name == loss.fused_activation


def compute_gradients(
    model: Any, x: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """Forward, loss and backward on one batch: ``(loss, output, gradients)``.

    ``gradients`` maps each trainable weight's dotted name (``"0.kernel"``) to dL/dW,
    the regularizers' part included. ``sample_weight`` (one weight per example, or
    ``None``) weighs each example's loss and so its gradient. No weight changes (only
    layers' own statistics, such as batch normalization's moving averages).

    A layer with an activity regularizer adds the penalty's gradient on its output to
    the gradient that reaches it from above, before its own backward.

    The batch ``x`` and its targets (NumPy arrays) move to the model's device here, with
    ``model.xp.asarray`` (:mod:`~nnscratch.engine.backend`; NumPy arrays stay as they are);
    ``sample_weight`` comes already moved.
    """
    layers, loss, x, y = model.layers, model.loss, model.xp.asarray(x), model.xp.asarray(targets)
    out = model.forward(x, training=True)
    value = batch_loss(model, y, out, sample_weight)
    if fuses(loss, layers[-1]):  # softmax + cross-entropy: dL/dz = p - y
        grad = layers[-1].backward_z(loss.fused_gradient(y, out, sample_weight=sample_weight))
    else:
        grad = loss.gradient(y, out)
        if sample_weight is not None:  # each example's gradient row times its weight
            grad = grad * sample_weight[:, None]
        grad = layers[-1].backward(layers[-1].activity_grad(grad))
    for layer in reversed(layers[:-1]):
        grad = layer.backward(grad if layer.activity_output is None else layer.activity_grad(grad))
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


def train_step(
    model: Any, x: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """One gradient step on one batch; returns the loss before the step and the output.

    When the loss is NaN or infinite no step is taken: the caller decides what to do.
    """
    value, out, grads = compute_gradients(model, x, targets, sample_weight)
    if math.isfinite(value):
        apply_update(model, model.parameters(trainable=True), grads)
    return value, out


def apply_update(model: Any, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
    """The optimizer's step, then every weight constraint (Keras applies them after
    each update): ``w <- constraint(w)``, in place."""
    model.optimizer.step(params, grads)
    for layer in model.layers:
        for key, constraint in layer.constraints.items():
            layer.params[key][...] = constraint(layer.params[key])


def inference_forward(model: Any, x: np.ndarray, batch_size: Any = None) -> np.ndarray:
    """The inference-mode outputs for checked inputs ``x``, as a NumPy array, computed
    ``batch_size`` examples at a time (a positive int; by default :func:`inference_batch`'s)."""
    size, xp = inference_batch(model, len(x), batch_size), model.xp
    with np.errstate(over="ignore", invalid="ignore"):
        if size >= len(x):
            return backend.to_numpy(model.forward(xp.asarray(x)))
        batches = (xp.asarray(x[s : s + size]) for s in range(0, len(x), size))
        return np.concatenate([backend.to_numpy(model.forward(b)) for b in batches])


def evaluate_forward(model: Any, x: np.ndarray, batch_size: Any = None) -> np.ndarray:
    """The inference-mode outputs for ``evaluate`` and the validation data of ``fit``, in
    batches of ``batch_size``.

    With an activity regularizer the whole of ``x`` goes through in one pass, so that
    the penalty the layers report afterwards covers every example.
    """
    if any(layer.activity_regularizer is not None for layer in model.layers):
        return inference_forward(model, x, len(x))
    return inference_forward(model, x, batch_size)


# -- which path -----------------------------------------------------------------------------
PLAIN = "NNSCRATCH_PLAIN"  # the environment variable; "1" turns the fast path off
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


def make_step(model: Any, weights: np.ndarray | None = None) -> tuple[Compute, Update]:
    """The two halves of a step, as ``fit`` uses them.

    ``compute(x, targets, index)`` returns ``(loss, output, gradients)`` for the batch
    ``x[index]`` (with ``weights[index]`` when the examples are weighted) and
    ``update(gradients)`` takes the optimizer's step and applies the constraints;
    between the two ``fit`` checks the loss. The fast path's halves unless it is
    switched off or the run needs what only the plain path does (weights, constraints,
    activity regularizers).
    """
    if not (_plain.get() or os.environ.get(PLAIN) == "1") and fast.handles(model, weights):
        return fast.make_step(model)
    compute = partial(_compute_batch, model, weights)
    return compute, partial(apply_update, model, model.parameters(trainable=True))


def _compute_batch(model: Any, weights: Any, x: Any, targets: Any, index: Any) -> Any:
    """:func:`compute_gradients` on the batch ``x[index]`` (and ``weights[index]``, moved
    to the model's device, when the examples are weighted)."""
    w = None if weights is None else model.xp.asarray(weights[index])
    return compute_gradients(model, x[index], targets[index], w)


# -- the loop over epochs ---------------------------------------------------------------------
class _Diverged(Exception):
    """Raised inside :func:`fit_loop` by a NaN or infinite loss (``batch`` is the batch
    of ``size`` examples it came from), or after the loop by non-finite weights
    (``batch`` is ``None``)."""

    def __init__(self, loss: float, batch: int | None = None, size: int = 0) -> None:
        super().__init__(loss)
        self.loss, self.batch, self.size = loss, batch, size


def _copy_weights(source: dict[str, np.ndarray], target: dict[str, np.ndarray]) -> None:
    for key, p in source.items():
        target[key][...] = p


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # reported once, as divergence
def fit_loop(
    model: Any,
    x: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None,
    batch_size: int,
    epochs: range,
    shuffle: bool,
    callbacks: Callback | Sequence[Callback] | None,
    validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None,
    verbose: int | str,
) -> History:
    """Train ``model`` for the ``epochs`` (a range, e.g. ``range(0, 20000)``) over
    ``(x, targets)``, each example's loss weighted by ``weights`` (or not: ``None``).

    ``targets`` are already encoded for the loss. Each epoch shuffles the examples
    (with the model's generator), cuts them into batches of ``batch_size`` and takes one
    step per batch; the epoch's ``loss`` and metrics are the means over its batches
    weighted by their sizes, each measured before its step (a counting metric such as
    precision: from its counts over the batches). A batch's end reports those values so
    far (as Keras 3 does) and the batch's ``size``.

    Every ``SNAPSHOT_EVERY`` steps the weights are copied aside just before an update,
    once their loss is known to be finite. A loss that comes out NaN or infinite ends
    the loop (:func:`_diverged` then puts those weights back and raises
    ``TrainingDiverged``, unless a callback such as ``TerminateOnNaN`` asked for a clean
    stop), so the loop itself reads as the tutorials' loop.
    """
    n, size = len(x), min(batch_size, len(x))
    check_size(size * _bytes_per_example(model), lambda: f"a training step on {size} examples")
    compute, update = make_step(model, weights)
    params, xp = model.parameters(), model.xp
    last_finite = {key: xp.asarray(p, copy=True) for key, p in params.items()}
    settings = {"epochs": epochs.stop, "steps": -(-n // size), "samples": n, "verbose": verbose}
    history = model.history = History(model, settings)  # the loop's own record of the epochs
    hooks = CallbackList(callbacks, model, settings)
    steps, epoch, model.stop_training = 0, epochs.start, False
    hooks.call("on_train_begin", {})
    try:
        for epoch in epochs:
            hooks.call("on_epoch_begin", epoch, {})
            order = model.rng.permutation(n) if shuffle and size < n else None
            total, seen, sums = 0.0, 0, dict.fromkeys(model.metrics, 0.0)
            for batch, start in enumerate(range(0, n, size)):
                index = slice(start, start + size) if order is None else order[start : start + size]
                hooks.call("on_train_batch_begin", batch, {})
                loss, out, grads = compute(x, targets, index)
                if not math.isfinite(loss):
                    raise _Diverged(loss, batch, out.shape[0])
                if steps and steps % SNAPSHOT_EVERY == 0:  # (at step 0 they were just copied)
                    _copy_weights(params, last_finite)  # finite weights, before the update
                update(grads)
                steps, seen, total = steps + 1, seen + out.shape[0], total + loss * out.shape[0]
                if sums:
                    host = backend.to_numpy(out)
                    _add(sums, batch_counts(model.metrics, targets[index], host))
                # The epoch's means so far, as Keras reports them; after the first batch, its
                # loss as it is (loss * n / n could round differently).
                mean_loss = loss if batch == 0 else total / seen
                logs = {"loss": mean_loss, **results(model.metrics, sums)}
                hooks.call("on_train_batch_end", batch, {**logs, "size": out.shape[0]})
                if model.stop_training:
                    break
            if validation is not None:
                val_out = evaluate_forward(model, validation[0])
                scores = model.scores(val_out, *validation[1:])
                logs.update({f"val_{key}": value for key, value in scores.items()})
            hooks.call("on_epoch_end", epoch, logs)
            history.on_epoch_end(epoch, logs)  # last: it records what the callbacks added
            if model.stop_training:
                break
        if not all(bool(xp.all(xp.isfinite(p))) for p in params.values()):
            raise _Diverged(float("nan"))  # the last update made the weights non-finite
    except _Diverged as stop:
        _copy_weights(last_finite, params)
        return _diverged(model, stop, epoch, hooks)
    hooks.call("on_train_end", {"diverged": False, "interrupted": history.interrupted})
    return history


#: what ``predict`` and ``evaluate`` hold at once without a ``batch_size`` (estimated as
#: for a training step); the tutorials' networks take all of a data set in one pass
INFERENCE_BYTES = 256 * 2**20


def inference_batch(model: Any, n: int, batch_size: Any = None) -> int:
    """How many of ``n`` examples ``predict`` takes at once: ``batch_size`` (checked), or by
    default all of them, unless the layers' outputs would pass :data:`INFERENCE_BYTES` (a
    conv net on 10,000 images)."""
    if batch_size is not None:
        return positive_int("batch_size", batch_size)
    return max(1, min(n, INFERENCE_BYTES // _bytes_per_example(model)))


def _bytes_per_example(model: Any) -> int:
    """About what training holds per example: every layer's output and its gradient,
    with room for an intermediate (3 arrays), in the model's dtype."""
    return 3 * sum(math.prod(layer.output_shape) for layer in model.layers) * model.dtype.itemsize


def _diverged(model: Any, stop: _Diverged, epoch: int, hooks: CallbackList) -> History:
    """The end of a run whose loss became NaN or infinite (the last finite weights are
    already back): the batch's end is reported with that loss, so that ``TerminateOnNaN``
    can ask for a clean stop, then the end of training; ``TrainingDiverged`` unless a
    callback set ``model.stop_training``."""
    history = model.history
    if stop.batch is not None:
        hooks.call("on_train_batch_end", stop.batch, {"loss": stop.loss, "size": stop.size})
    history.interrupted = history.diverged = True
    hooks.call("on_train_end", {"diverged": True, "interrupted": True})
    if model.stop_training:
        return history
    raise TrainingDiverged(
        f"the loss became {stop.loss} at epoch {epoch}; training stopped and the model went "
        f"back to its last weights with a finite loss (at most {SNAPSHOT_EVERY} steps "
        f"earlier). Try a lower learning rate (now {model.optimizer.learning_rate:g}) or "
        f"standardise the inputs.",
        epoch,
        history,
    )


def _add(sums: dict[str, Any], batch: dict[str, np.ndarray]) -> None:
    for key, value in batch.items():
        sums[key] = sums[key] + value

"""The ``Sequential`` model: a stack of layers trained by backpropagation.

One training step on a batch ``(x, y)``, in the WildML tutorial's words::

    forward:   z1 = x W1 + b1, a1 = tanh(z1), z2 = a1 W2 + b2, p = softmax(z2)
    loss:      L = sum_i -log p[i, y_i]  (+ penalty)
    backward:  delta3 = p - y;  dW2 = a1^T delta3;  delta2 = delta3 W2^T * (1 - a1**2); ...
    update:    W <- W - learning_rate * dW

``fit`` repeats that over mini-batches and epochs and reports through callbacks; the engine
never prints. The reported ``loss`` is the objective *per example*: with
``reduction="mean"`` that is the mean loss plus the penalty (Keras), with ``"sum"`` it is
``(sum of losses + penalty) / n`` (the tutorial's ``calculate_loss``), so the two are on the
same scale.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import legacy as legacy_module
from . import losses as losses_module
from . import optimizers as optimizers_module
from .callbacks import Callback, CallbackList, History, TerminateOnNaN, make_progress
from .checks import positive_int
from .initializers import RandomLike, check_random_state
from .layers import Activation, Dense, Layer

__all__ = ["Sequential", "TrainingDiverged"]

DTYPES = ("float64", "float32")

# How often (in steps) the weights are copied aside, so that a run whose weights become
# NaN/inf can fall back to finite ones. Copying every step would cost a few percent.
_SNAPSHOT_EVERY = 50


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. The model keeps its last finite weights."""

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class Sequential:
    """A linear stack of layers, with Keras' ``compile`` / ``fit`` / ``predict``.

    Parameters
    ----------
    layers : sequence of Layer, optional
    seed : int, np.random.Generator or RandomState, optional
        Drives the initial weights (layer by layer, in order) and the shuffling. An int
        seeds the legacy ``RandomState``, so ``seed=0`` draws what ``np.random.seed(0)``
        draws in the tutorials.
    dtype : {"float64", "float32"}, default "float64"
    name : str, optional

    Examples
    --------
    The WildML network (2 inputs, 3 tanh units, 2 softmax outputs):

    >>> from nnscratch import Sequential
    >>> from nnscratch.layers import Dense
    >>> from nnscratch.regularizers import l2
    >>> from nnscratch.optimizers import SGD
    >>> model = Sequential([
    ...     Dense(3, activation="tanh", kernel_initializer="scaled_normal",
    ...           kernel_regularizer=l2(0.005), input_dim=2),
    ...     Dense(2, activation="softmax", kernel_initializer="scaled_normal",
    ...           kernel_regularizer=l2(0.005)),
    ... ], seed=0)
    >>> model.compile(optimizer=SGD(0.01), loss="categorical_crossentropy", reduction="sum")
    """

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        *,
        seed: int | RandomLike | None = None,
        dtype: str = "float64",
        name: str | None = None,
    ) -> None:
        if not _is_dtype(dtype) or str(np.dtype(dtype)) not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        self.dtype = np.dtype(dtype)
        self.seed = seed
        check_random_state(seed)  # validate early; the generator itself is made at build
        self._rng: RandomLike | None = None
        self.name = name
        self.layers: list[Layer] = []
        self.optimizer: optimizers_module.Optimizer | None = None
        self.loss: losses_module.Loss | None = None
        self.metrics: list[str] = []
        self.history = History()
        self._penalized_cache: list[tuple[Any, np.ndarray]] = []
        self.stop_training = False
        self.input_dim: int | None = None
        for layer in layers or []:
            self.add(layer)

    # -- building ----------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer to the stack.

        Like Keras, the model builds its weights as soon as it knows the number of input
        features: when the first layer declares ``input_dim``, or at the first ``fit``.
        A layer added to a built model is built at once, drawing from the same random
        generator, so the weights are the same as if all layers had been built together.
        """
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
        self.layers.append(layer)
        if self.built:
            assert self._rng is not None
            dim = self.input_dim
            for previous in self.layers[:-1]:
                dim = previous.output_dim(dim)
            layer.build(dim, self._rng, self.dtype)
            self._pack()
            self._configure_fusion()
        elif len(self.layers) == 1 and self._declared_input_dim() is not None:
            self.build(self._declared_input_dim())

    @property
    def built(self) -> bool:
        return self.input_dim is not None

    def build(self, input_dim: int) -> None:
        """Create every layer's weights for inputs of ``input_dim`` features."""
        if not self.layers:
            raise ValueError("the model has no layers; add some with model.add(Dense(...))")
        self._rng = check_random_state(self.seed)
        dim = input_dim
        for layer in self.layers:
            layer.build(dim, self._rng, self.dtype)
            dim = layer.output_dim(dim)
        self.input_dim = input_dim
        self._pack()
        self._configure_fusion()

    def _pack(self) -> None:
        """Keep all weights in one contiguous array, and all gradients in another.

        Each layer's ``params["kernel"]`` etc. becomes a view into the model's single
        weight vector (the same trick as PyTorch's flattened parameters). Nothing changes
        for the layers, but an optimizer without per-weight state (plain SGD) can then
        update every weight with two NumPy calls instead of two per array, which matters
        at the tutorials' sizes, and the arithmetic stays element for element the same.
        """
        for attr in ("params", "grads"):
            entries = [
                (layer, key, arr)
                for layer in self.layers
                for key, arr in getattr(layer, attr).items()
            ]
            flat = np.empty(sum(arr.size for _, _, arr in entries), dtype=self.dtype)
            offset = 0
            for layer, key, arr in entries:
                view = flat[offset : offset + arr.size].reshape(arr.shape)
                view[...] = arr
                getattr(layer, attr)[key] = view
                offset += arr.size
            setattr(self, f"_flat_{attr}", flat)

    def _packed(self) -> bool:
        """True while every weight and gradient is still a view of the packed vectors."""
        flat_p = getattr(self, "_flat_params", None)
        flat_g = getattr(self, "_flat_grads", None)
        if flat_p is None or flat_g is None:
            return False
        return all(p.base is flat_p for p in self.parameters().values()) and all(
            g.base is flat_g for g in self.gradients().values()
        )

    def _declared_input_dim(self) -> int | None:
        first = self.layers[0] if self.layers else None
        return getattr(first, "declared_input_dim", None)

    @property
    def output_dim(self) -> int:
        dim = self.input_dim or self._declared_input_dim()
        if dim is None:
            raise RuntimeError("the model is not built yet: call fit(), or build(input_dim)")
        for layer in self.layers:
            dim = layer.output_dim(dim)
        return dim

    def compile(
        self,
        optimizer: str | optimizers_module.Optimizer = "sgd",
        loss: str | losses_module.Loss = "categorical_crossentropy",
        metrics: Sequence[str] | None = None,
        reduction: str | None = None,
    ) -> None:
        """Choose the optimizer, the loss (and its ``reduction``) and extra metrics.

        ``metrics`` may contain ``"accuracy"`` (classification losses only).
        """
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss, reduction=reduction)
        metrics = list(metrics or [])
        for m in metrics:
            if m not in ("accuracy", "acc"):
                raise ValueError(f"unknown metric {m!r}; valid: accuracy")
        self.metrics = ["accuracy" for _ in metrics[:1]]
        if self.metrics and not self.loss.categorical:
            raise ValueError(f"metric 'accuracy' needs a classification loss, not {self.loss.name}")
        self._configure_fusion()

    def _configure_fusion(self) -> None:
        """Let softmax + cross-entropy (sigmoid + binary CE) backpropagate ``p - y``."""
        for layer in self.layers:
            if isinstance(layer, (Dense, Activation)):
                layer._fused = False
        if self.loss is None or self.loss.fused_activation is None or not self.layers:
            self._fused = False
            return
        last = self.layers[-1]
        act = getattr(last, "activation", None)
        self._fused = act is not None and act.name == self.loss.fused_activation
        if self._fused:
            last._fused = True  # type: ignore[attr-defined]

    # -- parameters --------------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """All weight arrays under dotted names: ``{"0.kernel": W1, "0.bias": b1, ...}``."""
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()
        }

    def gradients(self) -> dict[str, np.ndarray]:
        """The gradients of the last training step, under the same names."""
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()
        }

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in layer order (Keras' ``get_weights``)."""
        return [v.copy() for v in self.parameters().values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the weights (same order and shapes as :meth:`get_weights`)."""
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} weight arrays, got {len(weights)}")
        for (key, p), w in zip(params.items(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"weight {key}: expected shape {p.shape}, got {w.shape}")
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weight {key} contains NaN or infinite values")
            p[...] = w

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def regularization_penalty(self) -> float:
        return float(sum(layer.regularization_penalty() for layer in self.layers))

    # -- forward -----------------------------------------------------------------------
    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def trace(self, x: Any) -> list[np.ndarray]:
        """Every layer's output for ``x``, in order (inference mode, as ``predict``).

        ``trace(x)[-1]`` is ``predict(x)``; ``trace(x)[i]`` is what layer ``i`` hands to
        layer ``i + 1``. The playground draws its hidden-unit pictures from this.
        """
        self._require_built("trace")
        out = self._check_x(x, "x")
        outputs = []
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self.layers:
                out = layer.forward(out, training=False)
                outputs.append(out)
        return outputs

    def predict(self, x: Any, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """Outputs for ``x``: class probabilities for a softmax output layer.

        ``x`` is ``(n_samples, n_features)``; ``batch_size`` bounds the memory used.
        """
        self._require_built("predict")
        x = self._check_x(x, "x")
        with np.errstate(over="ignore", invalid="ignore"):
            if batch_size is None or batch_size >= x.shape[0]:
                return self._forward(x, training=False)
            batch_size = positive_int("batch_size", batch_size)
            parts = [
                self._forward(x[s : s + batch_size], training=False)
                for s in range(0, x.shape[0], batch_size)
            ]
        return np.concatenate(parts)

    def evaluate(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        verbose: int = 0,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss (per example, with the penalty) and metrics on ``(x, y)``.

        Returns the loss as a float, or ``[loss, accuracy]`` when compiled with
        ``metrics=["accuracy"]`` (Keras), or a dict with ``return_dict=True``.
        """
        self._require_compiled("evaluate")
        x, targets = self._check_xy(x, y)
        out = self.predict(x, batch_size=batch_size)
        result = {"loss": self._report_loss(targets, out)}
        if self.metrics:
            result["accuracy"] = self._accuracy(targets, out)
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    # -- training ----------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any) -> float:
        """One gradient step on one batch; returns the batch's loss before the step."""
        self._require_compiled("train_on_batch")
        x, targets = self._check_xy(x, y)
        with np.errstate(over="ignore", invalid="ignore"):
            loss, _ = self._train_step(x, targets, epoch=0)
        return loss

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
        **legacy: Any,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``.

        The arguments come in Keras' order, so Keras code that passes them by position
        (``fit(x, y, 32, 10)``) means the same here.

        Parameters
        ----------
        x : array (n_samples, n_features)
        y : class labels (n_samples,), one-hot rows or targets (n_samples, n_outputs)
        batch_size : int, optional
            Examples per gradient step. ``None`` (or >= n) is full-batch gradient
            descent, as in the WildML tutorial: one step per epoch. (Keras' default is 32.)
        epochs : int
            Passes over the data (> 0).
        verbose : 0, 1, 2 or "auto"
            0 silent, 1 a progress bar, 2 one line per epoch; "auto" is 1 when the output
            is a terminal.
        callbacks : list of Callback, optional
        validation_split : float, default 0.0
            Fraction of the data, taken from the end before shuffling, held out for
            validation (Keras' behaviour).
        validation_data : (x_val, y_val), optional
            Evaluated after every epoch as ``val_loss`` (and ``val_accuracy``).
        shuffle : bool, default True
            Reshuffle the examples every epoch (no effect on a full batch).
        initial_epoch : int
            Epoch to start counting from (to resume training).
        **legacy
            ``nb_epoch`` (old Keras) is accepted for ``epochs`` with a
            ``DeprecationWarning``; see :mod:`nnscratch.engine.legacy`.

        Returns
        -------
        History
            ``history.history["loss"][e]`` is the loss of epoch ``e`` (the mean over its
            batches, each measured before its step).

        Raises
        ------
        TrainingDiverged
            When the loss becomes NaN or infinite; the weights of the last finite step
            are kept and the message suggests a lower learning rate. With a
            ``TerminateOnNaN`` callback, ``fit`` returns the history instead.
        """
        self._require_compiled("fit")
        if legacy:
            epochs = legacy_module.fit_arguments(epochs, legacy)
        epochs = positive_int("epochs", epochs)
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, numbers.Integral):
            raise TypeError(f"initial_epoch must be an integer, got {initial_epoch!r}")
        if initial_epoch < 0 or initial_epoch >= epochs:
            raise ValueError(f"initial_epoch must be in [0, epochs), got {initial_epoch}")
        x, targets = self._check_xy(x, y)
        if validation_split:
            x, targets, validation = _split_off(x, targets, validation_split)
        elif validation_data is not None:
            validation = self._check_validation(validation_data)
        else:
            validation = None
        n = x.shape[0]
        if batch_size is not None:
            batch_size = positive_int("batch_size", batch_size)
        full_batch = batch_size is None or batch_size >= n
        step = n if full_batch else batch_size

        cb_list = list(callbacks or [])
        progress = make_progress(_resolve_verbose(verbose))
        if progress is not None:
            cb_list.append(progress)
        history = self.history = History()  # a new History per fit, as in Keras
        cb_list.insert(0, history)
        params = {"epochs": epochs, "steps": -(-n // step), "samples": n, "verbose": verbose}
        hooks = CallbackList(cb_list, self, params)

        self.stop_training = False
        epoch = initial_epoch
        # Overflow on the way to a diverging loss is reported once, as TrainingDiverged,
        # not as a stream of NumPy RuntimeWarnings.
        with _stop_on_ctrl_c() as interrupted, np.errstate(over="ignore", invalid="ignore"):
            hooks.call("on_train_begin", {})
            try:
                for epoch in range(initial_epoch, epochs):
                    if hooks.has("on_epoch_begin"):
                        hooks.call("on_epoch_begin", epoch, {})
                    logs = self._run_epoch(
                        x, targets, step, full_batch, shuffle, epoch, hooks, interrupted
                    )
                    if validation is not None:
                        out = self.predict(validation[0])
                        logs["val_loss"] = self._report_loss(validation[1], out)
                        if self.metrics:
                            logs["val_accuracy"] = self._accuracy(validation[1], out)
                    hooks.call("on_epoch_end", epoch, logs)
                    if self.stop_training or interrupted():
                        break
            except TrainingDiverged:
                history.interrupted = True
                hooks.call("on_train_end", {"diverged": True})
                if any(isinstance(cb, TerminateOnNaN) for cb in cb_list):
                    return history  # TerminateOnNaN asked for a clean stop, not an error
                raise
            history.interrupted = interrupted()
            hooks.call("on_train_end", {"interrupted": history.interrupted})
        if history.interrupted:
            raise KeyboardInterrupt(
                f"training interrupted after epoch {epoch}; the model keeps its weights"
            )
        return history

    def _run_epoch(
        self,
        x: np.ndarray,
        targets: np.ndarray,
        step: int,
        full_batch: bool,
        shuffle: bool,
        epoch: int,
        hooks: CallbackList,
        interrupted: Any,
    ) -> dict[str, float]:
        if full_batch:
            loss, correct = self._train_step(x, targets, epoch)
            logs = {"loss": loss}
            if self.metrics:
                logs["accuracy"] = correct / x.shape[0]
            return logs
        n = x.shape[0]
        # Shuffle by index: each mini-batch is gathered into a buffer reused from batch to
        # batch. Same batches as copying x[order] whole, without writing a shuffled copy
        # of the data every epoch (157 MB of fresh memory per epoch for MNIST).
        order = self._rng.permutation(n) if shuffle else None  # type: ignore[union-attr]
        total_loss = 0.0
        total_correct = 0
        seen = 0
        for batch, start in enumerate(range(0, n, step)):
            if order is None:
                xb, yb = x[start : start + step], targets[start : start + step]
            else:
                index = order[start : start + step]
                xb, yb = self._gather("x", x, index), self._gather("y", targets, index)
            if hooks.wants_batches:
                hooks.call("on_train_batch_begin", batch, {"size": xb.shape[0]})
            loss, correct = self._train_step(xb, yb, epoch)
            total_loss += loss * xb.shape[0]
            total_correct += correct
            seen += xb.shape[0]
            if hooks.wants_batches:
                hooks.call("on_train_batch_end", batch, {"loss": loss, "size": xb.shape[0]})
            if self.stop_training or interrupted():
                break
        logs = {"loss": total_loss / seen}
        if self.metrics:
            logs["accuracy"] = total_correct / seen
        return logs

    def _gather(self, key: str, source: np.ndarray, index: np.ndarray) -> np.ndarray:
        """``source[index]``, written into a buffer kept for the next mini-batch."""
        buffers = self._gather_buffers
        buf = buffers.get(key)
        if (
            buf is None
            or buf.shape[0] < len(index)
            or buf.shape[1:] != source.shape[1:]
            or buf.dtype != source.dtype
        ):
            buf = buffers[key] = np.empty((len(index), *source.shape[1:]), dtype=source.dtype)
        # mode="clip" writes straight into `out` (the default "raise" buffers the copy);
        # the indices come from a permutation, so none is out of range.
        return np.take(source, index, axis=0, out=buf[: len(index)], mode="clip")

    def _train_step(self, x: np.ndarray, targets: np.ndarray, epoch: int) -> tuple[float, int]:
        """Forward, loss, backward and update on one batch. Returns (loss, n correct)."""
        loss_fn, optimizer, layers = self.loss, self.optimizer, self.layers
        assert loss_fn is not None and optimizer is not None  # checked by the callers
        out = x
        for layer in layers:
            out = layer.forward(out, training=True)
        loss, grad = self._loss_and_gradient(targets, out)
        if not math.isfinite(loss) and layers[-1].repair_output():
            # A softmax row overflowed on the fast path: redo it the careful way.
            loss, grad = self._loss_and_gradient(targets, out)
        if not math.isfinite(loss):
            self._on_divergence(loss, epoch)
        correct = self._count_correct(targets, out) if self.metrics else 0
        for i in range(len(layers) - 1, -1, -1):
            grad = layers[i].backward(grad, need_input_grad=i > 0)
        self._steps += 1
        if self._steps % _SNAPSHOT_EVERY == 0:
            self._snapshot()
        if self._flat_step is not None and optimizer.stateless:
            optimizer.step(*self._flat_step)
        else:
            optimizer.step(self._params, self._grads)
        return loss, correct

    def _loss_and_gradient(self, targets: np.ndarray, out: np.ndarray) -> tuple[float, Any]:
        """The reported loss of a batch and dL/d(output) (dL/dz when fused)."""
        loss_fn = self.loss
        assert loss_fn is not None
        buf = self._grad_buffer(out)
        if self._fused:
            total = loss_fn.total(targets, out)
            # dL/dz = p - y  (WildML: delta3 = probs; delta3[range(n), y] -= 1)
            grad = loss_fn.fused_gradient(targets, out, out=buf)
        else:
            total, grad = loss_fn.total_and_gradient(targets, out, out=buf)
        return self._objective(total, out.shape[0]), grad

    def _grad_buffer(self, out: np.ndarray) -> np.ndarray:
        buf = self._buffers.get(out.shape)
        if buf is None or buf.dtype != out.dtype:
            if len(self._buffers) >= 4:
                self._buffers.clear()
            buf = self._buffers[out.shape] = np.empty_like(out)
        return buf

    def _snapshot(self) -> None:
        """Remember the current (finite) weights, to fall back on if training diverges."""
        for key, p in self._params.items():
            np.copyto(self._backup[key], p)

    def _on_divergence(self, loss: float, epoch: int) -> None:
        """Go back to the last snapshot and stop with a message that says what to do.

        Snapshots are taken every ``_SNAPSHOT_EVERY`` steps, each after a finite loss, so
        the model ends with finite weights that gave a finite loss.
        """
        for key, p in self._params.items():
            np.copyto(p, self._backup[key])
        assert self.optimizer is not None
        raise TrainingDiverged(
            f"the loss became {loss} at epoch {epoch}; training stopped and the model went "
            f"back to its last weights with a finite loss (at most {_SNAPSHOT_EVERY} steps "
            f"earlier). Try a lower learning rate (now "
            f"{self.optimizer.learning_rate:g}) or standardise the inputs.",
            epoch,
            self.history,
        )

    # -- losses and metrics ------------------------------------------------------------
    def _report_loss(self, targets: np.ndarray, out: np.ndarray) -> float:
        """Objective per example: mean loss + penalty ("mean") or (sum + penalty) / n."""
        assert self.loss is not None
        return self._objective(self.loss.total(targets, out), out.shape[0])

    def _objective(self, total: float, n: int) -> float:
        """Per-example objective from the summed loss of ``n`` examples and the penalty."""
        assert self.loss is not None
        penalty = 0.0
        # The (regularizer, kernel) pairs are listed again at every fit/evaluate call.
        for regularizer, kernel in self._penalized_cache:
            penalty += regularizer.penalty(kernel)
        if self.loss.reduction == "sum":
            return (total + penalty) / n
        return total / n + penalty

    def _penalized(self) -> list[tuple[Any, np.ndarray]]:
        """(regularizer, kernel) pairs of the layers that have a kernel regularizer."""
        return [
            (layer.kernel_regularizer, layer.params["kernel"])
            for layer in self.layers
            if getattr(layer, "kernel_regularizer", None) is not None and layer.params
        ]

    def _count_correct(self, targets: np.ndarray, out: np.ndarray) -> int:
        if out.shape[1] == 1:
            return int(np.count_nonzero((out[:, 0] > 0.5) == (targets[:, 0] > 0.5)))
        return int(np.count_nonzero(out.argmax(axis=1) == targets.argmax(axis=1)))

    def _accuracy(self, targets: np.ndarray, out: np.ndarray) -> float:
        return self._count_correct(targets, out) / out.shape[0]

    # -- input checks ------------------------------------------------------------------
    def _require_built(self, what: str) -> None:
        if not self.built:
            raise RuntimeError(
                f"cannot {what}: the model is not built yet; give the first layer "
                f"input_dim=..., call fit() first, or call model.build(n_features)"
            )

    def _require_compiled(self, what: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(f"cannot {what}: call model.compile(optimizer=..., loss=...) first")

    def _check_x(self, x: Any, name: str) -> np.ndarray:
        arr = _as_float_array(x, name, self.dtype)
        if self.built and arr.shape[1] != self.input_dim:
            raise ValueError(
                f"{name} has {arr.shape[1]} features but the model expects {self.input_dim}"
            )
        return arr

    def _check_xy(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        assert self.loss is not None
        x_arr = _as_float_array(x, "x", self.dtype)
        if not self.built:
            self.build(x_arr.shape[1])
            self._prepare_training_state()
        elif not hasattr(self, "_params") or self._params_stale():
            self._prepare_training_state()
        if x_arr.shape[1] != self.input_dim:  # (x_arr is already checked and converted)
            raise ValueError(
                f"x has {x_arr.shape[1]} features but the model expects {self.input_dim}"
            )
        y_arr = np.asarray(y)
        if y_arr.ndim == 0:
            raise ValueError(f"y must be an array of targets, got a scalar {y!r}")
        if y_arr.shape[0] != x_arr.shape[0]:
            raise ValueError(
                f"x and y have different numbers of samples: {x_arr.shape[0]} and {y_arr.shape[0]}"
            )
        if y_arr.dtype.kind in "fc" and not np.all(np.isfinite(y_arr)):
            raise ValueError("y contains NaN or infinite values")
        if y_arr.dtype.kind not in "biuf":
            raise TypeError(f"y must be numeric, got dtype {y_arr.dtype}")
        targets = self.loss.encode_targets(y_arr, self.output_dim, self.dtype)
        self._penalized_cache = self._penalized()
        return x_arr, targets

    def _check_validation(self, data: Any) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        return self._check_xy(data[0], data[1])

    def _params_stale(self) -> bool:
        return any(self._params.get(k) is not v for k, v in self.parameters().items()) or len(
            self._params
        ) != len(self.parameters())

    def _prepare_training_state(self) -> None:
        self._configure_fusion()
        if not self._packed():
            self._pack()
        self._params = self.parameters()
        self._grads = self.gradients()
        self._backup = {k: np.empty_like(v) for k, v in self._params.items()}
        self._snapshot()
        self._steps = 0
        self._buffers: dict[tuple[int, ...], np.ndarray] = {}
        self._gather_buffers: dict[str, np.ndarray] = {}
        # The packed vectors as one {"*": array} pair, for optimizers whose update is
        # element-wise and keeps no per-weight state (see Optimizer.stateless).
        self._flat_step: tuple[dict, dict] | None = (
            {"*": self._flat_params},
            {"*": self._flat_grads},
        )

    # -- inspecting and saving -------------------------------------------------------------
    def summary(self, print_fn: Any = None) -> Any:
        """The layers, their output shapes and parameter counts, as a table.

        Returns a :class:`~nnscratch.engine.summary.ModelSummary`: ``print(model.summary())``
        shows the table (the engine itself never prints). ``print_fn`` (Keras') is called
        with each line, e.g. ``model.summary(print_fn=print)``.
        """
        from .summary import summarize

        return summarize(self, print_fn=print_fn)

    def save(self, filepath: Any, overwrite: bool = True) -> None:
        """Save architecture, weights, loss and optimizer state to one file.

        ``model.save("m.nnscratch")``; load it with ``nnscratch.load_model(path)``. The
        file is a zip of ``config.json`` and ``weights.npz`` (see
        :mod:`nnscratch.saving`), written atomically. The engine does no file I/O
        itself: it hands the model to the saver that ``nnscratch.saving`` registers.
        """
        from .serialize import registered_saver

        registered_saver()(self, filepath, overwrite=overwrite)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"


# -- helpers -------------------------------------------------------------------------------
def _is_dtype(value: Any) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


def _as_float_array(x: Any, name: str, dtype: np.dtype) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a rectangular (n_samples, n_features) array of numbers: {exc}"
        ) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.ndim != 2:
        hint = " (use x.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
        raise ValueError(
            f"expected 2-D {name} (n_samples, n_features), got shape {arr.shape}{hint}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    if dtype.itemsize < arr.dtype.itemsize and arr.dtype.kind == "f":
        limit = np.finfo(dtype).max
        if np.abs(arr).max() > limit:
            raise ValueError(
                f"{name} has values beyond {dtype}'s range (|x| > {limit:.3g}); "
                f"use dtype='float64' or rescale the inputs"
            )
    return np.ascontiguousarray(arr, dtype=dtype)


def _split_off(
    x: np.ndarray, targets: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    if not isinstance(fraction, (int, float)) or not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {fraction!r}")
    n_val = int(x.shape[0] * fraction)
    if n_val == 0 or n_val == x.shape[0]:
        raise ValueError(
            f"validation_split={fraction} leaves no data on one side of {x.shape[0]} samples"
        )
    cut = x.shape[0] - n_val
    return x[:cut], targets[:cut], (x[cut:], targets[cut:])


def _resolve_verbose(verbose: int | str) -> int:
    if verbose == "auto":
        import sys

        stream = sys.stderr
        return 1 if hasattr(stream, "isatty") and stream.isatty() else 0
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


@contextlib.contextmanager
def _stop_on_ctrl_c() -> Iterator[Any]:
    """While training, the first Ctrl-C asks for a clean stop after the current batch.

    A second Ctrl-C interrupts at once. Outside the main thread signals cannot be
    caught, and Ctrl-C behaves as usual.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag.is_set
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        flag.set()

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not allowed here (e.g. some embedded interpreters)
        yield flag.is_set
        return
    try:
        yield flag.is_set
    finally:
        signal.signal(signal.SIGINT, previous)

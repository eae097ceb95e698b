"""The ``Sequential`` model: a stack of layers, with Keras' ``compile`` / ``fit`` / ``predict``.

The model itself is thin: it builds its layers in order (each layer's output shape is the
next one's input shape), keeps the loss and the optimizer, checks what users pass in, and
hands the arithmetic to :mod:`~nnscratch.engine.training`. The engine never prints and
never touches files: ``nnscratch.Sequential`` (in :mod:`nnscratch.models`) adds progress
bars, Ctrl-C handling and ``save``.

Weights have dotted names, layer index then weight name: ``"0.kernel"``, ``"0.bias"``,
``"1.kernel"``, ... They key the optimizer's state, the saved file and the plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import losses as losses_module
from . import optimizers as optimizers_module
from . import training
from .callbacks import Callback, History
from .checks import integer, number, positive_int
from .initializers import RandomLike, check_random_state
from .layers import Layer
from .layers.base import Shape, _shape
from .summary import ModelSummary, summarize
from .training import TrainingDiverged

__all__ = ["Sequential", "TrainingDiverged"]

DTYPES = ("float64", "float32")


class Sequential:
    """A linear stack of layers.

    Parameters
    ----------
    layers : sequence of Layer, optional
    seed : int, np.random.Generator or RandomState, default 0
        Drives the initial weights (layer by layer, in order), the shuffling and the
        dropout masks. An int seeds the legacy ``RandomState``, so ``seed=0`` draws what
        ``np.random.seed(0)`` draws in the tutorials. ``None`` draws a fresh seed.
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

    #: set by compile()
    optimizer: optimizers_module.Optimizer | None = None
    loss: losses_module.Loss | None = None
    metrics: Sequence[str] = ()
    #: a callback sets this to True to end training after the current batch
    stop_training = False
    #: the generator drawn from for weights, shuffling and dropout, made at build
    rng: RandomLike | None = None
    _input_shape: Shape | None = None

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        *,
        seed: int | RandomLike | None = 0,
        dtype: str = "float64",
        name: str | None = None,
    ) -> None:
        if str(dtype) not in DTYPES and dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        self.dtype = np.dtype(dtype)
        check_random_state(seed)  # refuse a bad seed now; the generator is made at build
        self.seed, self.name, self.layers = seed, name, []
        self.history = History()  # of the last fit (Keras' model.history)
        for layer in layers or []:
            self.add(layer)

    # -- building ----------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer to the stack.

        Like Keras, the model builds its weights as soon as it knows the input shape:
        when the first layer declares ``input_shape``/``input_dim``, or at the first
        ``fit``. A layer added to a built model is built at once, drawing from the same
        generator, so the weights are the same as if all layers had been built together.
        """
        if not isinstance(layer, Layer) or any(layer is other for other in self.layers):
            raise _not_addable(layer)
        self.layers.append(layer)
        if self.built:
            layer.setup(self.layers[-2].output_shape, self.rng, self.dtype)
        elif len(self.layers) == 1 and layer.declared_input_shape is not None:
            self.build(layer.declared_input_shape)

    @property
    def built(self) -> bool:
        return self._input_shape is not None

    def build(self, input_shape: int | Sequence[int | None]) -> None:
        """Create every layer's weights for inputs of ``input_shape``.

        ``input_shape`` is the shape of one example: ``2`` or ``(2,)`` for 2 features,
        ``(28, 28, 1)`` for an MNIST image. A leading ``None`` (Keras' batch axis, as in
        ``(None, 2)``) is dropped.
        """
        if isinstance(input_shape, (tuple, list)) and input_shape and input_shape[0] is None:
            input_shape = input_shape[1:]
        shape = _shape(input_shape)
        if self.built or not self.layers:
            return self._check_rebuild(shape)
        self.output_shape_for(shape)  # every layer accepts its input: check before allocating
        self.rng, self._input_shape = check_random_state(self.seed), shape
        for layer in self.layers:
            shape = layer.setup(shape, self.rng, self.dtype)

    def _check_rebuild(self, shape: Shape) -> None:
        self.output_shape_for(shape)  # a clear error for a model without layers
        if shape != self._input_shape:
            raise ValueError(f"the model is built for inputs {self._input_shape}, not {shape}")

    def output_shape_for(self, input_shape: Sequence[int]) -> Shape:
        """The output shape of one example for inputs of ``input_shape`` (nothing built)."""
        if not self.layers:
            raise ValueError("the model has no layers; add some with model.add(Dense(...))")
        shape = _shape(input_shape)
        for layer in self.layers:
            shape = _shape(layer.compute_output_shape(shape))
        return shape

    @property
    def input_shape(self) -> tuple[int | None, ...]:
        """``(None, *shape of one example)``, as Keras reports it."""
        shape = self._input_shape or (self.layers[0].declared_input_shape if self.layers else None)
        if shape is None:
            raise AttributeError("the model has no input shape yet: build it or fit it first")
        return (None, *shape)

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        """``(None, *shape of one output)``, as Keras reports it."""
        return (None, *self.output_shape_for(self.input_shape[1:]))  # type: ignore[arg-type]

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
        self.metrics = _checked_metrics(metrics or [], self.loss) if metrics else []

    # -- weights -----------------------------------------------------------------------
    def parameters(self, trainable: bool | None = None) -> dict[str, np.ndarray]:
        """Weight arrays under dotted names: ``{"0.kernel": W1, "0.bias": b1, ...}``.

        ``trainable=True`` gives only the weights the optimizer updates, ``False`` only
        the others (batch-norm statistics); the default gives all of them.
        """
        return {
            f"{i}.{key}": p
            for i, layer in enumerate(self.layers)
            for key, p in layer.weights(trainable).items()
        }

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in layer order (Keras' ``get_weights``)."""
        return [p.copy() for p in self.parameters().values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights (same order and shapes as :meth:`get_weights`), in place."""
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} weight arrays, got {len(weights)}")
        checked = []
        for (key, p), w in zip(params.items(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"weight {key}: expected shape {p.shape}, got {w.shape}")
            if w.dtype.kind not in "biuf":
                raise TypeError(f"weight {key} must be numeric, got dtype {w.dtype}")
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weight {key} contains NaN or infinite values")
            checked.append(w)
        for p, w in zip(params.values(), checked):  # all checked first: all or nothing
            p[...] = w

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def penalty(self) -> float:
        """The regularizers' penalty on all weights."""
        return float(sum(layer.penalty() for layer in self.layers))

    # -- computing ---------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The forward pass: each layer's output is the next one's input.

        ``x`` must already be checked (:meth:`check_inputs`); ``predict`` is the
        checked, user-facing version.
        """
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def trace(self, x: Any) -> list[np.ndarray]:
        """Every layer's output for ``x``, in order (inference mode, as ``predict``).

        ``trace(x)[-1]`` is ``predict(x)``; ``trace(x)[i]`` is what layer ``i`` hands
        to layer ``i + 1``. The playground draws its hidden units from this.
        """
        out = self.check_inputs(x, "x")
        outputs = []
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self.layers:
                out = layer.forward(out, training=False)
                outputs.append(out)
        return outputs

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0) -> np.ndarray:
        """Outputs for ``x``: class probabilities for a softmax output layer.

        ``x`` is ``(n_samples, *input_shape)``; ``batch_size`` bounds the memory used.
        """
        x = self.check_inputs(x, "x")
        step = x.shape[0] if batch_size is None else positive_int("batch_size", batch_size)
        with np.errstate(over="ignore", invalid="ignore"):
            if step >= x.shape[0]:
                return self.forward(x)
            return np.concatenate([self.forward(x[s : s + step]) for s in range(0, len(x), step)])

    def evaluate(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        verbose: Any = 0,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss (per example, with the penalty) and metrics on ``(x, y)``.

        Returns the loss as a float, or ``[loss, accuracy]`` when compiled with
        ``metrics=["accuracy"]`` (Keras), or a dict with ``return_dict=True``.
        """
        x, targets = self.check_data(x, y)
        result = self.scores(self.predict(x, batch_size=batch_size), targets)
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def scores(self, out: np.ndarray, targets: np.ndarray) -> dict[str, float]:
        """``{"loss": ..., "accuracy": ...}`` of outputs ``out`` against encoded targets."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = {"loss": training.batch_loss(self, targets, out)}
        if self.metrics:
            result["accuracy"] = self.count_correct(targets, out) / out.shape[0]
        return result

    def count_correct(self, targets: np.ndarray, out: np.ndarray) -> int:
        """How many rows of ``out`` pick the class of ``targets`` (threshold 0.5 for one
        output unit)."""
        if out.shape[1] == 1:
            return int(np.count_nonzero((out[:, 0] > 0.5) == (targets[:, 0] > 0.5)))
        return int(np.count_nonzero(out.argmax(axis=1) == targets.argmax(axis=1)))

    # -- training ----------------------------------------------------------------------
    def gradients(self, x: Any, y: Any) -> dict[str, np.ndarray]:
        """dL/dW of every trainable weight on the batch ``(x, y)``, exactly as the next
        training step would compute them (the regularizers' part included), by dotted
        name. Nothing is updated: a way to look at backpropagation's result."""
        x, targets = self.check_data(x, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return training.compute_gradients(self, x, targets)[2]

    def train_on_batch(self, x: Any, y: Any) -> float:
        """One gradient step on one batch; returns the batch's loss before the step."""
        x, targets = self.check_data(x, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, _ = training.train_step(self, x, targets)
        return loss

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = 0,
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``.

        The arguments come in Keras' order, so Keras code that passes them by position
        (``fit(x, y, 32, 10)``) means the same here.

        Parameters
        ----------
        x : array (n_samples, *input_shape)
        y : class labels (n_samples,), one-hot rows or targets (n_samples, n_outputs)
        batch_size : int, optional
            Examples per gradient step. ``None`` (or >= n) is full-batch gradient
            descent, as in the WildML tutorial: one step per epoch. (Keras' default is 32.)
        epochs : int
            Passes over the data (> 0).
        verbose : 0, 1, 2 or "auto"
            Passed to the callbacks in ``params``; the engine prints nothing itself
            (``nnscratch.Sequential`` shows a progress bar for it).
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
        epochs = positive_int("epochs", epochs)
        if not 0 <= integer("initial_epoch", initial_epoch) < epochs:
            raise ValueError(f"initial_epoch must be in [0, epochs), got {initial_epoch}")
        batch_size = None if batch_size is None else positive_int("batch_size", batch_size)
        x, targets = self.check_data(x, y)
        validation = None
        if validation_split:
            x, targets, validation = _split_off(x, targets, validation_split)
        elif validation_data is not None:
            validation = self.check_data(*_pair(validation_data))
        epochs_to_run, callbacks = range(initial_epoch, epochs), list(callbacks or [])
        return training.fit_loop(
            self, x, targets, batch_size, epochs_to_run, shuffle, callbacks, validation, verbose
        )

    def bytes_per_example(self) -> int:
        """About what training holds per example: every layer's output and its gradient,
        with room for an intermediate (3 arrays), in the model's dtype."""
        return 3 * sum(math.prod(layer.output_shape) for layer in self.layers) * self.dtype.itemsize

    # -- input checks ------------------------------------------------------------------
    def check_inputs(self, x: Any, name: str = "x") -> np.ndarray:
        """``x`` as a C-contiguous array of the model's dtype, checked against the
        model's input shape. Raises ``RuntimeError`` when the model is not built."""
        if not self.built:
            raise RuntimeError(
                "the model is not built yet: give the first layer input_shape=... (or "
                "input_dim=...), call fit() first, or call model.build(input_shape)"
            )
        return _as_float_array(x, name, self.dtype, self._input_shape)

    def check_data(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Check ``x`` and ``y`` together and encode ``y`` for the loss.

        An unbuilt model is built for ``x``'s shape, but only after ``y`` has passed
        its checks too: a call that fails leaves the model as it was.
        """
        if self.loss is None or self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer=..., loss=...) first")
        x = _as_float_array(x, "x", self.dtype, self._input_shape)
        given, y = y, np.asarray(y)
        if y.ndim == 0 or len(y) != len(x) or y.dtype.kind not in "biuf":
            raise _bad_targets(given, y, len(x))
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values")
        n_outputs = math.prod(self.output_shape_for(x.shape[1:]))
        targets = self.loss.encode_targets(y, n_outputs, self.dtype)
        if not self.built:
            self.build(x.shape[1:])
        return x, targets

    # -- inspecting ----------------------------------------------------------------------
    def summary(self, print_fn: Any = None) -> ModelSummary:
        """The layers, their output shapes and parameter counts, as a table.

        Returns a :class:`~nnscratch.engine.summary.ModelSummary` (``str()`` is the
        table); ``print_fn`` (Keras') is called with each line. ``nnscratch.Sequential``
        prints it, as Keras does.
        """
        return summarize(self, print_fn=print_fn)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"


# -- helpers -------------------------------------------------------------------------------
def _as_float_array(x: Any, name: str, dtype: np.dtype, shape: Shape | None) -> np.ndarray:
    """``x`` checked (numbers, ``(n, *shape)``, finite) and converted to ``dtype``."""
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf" or arr.size == 0 or arr.shape[1:] != (shape or arr.shape[1:]):
        raise _bad_inputs(arr, name, shape)
    if arr.ndim < 2:
        raise _bad_inputs(arr, name, shape)
    with np.errstate(over="ignore"):  # a value beyond float32's range: reported below
        converted = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(converted).all():
        raise _not_finite(arr, converted, name)
    return converted


def _bad_inputs(arr: np.ndarray, name: str, shape: Shape | None) -> Exception:
    if arr.dtype.kind not in "biuf":
        return TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    wanted = 1 + len(shape) if shape else 2
    if arr.ndim != wanted or arr.ndim < 2:
        example = ", ".join(map(str, shape)) if shape else "n_features"
        hint = " (use x.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
        return ValueError(
            f"expected {wanted}-D {name} (n_samples, {example}), got shape {arr.shape}{hint}"
        )
    if arr.size == 0:
        return ValueError(f"{name} is empty: shape {arr.shape}")
    if len(arr.shape) == 2:
        return ValueError(f"{name} has {arr.shape[1]} features but the model expects {shape[0]}")  # type: ignore[index]
    return ValueError(f"{name} has examples of shape {arr.shape[1:]} but the model expects {shape}")


def _not_finite(arr: np.ndarray, converted: np.ndarray, name: str) -> Exception:
    if arr.dtype.kind == "f" and np.isfinite(arr).all():
        limit = np.finfo(converted.dtype).max
        return ValueError(
            f"{name} has values beyond {converted.dtype}'s range (|x| > {limit:.3g}); "
            f"use dtype='float64' or rescale the inputs"
        )
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    return ValueError(f"{name} contains {bad} NaN or infinite value(s)")


def _bad_targets(given: Any, y: np.ndarray, n: int) -> Exception:
    if y.ndim == 0:
        return ValueError(f"y must be an array of targets, got a scalar {given!r}")
    if len(y) != n:
        return ValueError(f"x and y have different numbers of samples: {n} and {len(y)}")
    return TypeError(f"y must be numeric, got dtype {y.dtype}")


def _not_addable(layer: Any) -> Exception:
    if not isinstance(layer, Layer):
        return TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
    return ValueError(f"{layer.describe()} is already in this model")


def _checked_metrics(metrics: Sequence[str], loss: Any) -> list[str]:
    for m in metrics:
        if m not in ("accuracy", "acc"):
            raise ValueError(f"unknown metric {m!r}; valid: accuracy")
    if not loss.categorical:
        raise ValueError(f"metric 'accuracy' needs a classification loss, not {loss.name}")
    return ["accuracy"]


def _pair(data: Any) -> tuple[Any, Any]:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError("validation_data must be a pair (x_val, y_val)")
    return data[0], data[1]


def _split_off(
    x: np.ndarray, targets: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    fraction = number("validation_split", fraction, 0, 1, low_open=True, high_open=True)
    n_val = int(x.shape[0] * fraction)
    if n_val == 0 or n_val == x.shape[0]:
        raise ValueError(
            f"validation_split={fraction} leaves no data on one side of {x.shape[0]} samples"
        )
    cut = x.shape[0] - n_val
    return x[:cut], targets[:cut], (x[cut:], targets[cut:])

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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import backend, inputs, training
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import Callback, History
from .checks import flag, integer, positive_int
from .initializers import RandomLike, check_random_state
from .layers import Layer
from .layers.base import Shape, _shape
from .summary import ModelSummary, summarize
from .training import TrainingDiverged

__all__ = ["Sequential", "TrainingDiverged"]

DTYPES = ("float64", "float32")
#: examples per gradient step when ``fit`` is given no ``batch_size`` (Keras' default)
BATCH_SIZE = 32


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
    device : "cpu", "gpu" or an Array-API namespace module, default "cpu"
        Where the arrays live and which library computes: ``"cpu"`` is NumPy, ``"gpu"``
        CuPy on an NVIDIA GPU (``pip install "nnscratch[gpu]"``), a namespace module such
        as ``array_api_strict`` that namespace (:mod:`~nnscratch.engine.backend`). The
        initial weights are drawn with NumPy from ``seed`` and moved, so a seed gives the
        same weights everywhere; ``predict`` and ``get_weights`` return NumPy arrays.
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
    #: {name as given to compile: metric function}, in the order given
    metrics: dict[str, Any] = {}  # noqa: RUF012 (replaced by compile, never changed)
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
        device: Any = "cpu",
        name: str | None = None,
    ) -> None:
        if str(dtype) not in DTYPES and dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        check_random_state(seed)  # refuse a bad seed now; the generator is made at build
        self.dtype, self.seed, self.name, self.layers = np.dtype(dtype), seed, name, []
        self.history, self.xp = History(), backend.namespace(device)  # xp: the array module
        for layer in layers or []:
            self.add(layer)

    # -- building ----------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer to the stack.

        Like Keras, the model builds its weights as soon as it knows the input shape:
        when the first layer declares ``input_shape``/``input_dim``, or at the first
        ``fit``. A layer added to a built model is built at once, drawing from the same
        generator, so the weights are the same as if all layers had been built together.
        A layer already built in another model joins this one as it is, as in Keras: the
        two models then hold the same weight arrays (training either trains both).
        """
        if not isinstance(layer, Layer) or any(layer is o for o in self.layers):
            raise _not_addable(layer, self)
        if layer.built:  # shared with another model: it must take what it was built for
            layer.check_joins(self.layers[-1:], self.dtype, self.xp)
            self.layers.append(layer)
            if not self.built:  # as the first layer: the model takes its input shape
                self.rng, self._input_shape = check_random_state(self.seed), layer.input_shape
            return
        self.layers.append(layer)
        if self.built:
            try:
                layer.setup(self.layers[-2].output_shape, self.rng, self.dtype, self.xp)
            except BaseException:  # it refused its input: the model stays as it was
                self.layers.pop()
                layer.unbuild()
                raise
        elif len(self.layers) == 1 and layer.declared_input_shape is not None:
            self._build(layer.declared_input_shape)

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
        self._build(input_shape)

    def _build(self, input_shape: int | Sequence[int]) -> None:
        """``build`` for one example's shape, as the engine calls it (a subclass may read
        ``build``'s argument otherwise, as ``nnscratch.keras`` reads Keras' batch axis)."""
        shape = _shape(input_shape)
        if self.built or not self.layers:
            self.output_shape_for(shape)  # a clear error for a model without layers
            if shape != self._input_shape:
                raise ValueError(f"the model is built for inputs {self._input_shape}, not {shape}")
            return
        self.rng, given = check_random_state(self.seed), shape
        try:
            for layer in self.layers:
                shape = layer.setup(shape, self.rng, self.dtype, self.xp)
        except BaseException:  # a layer refused its input: the model stays as it was
            for layer in self.layers:
                layer.unbuild()
            self.rng = None
            raise
        self._input_shape = given

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
        optimizer: str | optimizers_module.Optimizer | Mapping[str, Any] = "sgd",
        loss: str | dict[str, Any] | losses_module.Loss = "categorical_crossentropy",
        metrics: Sequence[Any] | None = None,
        reduction: str | None = None,
    ) -> None:
        """Choose the optimizer, the loss (and its ``reduction``) and extra metrics.

        ``optimizer`` is a name (``"adam"``), an optimizer object or an optimizer's
        ``get_config()`` dict (:func:`~nnscratch.engine.optimizers.get`).

        ``metrics`` are names from :mod:`~nnscratch.engine.metrics` (``"accuracy"`` or
        ``"acc"``, ``"mae"``, ``"binary_accuracy"``, ...) or functions; they are reported
        under the names given (``history.history["acc"]``, ``"val_acc"``), in that order
        after the loss (:attr:`metrics_names`).
        """
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss, reduction=reduction)
        self.metrics = metrics_module.compile_metrics(metrics, self.loss) if metrics else {}

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]``: the order of ``evaluate``'s list (Keras)."""
        return ["loss", *self.metrics]

    # -- weights -----------------------------------------------------------------------
    def parameters(self, trainable: bool | None = None) -> dict[str, np.ndarray]:
        """Weight arrays under dotted names: ``{"0.kernel": W1, "0.bias": b1, ...}``.

        ``trainable=True`` gives only the weights the optimizer updates, ``False`` only
        the others (batch-norm statistics); the default gives all of them.
        """
        layers = enumerate(self.layers)
        return {f"{i}.{k}": p for i, layer in layers for k, p in layer.weights(trainable).items()}

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in layer order (Keras' ``get_weights``), as NumPy arrays."""
        return [np.array(backend.to_numpy(p)) for p in self.parameters().values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights (same order and shapes as :meth:`get_weights`), in place."""
        params = self.parameters()
        checked = inputs.weight_arrays(weights, params)  # all checked first: all or nothing
        for p, w in zip(params.values(), checked):
            p[...] = self.xp.asarray(w.astype(self.dtype, copy=False))

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def penalty(self) -> float:
        """The regularizers' penalty on all weights, plus the activity regularizers' on
        the outputs of the last forward pass."""
        return float(sum(layer.penalty() + layer.activity_loss for layer in self.layers))

    # -- computing ---------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The forward pass: each layer's output is the next one's input.

        ``x`` must already be checked (:meth:`check_inputs`); ``predict`` is the
        checked, user-facing version.
        """
        for layer in self.layers:
            x = layer.forward(x, training=training)
            if layer.activity_regularizer is not None:  # its penalty is on this output
                layer.keep_activity(x)
        return x

    def trace(self, x: Any) -> list[np.ndarray]:
        """Every layer's output for ``x``, in order (inference mode, as ``predict``).

        ``trace(x)[-1]`` is ``predict(x)``; ``trace(x)[i]`` is what layer ``i`` hands
        to layer ``i + 1``. The playground draws its hidden units from this.
        """
        out = self.xp.asarray(self.check_inputs(x, "x"))
        outputs = []
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self.layers:
                out = layer.forward(out, training=False)
                outputs.append(backend.to_numpy(out))
        return outputs

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = 0) -> np.ndarray:
        """Outputs for ``x``: class probabilities for a softmax output layer.

        ``x`` is ``(n_samples, *input_shape)``; ``batch_size`` bounds the memory used (on a
        GPU, what is on the device at once), by default :func:`training.inference_batch`.
        """
        return training.inference_forward(self, self.check_inputs(x, "x"), batch_size)

    def evaluate(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        verbose: int | str = 0,
        sample_weight: Any = None,
        *,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss (per example, with the penalty) and metrics on ``(x, y)``.

        Returns the loss as a float, or ``[loss, *metrics]`` in :attr:`metrics_names`'
        order when compiled with metrics (Keras), or a dict with ``return_dict=True``.
        ``sample_weight`` weights each example's loss (not the metrics), as in ``fit``;
        ``batch_size`` only bounds the memory used.
        """
        x, targets = self.check_data(x, y)
        weights = inputs.sample_weights(targets, sample_weight, None, self.dtype)
        result = self.scores(training.evaluate_forward(self, x, batch_size), targets, weights)
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def scores(
        self, out: np.ndarray, targets: np.ndarray, weights: np.ndarray | None = None
    ) -> dict[str, float]:
        """``{"loss": ..., <metric>: ...}`` of the outputs ``out`` of the last forward pass
        against encoded targets; ``weights`` weighs the loss (not the metrics)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = training.batch_loss(self, targets, out, weights)
            return {"loss": loss, **self.metric_values(out, targets)}

    def metric_values(self, out: np.ndarray, targets: np.ndarray) -> dict[str, float]:
        """Each compiled metric over the rows of ``out`` (a mean, or from counts)."""
        counts = metrics_module.batch_counts(self.metrics, targets, out)
        return metrics_module.results(self.metrics, counts)

    # -- training ----------------------------------------------------------------------
    def gradients(self, x: Any, y: Any) -> dict[str, np.ndarray]:
        """dL/dW of every trainable weight on the batch ``(x, y)``, exactly as the next
        training step would compute them (the regularizers' part included), by dotted
        name. Nothing is updated: a way to look at backpropagation's result."""
        x, targets = self.check_data(x, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            found = training.compute_gradients(self, x, targets)[2]
        return {key: backend.to_numpy(g) for key, g in found.items()}

    def train_on_batch(
        self,
        x: Any,
        y: Any,
        sample_weight: Any = None,
        class_weight: Mapping[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """One gradient step on one batch (Keras' ``train_on_batch``).

        Returns the batch's loss before the step, or ``[loss, *metrics]`` when compiled
        with metrics (of the output the step was computed from), or a dict with
        ``return_dict=True``. ``sample_weight`` and ``class_weight`` as in :meth:`fit`.
        """
        x, targets = self.check_data(x, y)
        weights = inputs.sample_weights(targets, sample_weight, class_weight, self.dtype)
        weights = None if weights is None else self.xp.asarray(weights)  # to the device
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, out = training.train_step(self, x, targets, weights)
            result = {"loss": loss, **self.metric_values(backend.to_numpy(out), targets)}
        if return_dict:
            return result
        return loss if len(result) == 1 else list(result.values())

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = 0,
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: Mapping[int, float] | None = None,
        sample_weight: Any = None,
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
            Examples per gradient step; ``None`` means 32, as in Keras. Full-batch
            gradient descent (one step per epoch, as in the WildML tutorial and the
            article's runs) is ``batch_size=len(x)``.
        epochs : int
            The epoch to stop before: training runs epochs ``initial_epoch`` to
            ``epochs - 1``. As in Keras, none run when ``epochs <= initial_epoch``
            (``epochs=0``, or resuming a run that is already done): the callbacks see
            the start and end of training and the history stays empty.
        verbose : 0, 1, 2 or "auto"
            Passed to the callbacks in ``params``; the engine prints nothing itself
            (``nnscratch.Sequential`` shows a progress bar for it).
        callbacks : list of Callback (or one), optional
        validation_split : float, default 0.0
            Fraction of the data (and of ``sample_weight``), taken from the end before
            shuffling, held out for validation (Keras' behaviour); ignored when
            ``validation_data`` is given, as in Keras.
        validation_data : (x_val, y_val) or (x_val, y_val, sample_weight_val), optional
            Evaluated after every epoch as ``val_loss`` and ``val_<metric>``.
        shuffle : bool, default True
            Reshuffle the examples every epoch (no effect on a full batch).
        class_weight : dict, optional
            ``{class: weight}``: each example's loss is multiplied by its class's weight
            (classes not named weigh 1.0). The class of an example is its label, the
            column of its one-hot row, or for one output unit its 0/1 target.
        sample_weight : array (n_samples,), optional
            Each example's loss is multiplied by its weight (finite, >= 0); with
            ``reduction="mean"`` a batch's weighted sum is divided by the batch size
            (Keras' ``"sum_over_batch_size"``). With ``class_weight`` too, the two
            multiply. The weights follow their examples through the shuffling.
        initial_epoch : int
            Epoch to start counting from (to resume training), >= 0.

        Returns
        -------
        History
            ``history.history["loss"][e]`` is the loss of epoch ``e`` (the mean over its
            batches, weighted by their sizes, each measured before its step), and
            ``history.history[name]`` each metric under the name given to ``compile``.

        Raises
        ------
        TrainingDiverged
            When the loss becomes NaN or infinite; the weights of the last finite step
            are kept and the message suggests a lower learning rate. With a
            ``TerminateOnNaN`` callback, ``fit`` returns the history instead.
        """
        epochs = integer("epochs", epochs, low=0)
        initial_epoch = integer("initial_epoch", initial_epoch, low=0)
        batch_size = BATCH_SIZE if batch_size is None else positive_int("batch_size", batch_size)
        x, targets = self.check_data(x, y)
        weights = inputs.sample_weights(targets, sample_weight, class_weight, self.dtype)
        validation = None
        if validation_data is not None:  # it wins over validation_split, as in Keras
            validation = inputs.validation_set(validation_data, self.check_data, self.dtype)
        elif validation_split:
            (x, targets, weights), validation = inputs.split_off(
                (x, targets, weights), validation_split
            )
        to_run, shuffle = range(initial_epoch, epochs), flag("shuffle", shuffle)  # epochs to run
        return training.fit_loop(
            self, x, targets, weights, batch_size, to_run, shuffle, callbacks, validation, verbose
        )

    # -- input checks ------------------------------------------------------------------
    def check_inputs(self, x: Any, name: str = "x") -> np.ndarray:
        """``x`` as a C-contiguous array of the model's dtype, checked against the
        model's input shape. Raises ``RuntimeError`` when the model is not built."""
        if not self.built:
            raise RuntimeError(
                "the model is not built yet: give the first layer input_shape=... (or "
                "input_dim=...), call fit() first, or call model.build(input_shape)"
            )
        return inputs.float_array(x, name, self.dtype, self._input_shape)

    def check_data(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Check ``x`` and ``y`` together and encode ``y`` for the loss.

        An unbuilt model is built for ``x``'s shape, but only after ``y`` has passed
        its checks too: a call that fails leaves the model as it was.
        """
        if self.loss is None or self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer=..., loss=...) first")
        x = inputs.float_array(x, "x", self.dtype, self._input_shape)
        given, y = y, np.asarray(y)
        if not y.ndim or len(y) != len(x) or y.dtype.kind not in "biuf" or not np.isfinite(y).all():
            raise inputs.bad_targets(given, y, len(x))
        out = self.layers[-1].output_shape if self.built else self.output_shape_for(x.shape[1:])
        n_outputs = math.prod(out)  # the loss encodes y for them
        targets = self.loss.encode_targets(y, n_outputs, self.dtype)
        if not self.built:
            self._build(x.shape[1:])
        return x, targets

    # -- inspecting ----------------------------------------------------------------------
    def summary(self, print_fn: Any = None) -> ModelSummary:
        """The layers, their output shapes and parameter counts, as a table.

        Returns a :class:`~nnscratch.engine.summary.ModelSummary` (``str()`` is the
        table); ``print_fn`` (Keras') is called with each line. ``nnscratch.Sequential``
        prints it, as Keras does.
        """
        return summarize(self, print_fn=print_fn)

    def __getstate__(self) -> dict[str, Any]:  # copy.deepcopy and pickle: xp by name
        return backend.without_modules(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(backend.with_modules(state))

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"


# -- helpers -------------------------------------------------------------------------------
def _not_addable(layer: Any, model: Sequential) -> Exception:
    if not isinstance(layer, Layer):
        return TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
    return ValueError(
        f"{layer.describe()} is already in this model; a layer appears once in a model (for "
        f"another with the same settings: {type(layer).__name__}.from_config(layer.get_config()))"
    )

"""``nnscratch.keras.models.Sequential``: ``nnscratch.Sequential`` with Keras' defaults.

Its ``fit`` trains on mini-batches of 32 when no ``batch_size`` is given, as Keras does
(``batch_size=len(x)`` is full-batch gradient descent, one step per epoch), and also
takes Keras 1's ``nb_epoch`` (with a ``DeprecationWarning``); its ``dtype`` defaults to
:func:`nnscratch.keras.backend.floatx` and its ``seed`` to the one
``keras.utils.set_random_seed`` set (0 otherwise).

What Keras 3 code reads from a model is here too: the model is named ``"sequential"``
and each layer, as it is added, gets the name the summary shows (``dense``,
``dense_1``, ..., numbered per model); ``model.weights``, ``trainable_weights`` and
``non_trainable_weights`` list the arrays; ``model.trainable = False`` freezes every
layer; ``model(x)`` computes the outputs; ``summary`` takes Keras' keyword arguments;
``fit``, ``evaluate`` and ``predict`` take Keras 3's arguments and call Keras 3's callbacks
as Keras does (:mod:`nnscratch.keras._hooks`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import models
from ..engine import inputs
from ..engine.backend import to_numpy as backend_to_numpy
from ..engine.checks import flag, positive_int
from ..engine.losses import Loss
from ..engine.model import BATCH_SIZE as DEFAULT_BATCH_SIZE  # 32, Keras' fit(batch_size=None)
from ..engine.summary import layer_names
from . import _hooks, backend
from . import metrics as keras_metrics
from . import optimizers as keras_optimizers
from ._refusals import needs_backward, unsupported
from ._renames import renamed
from .placeholders import KerasTensor, wire

__all__ = ["DEFAULT_BATCH_SIZE", "Sequential"]


class Sequential(models.Sequential):
    """``nnscratch.Sequential``, whose ``fit`` defaults to batches of 32 and also takes
    Keras 1's ``nb_epoch``.

    ``Sequential(layers=None, name=None)`` as in Keras; ``dtype`` defaults to
    :func:`nnscratch.keras.backend.floatx` (``"float64"`` unless changed with
    ``set_floatx``), and ``seed`` to :func:`nnscratch.keras.backend.random_seed` (0 unless
    ``keras.utils.set_random_seed`` changed it).
    """

    _trainable = True
    #: the placeholder the layers are called on once built (Keras' ``model.input``)
    _input_tensor: KerasTensor | None = None

    def __init__(
        self,
        layers: Any = None,
        name: str | None = "sequential",
        *,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("dtype", backend.floatx())
        kwargs.setdefault("seed", backend.random_seed())
        self._trainable = flag("trainable", trainable)
        super().__init__(layers, name=name, **kwargs)

    def add(self, layer: Any) -> None:
        """Append a layer (see ``nnscratch.Sequential.add``), naming it as Keras does if it
        has no name: its class in snake case, numbered within this model (``dense``,
        ``dense_1``), skipping names already taken. Two layers of one name are refused,
        as in Keras (``get_layer`` and saving find layers by name)."""
        if isinstance(layer, models.Sequential):
            raise TypeError(
                "a model inside a model is not supported: add its layers to one model. For "
                "probabilities from a model with a linear output layer (Keras' "
                "Sequential([model, Softmax()])), apply keras.activations.softmax to "
                "model.predict(x)"
            )
        refusal = needs_backward(type(layer))
        if refusal is not None:
            raise refusal
        name = getattr(layer, "name", None)
        if name is not None and any(other.name == name for other in self.layers):
            raise ValueError(
                f"all layers added to a Sequential model should have unique names: "
                f"{name!r} is already the name of a layer of this model; give another name="
            )
        if not self._trainable and hasattr(type(layer), "trainable"):
            layer.trainable = False  # a frozen model's layers are frozen, later ones too
        super().add(layer)
        if self.layers and self.layers[-1] is layer and layer.name is None:
            layer.name = layer_names(self.layers)[-1]  # the name the summary would show
        self._wire()

    def build(self, input_shape: Any = None) -> None:
        """Create the weights, for ``input_shape`` *with* the batch axis first, as Keras
        reads it: ``build((None, 784))`` and ``build((32, 784))`` both build for examples
        of 784 features. One number (``build(784)``) or a 1-tuple is the example itself;
        no shape builds for the model's ``Input(shape=...)``."""
        if input_shape is None and self._pending_input is None:
            raise ValueError(
                "build() needs an input_shape, e.g. build((None, 784)), when the model has "
                "no Input(shape=...)"
            )
        if input_shape is None:
            input_shape = self._pending_input
        elif isinstance(input_shape, (tuple, list)) and len(input_shape) > 1:
            batch, *example = input_shape
            if batch is not None:  # None, or a batch size (which the weights do not need)
                positive_int("input_shape[0] (the batch axis, or None)", batch)
            input_shape = tuple(example)
        self._build(input_shape)

    # -- Keras 3's attributes ---------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        """The output shape for inputs of ``input_shape`` *with* the batch axis, as Keras'
        (``compute_output_shape((None, 2))`` is ``(None, 8)``); nothing is built."""
        batch, *example = tuple(input_shape)
        return (batch, *self.output_shape_for(example))

    @property
    def input(self) -> KerasTensor:
        """Keras' ``model.input``: the placeholder this built model's layers are called on,
        for a model over some of them (``keras.Model(model.input, layer.output)``, which
        shares their weights; see :mod:`nnscratch.keras.placeholders`)."""
        if self._input_tensor is None or not self.built:
            raise AttributeError(
                "the model has no input yet (it is not built): give it keras.Input(shape=...) "
                "or input_shape= on its first layer, or call model.build((None, ...))"
            )
        return self._input_tensor

    @property
    def inputs(self) -> list[KerasTensor]:
        """``[model.input]``, as Keras lists them."""
        return [self.input]

    @property
    def output(self) -> KerasTensor:
        """Keras' ``model.output``: the last layer's placeholder (see :attr:`input`)."""
        return wire(self.input, self.layers)

    @property
    def outputs(self) -> list[KerasTensor]:
        """``[model.output]``, as Keras lists them."""
        return [self.output]

    def _build(self, input_shape: Any) -> None:
        """Build, then call the layers on this model's own placeholder (``model.input``),
        so that each layer has an ``output`` (the model's, unless it had one already)."""
        super()._build(input_shape)
        self._wire()

    def _wire(self) -> None:
        if self.built and self.layers:
            if self._input_tensor is None or self._input_tensor.example_shape != self._input_shape:
                self._input_tensor = KerasTensor(self._input_shape)
            wire(self._input_tensor, self.layers)

    @property
    def weights(self) -> list[np.ndarray]:
        """Every weight array, layer by layer (the arrays themselves, not copies)."""
        return list(self.parameters().values())

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The weight arrays ``fit`` updates."""
        return list(self.parameters(trainable=True).values())

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """The weight arrays ``fit`` leaves alone (frozen layers, running statistics)."""
        return list(self.parameters(trainable=False).values())

    @property
    def trainable(self) -> bool:
        """``model.trainable = False`` sets every layer's ``trainable`` (Keras' rule), and
        the layers added afterwards; ``Sequential(..., trainable=False)`` too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = flag("trainable", value)
        for layer in self.layers:
            if hasattr(type(layer), "trainable"):
                layer.trainable = self._trainable
            elif not self._trainable:
                raise TypeError(
                    f"{layer.describe()} cannot be frozen: only nnscratch.keras.layers "
                    f"classes have trainable"
                )

    def __call__(self, inputs: Any, training: bool = False) -> np.ndarray:
        """``model(x)``: the outputs for the array ``x`` (``predict(x)`` in one pass;
        ``training=True`` runs dropout and batch statistics as ``fit`` does)."""
        if getattr(inputs, "apply_layer", None) is not None:
            raise ValueError(
                "calling a model on a placeholder (a model inside a model) is not supported: "
                "nnscratch.keras.Model supports a single chain of layers; add the layers "
                "themselves"
            )
        if not flag("training", training):
            return self.predict(inputs)
        self._build_for(inputs)
        x = self.check_inputs(inputs)
        return backend_to_numpy(self.forward(self.xp.asarray(x), training=True))

    def summary(  # type: ignore[override]
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print the table (see ``nnscratch.Sequential.summary``), taking Keras' arguments.

        The table keeps its own column widths, so ``line_length`` and ``positions`` are
        accepted and do not change it; ``expand_nested`` changes nothing (a model holds no
        models). ``show_trainable=True`` and ``layer_range`` are refused.
        """
        if show_trainable:
            raise unsupported("summary", "show_trainable", True, "the table has no such column")
        if layer_range is not None:
            raise unsupported("summary", "layer_range", layer_range, "the table lists every layer")
        super().summary(print_fn=print_fn)

    def compile(  # type: ignore[override]
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        *,
        loss_weights: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
        reduction: str | None = None,
    ) -> None:
        """``nnscratch.Sequential.compile`` with Keras' defaults: ``optimizer="rmsprop"``,
        and a ``loss`` that must be given (Keras' ``fit`` refuses a model without one).

        ``metrics`` may hold ``nnscratch.keras.metrics`` objects
        (``SparseCategoricalAccuracy()``) beside names and functions. Keras' execution
        options (``run_eagerly``, ``steps_per_execution``, ``jit_compile``,
        ``auto_scale_loss``) change how Keras runs, not what it computes, and are
        accepted; ``loss_weights`` and ``weighted_metrics`` would change the numbers and
        are refused unless ``None``.
        """
        for option, value in (
            ("loss_weights", loss_weights),
            ("weighted_metrics", weighted_metrics),
        ):
            if value is not None:
                why = "a model has one output and one loss, and metrics are not weighted"
                raise unsupported("compile", option, value, why)
        if loss is None:
            raise ValueError(
                "compile() needs a loss, e.g. loss='categorical_crossentropy' (one-hot "
                "targets), 'sparse_categorical_crossentropy' (integer labels), "
                "'binary_crossentropy' or 'mse'"
            )
        if callable(loss) and not isinstance(loss, (str, type, Loss)):
            name = getattr(loss, "__name__", type(loss).__name__)
            raise TypeError(
                f"compile(loss={name}): a loss function of your own is not supported: "
                f"training needs its gradient, which nnscratch does not derive "
                f"automatically. Use a built-in loss (loss='mean_squared_error', "
                f"keras.losses.Huber(), ...) or subclass nnscratch.keras.losses.Loss with "
                f"per_example(y_true, y_pred) and gradient(y_true, y_pred)"
            )
        if metrics is not None and not isinstance(metrics, str):
            metrics = [keras_metrics.for_compile(m) for m in metrics]
        if isinstance(optimizer, (str, Mapping)):  # Keras' classes: learning_rate.assign()
            optimizer = keras_optimizers.get(optimizer)
        super().compile(optimizer, loss, metrics, reduction=reduction)

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = 0,
        steps: int | None = None,
        callbacks: Any = None,
    ) -> np.ndarray:
        """``nnscratch.Sequential.predict`` in Keras 3's argument order; a model without an
        input shape is built from ``x`` first, as Keras builds it on its first call.

        With ``callbacks``, ``x`` goes through in batches of ``batch_size`` (32 if
        ``None``, as in Keras) and each callback's predict hooks are called (see
        :mod:`nnscratch.keras._hooks`). ``steps`` is refused unless ``None``.
        """
        if steps is not None:
            raise unsupported("predict", "steps", steps, _ARRAYS)
        self._build_for(x)
        if not callbacks:
            return super().predict(x, batch_size=batch_size, verbose=verbose)
        x, size = self.check_inputs(x), batch_size or DEFAULT_BATCH_SIZE
        size = positive_int("batch_size", size)
        return _hooks.run_predict(self, callbacks, x, size, super().predict)

    def check_inputs(self, x: Any, name: str = "x") -> np.ndarray:
        return super().check_inputs(self._as_column(x), name)

    def check_data(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        return super().check_data(self._as_column(x), y)

    def _as_column(self, x: Any) -> Any:
        """A flat array for a model of one input feature, as Keras takes it: ``(n,)`` is
        ``(n, 1)`` (``fit(df["Horsepower"], y)`` in TensorFlow's regression tutorial)."""
        first = self.layers[0].declared_input_shape if self.layers else None
        if np.ndim(x) == 1 and (self._input_shape or first) == (1,):
            return np.reshape(x, (-1, 1))
        return x

    def _build_for(self, x: Any) -> None:
        if not self.built and self.layers and np.ndim(x) >= 2:
            self._build(np.shape(x)[1:])

    def evaluate(  # type: ignore[override]
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """``nnscratch.Sequential.evaluate`` in Keras 3's argument order, in batches of
        ``batch_size`` (32 if ``None``, as in Keras: the line printed counts them).

        With ``callbacks``, each callback's test hooks are called over batches of
        ``batch_size`` (32 if ``None``, as in Keras) with the means so far, and
        ``on_test_end`` with the results (see :mod:`nnscratch.keras._hooks`). ``steps`` is
        refused unless ``None``.
        """
        if steps is not None:
            raise unsupported("evaluate", "steps", steps, _ARRAYS)
        _needs_arrays("evaluate", x, y)
        size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size  # Keras' 32
        scores = super().evaluate(x, y, size, verbose, sample_weight, return_dict=True)
        if callbacks:
            x, targets = self.check_data(x, y)
            weights = inputs.sample_weights(targets, sample_weight, None, self.dtype)
            _hooks.run_test(self, callbacks, (x, targets, weights), size, scores)
        return models.returned_scores(scores, return_dict)

    def fit(  # type: ignore[override]
        self,
        x: Any = None,
        y: Any = None,
        *args: Any,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
        **kwargs: Any,
    ) -> Any:
        """``nnscratch.Sequential.fit`` in Keras' argument order, which also takes Keras 1's
        ``nb_epoch``; ``batch_size=None`` means ``DEFAULT_BATCH_SIZE`` (32), Keras' default
        and the engine's.

        Keras 3's callbacks (subclasses of :class:`nnscratch.keras.callbacks.Callback`)
        are called as Keras calls them: the test hooks while each epoch is validated (in
        batches of ``validation_batch_size``, by default ``batch_size``), and
        ``on_train_end`` with the last epoch's logs. ``steps_per_epoch``,
        ``validation_steps`` and ``validation_freq`` other than 1 are refused: an epoch is
        one pass over ``x``, validated after it on all of the validation data.
        """
        for option, value, why in (
            ("steps_per_epoch", steps_per_epoch, _ONE_PASS),
            ("validation_steps", validation_steps, "validation uses all of the validation data"),
        ):
            if value is not None:
                raise unsupported("fit", option, value, why)
        if validation_freq != 1:
            why = "every epoch is validated; read val_loss from every epoch's logs"
            raise unsupported("fit", "validation_freq", validation_freq, why)
        if validation_batch_size is not None:
            positive_int("validation_batch_size", validation_batch_size)
        _needs_arrays("fit", x, y)
        kwargs = renamed("fit", kwargs, {"nb_epoch": "epochs"})
        given = _FIT.bind(self, x, y, *args, **kwargs).arguments
        del given["self"]
        given["callbacks"] = _hooks.for_fit(self, given, validation_batch_size)
        return super().fit(**given)


# The engine's and nnscratch.Sequential's fit, whose arguments this one takes by name.
_FIT = inspect.signature(models.Sequential.fit)
_ARRAYS = "the data are NumPy arrays, each used whole; pass a slice of them for fewer batches"
_ONE_PASS = (
    "an epoch is one pass over x in batches of batch_size; for shorter epochs pass a slice "
    "(x[:steps * batch_size], y[:steps * batch_size]) or use fewer, smaller batches"
)


def _needs_arrays(method: str, x: Any, y: Any) -> None:
    """Refuse ``fit(x)`` / ``evaluate(x)`` without targets: a generator, a
    ``PyDataset``, a ``tf.data.Dataset`` or a dict of inputs yields both, which this
    Keras does not read."""
    if y is None:
        raise TypeError(
            f"{method}() needs the inputs x and the targets y as arrays, {method}(x, y); got "
            f"x of type {type(x).__name__} and no y. Data from a generator, a "
            f"keras.utils.PyDataset or a tf.data.Dataset is not supported: collect its "
            f"batches into arrays first (x = np.concatenate([...]), y = np.concatenate([...]))"
        )

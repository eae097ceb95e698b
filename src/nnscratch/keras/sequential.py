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
layer; ``model(x)`` computes the outputs; ``summary`` takes Keras' keyword arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import models
from ..engine.backend import to_numpy as backend_to_numpy
from ..engine.checks import flag, positive_int
from ..engine.layers import Layer
from ..engine.model import BATCH_SIZE as DEFAULT_BATCH_SIZE  # 32, Keras' fit(batch_size=None)
from ..engine.summary import layer_names
from . import backend
from . import metrics as keras_metrics
from ._refusals import unsupported
from ._renames import renamed

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
        kind = type(layer)
        if (
            callable(getattr(kind, "call", None))
            and getattr(kind, "forward", None) is Layer.forward
        ):
            raise TypeError(
                f"{kind.__name__} defines call(), as a Keras 3 layer does, which relies on "
                f"automatic differentiation; an nnscratch layer computes its own gradient: "
                f"define forward(x, training) and backward(grad), and declare weights in "
                f"build() with self.add_weight(name, shape, initializer) (see "
                f"nnscratch.layers.Layer)"
            )
        name = getattr(layer, "name", None)
        if name is not None and any(other.name == name for other in self.layers):
            raise ValueError(
                f"all layers added to a Sequential model should have unique names: "
                f"{name!r} is already the name of a layer of this model; give another name="
            )
        if not self._trainable and hasattr(kind, "trainable"):
            layer.trainable = False  # a frozen model's layers are frozen, later ones too
        super().add(layer)
        if self.layers and self.layers[-1] is layer and layer.name is None:
            layer.name = layer_names(self.layers)[-1]  # the name the summary would show

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
        if metrics is not None and not isinstance(metrics, str):
            metrics = [keras_metrics.for_compile(m) for m in metrics]
        super().compile(optimizer, loss, metrics, reduction=reduction)

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        """``nnscratch.Sequential.predict``; a model without an input shape is built from
        ``x`` first, as Keras builds it on its first call."""
        self._build_for(x)
        return super().predict(x, *args, **kwargs)

    def _build_for(self, x: Any) -> None:
        if not self.built and self.layers and np.ndim(x) >= 2:
            self._build(np.shape(x)[1:])

    def fit(self, x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """``nnscratch.Sequential.fit`` in Keras' argument order, which also takes Keras 1's
        ``nb_epoch``; ``batch_size=None`` means ``DEFAULT_BATCH_SIZE`` (32), Keras' default
        and the engine's."""
        kwargs = renamed("fit", kwargs, {"nb_epoch": "epochs"})
        return super().fit(x, y, *args, **kwargs)

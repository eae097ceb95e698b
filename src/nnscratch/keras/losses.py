"""``from nnscratch.keras import losses``: Keras' loss classes and loss functions.

The classes are the engine's (``CategoricalCrossentropy``, ``MeanSquaredError``, ...),
callable as Keras' loss objects are: ``CategoricalCrossentropy()(y_true, y_pred)`` is
the batch's loss, one number (the mean over the examples, weighted by
``sample_weight=`` if given, as Keras' ``"sum_over_batch_size"``; the sum with
``reduction="sum"``). ``SparseCategoricalCrossentropy`` is the categorical cross-entropy
for integer labels. With ``from_logits=True`` the cross-entropies take a linear output
layer's logits and apply the softmax (the sigmoid for ``BinaryCrossentropy``) themselves
(the engine's ``CategoricalCrossentropyFromLogits``, ``BinaryCrossentropyFromLogits``).
In ``compile`` they are the engine's losses, and save as those.

The functions, as Keras 2 scripts pass them to ``compile``::

    model.compile(loss=keras.losses.categorical_crossentropy, optimizer=...)

are the same losses, callable as Keras' functions: ``categorical_crossentropy(y_true,
y_pred)`` returns the loss of each example, shape ``(n,)``, for one-hot ``y_true``.
Passed to ``compile`` they are the engine's loss under that name (a saved model records
the name), so training is exactly as with ``loss="categorical_crossentropy"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as _losses
from ..engine import losses as engine_losses
from ..engine.checks import flag
from ..losses import get
from ._refusals import unsupported
from ._targets import batch, example_weights

# the engine's loss classes, each made callable below (Nielsen's Quadratic is not Keras';
# the ...FromLogits ones are Keras' from_logits=True)
_CLASSES = [
    name
    for name in _losses.__all__
    if name not in ("Loss", "Quadratic", "get") and not name.endswith("FromLogits")
]

__all__ = [
    *_CLASSES,
    "Loss",
    "SparseCategoricalCrossentropy",
    "get",
    "binary_crossentropy",
    "categorical_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "squared_hinge",
]


class Loss(engine_losses.Loss):
    """The base class of a loss of your own: ``nnscratch.losses.Loss``, whose subclass
    defines ``per_example(y_true, y_pred)`` (each example's loss, shape ``(n,)``) and
    ``gradient(y_true, y_pred)`` (the derivative of the batch's reduced loss).

    A Keras 3 loss that defines only ``call(y_true, y_pred)`` is refused when it is made,
    saying so: its gradient would come from automatic differentiation, which nnscratch
    does not have.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Loss:
        if callable(getattr(cls, "call", None)) and cls.gradient is engine_losses.Loss.gradient:
            raise TypeError(
                f"{cls.__name__} defines call(y_true, y_pred), as a Keras 3 loss does, whose "
                f"gradient comes from automatic differentiation; an nnscratch loss gives its "
                f"own: define per_example(y_true, y_pred) (each example's loss) and "
                f"gradient(y_true, y_pred) (dL/dy_pred of the batch's loss), or use a "
                f"built-in loss such as 'mean_squared_error'"
            )
        return super().__new__(cls)


class LossFunction:
    """Mixin making a loss callable as Keras' function: ``f(y_true, y_pred)``."""

    __name__: str

    def __call__(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """The loss of each example, shape ``(n,)``; ``y_true`` encoded as ``y_pred``
        (one-hot rows for the cross-entropies)."""
        return self.per_example(*batch(y_true, y_pred))  # type: ignore[attr-defined]


def _function(name: str) -> Any:
    """Keras' loss function ``name``: the engine's loss of that name, callable."""
    base = engine_losses.LOSSES[name]
    kind = type(base.__name__, (LossFunction, base), {"__module__": __name__})
    function = kind()
    function.__name__ = name
    function.__doc__ = f"Keras' ``{name}(y_true, y_pred)``: see :class:`{base.__name__}`."
    return function


categorical_crossentropy = _function("categorical_crossentropy")
binary_crossentropy = _function("binary_crossentropy")
mean_squared_error = mse = _function("mean_squared_error")
mean_absolute_error = mae = _function("mean_absolute_error")
huber = _function("huber")
hinge = _function("hinge")
squared_hinge = _function("squared_hinge")
categorical_hinge = _function("categorical_hinge")


class LossObject:
    """Mixin making a loss object callable as Keras' loss classes (see the module)."""

    #: integer labels, one-hot encoded against y_pred's columns before the loss
    sparse = False
    #: the class a cross-entropy becomes with ``from_logits=True`` (set below)
    logits_class: type | None = None
    reduction: str

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if not flag("from_logits", kwargs.get("from_logits", False)):
            return super().__new__(cls)
        if cls.logits_class is None:
            raise unsupported(
                cls.__name__, "from_logits", True, "only the cross-entropies take logits"
            )
        return super().__new__(cls.logits_class)  # a subclass of cls: __init__ runs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # only *args and **kwargs here, so that get_config reads the engine's arguments
        kwargs.pop("from_logits", None)  # read by __new__
        if kwargs.get("reduction") == "sum_over_batch_size":  # Keras 3's name of "mean"
            kwargs["reduction"] = "mean"
        super().__init__(*args, **kwargs)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """The loss of the batch: one number."""
        y_true, y_pred = batch(y_true, y_pred, self.sparse)
        losses = self.per_example(y_true, y_pred)  # type: ignore[attr-defined]
        losses = losses * example_weights(sample_weight, len(losses))
        return float(losses.sum() if self.reduction == "sum" else losses.mean())


_CLASSES = (
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "Hinge",
    "Huber",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SquaredHinge",
)


def _callable(name: str) -> type:
    """The engine's loss class ``name`` with Keras' call (:class:`LossObject`)."""
    base = getattr(engine_losses, name)
    doc = f"``nnscratch.losses.{name}``, callable as Keras': ``loss(y_true, y_pred)``."
    return type(name, (LossObject, base), {"__module__": __name__, "__doc__": doc})


# One class per engine loss class, under the same name.
(
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    SquaredHinge,
) = map(_callable, _CLASSES)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):  # type: ignore[valid-type,misc]
    """Keras' ``SparseCategoricalCrossentropy``: the categorical cross-entropy for integer
    labels ``0..classes-1`` (``compile`` accepts them with either class)."""

    sparse = True


def _from_logits(cls: type, engine_class: type) -> None:
    """``cls(from_logits=True)``: an instance of ``cls`` computing ``engine_class``'s loss,
    which applies the softmax (or sigmoid) to the model's linear outputs itself."""
    doc = f"``{cls.__name__}(from_logits=True)``: see :class:`{engine_class.__name__}`."
    attributes = {"__module__": __name__, "__doc__": doc, "logits_class": None}
    cls.logits_class = type(f"{cls.__name__}FromLogits", (cls, engine_class), attributes)


_from_logits(BinaryCrossentropy, engine_losses.BinaryCrossentropyFromLogits)
_from_logits(CategoricalCrossentropy, engine_losses.CategoricalCrossentropyFromLogits)
_from_logits(SparseCategoricalCrossentropy, engine_losses.CategoricalCrossentropyFromLogits)

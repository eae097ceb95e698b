"""``from nnscratch.keras.optimizers import SGD, Adam, RMSprop, Adagrad, Adadelta, Nadam``.

By name in ``compile(optimizer="adam")`` or as objects. These are the engine's
optimizers, also taking Keras 2's ``lr=`` (now ``learning_rate=``) and ``decay=`` (now
``learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``), with a
``DeprecationWarning`` naming the new spelling. Schedules are in
``nnscratch.keras.optimizers.schedules``.

Their ``learning_rate`` reads as the rate (a float), and also answers what Keras code
calls on its learning-rate variable, so a callback written for Keras that changes the
rate runs unchanged::

    self.model.optimizer.learning_rate.assign(0.01)     # Keras 3
    lr = float(self.model.optimizer.learning_rate)
    K.set_value(self.model.optimizer.lr, 0.01)          # Keras 2 (lr: DeprecationWarning)

``compile(optimizer="adam")`` on an ``nnscratch.keras`` model, and ``load_model``, give
these classes; an engine optimizer passed as an object stays what it is.

Keras 3's arguments common to every optimizer (``weight_decay``, ``clipnorm``,
``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
``ema_overwrite_frequency``, ``loss_scale_factor``, ``gradient_accumulation_steps``,
``name``) are taken at their Keras defaults, so the config of a Keras optimizer
(``keras.optimizers.Adam().get_config()``) builds the same optimizer here with
``Adam.from_config``. A value that would change the update (``clipnorm=1.0``) is refused
with what to do instead: these optimizers do not clip gradients, decay weights on their
own or keep moving averages.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from ...engine import optimizers as engine_optimizers
from ...engine import schedules as engine_schedules
from ...engine.checks import lookup, number
from ...engine.optimizers import Optimizer as Optimizer  # re-exported
from ...engine.schedules import InverseTimeDecay, LearningRateSchedule
from ...engine.summary import snake_case
from .._refusals import missing, unsupported
from .._renames import renamed
from . import schedules

# The engine's optimizer names (its table OPTIMIZERS aside), here with Keras 2's spellings.
__all__ = [
    *(name for name in engine_optimizers.__all__ if name != "OPTIMIZERS"),
    "LearningRate",
    "schedules",
]


class LearningRate(float):
    """``optimizer.learning_rate`` as Keras code uses it: the rate of the next update.

    It is a ``float`` (``float(lr)``, ``lr * 0.5``, ``f"{lr:.4f}"`` and comparisons work
    as for any number) with the two methods Keras code calls on its learning-rate
    variable:

    * ``assign(value)`` sets the optimizer's rate, as ``optimizer.learning_rate = value``
      does (a schedule is replaced by the constant ``value``);
    * ``numpy()`` returns the rate as a NumPy scalar array.

    It is the rate when it was read: after ``assign``, read ``optimizer.learning_rate``
    again for the new value (a Keras variable changes in place; a number cannot).

    >>> opt = Adam(0.001)
    >>> opt.learning_rate.assign(0.01)
    >>> opt.learning_rate
    0.01
    """

    _optimizer: Any

    def __new__(cls, value: float, optimizer: Any = None) -> LearningRate:
        rate = super().__new__(cls, value)
        rate._optimizer = optimizer
        return rate

    def __reduce__(self) -> tuple[Any, tuple[float]]:
        return float, (float(self),)  # a copy or a pickle is the number alone

    def assign(self, value: Any) -> None:
        """Set the optimizer's learning rate to ``value`` (> 0)."""
        if self._optimizer is None:
            raise TypeError("this learning rate belongs to no optimizer; nothing to assign")
        if isinstance(value, np.ndarray) and value.ndim == 0:  # a Keras script's np.array(0.01)
            value = value.item()
        self._optimizer.learning_rate = value  # checked there: a number > 0

    def numpy(self) -> np.ndarray:
        """The rate as a 0-d NumPy array, as a Keras variable's ``numpy()``."""
        return np.asarray(float(self))


class _KerasLearningRate(Optimizer):
    """Gives an optimizer's ``learning_rate`` Keras' variable methods (:class:`LearningRate`)
    and Keras 2's name for it, ``lr``.

    The classes below list it after their engine class, so in their method order it comes
    just before :class:`Optimizer`: it changes how the rate is read, never what an update
    computes or what a file stores, and a model compiled with them saves as the engine's
    optimizer of the same name.
    """

    @property  # type: ignore[override]
    def learning_rate(self) -> LearningRate:
        return LearningRate(Optimizer.learning_rate.fget(self), self)  # type: ignore[attr-defined]

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        Optimizer.learning_rate.fset(self, value)  # type: ignore[attr-defined]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """The engine's ``from_config``, also reading a Keras 3 config, whose schedule is
        ``{"class_name": "ExponentialDecay", "config": {...}}``."""
        config = dict(config)
        rate = config.get("learning_rate")
        if isinstance(rate, Mapping) and "class_name" in rate:
            config["learning_rate"] = _keras_schedule(rate)
        return super().from_config(config)

    @property
    def lr(self) -> LearningRate:
        """Keras 2's name for ``learning_rate`` (with a ``DeprecationWarning``)."""
        _warn_lr()
        return self.learning_rate

    @lr.setter
    def lr(self, value: Any) -> None:
        _warn_lr()
        self.learning_rate = value


def _keras_schedule(serialized: Mapping[str, Any]) -> LearningRateSchedule:
    """The engine's schedule for Keras' ``{"class_name": "ExponentialDecay", "config":
    {...}}`` (the engine's schedules take Keras 3's arguments, ``name`` included)."""
    kind = snake_case(str(serialized["class_name"]))  # ExponentialDecay: exponential_decay
    return engine_schedules.get({"name": kind, "config": dict(serialized.get("config") or {})})


def _warn_lr() -> None:
    warnings.warn(
        "optimizer.lr is Keras 2's name; use optimizer.learning_rate",
        DeprecationWarning,
        stacklevel=3,
    )


def _keras2(base: type, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``base``'s keyword arguments, from positional ones too, with ``lr=`` and ``decay=``
    translated into ``learning_rate=``."""
    name = base.__name__
    default = inspect.signature(base).parameters["learning_rate"].default
    positional = dict(zip(list(inspect.signature(base).parameters), args))
    kwargs = renamed(name, {**positional, **kwargs}, {"lr": "learning_rate"}, stacklevel=4)
    _keras3_common(name, kwargs)
    decay = kwargs.pop("decay", None)
    if decay is not None:
        decay = number("decay", decay, low=0)
        rate = kwargs.get("learning_rate", default)
        if isinstance(rate, LearningRateSchedule):
            raise TypeError(f"{name}(): decay= cannot be combined with a schedule")
        rate = number("learning_rate", rate, low=0, low_open=True)
        warnings.warn(
            f"{name}(decay=...) is the old Keras spelling; use learning_rate="
            f"InverseTimeDecay({rate!r}, decay_steps=1, decay_rate={decay!r})",
            DeprecationWarning,
            stacklevel=3,
        )
        if decay:
            kwargs["learning_rate"] = InverseTimeDecay(rate, decay_steps=1, decay_rate=decay)
    return kwargs


# Keras 3's arguments of every optimizer: their defaults, and why another value is refused.
_NOT_CLIPPED = "gradients are not clipped; a lower learning_rate tames large steps"
_NO_EMA = "no moving average of the weights is kept"
_KERAS3_COMMON: dict[str, tuple[Any, str]] = {
    "weight_decay": (
        None,
        "the weights decay only through regularizers; for SGD without momentum, "
        "weight_decay=wd is the same update as kernel_regularizer=l2(wd / 2) and "
        "bias_regularizer=l2(wd / 2) on every layer",
    ),
    "clipnorm": (None, _NOT_CLIPPED),
    "clipvalue": (None, _NOT_CLIPPED),
    "global_clipnorm": (None, _NOT_CLIPPED),
    "use_ema": (False, _NO_EMA),
    "ema_overwrite_frequency": (None, _NO_EMA),
    "loss_scale_factor": (None, "the loss is never scaled: training runs in the model's dtype"),
    "gradient_accumulation_steps": (
        None,
        "every batch is a step of its own; a larger batch_size averages over more examples",
    ),
}


def _keras3_common(name: str, kwargs: dict[str, Any]) -> None:
    """Take Keras 3's common optimizer arguments out of ``kwargs`` when they have their
    default values (``name`` and ``ema_momentum``, unused without ``use_ema``, may have
    any); raise for a value that would change the update."""
    given_name = kwargs.pop("name", None)
    if given_name is not None and not isinstance(given_name, str):
        raise TypeError(f"{name}(name=...) must be a string, got {given_name!r}")
    kwargs.pop("ema_momentum", None)
    for option, (default, why) in _KERAS3_COMMON.items():
        value = kwargs.pop(option, default)
        if not (value is default or (default is False and value is np.False_)):
            raise unsupported(name, option, value, why)


def _keras2_init(engine: type[Optimizer]) -> Any:
    """The ``__init__`` of a class below: translate ``lr=`` and ``decay=`` (see
    :func:`_keras2`), then run ``engine``'s own ``__init__``.

    Each class defines nothing but this ``__init__`` (and its docstring), so a model
    compiled with one saves as the engine's optimizer of the same name: a file names its
    optimizer, and ``nnscratch.save`` accepts a subclass only when its constructor is all
    that differs.
    """

    def __init__(self: Optimizer, *args: Any, **kwargs: Any) -> None:
        engine.__init__(self, **_keras2(engine, args, kwargs))

    return __init__


class SGD(engine_optimizers.SGD, _KerasLearningRate):
    """``nnscratch.optimizers.SGD``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.SGD)


class Adagrad(engine_optimizers.Adagrad, _KerasLearningRate):
    """``nnscratch.optimizers.Adagrad``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adagrad)


class RMSprop(engine_optimizers.RMSprop, _KerasLearningRate):
    """``nnscratch.optimizers.RMSprop``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.RMSprop)


class Adam(engine_optimizers.Adam, _KerasLearningRate):
    """``nnscratch.optimizers.Adam``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adam)


class Adadelta(engine_optimizers.Adadelta, _KerasLearningRate):
    """``nnscratch.optimizers.Adadelta`` (Keras 2's defaults: learning rate 1.0, rho 0.95,
    epsilon 1e-7), also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adadelta)


class Nadam(engine_optimizers.Nadam, _KerasLearningRate):
    """``nnscratch.optimizers.Nadam``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Nadam)


KERAS_OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, Adadelta, Nadam)
}


_INSTEAD = "use Adam, Nadam, RMSprop, Adagrad, Adadelta or SGD"
_MISSING = {
    **dict.fromkeys(
        ("AdamW", "ScheduleFreeAdamW"),
        f"there is no decoupled weight decay; {_INSTEAD}, with kernel_regularizer=l2(...) "
        "on the layers for a penalty on the weights",
    ),
    **dict.fromkeys(("Adafactor", "Adamax", "Ftrl", "Lamb", "Lion", "Muon"), _INSTEAD),
    **dict.fromkeys(
        ("LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"),
        "one optimizer updates every weight, in the model's dtype, without loss scaling",
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras optimizer this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)


def get(identifier: Any, **kwargs: Any) -> Optimizer:
    """The engine's :func:`~nnscratch.engine.optimizers.get`, where a name or a config
    dict of a Keras optimizer gives this module's class (``"adam"`` is :class:`Adam`
    here). An instance is returned as it is; the engine's other names
    (``"momentum"``, ``"nesterov"``) give the engine's optimizers.

    >>> type(get("adam")).__module__
    'nnscratch.keras.optimizers'
    """
    if isinstance(identifier, str):
        names = {**KERAS_OPTIMIZERS, **engine_optimizers.ALIASES}
        return lookup("optimizer", identifier, names, "an Optimizer")(**kwargs)
    if isinstance(identifier, Mapping):
        name, config = (identifier.get("name"), identifier)
        if "class_name" in identifier:  # Keras' serialized form
            name, config = identifier["class_name"], identifier.get("config") or {}
        return lookup("optimizer", name, KERAS_OPTIMIZERS).from_config(config)
    return engine_optimizers.get(identifier, **kwargs)

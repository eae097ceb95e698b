"""``from nnscratch.keras.optimizers import SGD, Adam, RMSprop, Adagrad, Adadelta, Nadam``.

By name in ``compile(optimizer="adam")`` or as objects. These are the engine's
optimizers, also taking Keras 2's ``lr=`` (now ``learning_rate=``) and ``decay=`` (now
``learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``), with a
``DeprecationWarning`` naming the new spelling. Schedules are in
``nnscratch.keras.optimizers.schedules``.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from ...engine import optimizers as engine_optimizers
from ...engine.checks import number
from ...engine.optimizers import Optimizer as Optimizer  # re-exported
from ...engine.optimizers import get as get  # re-exported
from ...engine.schedules import InverseTimeDecay, LearningRateSchedule
from .._renames import renamed
from . import schedules

# The engine's optimizer names (its table OPTIMIZERS aside), here with Keras 2's spellings.
__all__ = [
    *(name for name in engine_optimizers.__all__ if name != "OPTIMIZERS"),
    "schedules",
]


def _keras2(base: type, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``base``'s keyword arguments, from positional ones too, with ``lr=`` and ``decay=``
    translated into ``learning_rate=``."""
    name = base.__name__
    default = inspect.signature(base).parameters["learning_rate"].default
    positional = dict(zip(list(inspect.signature(base).parameters), args))
    kwargs = renamed(name, {**positional, **kwargs}, {"lr": "learning_rate"}, stacklevel=4)
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


class SGD(engine_optimizers.SGD):
    """``nnscratch.optimizers.SGD``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.SGD)


class Adagrad(engine_optimizers.Adagrad):
    """``nnscratch.optimizers.Adagrad``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adagrad)


class RMSprop(engine_optimizers.RMSprop):
    """``nnscratch.optimizers.RMSprop``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.RMSprop)


class Adam(engine_optimizers.Adam):
    """``nnscratch.optimizers.Adam``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adam)


class Adadelta(engine_optimizers.Adadelta):
    """``nnscratch.optimizers.Adadelta`` (Keras 2's defaults: learning rate 1.0, rho 0.95,
    epsilon 1e-7), also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Adadelta)


class Nadam(engine_optimizers.Nadam):
    """``nnscratch.optimizers.Nadam``, also taking Keras 2's ``lr`` and ``decay``."""

    __init__ = _keras2_init(engine_optimizers.Nadam)

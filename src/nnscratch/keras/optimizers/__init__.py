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


class _Keras2Spellings:
    """What the classes below share: translate ``lr=`` and ``decay=`` (see :func:`_keras2`),
    then run the engine optimizer's own ``__init__``.

    Each class lists this first and the engine's class second, so ``super().__init__``
    below is the engine's.
    """

    _engine: type[Optimizer]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the engine class whose signature the arguments are read against
        cls._engine = next(
            base for base in cls.__mro__ if base.__module__ == engine_optimizers.__name__
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(**_keras2(self._engine, args, kwargs))


class SGD(_Keras2Spellings, engine_optimizers.SGD):
    """``nnscratch.optimizers.SGD``, also taking Keras 2's ``lr`` and ``decay``."""


class Adagrad(_Keras2Spellings, engine_optimizers.Adagrad):
    """``nnscratch.optimizers.Adagrad``, also taking Keras 2's ``lr`` and ``decay``."""


class RMSprop(_Keras2Spellings, engine_optimizers.RMSprop):
    """``nnscratch.optimizers.RMSprop``, also taking Keras 2's ``lr`` and ``decay``."""


class Adam(_Keras2Spellings, engine_optimizers.Adam):
    """``nnscratch.optimizers.Adam``, also taking Keras 2's ``lr`` and ``decay``."""


class Adadelta(_Keras2Spellings, engine_optimizers.Adadelta):
    """``nnscratch.optimizers.Adadelta`` (Keras 2's defaults: learning rate 1.0, rho 0.95,
    epsilon 1e-7), also taking Keras 2's ``lr`` and ``decay``."""


class Nadam(_Keras2Spellings, engine_optimizers.Nadam):
    """``nnscratch.optimizers.Nadam``, also taking Keras 2's ``lr`` and ``decay``."""

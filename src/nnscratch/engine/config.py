"""A config is the constructor's own arguments, read back from the object.

Optimizers and learning-rate schedules save themselves as a config dict and are rebuilt
as ``cls(**config)``, so the config holds exactly the arguments of ``__init__``. Instead
of listing them a second time in a hand-written dict, :func:`constructor_config` reads
their names from the signature of ``__init__`` and their values from the attributes of
the same names, as scikit-learn's ``BaseEstimator.get_params`` does. What it asks of a
class is one habit: keep every constructor argument, checked, as ``self.<argument>``.

Examples
--------
>>> class Halving:
...     def __init__(self, start: float, every: int = 10) -> None:
...         self.start, self.every = float(start), int(every)
>>> constructor_config(Halving(1, every=5))
{'start': 1.0, 'every': 5}
>>> constructor_config(Halving(1), start="given")  # a value given overrides the attribute
{'start': 'given', 'every': 10}
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Any

from .checks import lookup

__all__ = ["constructor_config", "constructor_repr", "named_config"]

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@functools.cache
def argument_names(cls: type) -> tuple[str, ...]:
    """The named parameters of the ``__init__`` that ``cls`` runs, in their order.

    An ``__init__`` that only passes ``*args, **kwargs`` on (a wrapper that translates
    old spellings, say) names nothing, so the search goes on up the classes to the one
    that does.
    """
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        parameters = list(inspect.signature(init).parameters.values())[1:]  # without self
        names = tuple(p.name for p in parameters if p.kind in _NAMED)
        if names or len(parameters) == 0:
            return names
    return ()


def constructor_config(
    obj: object,
    *,
    skip_missing: bool = False,
    only: tuple[str, ...] | None = None,
    **given: Any,
) -> dict[str, Any]:
    """``{argument: value}`` for every named argument of ``type(obj).__init__`` (or for
    those of them named in ``only``).

    Each value is ``obj.<argument>``, unless it is passed here as a keyword (for an
    argument that is stored in another form, such as an optimizer's learning rate).
    Raises ``TypeError`` naming the argument that ``obj`` does not keep, or with
    ``skip_missing=True`` (for a ``repr``, which should never fail) leaves it out.
    """
    config = {}
    for name in argument_names(type(obj)) if only is None else only:
        if name in given:
            config[name] = given[name]
            continue
        try:
            config[name] = getattr(obj, name)
        except AttributeError:
            if skip_missing:
                continue
            kind = type(obj).__name__
            raise TypeError(
                f"{kind}.get_config() reads each argument of {kind}.__init__ back as "
                f"self.<argument>, but there is no self.{name}; keep the argument as "
                f"self.{name} in __init__, or write get_config() for {kind}"
            ) from None
    return config


def constructor_repr(obj: object, arguments: Mapping[str, Any] | None = None) -> str:
    """``Name(arg=value, ...)``: the call that builds ``obj`` again, with ``arguments``
    (by default its constructor's, read back; one it does not keep is left out, so a
    ``repr`` never fails).

    >>> class Halving:
    ...     def __init__(self, start: float, every: int = 10) -> None:
    ...         self.start, self.every = float(start), int(every)
    >>> constructor_repr(Halving(1, every=5))
    'Halving(start=1.0, every=5)'
    """
    if arguments is None:
        arguments = constructor_config(obj, skip_missing=True)
    args = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    return f"{type(obj).__name__}({args})"


def named_config(
    kind: str, config: Mapping[str, Any], table: Mapping[str, type], instead: str = ""
) -> tuple[type, dict[str, Any]]:
    """The class that a saved config ``{"name": ..., <arguments>}`` names in ``table``
    (the name tables of activations, losses, constraints, initializers) and its
    arguments, checked before anything is built: an unknown name is :func:`lookup`'s
    error, an argument the class's ``__init__`` does not take a ``ValueError`` naming it.

    >>> class Halving:
    ...     name = "halving"
    ...     def __init__(self, start: float, every: int = 10) -> None: ...
    >>> named_config("schedule", {"name": "halving", "start": 1.0}, {"halving": Halving})
    (<class 'nnscratch.engine.config.Halving'>, {'start': 1.0})
    >>> named_config("schedule", {"name": "halving", "stop": 2}, {"halving": Halving})
    Traceback (most recent call last):
    ...
    ValueError: schedule 'halving' takes no argument(s) ['stop']
    """
    cls = lookup(kind, config.get("name"), table, instead)
    arguments = {key: value for key, value in config.items() if key != "name"}
    unknown = sorted(set(arguments) - set(argument_names(cls)))
    if unknown:
        raise ValueError(f"{kind} {cls.name!r} takes no argument(s) {unknown}")  # type: ignore[attr-defined]
    return cls, arguments

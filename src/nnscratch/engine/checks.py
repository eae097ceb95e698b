"""The checks of plain arguments (sizes, counts, rates, choices), in one place.

Every module that takes a number or a choice from a user checks it here, so that
``Dense(units=0)``, ``model.fit(epochs=0)``, ``SGD(momentum=1.5)`` and the book's
``net.SGD(..., mini_batch_size=0)`` all explain themselves in the same words. Each
function returns the value converted (``int``, ``float``, ``bool``) and raises

* ``TypeError`` when the value is of the wrong kind (``"3"``, ``True`` for a count),
* ``ValueError`` when it is of the right kind but out of range,

with a message that names the argument, what it received and what is accepted.

>>> positive_int("units", 3)
3
>>> number("learning_rate", 0.1, low=0, low_open=True)
0.1
>>> number("momentum", 1.5, low=0, high=1, high_open=True)
Traceback (most recent call last):
...
ValueError: momentum must be in [0, 1), got 1.5
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["flag", "integer", "lookup", "number", "one_of", "positive_int"]


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``low..high`` (either bound optional; ``bool`` refused).

    >>> integer("jobs", 2, low=1)
    2
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or (low is not None and value < low) or (high is not None and value > high):
        raise (ValueError if ok else TypeError)(
            f"{name} must be {_integer_wanted(low, high)}, got {value!r}"
        )
    return int(value)


def _integer_wanted(low: int | None, high: int | None) -> str:
    if low == 1 and high is None:
        return "a positive integer"
    if high is None:
        return "an integer" if low is None else f"an integer >= {low}"
    return f"an integer <= {high}" if low is None else f"an integer in {low}..{high}"


def positive_int(name: str, value: Any) -> int:
    """``value`` as an ``int`` > 0.

    >>> positive_int("units", 0)
    Traceback (most recent call last):
    ...
    ValueError: units must be a positive integer, got 0
    """
    return integer(name, value, low=1)


def number(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` between ``low`` and ``high``.

    The bounds are included unless ``low_open`` / ``high_open`` exclude them:
    ``number("rate", r, 0, 1, high_open=True)`` accepts ``[0, 1)``.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not _within(value, low, high, low_open, high_open):
        raise _number_error(name, value, ok, low, high, low_open, high_open)
    return float(value)


def _within(value: Any, low: Any, high: Any, low_open: bool, high_open: bool) -> bool:
    """Between the bounds and finite (NaN, infinities and ints beyond float's range fail)."""
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    if isinstance(value, numbers.Integral):  # an int may exceed every float
        return abs(value) <= sys.float_info.max and above and below
    return math.isfinite(value) and above and below  # (float32 as itself: no cast to warn)


def _number_error(
    name: str, value: Any, ok: bool, low: Any, high: Any, low_open: bool, high_open: bool
) -> Exception:
    if not ok:
        return TypeError(f"{name} must be a number, got {type(value).__name__}")
    if low is not None and high is not None:
        wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    elif low is not None:
        wanted = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        wanted = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        wanted = "a finite number"
    # as a float, but an int too large for one as it is
    shown = value if isinstance(value, numbers.Integral) and abs(value) >= 1e300 else float(value)
    return ValueError(f"{name} must be {wanted}, got {shown!r}")


def flag(name: str, value: Any) -> bool:
    """``value`` as a ``bool``; only ``True`` and ``False`` (and NumPy's) are accepted."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def one_of(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``; the message lists them.

    >>> one_of("padding", "same", ("valid", "same"))
    'same'
    """
    options = tuple(choices)
    if isinstance(value, (str, int, float, type(None))) and value in options:
        return value
    listed = ", ".join(repr(c) for c in options)
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def lookup(kind: str, name: Any, table: Mapping[str, Any], instead: str = "") -> Any:
    """``table[name]``, for the name tables of activations, losses, optimizers, ...

    Names are matched case-insensitively, with ``-`` read as ``_``. An unknown name
    raises ``ValueError`` listing the valid ones; a value that is not a name raises
    ``TypeError`` (``instead`` says what else the caller accepts, e.g. "an Activation").

    >>> lookup("activation", "Tanh", {"tanh": 1})
    1
    """
    key = name.lower().replace("-", "_") if isinstance(name, str) else None
    if key in table:
        return table[key]
    if key is None:
        other = f" or {instead}" if instead else ""
        raise TypeError(f"{kind} must be a name{other}, got {type(name).__name__}")
    raise ValueError(f"unknown {kind} {name!r}; valid names: {', '.join(sorted(table))}")

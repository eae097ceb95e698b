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
from collections.abc import Iterable
from typing import Any

__all__ = ["flag", "integer", "number", "one_of", "positive_int"]


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``low..high`` (either bound optional; ``bool`` refused).

    >>> integer("jobs", 2, low=1)
    2
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            wanted = f">= {low}"
        elif low is None:
            wanted = f"<= {high}"
        else:
            wanted = f"in {low}..{high}"
        raise ValueError(f"{name} must be an integer {wanted}, got {value}")
    return value


def positive_int(name: str, value: Any) -> int:
    """``value`` as an ``int`` > 0.

    >>> positive_int("units", 0)
    Traceback (most recent call last):
    ...
    ValueError: units must be a positive integer, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


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
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        if low is not None and high is not None:
            wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            wanted = f"a finite number {'>' if low_open else '>='} {low:g}"
        elif high is not None:
            wanted = f"a finite number {'<' if high_open else '<='} {high:g}"
        else:
            wanted = "a finite number"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return value


def flag(name: str, value: Any) -> bool:
    """``value`` as a ``bool``; only ``True`` and ``False`` (and NumPy's) are accepted."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def one_of(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``; the message lists them.

    >>> one_of("padding", "same", ("valid", "same"))
    'same'
    """
    options = tuple(choices)
    try:
        if value in options:
            return value
    except TypeError:  # an unhashable or incomparable value is simply not a choice
        pass
    listed = ", ".join(repr(c) for c in options)
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")

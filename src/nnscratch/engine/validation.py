"""Checks of the plain arguments the engine and its facades take (sizes, counts).

One function per kind of argument, so that ``Dense(units=0)``, ``model.fit(epochs=0)``
and the book's ``net.SGD(..., mini_batch_size=0)`` all explain themselves in the
same words.
"""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["positive_int"]


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer > 0.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        A Python or NumPy integer; ``bool`` is refused.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        ``value`` is not an integer (``3.0``, ``"3"``, ``True``).
    ValueError
        ``value`` is zero or negative.

    Examples
    --------
    >>> positive_int("units", 3)
    3
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

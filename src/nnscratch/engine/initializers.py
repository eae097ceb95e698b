"""Weight initializers: where gradient descent starts.

Every initializer is called as ``init(shape, rng)`` with an explicit random generator, so
the same seed always gives the same network. ``shape`` is ``(fan_in, fan_out)`` for a
kernel.

==================  ==========================================  ======================
name                draws                                       used by
==================  ==========================================  ======================
``scaled_normal``   N(0, 1) / sqrt(fan_in)                      WildML; Nielsen's
                                                                ``default_weight_initializer``
``standard_normal`` N(0, 1)                                     Nielsen's ``network.py``
``glorot_uniform``  U(-l, l), l = sqrt(6 / (fan_in + fan_out))  Keras' default
``glorot_normal``   N(0, 2 / (fan_in + fan_out))
``he_normal``       N(0, 2 / fan_in)                            ReLU networks
``he_uniform``      U(-l, l), l = sqrt(6 / fan_in)
``zeros``           0                                           biases
==================  ==========================================  ======================

``"wildml"`` is an alias of ``scaled_normal`` and ``"nielsen"`` of ``standard_normal``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

__all__ = ["INITIALIZERS", "RandomLike", "check_random_state", "get"]

RandomLike = np.random.Generator | np.random.RandomState
Initializer = Callable[[tuple[int, ...], RandomLike], np.ndarray]


def check_random_state(seed: int | RandomLike | None) -> RandomLike:
    """Turn a seed into a random generator.

    * ``None``: a fresh, unpredictable ``np.random.Generator``;
    * an ``int``: ``np.random.RandomState(seed)``, the legacy Mersenne Twister, so that
      ``seed=0`` draws exactly what ``np.random.seed(0)`` draws in the tutorials;
    * a ``Generator`` or ``RandomState``: used as it is (and advanced).
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer in 0..2**32 - 1, got {seed}")
        return np.random.RandomState(int(seed))
    raise TypeError(
        f"seed must be None, an int, a np.random.Generator or a RandomState, "
        f"got {type(seed).__name__}"
    )


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        return shape[0], shape[0]
    return shape[0], shape[1]


def scaled_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """``N(0, 1) / sqrt(fan_in)``: WildML's ``np.random.randn(a, b) / np.sqrt(a)``."""
    return rng.standard_normal(shape) / np.sqrt(_fans(shape)[0])


def standard_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """``N(0, 1)``: Nielsen's ``network.py`` (large weights)."""
    return rng.standard_normal(shape)


def glorot_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def glorot_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))


def he_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return rng.standard_normal(shape) * np.sqrt(2.0 / _fans(shape)[0])


def he_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    limit = np.sqrt(6.0 / _fans(shape)[0])
    return rng.uniform(-limit, limit, shape)


def zeros(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return np.zeros(shape)


INITIALIZERS: dict[str, Initializer] = {
    "scaled_normal": scaled_normal,
    "wildml": scaled_normal,
    "standard_normal": standard_normal,
    "nielsen": standard_normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "zeros": zeros,
}


def get(identifier: str | Initializer) -> Initializer:
    """Return the initializer for a name, or a callable ``init(shape, rng)`` as it is."""
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in INITIALIZERS:
            return INITIALIZERS[key]
        raise ValueError(
            f"unknown initializer {identifier!r}; valid names: {', '.join(sorted(INITIALIZERS))}"
        )
    if callable(identifier):
        return identifier
    raise TypeError(f"initializer must be a name or a callable, got {type(identifier).__name__}")


def name_of(init: Initializer) -> str | None:
    """The registered name of an initializer function, or ``None`` for a custom one."""
    for name, fn in INITIALIZERS.items():
        if fn is init:
            return name
    return None

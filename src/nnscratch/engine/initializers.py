"""Weight initializers: where gradient descent starts.

Every initializer is called as ``init(shape, rng)`` with an explicit random generator, so
the same seed always gives the same network. ``shape`` is ``(fan_in, fan_out)`` for a
dense kernel and ``(kh, kw, in_channels, filters)`` for a convolution kernel; the fans
count the receptive field (:func:`fans`).

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
``lecun_normal``    N(0, 1 / fan_in)                            SELU networks
``random_uniform``  U(-0.05, 0.05)                              Keras' ``"uniform"``
``random_normal``   N(0, 0.05**2)                               Keras' ``"normal"``
``lecun_uniform``   U(-l, l), l = sqrt(3 / fan_in)
``truncated_normal``  N(0, 0.05**2), redrawn beyond 2 std. dev.
``orthogonal``      an orthogonal matrix (QR of a normal draw)  RNNs, deep linear nets
``identity``        the identity matrix (2-D kernels only)
``zeros``           0                                           biases
``ones``            1                                           scales
==================  ==========================================  ======================

``"wildml"`` is an alias of ``scaled_normal``, ``"nielsen"`` of ``standard_normal``, and
Keras' short names ``"uniform"`` and ``"normal"`` of ``random_uniform`` and
``random_normal``, and Keras 2's ``"zero"`` and ``"one"`` of ``zeros`` and ``ones``.

Initializers with arguments are objects called the same way, whose ``get_config()`` a
layer's config keeps (so a saved model is rebuilt with them): :class:`Constant`,
:class:`RandomNormal`, :class:`RandomUniform`, :class:`TruncatedNormal`,
:class:`VarianceScaling` (Keras' formulas and defaults) and :class:`Seeded` (a named
scheme drawn from a seed of its own). With their default arguments they draw exactly
what the names above draw.

>>> Constant(0.1)((2,), np.random.default_rng(0))
array([0.1, 0.1])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .checks import integer, lookup, number, one_of
from .config import constructor_config, constructor_repr, named_config

__all__ = [
    "CONFIGURABLE",
    "INITIALIZERS",
    "Configurable",
    "Constant",
    "RandomLike",
    "RandomNormal",
    "RandomUniform",
    "Seeded",
    "TruncatedNormal",
    "VarianceScaling",
    "check_random_state",
    "fans",
    "get",
    "name_of",
    "serialize",
]

RandomLike = np.random.Generator | np.random.RandomState
Initializer = Callable[[tuple[int, ...], RandomLike], np.ndarray]


def check_random_state(seed: int | RandomLike | None) -> RandomLike:
    """Turn a seed into a random generator.

    * ``None``: a fresh, unpredictable ``np.random.Generator``;
    * an ``int``: ``np.random.RandomState(seed)``, the legacy Mersenne Twister, so that
      ``seed=0`` draws exactly what ``np.random.seed(0)`` draws in the tutorials;
    * a ``Generator`` or ``RandomState``: used as it is (and advanced).
    """
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if seed is None:
        return np.random.default_rng()
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise _bad_seed(seed)
    return np.random.RandomState(int(seed))


def _bad_seed(seed: Any) -> Exception:
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return ValueError(f"seed must be an integer in 0..2**32 - 1, got {seed}")
    return TypeError(
        f"seed must be None, an int, a np.random.Generator or a RandomState, "
        f"got {type(seed).__name__}"
    )


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a kernel: inputs and outputs of one unit.

    For a dense kernel ``(n_in, n_out)`` they are ``n_in`` and ``n_out``. A convolution
    kernel ``(kh, kw, c_in, c_out)`` connects every output to ``kh * kw * c_in``
    inputs, so its fans count the receptive field ``kh * kw`` (as Keras does):

    >>> fans((2, 3)), fans((5, 5, 1, 20))
    ((2, 3), (25, 500))
    """
    if len(shape) < 2:  # a bias or a scale: its length both ways
        return (shape[0], shape[0]) if shape else (1, 1)
    receptive = math.prod(shape[:-2])  # 1 for a dense kernel, kh * kw for a convolution
    return shape[-2] * receptive, shape[-1] * receptive


def scaled_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """``N(0, 1) / sqrt(fan_in)``: WildML's ``np.random.randn(a, b) / np.sqrt(a)``."""
    return rng.standard_normal(shape) / np.sqrt(fans(shape)[0])


def standard_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """``N(0, 1)``: Nielsen's ``network.py`` (large weights)."""
    return rng.standard_normal(shape)


def glorot_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    limit = np.sqrt(6.0 / sum(fans(shape)))  # sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def glorot_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    fan_in, fan_out = fans(shape)
    return rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))


def he_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return rng.standard_normal(shape) * np.sqrt(2.0 / fans(shape)[0])


def he_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    limit = np.sqrt(6.0 / fans(shape)[0])
    return rng.uniform(-limit, limit, shape)


def lecun_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return rng.standard_normal(shape) * np.sqrt(1.0 / fans(shape)[0])


def random_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Keras' ``RandomUniform()`` (its ``"uniform"``): U(-0.05, 0.05)."""
    return rng.uniform(-0.05, 0.05, shape)


def random_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Keras' ``RandomNormal()`` (its ``"normal"``): N(0, 0.05**2)."""
    return rng.standard_normal(shape) * 0.05


def lecun_uniform(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    limit = np.sqrt(3.0 / fans(shape)[0])
    return rng.uniform(-limit, limit, shape)


def truncated_normal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Keras' ``TruncatedNormal()``: N(0, 0.05**2), draws beyond two standard deviations
    drawn again (so every value lies in (-0.1, 0.1))."""
    return _truncated(shape, rng) * 0.05


def _truncated(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Standard normal draws, each beyond 2 drawn again until it is not."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values


def orthogonal(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Keras' ``Orthogonal()``: the rows (or columns) of the kernel, flattened to
    ``(prod(shape[:-1]), shape[-1])``, are orthonormal. ``Q`` of the QR decomposition of
    a standard normal draw, with the signs of ``R``'s diagonal folded in (so that ``Q``
    is uniformly distributed)."""
    rows, cols = math.prod(shape[:-1]) if len(shape) > 1 else 1, shape[-1] if shape else 1
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return (q if rows >= cols else q.T).reshape(shape)


def identity(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    """Keras' ``Identity()``: the identity matrix (ones on the diagonal of a 2-D kernel)."""
    if len(shape) != 2:
        raise ValueError(f"the identity initializer needs a 2-D kernel, got shape {shape}")
    return np.eye(*shape)


def zeros(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
    return np.ones(shape)


INITIALIZERS: dict[str, Initializer] = {
    "scaled_normal": scaled_normal,
    "wildml": scaled_normal,
    "standard_normal": standard_normal,
    "nielsen": standard_normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "random_uniform": random_uniform,
    "uniform": random_uniform,
    "random_normal": random_normal,
    "normal": random_normal,
    "lecun_uniform": lecun_uniform,
    "truncated_normal": truncated_normal,
    "orthogonal": orthogonal,
    "identity": identity,
    "zeros": zeros,
    "zero": zeros,
    "ones": ones,
    "one": ones,
}


# -- initializers with arguments ---------------------------------------------------------
class Configurable:
    """An initializer with arguments (Keras' classes): ``init(shape, rng)`` like the named
    functions above, and a ``get_config()`` (``{"name": ..., <arguments>}``) that a saved
    layer keeps, so that a model rebuilt from its config draws the same way.

    ``seed=None`` draws from the layer's generator (the model's seed); an int draws from
    a generator of its own, made anew at every call, so the values are the same each time
    (as in Keras).
    """

    name = ""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = None if seed is None else integer("seed", seed, 0, 2**32 - 1)

    def __call__(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        return self.draw(shape, rng if self.seed is None else np.random.RandomState(self.seed))

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        """The values for ``shape``, drawn from ``rng``."""
        raise NotImplementedError  # each initializer draws its own way

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **constructor_config(self)}

    def __repr__(self) -> str:
        return constructor_repr(self)


class Constant(Configurable):
    """Every value is ``value`` (Keras' ``Constant``): for a bias that starts at, say, the
    log-odds of the positive class. An array (``np.log([p / (1 - p)])``) is broadcast to
    the weight's shape, as in Keras."""

    name = "constant"

    def __init__(self, value: float | Any = 0.0) -> None:
        super().__init__()
        if np.ndim(value) == 0:
            self.value: float | list[Any] = number("value", value)
            return
        values = np.asarray(value)
        if values.dtype.kind not in "iuf" or not np.isfinite(values).all():
            raise ValueError(f"value must be a finite number or an array of them, got {value!r}")
        self.value = values.astype(float).tolist()  # a list, as a saved config holds it

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        try:
            return np.array(np.broadcast_to(np.asarray(self.value, dtype=float), shape))
        except ValueError:
            raise ValueError(
                f"Constant value of shape {np.shape(self.value)} does not broadcast to the "
                f"weight's shape {shape}"
            ) from None


class RandomNormal(Configurable):
    """N(mean, stddev**2); Keras' defaults 0.0 and 0.05 (``"random_normal"``)."""

    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = number("mean", mean), number("stddev", stddev, low=0)

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        return self.mean + rng.standard_normal(shape) * self.stddev


class TruncatedNormal(RandomNormal):
    """N(mean, stddev**2) with draws beyond two standard deviations drawn again."""

    name = "truncated_normal"

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        return self.mean + _truncated(shape, rng) * self.stddev


class RandomUniform(Configurable):
    """U(minval, maxval); Keras' defaults -0.05 and 0.05 (``"random_uniform"``)."""

    name = "random_uniform"

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.minval = number("minval", minval)
        self.maxval = number("maxval", maxval, low=self.minval)

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, shape)


class VarianceScaling(Configurable):
    """Keras' ``VarianceScaling``: draws of variance ``scale / n``, where ``n`` is the
    fan-in, the fan-out or their mean (``mode``), from a normal truncated at two standard
    deviations (its standard deviation corrected by 0.8796), a plain normal
    (``"untruncated_normal"``) or a uniform distribution. Glorot's and He's schemes are
    special cases (``scale=2, mode="fan_in"`` is He's)."""

    name = "variance_scaling"

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        self.scale = number("scale", scale, low=0, low_open=True)
        self.mode = one_of("mode", mode, ("fan_in", "fan_out", "fan_avg"))
        self.distribution = one_of(
            "distribution", distribution, ("truncated_normal", "untruncated_normal", "uniform")
        )

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        fan_in, fan_out = fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        if self.distribution == "truncated_normal":
            return _truncated(shape, rng) * (math.sqrt(variance) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return rng.standard_normal(shape) * math.sqrt(variance)
        limit = math.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, shape)


class Seeded(Configurable):
    """One of the named schemes above, drawn from a seed of its own:
    ``Seeded("glorot_uniform", 42)`` is Keras' ``GlorotUniform(seed=42)``."""

    name = "seeded"

    def __init__(self, scheme: str = "glorot_uniform", seed: int | None = None) -> None:
        super().__init__(seed)
        self.scheme = name_of(lookup("initializer", scheme, INITIALIZERS))

    def draw(self, shape: tuple[int, ...], rng: RandomLike) -> np.ndarray:
        return INITIALIZERS[self.scheme](shape, rng)

    def get_config(self) -> dict[str, Any]:  # (a subclass may fix the scheme)
        return {"name": self.name, "scheme": self.scheme, "seed": self.seed}


#: the initializers with arguments, by the name their configs carry
CONFIGURABLE: dict[str, type[Configurable]] = {
    cls.name: cls
    for cls in (Constant, RandomNormal, TruncatedNormal, RandomUniform, VarianceScaling, Seeded)
}


def get(identifier: str | dict[str, Any] | Initializer) -> Initializer:
    """The initializer for a name, a config (``{"name": "constant", "value": 0.1}``, what
    :func:`serialize` writes), or a callable ``init(shape, rng)`` as it is."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        cls, arguments = named_config("initializer", identifier, CONFIGURABLE, "a callable")
        return cls(**arguments)
    return lookup("initializer", identifier, INITIALIZERS, "a callable")


def name_of(init: Initializer) -> str | None:
    """The registered name of an initializer function, or ``None`` for a custom one."""
    for name, fn in INITIALIZERS.items():
        if fn is init:
            return name
    return None


def serialize(init: Initializer) -> str | dict[str, Any] | None:
    """What a layer's config keeps of an initializer: its name, its config (one with
    arguments), or ``None`` for a function of your own (the saved weights stand for it)."""
    if isinstance(init, Configurable):
        return init.get_config()
    return name_of(init)

"""Activation functions: the non-linearities between layers.

Each activation maps pre-activations ``z`` to outputs ``a`` and knows its derivative.
Where it is cheap, the derivative is computed from the *output* ``a`` that the forward
pass cached, the trick both the WildML tutorial and Nielsen's book use:

============  ======================  =============================
name          a = f(z)                f'(z) written with a
============  ======================  =============================
``tanh``      tanh(z)                 1 - a**2
``sigmoid``   1 / (1 + exp(-z))       a * (1 - a)
``relu``      max(z, 0)               1 where a > 0, else 0
``linear``    z                       1
``softmax``   exp(z) / sum(exp(z))    Jacobian: diag(a) - a a^T
============  ======================  =============================

Keras' other classics, with Keras' defaults (``alpha`` and ``negative_slope`` are
arguments of the classes, e.g. ``ELU(alpha=0.5)``):

==============  ===========================================  ==========================
name            a = f(z)                                     f'(z) written with a
==============  ===========================================  ==========================
``elu``         z if z > 0 else alpha (exp(z) - 1), alpha=1  1 if a > 0 else a + alpha
``selu``        scale * elu(z, alpha), fixed constants       scale if a > 0 else a + scale alpha
``softplus``    log(1 + exp(z))                              1 - exp(-a)   (= sigmoid(z))
``softsign``    z / (1 + |z|)                                (1 - |a|)**2
``leaky_relu``  z if z > 0 else negative_slope z, 0.2        1 if a > 0 else negative_slope
==============  ===========================================  ==========================

Softmax is special: its derivative couples the outputs of a row, so ``backward`` applies
the Jacobian-vector product. In practice the model never calls it when softmax meets
cross-entropy: the two fuse into the famous ``p - y`` (see :mod:`nnscratch.engine.losses`).

Look activations up by name with :func:`get`; unknown names raise ``ValueError`` listing
the valid ones.

Every formula is written with the namespace of its array, ``xp = array_namespace(z)``
(:mod:`~nnscratch.engine.backend`): NumPy for NumPy arrays, CuPy on a GPU, any Array-API
library. ``out`` is the fast path's NumPy buffer: given one, the same formula is written
into it with NumPy's ``out=`` (same bits, no new array); without one (the plain path) the
standard functions return new arrays.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .backend import array_namespace
from .checks import lookup, number
from .config import named_config

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "SELU",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Softsign",
    "Tanh",
    "get",
    "name_of",
    "softmax",
    "softmax_unchecked",
]


class Activation:
    """Base class: ``forward(z)`` returns ``a``; ``backward(grad_a, a)`` returns ``grad_z``.

    Subclasses set ``name`` (the key in :data:`ACTIVATIONS`).
    """

    name: ClassVar[str] = ""

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Chain rule: return dL/dz given dL/da (``grad``) and the cached output ``a``.

        ``out``, if given, is a scratch array of the same shape that may receive the
        result (it must not be ``grad`` or ``a``).
        """
        raise NotImplementedError

    def get_config(self) -> str | dict[str, Any]:
        """The name, or ``{"name": ..., <arguments>}`` when an argument is not Keras'
        default (``ELU(alpha=0.5)``); :func:`get` accepts both."""
        changed = {k: v for k, v in self.arguments().items() if v != self.defaults[k]}
        return {"name": self.name, **changed} if changed else self.name

    #: the constructor's arguments and their defaults (for the parametrised ones)
    defaults: ClassVar[dict[str, float]] = {}

    def arguments(self) -> dict[str, float]:
        return {key: getattr(self, key) for key in self.defaults}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments().items())
        return f"{type(self).__name__}({args})"


class Tanh(Activation):
    """Hyperbolic tangent, the hidden activation of the WildML tutorial."""

    name = "tanh"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return array_namespace(z).tanh(z) if out is None else np.tanh(z, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # dL/dz = dL/da * (1 - a**2). pow (np.power), not a * a: with some NumPy builds
        # (1.26 on AVX-512) the two round differently, and the tutorials use np.power.
        return grad * (1.0 - array_namespace(a).pow(a, 2)) if out is None else _dtanh(grad, a, out)


def _dtanh(grad: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Tanh's backward ``grad * (1 - a**2)``, written into the fast path's NumPy buffer."""
    slope = np.power(a, 2, out=out)
    np.subtract(1.0, slope, out=slope)
    return np.multiply(grad, slope, out=slope)


class Sigmoid(Activation):
    """Logistic sigmoid, Nielsen's activation: ``1 / (1 + exp(-z))``."""

    name = "sigmoid"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # Split by sign so that exp never overflows: for z < 0 use exp(z) / (1 + exp(z)).
        xp = array_namespace(z)
        negative = z < 0
        e = xp.exp(-xp.abs(z))
        if out is None:
            a = 1.0 / (1.0 + e)
            return xp.where(negative, a * e, a)
        np.divide(1.0, 1.0 + e, out=out)
        np.multiply(out, e, out=out, where=negative)
        return out

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # dL/dz = dL/da * a * (1 - a)
        if out is None:
            return grad * ((1.0 - a) * a)
        slope = np.subtract(1.0, a, out=out)
        np.multiply(slope, a, out=slope)
        return np.multiply(grad, slope, out=slope)


class ReLU(Activation):
    """Rectified linear unit: ``max(z, 0)``."""

    name = "relu"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return array_namespace(z).maximum(z, 0.0) if out is None else np.maximum(z, 0.0, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        if out is None:  # 1 where a > 0: the standard multiplies numbers, not booleans
            return grad * array_namespace(a).astype(a > 0, grad.dtype)
        return np.multiply(grad, a > 0, out=out)


class Linear(Activation):
    """Identity: the output layer of a regression network."""

    name = "linear"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return z
        np.copyto(out, z)
        return out

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        return grad


# exp(709) < 8.3e307: a row of C such values sums below float64's maximum (1.8e308) as
# long as z < 709 - log(C).
_EXP_MAX = 709.0
_LN2 = 0.6931471805599453


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax ``exp(z) / sum(exp(z))`` that never overflows.

    Rows whose plain formula is finite get exactly ``exp(z) / sum(exp(z))``, bit for bit
    the tutorials' arithmetic. Subtracting the row maximum first is the textbook way to
    avoid overflow, but it rounds differently, and in a run at the edge of stability (the
    WildML moons run) that is enough to change the printed losses. So only rows where
    ``exp`` overflows, or underflows to an all-zero sum, take the shifted values
    (``xp.where`` by row). ``out`` (optional, the fast path's NumPy buffer) receives the
    result; it must not be ``z`` itself.
    """
    # Below the bound, no exp(z) and no row sum of them can overflow.
    xp, bound = array_namespace(z), _EXP_MAX - _LN2 * z.shape[-1].bit_length()  # 709 - ln(C)
    if xp.max(z) < bound:  # NaN compares False: careful path
        e = xp.exp(z) if out is None else np.exp(z, out=out)
        total = xp.sum(e, axis=1, keepdims=True)
        if xp.min(total) > 0.0:  # no row underflowed to all zeros
            return e / total if out is None else np.divide(e, total, out=e)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = xp.exp(z)
        total = xp.sum(e, axis=1, keepdims=True)
        shifted = xp.exp(z - xp.max(z, axis=1, keepdims=True))
        careful = shifted / xp.sum(shifted, axis=1, keepdims=True)
        bad = ~xp.isfinite(total) | (total == 0.0)  # rows that overflowed or underflowed
        result = xp.where(bad, careful, e / total)
    if out is None:
        return result
    out[...] = result
    return out


def softmax_unchecked(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``exp(z) / sum(exp(z))`` in three NumPy calls, with no overflow handling.

    The training loop's fast path: it runs with NumPy's overflow warnings off and checks
    the loss, which turns NaN or infinite when a row overflowed or underflowed; only then
    does it recompute the output with :func:`softmax`. Finite results are the same bits.
    """
    e = np.exp(z, out=out)
    return np.divide(e, np.add.reduce(e, axis=1, keepdims=True), out=e)


class Softmax(Activation):
    """Softmax over the last axis: turns scores into class probabilities."""

    name = "softmax"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return softmax(z, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # Jacobian-vector product of softmax: a * (g - sum(g * a)).
        inner = array_namespace(a).sum(grad * a, axis=1, keepdims=True)
        if out is None:
            return a * (grad - inner)
        result = np.subtract(grad, inner, out=out)
        return np.multiply(a, result, out=result)


class ELU(Activation):
    """Exponential linear unit: ``z`` for ``z > 0``, else ``alpha * (exp(z) - 1)``.

    Negative inputs saturate smoothly at ``-alpha`` instead of being cut to 0 as in ReLU.
    The derivative is 1 for ``z > 0`` and ``alpha * exp(z) = a + alpha`` otherwise, so
    it comes from the output, like tanh's.
    """

    name = "elu"
    defaults: ClassVar[dict[str, float]] = {"alpha": 1.0}

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = number("alpha", alpha)

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # alpha * expm1(min(z, 0)) never overflows; it is the output where z <= 0.
        xp = array_namespace(z)
        negative = self.alpha * xp.expm1(xp.minimum(z, 0.0))
        return xp.where(z > 0, z, negative) if out is None else _select(z > 0, z, negative, out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # f'(z) = 1 where z > 0 (there a > 0), else alpha exp(z) = a + alpha
        slope = array_namespace(a).where(a > 0, 1.0, a + self.alpha)
        return grad * slope if out is None else np.multiply(grad, slope, out=out)


class SELU(Activation):
    """Scaled ELU: ``scale * elu(z, alpha)`` with the fixed constants of Klambauer et
    al. (2017), which keep a layer's outputs near mean 0 and variance 1 when the weights
    are ``lecun_normal``."""

    name = "selu"
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        xp = array_namespace(z)
        negative = (self.scale * self.alpha) * xp.expm1(xp.minimum(z, 0.0))
        positive = self.scale * z
        if out is None:
            return xp.where(z > 0, positive, negative)
        return _select(z > 0, positive, negative, out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # f'(z) = scale where z > 0, else scale alpha exp(z) = a + scale alpha
        slope = array_namespace(a).where(a > 0, self.scale, a + self.scale * self.alpha)
        return grad * slope if out is None else np.multiply(grad, slope, out=out)


class Softplus(Activation):
    """``log(1 + exp(z))``, a smooth ReLU; its derivative is the sigmoid."""

    name = "softplus"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:  # log(exp(0) + exp(z)), without overflow
            return array_namespace(z).logaddexp(0.0, z)
        return np.logaddexp(0.0, z, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # sigmoid(z) = 1 - 1 / (1 + exp(z)) = 1 - exp(-a), accurate as -expm1(-a)
        slope = -array_namespace(a).expm1(-a)
        return grad * slope if out is None else np.multiply(grad, slope, out=out)


class Softsign(Activation):
    """``z / (1 + |z|)``: like tanh, between -1 and 1, but approached polynomially."""

    name = "softsign"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        scale = 1.0 + array_namespace(z).abs(z)
        return z / scale if out is None else np.divide(z, scale, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # f'(z) = 1 / (1 + |z|)**2, and 1 - |a| = 1 / (1 + |z|)
        xp = array_namespace(a)
        slope = xp.square(1.0 - xp.abs(a))
        return grad * slope if out is None else np.multiply(grad, slope, out=out)


class LeakyReLU(Activation):
    """``z`` for ``z > 0``, else ``negative_slope * z`` (Keras' default slope: 0.2).

    Negative inputs keep a small gradient, so a unit cannot "die" as a ReLU can.
    (Keras' ``LeakyReLU`` *layer* defaults to 0.3: ``Activation(LeakyReLU(0.3))``.)
    """

    name = "leaky_relu"
    defaults: ClassVar[dict[str, float]] = {"negative_slope": 0.2}

    def __init__(self, negative_slope: float = 0.2) -> None:
        self.negative_slope = number("negative_slope", negative_slope, low=0)

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        leaked = self.negative_slope * z
        if out is None:
            return array_namespace(z).where(z > 0, z, leaked)
        return _select(z > 0, z, leaked, out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # a > 0 exactly where z > 0 (for a slope >= 0); the slopes in float64, as NumPy's
        # np.where(a > 0, 1.0, slope) makes them
        xp = array_namespace(a)
        slope = xp.where(a > 0, 1.0, xp.full_like(a, self.negative_slope, dtype=xp.float64))
        return grad * slope if out is None else np.multiply(grad, slope, out=out)


def _select(condition: np.ndarray, yes: np.ndarray, no: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``np.where(condition, yes, no)`` written into ``out`` (which may be ``yes``)."""
    if out is not yes:
        np.copyto(out, yes)
    np.copyto(out, no, where=~condition)
    return out


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls
    for cls in (Tanh, Sigmoid, ReLU, Linear, Softmax, ELU, SELU, Softplus, Softsign, LeakyReLU)
}


def name_of(activation: Activation) -> str | dict[str, Any]:
    """The name (or ``{"name": ..., <arguments>}``) that rebuilds ``activation`` (for
    saving); ``TypeError`` for an activation class of your own, which a file cannot name."""
    if ACTIVATIONS.get(activation.name) is not type(activation):
        raise TypeError(
            f"a custom activation ({type(activation).__name__}) cannot be saved by name; "
            f"valid: {', '.join(sorted(ACTIVATIONS))}"
        )
    return activation.get_config()


def get(identifier: str | dict[str, Any] | Activation | None) -> Activation:
    """Return an activation object for a name (``"tanh"``), a saved config
    (``{"name": "elu", "alpha": 0.5}``), an instance, or ``None``.

    ``None`` means linear (no activation), as in Keras.

    >>> get("tanh")
    Tanh()
    """
    if isinstance(identifier, str):
        return lookup("activation", identifier, ACTIVATIONS, "an Activation")()
    if identifier is None:
        return Linear()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, dict):
        return _from_config(identifier)
    return lookup("activation", identifier, ACTIVATIONS, "an Activation")  # a TypeError


def _from_config(config: dict[str, Any]) -> Activation:
    cls, arguments = named_config("activation", config, ACTIVATIONS, "an Activation")
    return cls(**arguments)

"""Optimizers: how a gradient becomes a step. Simplest first.

Each optimizer has ``step(params, grads)``, where both are dicts keyed by the model's
dotted parameter names (``"0.kernel"``, ``"1.bias"``), and updates ``params`` in place;
its state (``optimizer.state[slot][name]`` and ``iterations``) saves and resumes exactly.

The formulas, with ``g`` the gradient, ``lr`` the learning rate and ``t`` the update
number (1 for the first update), are Keras' (same defaults, same placement of epsilon):

=========  ==================================================================
SGD        w <- w - lr g                                   (WildML, Nielsen)
momentum   v <- mu v - lr g;  w <- w + v
nesterov   v <- mu v - lr g;  w <- w + mu v - lr g
Adagrad    G <- G + g^2;  w <- w - lr g / sqrt(G + eps)     (G starts at 0.1)
RMSprop    s <- rho s + (1 - rho) g^2;  w <- w - lr g / sqrt(s + eps)
Adam       m <- m + (1 - b1)(g - m);  v <- v + (1 - b2)(g^2 - v)
           w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
Adadelta   a <- rho a + (1 - rho) g^2;  u = g sqrt(d + eps) / sqrt(a + eps)
           d <- rho d + (1 - rho) u^2;  w <- w - lr u             (lr 1.0 by default)
Nadam      Adam's m and v, with Nesterov's look-ahead on m and Dozat's schedule
           mu_t = b1 (1 - 0.96^t / 2) (see :class:`Nadam`)
=========  ==================================================================

The base class (learning rate, ``iterations``, state, configuration) is in
:mod:`~nnscratch.engine.optimizer`.

``learning_rate`` may be a number or a schedule from :mod:`nnscratch.engine.schedules`,
called with ``iterations`` before every update.

Look optimizers up by name with :func:`get` (``get("adam")``, ``get("sgd",
learning_rate=0.1)``); unknown names raise ``ValueError`` listing the valid ones. (Keras 2's
``lr=`` and ``decay=`` are accepted by the classes in ``nnscratch.keras.optimizers``.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .backend import array_namespace
from .checks import flag, lookup, number
from .optimizer import Optimizer
from .schedules import LearningRateSchedule

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "get",
]


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    Plain SGD is ``w <- w - learning_rate * g`` (WildML: ``W1 += -epsilon * dW1``).
    With momentum ``mu`` (Keras' formulation) a velocity accumulates the steps::

        v <- mu * v - learning_rate * g
        w <- w + v                              (momentum)
        w <- w + mu * v - learning_rate * g     (nesterov=True: look one step ahead)

    Parameters
    ----------
    learning_rate : float or schedule, default 0.01
        The step size: WildML's ``epsilon``, Nielsen's ``eta``.
    momentum : float, default 0.0
        In ``[0, 1)``: how much of the last step the next one keeps. ``0.9`` is the
        usual choice; ``0`` is plain gradient descent.
    nesterov : bool, default False
        Take the gradient step from where the velocity is carrying the weights.

    Examples
    --------
    >>> from nnscratch.optimizers import SGD
    >>> SGD(0.01)
    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    >>> SGD(0.1, momentum=0.9, nesterov=True)
    SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    name = "sgd"
    slots = ("momentum",)

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = number("momentum", momentum, 0, 1, high_open=True)
        self.nesterov = flag("nesterov", nesterov)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        if not self.momentum:
            p -= lr * g  # w <- w - lr g   (WildML: W1 += -epsilon * dW1)
            return
        mu, v = self.momentum, self._slot("momentum", key, p)
        v *= mu  # v <- mu v - lr g
        v -= lr * g
        if self.nesterov:
            p += mu * v - lr * g  # w <- w + mu v - lr g
        else:
            p += v  # w <- w + v


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the squared gradients it has seen.

    ::

        G <- G + g**2                              (G starts at initial_accumulator_value)
        w <- w - learning_rate * g / sqrt(G + epsilon)

    Weights with large past gradients move less; rarely updated weights move more.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
        The step size before each weight's own scaling.
    initial_accumulator_value : float, default 0.1
        Where every ``G`` starts, >= 0; above zero, the first steps stay finite.
    epsilon : float, default 1e-7
        Added to ``G`` under the square root, > 0.

    Examples
    --------
    >>> Adagrad(0.01)
    Adagrad(learning_rate=0.01, initial_accumulator_value=0.1, epsilon=1e-07)
    """

    name = "adagrad"
    slots = ("accumulator",)

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.initial_accumulator_value = number(
            "initial_accumulator_value", initial_accumulator_value, low=0
        )
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        acc = self._slot("accumulator", key, p, self.initial_accumulator_value)
        acc += g * g  # G <- G + g^2
        p -= lr * g / array_namespace(p).sqrt(acc + self.epsilon)


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of the gradient.

    ::

        s <- rho * s + (1 - rho) * g**2
        step = learning_rate * g / sqrt(s + epsilon)
        w <- w - step                                   (momentum = 0)
        m <- momentum * m + step;  w <- w - m           (momentum > 0)

    Unlike Adagrad the average forgets old gradients (factor ``rho`` per update), so the
    step size does not decay to zero. With ``centered=True`` the variance
    ``s - mean(g)**2`` replaces ``s``.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    rho : float, default 0.9
        The decay of ``s``, in ``[0, 1)``: the average spans about ``1 / (1 - rho)``
        updates.
    momentum : float, default 0.0
        In ``[0, 1)``: momentum on the scaled steps; ``0`` for none.
    epsilon : float, default 1e-7
        Added to ``s`` under the square root, > 0.
    centered : bool, default False
        Divide by the gradient's running variance instead of its mean square.

    Examples
    --------
    >>> RMSprop()
    RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)
    """

    name = "rmsprop"
    slots = ("velocity", "average_gradient", "momentum")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.rho = number("rho", rho, 0, 1, high_open=True)
        self.momentum = number("momentum", momentum, 0, 1, high_open=True)
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)
        self.centered = flag("centered", centered)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        rho = self.rho
        s = self._slot("velocity", key, p)
        s *= rho  # s <- rho s + (1 - rho) g^2
        s += (1.0 - rho) * (g * g)
        if self.centered:
            mg = self._slot("average_gradient", key, p)
            mg *= rho  # mean gradient, same running average
            mg += (1.0 - rho) * g
            denominator = s - mg * mg + self.epsilon
        else:
            denominator = s + self.epsilon
        increment = lr * g / array_namespace(p).sqrt(denominator)
        if self.momentum:
            m = self._slot("momentum", key, p)
            m *= self.momentum
            m += increment
            p -= m
        else:
            p -= increment


class _Moments(Optimizer):
    """What Adam and Nadam share: ``beta_1``, ``beta_2``, ``epsilon`` and the running means
    ``m`` of ``g`` and ``v`` of ``g**2`` (each starts at zero)."""

    slots = ("m", "v")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = number("beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = number("beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)

    def _moments(self, key: str, p: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Update ``key``'s ``m`` and ``v`` in place and return them."""
        m = self._slot("m", key, p)
        v = self._slot("v", key, p)
        m += (g - m) * (1.0 - self.beta_1)  # m <- m + (1 - b1)(g - m)
        v += (g * g - v) * (1.0 - self.beta_2)  # v <- v + (1 - b2)(g^2 - v)
        return m, v


class Adam(_Moments):
    """Adam: momentum on the gradient and RMSprop's scaling, with bias correction.

    ::

        m <- m + (1 - beta_1) * (g - m)          running mean of g
        v <- v + (1 - beta_2) * (g**2 - v)       running mean of g^2
        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    ``t`` counts the updates from 1. ``m`` and ``v`` start at zero, so early on they are
    too small; ``alpha`` undoes that bias (this is Keras' form, with epsilon outside the
    bias correction). ``amsgrad=True`` uses the largest ``v`` seen so far.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    beta_1 : float, default 0.9
        The decay of ``m``, in ``[0, 1)``.
    beta_2 : float, default 0.999
        The decay of ``v``, in ``[0, 1)``: slower, as ``g**2`` is noisier than ``g``.
    epsilon : float, default 1e-7
        Added to ``sqrt(v)``, > 0.
    amsgrad : bool, default False
        Divide by the largest ``v`` so far (Reddi et al., 2018), so no step grows back.

    Examples
    --------
    >>> Adam(0.01)
    Adam(learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """

    name = "adam"
    slots = ("m", "v", "vhat")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
        self.amsgrad = flag("amsgrad", amsgrad)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        t = self.iterations + 1
        lr = self.learning_rate
        # The bias correction folded into the step size, once per update.
        self._alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        for key, p in params.items():
            self._update(key, p, grads[key], lr)
        self.iterations += 1

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        m, v = self._moments(key, p, g)
        if self.amsgrad:
            vhat = self._slot("vhat", key, p)
            vhat[...] = array_namespace(p).maximum(vhat, v)  # in place: the state array
            v = vhat
        p -= (m * self._alpha) / (array_namespace(p).sqrt(v) + self.epsilon)


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): steps scaled by the ratio of two running RMS values.

    ::

        a <- rho * a + (1 - rho) * g**2                  running mean of g^2
        u = g * sqrt(d + epsilon) / sqrt(a + epsilon)    the step, in the weights' units
        d <- rho * d + (1 - rho) * u**2                  running mean of the steps^2
        w <- w - learning_rate * u

    The numerator makes the step carry the units of the weights, so the paper needs no
    learning rate at all: ``learning_rate=1.0`` (the default here, Keras 2's and the
    paper's) is exactly Zeiler's method. (Keras 3 defaults to 0.001.)

    Parameters
    ----------
    learning_rate : float or schedule, default 1.0
        Multiplies the step ``u``; ``1.0`` is Zeiler's method as published.
    rho : float, default 0.95
        The decay of both running means, in ``[0, 1)``.
    epsilon : float, default 1e-7
        Added under both square roots, > 0; it also sizes the very first steps.

    Examples
    --------
    >>> Adadelta()
    Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-07)
    """

    name = "adadelta"
    slots = ("accumulated_grad", "accumulated_delta_var")

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 1.0,
        rho: float = 0.95,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.rho = number("rho", rho, 0, 1, high_open=True)
        self.epsilon = number("epsilon", epsilon, low=0, low_open=True)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        rho, eps = self.rho, self.epsilon
        a = self._slot("accumulated_grad", key, p)
        d = self._slot("accumulated_delta_var", key, p)
        a *= rho  # a <- rho a + (1 - rho) g^2
        a += (1.0 - rho) * (g * g)
        xp = array_namespace(p)
        step = g * xp.sqrt(d + eps) / xp.sqrt(a + eps)
        d *= rho  # d <- rho d + (1 - rho) u^2
        d += (1.0 - rho) * (step * step)
        p -= lr * step


def _schedule_products() -> list[float]:
    """``P[t] = prod_{i=1..t} (1 - 0.96**i / 2)``, until the factor rounds to 1.0 (t ~ 900)."""
    products, i = [1.0], 1
    while (factor := 1.0 - 0.5 * 0.96**i) != 1.0:
        products.append(products[-1] * factor)
        i += 1
    return products


_PRODUCTS = _schedule_products()


class Nadam(_Moments):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum, in Keras' form.

    The momentum factor warms up over the first updates, ``mu_t = beta_1 (1 - 0.96**t / 2)``,
    and the step uses the momentum one update ahead::

        m <- m + (1 - beta_1) * (g - m);   v <- v + (1 - beta_2) * (g**2 - v)
        m_hat = mu_{t+1} m / (1 - mu_1...mu_{t+1}) + (1 - mu_t) g / (1 - mu_1...mu_t)
        v_hat = v / (1 - beta_2**t)
        w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Keras keeps the product ``mu_1 ... mu_t`` as a running variable; here it is computed
    from ``t`` (``beta_1**t`` times a table of the ``(1 - 0.96**i / 2)`` products, whose
    factors round to 1 after about 900 updates), so the only state is ``m``, ``v`` and
    ``iterations``, and a saved model resumes exactly.

    Parameters
    ----------
    learning_rate, beta_1, beta_2, epsilon : float, default 0.001, 0.9, 0.999, 1e-7
        As :class:`Adam`'s (Nadam has no ``amsgrad``). ``beta_1`` is also the
        momentum factor that ``mu_t`` warms up to.

    Examples
    --------
    >>> Nadam()
    Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    """

    name = "nadam"

    def momentum_product(self, t: int) -> float:
        """``mu_1 * ... * mu_t`` (1.0 for t = 0)."""
        return self.beta_1**t * _PRODUCTS[min(t, len(_PRODUCTS) - 1)]

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        t, b1 = self.iterations + 1, self.beta_1
        mu_t, mu_next = b1 * (1.0 - 0.5 * 0.96**t), b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        product = self.momentum_product(t)
        # the scalars of m_hat and v_hat, once per update
        self._coefficients = (
            mu_next / (1.0 - product * mu_next),  # on m
            (1.0 - mu_t) / (1.0 - product),  # on g
            1.0 - self.beta_2**t,  # v_hat = v / this
        )
        super().step(params, grads)

    def _update(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        on_m, on_g, v_scale = self._coefficients
        m, v = self._moments(key, p, g)
        m_hat = on_m * m + on_g * g
        p -= lr * m_hat / (array_namespace(p).sqrt(v / v_scale) + self.epsilon)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, Adadelta, Nadam)
}

# Names for common settings of the classes above.
ALIASES: dict[str, Any] = {
    "momentum": lambda **kwargs: SGD(**{"momentum": 0.9, **kwargs}),
    "nesterov": lambda **kwargs: SGD(**{"momentum": 0.9, "nesterov": True, **kwargs}),
}


def get(identifier: str | Optimizer | Mapping[str, Any], **kwargs: Any) -> Optimizer:
    """Return an optimizer for a name, a :meth:`~Optimizer.get_config` dict, or an instance.

    A name gives that optimizer with its default settings, overridden by ``kwargs``:
    ``get("adam")``, ``get("sgd", learning_rate=0.1)``. ``"momentum"`` is
    ``SGD(momentum=0.9)`` and ``"nesterov"`` adds ``nesterov=True``. An instance is
    returned as it is.

    >>> get("adam")
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, {**OPTIMIZERS, **ALIASES}, "an Optimizer")(**kwargs)
    if isinstance(identifier, Optimizer):
        if kwargs:
            raise TypeError("keyword arguments apply to optimizer names, not to an instance")
        return identifier
    if isinstance(identifier, Mapping):
        return lookup("optimizer", identifier.get("name"), OPTIMIZERS).from_config(identifier)
    return lookup("optimizer", identifier, OPTIMIZERS, "an Optimizer")  # a TypeError naming it

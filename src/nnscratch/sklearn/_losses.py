"""scikit-learn's objective, written as engine pieces: losses, an activation, a penalty.

``MLPClassifier`` and ``MLPRegressor`` minimise, on each mini-batch of ``n`` rows (or, with
``sample_weight``, of total weight ``n = sum(w)``)::

    loss(batch) = sum_i w_i * l(y_i, p_i) / n  +  alpha / 2 * sum ||W||^2 / n

with ``l`` one of the per-example losses below, and take the gradient of that. The engine
already computes ``mean loss + penalty``; these small classes give it scikit-learn's ``l``
and scikit-learn's penalty, so the engine's one training step
(:func:`nnscratch.engine.training.compute_gradients`) computes scikit-learn's numbers.

=====================  ===========================================  ==================
output activation      per-example loss ``l`` (scikit-learn's name)  gradient dl/dz
=====================  ===========================================  ==================
softmax (3+ classes)   ``-sum_k y_k log p_k`` (``log_loss``)           ``p - y``
logistic (binary,      ``-sum_k [y_k log p_k + (1-y_k) log(1-p_k)]``  ``p - y``
multilabel)            (``binary_log_loss``)
identity (regressor)   ``1/2 * mean_k (p_k - y_k)^2``                 ``p - y``
                       (``squared_error``)
exp (regressor)        ``sum_k [y_k log(y_k / p_k) - y_k + p_k]``      ``p - y``
                       (``poisson``, half the deviance)
=====================  ===========================================  ==================

Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of the
data's dtype, as scikit-learn does (in float32 that keeps ``log(1 - p)`` finite).

One scikit-learn convention to know: for several regression targets the *value* of its
squared error is the mean over the targets, but its gradient is ``p - y`` for each target,
the gradient of their *sum*. We keep both, so that the steps, ``loss_curve_`` and the
stopping rule are scikit-learn's; for one target the two agree.

The classes subclass the engine's losses and keep their names, so a fitted ``model_`` can
still be saved with :func:`nnscratch.saving.save_model` (it loads with the engine's loss of
that name). The exponential output of the Poisson loss has no engine name: such a model
predicts and trains, but cannot be saved by name.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..engine.activations import Activation
from ..engine.losses import BinaryCrossentropy, CategoricalCrossentropy, Loss, Quadratic
from ..engine.regularizers import L1L2

__all__ = [
    "BatchPenalty",
    "BinaryLogLoss",
    "Exp",
    "HalfPoissonDeviance",
    "HalfSquaredError",
    "LogLoss",
    "UniformInit",
]


def _clipped(p: np.ndarray) -> np.ndarray:
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


class LogLoss(CategoricalCrossentropy):
    """Cross-entropy of a softmax output, with scikit-learn's clipping."""

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return -np.einsum("ij,ij->i", y_true, np.log(_clipped(y_pred)))

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return -float(np.vdot(y_true, np.log(_clipped(y_pred))))


class BinaryLogLoss(BinaryCrossentropy):
    """Binary cross-entropy of sigmoid outputs (binary or multilabel y), clipped as
    scikit-learn clips."""

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        p = _clipped(y_pred)
        return -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p)).sum(axis=1)


class HalfSquaredError(Quadratic):
    """scikit-learn's ``squared_error``: ``1/2 (p - y)^2``, averaged over the targets.

    The gradient is :class:`~nnscratch.engine.losses.Quadratic`'s, ``p - y`` (see the
    module docstring for why it is not divided by the number of targets).
    """

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return super().per_example(y_true, y_pred) / y_pred.shape[1]

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return super().total(y_true, y_pred) / y_pred.shape[1]


class Exp(Activation):
    """``a = exp(z)``: the log link of Poisson regression (predictions are positive)."""

    name = "exp"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.exp(z, out=out)

    def backward(
        self, grad: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        return np.multiply(grad, a, out=out)  # d exp(z)/dz = exp(z) = a


class HalfPoissonDeviance(Loss):
    """scikit-learn's ``poisson``: ``y log(y / p) - y + p`` per target, summed.

    With the exponential output, ``p = exp(z)`` and ``dl/dz = p - y``: the loss fuses with
    :class:`Exp` as cross-entropy fuses with softmax. Targets must be ``>= 0``.
    """

    name = "poisson"
    fused_activation: ClassVar[str | None] = "exp"

    def encode_targets(self, y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        t = super().encode_targets(y, n_outputs, dtype)
        if t.size and t.min() < 0:
            raise ValueError(f"the poisson loss needs targets >= 0, got a minimum of {t.min()}")
        return t

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(y_true > 0, y_true / y_pred, 1.0)
        return (y_true * np.log(ratio) - y_true + y_pred).sum(axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray, *weights: Any) -> np.ndarray:
        return self._reduce_grad(1.0 - y_true / y_pred, *weights)  # dl/dp (non-exp output)


class BatchPenalty(L1L2):
    """scikit-learn's L2 penalty ``alpha / 2 * ||W||^2 / n``, with ``n`` set per batch.

    ``n`` is the batch's number of rows (or its total sample weight): scikit-learn divides
    the penalty by it, so the last, shorter batch of an epoch is penalised more. The
    estimator sets :attr:`denominator` before each batch (the engine keeps a reference to
    this object, so the new value is seen at once). As an engine ``L1L2`` it reports
    ``l2 = alpha / (2 n)`` for the last ``n`` set, which is what a saved model keeps.
    """

    def __init__(self, alpha: float, denominator: float = 1.0) -> None:
        super().__init__(l2=alpha / (2.0 * denominator))
        self.alpha = float(alpha)
        self.denominator = float(denominator)

    def set_denominator(self, denominator: float) -> None:
        self.denominator = float(denominator)
        self.l2 = self.alpha / (2.0 * self.denominator)

    def penalty(self, w: np.ndarray) -> float:
        return 0.5 * self.alpha * float(np.vdot(w, w)) / self.denominator

    def add_to(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return grad + (self.alpha / self.denominator) * w  # d/dW alpha/2 ||W||^2 / n

    def __repr__(self) -> str:
        return f"BatchPenalty(alpha={self.alpha}, denominator={self.denominator})"


class UniformInit:
    """scikit-learn's initial weights: ``U(-b, b)`` with ``b = sqrt(factor / (fan_in +
    fan_out))``, ``factor`` 6 (Glorot) or 2 for logistic hidden units.

    Kernels *and* biases are drawn (the engine's default biases are zeros), kernel then
    bias, layer after layer, from the estimator's ``random_state``: the very draws of
    ``MLPClassifier`` with the same ``random_state``.
    """

    def __init__(self, fan_in: int, fan_out: int, factor: float) -> None:
        self.bound = float(np.sqrt(factor / (fan_in + fan_out)))

    def __call__(self, shape: tuple[int, ...], rng: Any) -> np.ndarray:
        return rng.uniform(-self.bound, self.bound, shape)

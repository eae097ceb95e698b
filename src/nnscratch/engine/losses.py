"""Loss functions: how wrong the network's outputs are, and in which direction to move.

Every loss works on batch-first arrays: ``y_pred`` is ``(n_samples, n_outputs)`` and the
targets have been encoded to the same shape by :meth:`Loss.encode_targets` (class labels
become one-hot rows).

The losses (``k`` outputs per example, ``e = a - y``), looked up by Keras' names:

==========================================  ===========================================
``categorical_crossentropy`` (also          ``-sum_k y_k log p_k``; integer labels or
``sparse_categorical_crossentropy``)        one-hot rows
``binary_crossentropy``                     ``-sum_k [y log p + (1 - y) log(1 - p)]``
``..._crossentropy_from_logits``            the same of ``softmax(z)`` / ``sigmoid(z)``,
                                            for a linear output layer
``mean_squared_error`` / ``mse``            ``mean_k e**2``
``mean_absolute_error`` / ``mae``           ``mean_k |e|``
``huber``                                   ``mean_k`` of ``e**2/2`` or ``delta |e| - delta**2/2``
``hinge``, ``squared_hinge``                ``mean_k max(1 - y a, 0)`` (squared); -1/1 labels
``categorical_hinge``                       ``max(max_wrong a - a_true + 1, 0)``
``quadratic``                               Nielsen's ``||e||**2 / 2``
==========================================  ===========================================

Reduction
---------
``reduction="mean"`` (the default, as in Keras and PyTorch) averages the per-example losses
over the batch; ``reduction="sum"`` adds them up. The WildML tutorial and Nielsen's book
both *sum* the gradient over the batch and put the ``1/n`` into the learning rate, and the
two are not the same in floating point: to reproduce their printed numbers use ``"sum"``.

Fusing with the output activation
---------------------------------
Softmax followed by categorical cross-entropy has the famous gradient

    dL/dz = p - y          (WildML: ``delta3 = probs; delta3[range(n), y] -= 1``)

and sigmoid followed by binary cross-entropy has the same form. The model uses this fused
gradient instead of multiplying through the activation's Jacobian: it is cheaper and it is
exactly the tutorials' arithmetic. ``Loss.fused_activation`` names the activation a loss
fuses with.

Targets are encoded on the host with NumPy; values and gradients use the namespace of the
outputs (``xp = array_namespace(y_pred)``, :mod:`~nnscratch.engine.backend`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .activations import Sigmoid, softmax
from .backend import array_namespace, difference, flat_dot, row_dots
from .checks import lookup, number, one_of
from .config import constructor_config, constructor_repr, named_config
from .labels import one_hot

__all__ = [
    "LOSSES",
    "REDUCTIONS",
    "BinaryCrossentropy",
    "BinaryCrossentropyFromLogits",
    "CategoricalCrossentropy",
    "CategoricalCrossentropyFromLogits",
    "CategoricalHinge",
    "Hinge",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Quadratic",
    "SquaredHinge",
    "get",
]

REDUCTIONS = ("mean", "sum")

# Binary cross-entropy clips probabilities to [EPS, 1 - EPS] before log(): log(0) is -inf.
_EPS = 1e-15
# Categorical cross-entropy only keeps log() away from an exact 0: with the smallest
# normal number (finfo(dtype).smallest_normal), -log p is the tutorial's value for every p
# it could print (up to ~708).


class Loss:
    """Base class. ``value`` gives the reduced loss, ``gradient`` its derivative.

    Parameters
    ----------
    reduction : {"mean", "sum"}
        Average or add the per-example losses of a batch.
    """

    name: ClassVar[str] = ""
    #: output activation whose Jacobian this loss cancels (``p - y``), if any
    fused_activation: ClassVar[str | None] = None
    #: True when targets are class labels (integers or one-hot rows)
    categorical: ClassVar[bool] = False

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = one_of("reduction", reduction, REDUCTIONS)

    # -- targets ---------------------------------------------------------------------
    def encode_targets(self, y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        """Check ``y`` and return it as a float ``(n, n_outputs)`` array."""
        y = np.asarray(y)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"{self.name}: expected targets of shape (n, {n_outputs}) to match the output "
                f"layer, got shape {y.shape}"
            )
        return np.asarray(y, dtype=dtype)

    # -- values and gradients ----------------------------------------------------------
    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Loss of each example, shape ``(n,)``."""
        raise NotImplementedError

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """Sum of the per-example losses (the training loop's hot path)."""
        return float(array_namespace(y_pred).sum(self.per_example(y_true, y_pred)))

    def objective(self, total: float, penalty: float, n: int) -> float:
        """The objective per example, from the summed loss of ``n`` examples.

        ``"mean"``: ``total / n + penalty`` (Keras); ``"sum"``: ``(total + penalty) / n``
        (the tutorial's ``calculate_loss``), so the two are on the same scale.
        """
        if self.reduction == "sum":
            return (total + penalty) / n
        return total / n + penalty

    def value(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """The reduced loss of a batch."""
        losses, xp = self.per_example(y_true, y_pred), array_namespace(y_pred)
        return float(xp.sum(losses) if self.reduction == "sum" else xp.mean(losses))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """dL/dy_pred for the reduced loss."""
        raise NotImplementedError

    def fused_gradient(
        self,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        out: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> np.ndarray:
        """dL/dz through the fused output activation: ``p - y``, divided by n for "mean",
        each row times its example's weight when ``sample_weight`` is given."""
        return self._reduce_grad(difference(y_pred, y_true, out), sample_weight)

    def weighted_sum(self, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray) -> float:
        """``sum_i w_i * loss_i``: the examples' losses, each times its weight (Keras'
        ``sample_weight``). With ``"mean"`` the objective divides this by the batch size,
        not by the sum of the weights (Keras' ``"sum_over_batch_size"``)."""
        return float(array_namespace(y_pred).vecdot(weights, self.per_example(y_true, y_pred)))

    def _reduce_grad(self, grad: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
        """``grad`` (one row per example, changed in place) for the reduced loss: divided
        by the batch size for ``"mean"``; rows times the examples' weights, if any."""
        if self.reduction == "mean":
            grad /= grad.shape[0]
        return grad if sample_weight is None else grad * sample_weight[:, None]

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "reduction": ..., <the other constructor arguments>}``
        (Huber's ``delta``), which :func:`get` accepts back."""
        return {"name": self.name, "reduction": self.reduction, **constructor_config(self)}

    def __repr__(self) -> str:
        others = constructor_config(self, skip_missing=True)
        return constructor_repr(self, {"reduction": self.reduction, **others})


class CategoricalCrossentropy(Loss):
    """Cross-entropy ``-sum_k y_k log p_k`` for softmax outputs (negative log-likelihood).

    Targets may be integer labels ``0..C-1`` (shape ``(n,)``) or one-hot/probability
    rows (shape ``(n, C)``).
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"
    categorical = True

    def encode_targets(self, y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] == 1 and n_outputs > 1:
            y = y[:, 0]
        if y.ndim == 1:
            return one_hot(y, n_outputs, dtype)
        if y.ndim == 2 and y.shape[1] == n_outputs:
            if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.complexfloating):
                raise TypeError(f"one-hot targets must be numeric, got dtype {y.dtype}")
            return np.asarray(y, dtype=dtype)
        raise ValueError(
            f"{self.name}: expected integer labels of shape (n,) or one-hot targets of shape "
            f"(n, {n_outputs}), got shape {y.shape}"
        )

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        logp = xp.log(xp.clip(y_pred, xp.finfo(y_pred.dtype).smallest_normal, 1.0))
        return -row_dots(y_true, logp)

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        # -sum(y * log p) in three steps: keep log away from 0, log, one dot product.
        xp = array_namespace(y_pred)  # (a dot product of the flattened arrays: NumPy's vdot)
        logp = xp.log(xp.maximum(y_pred, xp.finfo(y_pred.dtype).smallest_normal))
        return -float(xp.vecdot(xp.reshape(y_true, (-1,)), xp.reshape(logp, (-1,))))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._reduce_grad(-y_true / array_namespace(y_pred).clip(y_pred, _EPS, None))


class BinaryCrossentropy(Loss):
    """``-[y log p + (1 - y) log(1 - p)]`` per output, summed over outputs.

    For sigmoid outputs. Targets are 0/1 labels of shape ``(n,)`` (one output unit) or
    ``(n, k)`` (k independent yes/no outputs).
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    categorical = True

    def encode_targets(self, y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        t = super().encode_targets(y, n_outputs, dtype)
        if t.size and (t.min() < 0 or t.max() > 1):
            raise ValueError(
                f"{self.name}: targets must lie in [0, 1], got values from {t.min()} to {t.max()}"
            )
        return t

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        p = xp.clip(y_pred, _EPS, 1.0 - _EPS)
        return -xp.sum(y_true * xp.log(p) + (1.0 - y_true) * xp.log1p(-p), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        p = array_namespace(y_pred).clip(y_pred, _EPS, 1.0 - _EPS)
        return self._reduce_grad((p - y_true) / (p * (1.0 - p)))


class CategoricalCrossentropyFromLogits(CategoricalCrossentropy):
    """The cross-entropy of ``softmax(z)``: the model ends with a linear layer, whose
    outputs ``z`` are *logits*, and the loss applies the softmax itself (Keras'
    ``from_logits=True``, PyTorch's ``CrossEntropyLoss``)::

        L = -sum_k y_k log softmax(z)_k
        log softmax(z) = (z - max z) - log sum exp(z - max z)     (exp never overflows)
        dL/dz = softmax(z) * sum_k y_k - y                        (p - y for one-hot rows)

    The fused gradient of a softmax layer, here inside the loss; ``predict`` returns
    the logits (``argmax`` is the same class).
    """

    name = "categorical_crossentropy_from_logits"
    fused_activation = None
    total = Loss.total  # the sum of per_example, which works on the logits

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        shifted = y_pred - xp.max(y_pred, axis=1, keepdims=True)  # exp never overflows
        log_p = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
        return -row_dots(y_true, log_p)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        mass = array_namespace(y_true).sum(y_true, axis=1, keepdims=True)  # 1 for one-hot
        return self._reduce_grad(softmax(y_pred) * mass - y_true)


class BinaryCrossentropyFromLogits(BinaryCrossentropy):
    """The binary cross-entropy of ``sigmoid(z)``, for a linear output layer (Keras'
    ``from_logits=True``, PyTorch's ``BCEWithLogitsLoss``)::

        L = sum_k [max(z, 0) - y z + log(1 + exp(-|z|))]     (never exp of a large z)
        dL/dz = sigmoid(z) - y
    """

    name = "binary_crossentropy_from_logits"
    fused_activation = None

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp, z = array_namespace(y_pred), y_pred
        return xp.sum(xp.maximum(z, 0.0) - z * y_true + xp.log1p(xp.exp(-xp.abs(z))), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._reduce_grad(Sigmoid().forward(y_pred) - y_true)


class _LabelsOrRows(Loss):
    """A loss of one-hot rows that also takes integer class labels ``(n,)`` and encodes them."""

    def encode_targets(self, y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        """Integer labels as one-hot rows; anything else as :meth:`Loss.encode_targets`."""
        y = np.asarray(y)
        if y.ndim == 1 and n_outputs > 1 and np.issubdtype(y.dtype, np.integer):
            return one_hot(y, n_outputs, dtype)
        return super().encode_targets(y, n_outputs, dtype)


class Quadratic(_LabelsOrRows):
    """Nielsen's quadratic cost ``1/2 * ||a - y||^2`` per example.

    With one-hot targets (class labels are accepted and encoded) this is the cost of
    chapter 1 of *Neural Networks and Deep Learning*; its gradient is simply ``a - y``.
    """

    name = "quadratic"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        diff = y_pred - y_true
        return 0.5 * row_dots(diff, diff)

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        diff = y_pred - y_true  # 1/2 sum ||a - y||^2, as one dot product
        return 0.5 * flat_dot(diff, diff)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._reduce_grad(y_pred - y_true)


class MeanSquaredError(Loss):
    """Keras' ``"mse"``: the mean over outputs of ``(a - y)**2`` (no 1/2)."""

    name = "mean_squared_error"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        diff = y_pred - y_true
        return row_dots(diff, diff) / y_pred.shape[1]

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._reduce_grad((2.0 / y_pred.shape[1]) * (y_pred - y_true))


class MeanAbsoluteError(Loss):
    """Keras' ``"mae"``: the mean over outputs of ``|a - y|``; gradient ``sign(a - y) / k``.

    Less pulled by outliers than the squared error: every error counts in proportion.
    """

    name = "mean_absolute_error"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        return xp.mean(xp.abs(y_pred - y_true), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._reduce_grad(array_namespace(y_pred).sign(y_pred - y_true) / y_pred.shape[1])


class Huber(Loss):
    """Squared error for small errors, absolute error for large ones (Keras' ``"huber"``).

    Per output, with ``e = a - y``: ``e**2 / 2`` where ``|e| <= delta``, else
    ``delta * |e| - delta**2 / 2``; averaged over the outputs. The gradient is ``e``
    clipped to ``[-delta, delta]``, divided by the number of outputs.

    Parameters
    ----------
    delta : float, default 1.0
        Where the quadratic part ends (> 0).
    reduction : {"mean", "sum"}
    """

    name = "huber"

    def __init__(self, delta: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.delta = number("delta", delta, low=0, low_open=True)

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp, d = array_namespace(y_pred), self.delta
        e = xp.abs(y_pred - y_true)
        return xp.mean(xp.where(e <= d, 0.5 * e * e, d * e - 0.5 * d * d), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = array_namespace(y_pred).clip(y_pred - y_true, -self.delta, self.delta)
        return self._reduce_grad(e / y_pred.shape[1])


def _signs(y_true: np.ndarray) -> np.ndarray:
    """Hinge labels in {-1, 1}: a batch of 0/1 labels becomes 2y - 1, as Keras does."""
    if bool(array_namespace(y_true).all((y_true == 0) | (y_true == 1))):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(Loss):
    """The SVM's loss: ``max(1 - y * a, 0)`` per output, averaged over the outputs.

    Targets are -1/1 (or 0/1, turned into -1/1 as in Keras); outputs are scores, usually
    from a linear or tanh layer. Only examples inside the margin (``y * a < 1``) push:
    the gradient there is ``-y / k``, elsewhere 0.
    """

    name = "hinge"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        return xp.mean(xp.maximum(1.0 - _signs(y_true) * y_pred, 0.0), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = _signs(y_true)
        inside = (1.0 - y * y_pred) > 0
        return self._reduce_grad(array_namespace(y).where(inside, -y, 0.0) / y_pred.shape[1])


class SquaredHinge(Loss):
    """``max(1 - y * a, 0)**2`` per output, averaged over the outputs (Keras' names and
    label handling, as :class:`Hinge`); gradient ``-2 y max(1 - y a, 0) / k``."""

    name = "squared_hinge"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        return xp.mean(xp.square(xp.maximum(1.0 - _signs(y_true) * y_pred, 0.0)), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = _signs(y_true)
        margin = array_namespace(y).maximum(1.0 - y * y_pred, 0.0)
        return self._reduce_grad(-2.0 * y * margin / y_pred.shape[1])


class CategoricalHinge(_LabelsOrRows):
    """The multi-class hinge: ``max(best wrong score - true score + 1, 0)``.

    With one-hot ``y`` (integer labels are one-hot encoded): ``pos = sum(y * a)``,
    ``neg = max((1 - y) * a)``, loss ``max(neg - pos + 1, 0)``. Where the loss is
    positive, its gradient is +1 on the best wrong class and ``-y`` on the true one.
    """

    name = "categorical_hinge"

    def per_example(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        pos = xp.sum(y_true * y_pred, axis=1)
        neg = xp.max((1.0 - y_true) * y_pred, axis=1)
        return xp.maximum(neg - pos + 1.0, 0.0)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        xp = array_namespace(y_pred)
        wrong = xp.argmax((1.0 - y_true) * y_pred, axis=1)  # the best wrong class of each row
        at_wrong = xp.arange(y_pred.shape[1])[None, :] == wrong[:, None]
        grad = xp.where(at_wrong, -y_true + (1.0 - y_true), -y_true)  # d neg / da = 1 - y
        outside = self.per_example(y_true, y_pred)[:, None] <= 0  # outside the margin: no push
        return self._reduce_grad(xp.where(outside, 0.0, grad))


LOSSES: dict[str, type[Loss]] = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": CategoricalCrossentropy,
    "cross_entropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy_from_logits": CategoricalCrossentropyFromLogits,
    "binary_crossentropy_from_logits": BinaryCrossentropyFromLogits,
    "quadratic": Quadratic,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
}


def get(identifier: str | dict[str, Any] | Loss, reduction: str | None = None) -> Loss:
    """Return a loss object for a name (``"categorical_crossentropy"``, Keras' ``"mse"``,
    ``"mae"``, ...), a saved config (``{"name": "huber", "delta": 2.0}``) or an instance.

    ``reduction`` overrides the instance's, the config's or the default ``"mean"``.
    """
    if isinstance(identifier, (Loss, dict)):
        return _from_object(identifier, reduction)
    return lookup("loss", identifier, LOSSES, "a Loss")(reduction=reduction or "mean")


def _from_object(identifier: dict[str, Any] | Loss, reduction: str | None) -> Loss:
    """A loss instance (rebuilt for another ``reduction``) or a loss from its config."""
    if isinstance(identifier, Loss):
        if reduction is not None and reduction != identifier.reduction:
            return type(identifier)(**{**constructor_config(identifier), "reduction": reduction})
        return identifier
    cls, arguments = named_config("loss", identifier, LOSSES, "a Loss")
    if reduction is not None:
        arguments["reduction"] = reduction
    return cls(**arguments)

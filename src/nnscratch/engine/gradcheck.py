"""Gradient checking: is backpropagation computing the right derivatives?

Backpropagation is easy to get almost right: a missing factor 2 in an L2 penalty, a
forgotten ``1/n`` in a mean, a transposed matrix that happens to have the right shape.
Training still runs and the loss still goes down a bit, so such bugs hide. The cure is
old and simple: compare the analytic gradient with a numerical one.

Central differences
-------------------
For a scalar function ``f`` of an array ``x``, nudge one entry at a time::

    df/dx_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

The error of this estimate is of order ``eps**2`` (the first-order terms cancel), plus
the rounding error of ``f`` divided by ``eps``. In float64 ``eps = 1e-6`` balances the two:
the estimate is good to about 1e-8 relative, enough to tell a right gradient from one
that is off by any factor, while a float32 array cannot even represent ``x + 1e-6`` for
``x ~ 1``. So every check here works in float64.

Relative error
--------------
Gradients come in all sizes, so the checks compare them by the relative error of the
whole array::

    ||a - n|| / (||a|| + ||n||)

which is 0 for identical arrays, about 1e-8 or less for a correct gradient, and of
order 1 for a wrong one (1/3 for a missing factor 2).

What is checked
---------------
* :func:`check_activation`: ``Activation.backward`` (dL/dz from dL/da), with
  ``L = sum(a * G)`` for a random ``G`` so that every output matters differently;
* :func:`check_loss` and :func:`check_fused_gradient`: ``Loss.gradient`` against
  ``Loss.value``, and the fused ``p - y`` against the loss of the activated outputs;
* :func:`check_regularizer`: ``Regularizer.gradient`` against ``Regularizer.penalty``;
* :func:`check_layer`: a built layer's parameter gradients and its input gradient
  (a :class:`~nnscratch.engine.layers.Dense` layer: kernel, bias and input), including
  the kernel penalty;
* :func:`check_model`: every parameter of a compiled
  :class:`~nnscratch.engine.model.Sequential`, through the same backward pass that
  ``fit`` uses, without taking an optimizer step.

Each check returns the largest relative error it found and never raises on a wrong
gradient: deciding what is small enough is the caller's job (the test suite uses
about 1e-6).

Example
-------
>>> import numpy as np
>>> from nnscratch.engine.activations import Tanh
>>> z = np.random.default_rng(0).normal(size=(4, 3))
>>> check_activation(Tanh(), z, seed=0) < 1e-7
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .activations import Activation
from .initializers import check_random_state
from .layers import Layer
from .losses import Loss
from .regularizers import Regularizer

if TYPE_CHECKING:  # only for annotations: model.py does not need this module
    from .model import Sequential

__all__ = [
    "DEFAULT_EPS",
    "check_activation",
    "check_fused_gradient",
    "check_layer",
    "check_loss",
    "check_model",
    "check_regularizer",
    "numerical_gradient",
    "relative_error",
]

#: step of the central differences (float64)
DEFAULT_EPS = 1e-6


def _float64_array(x: Any, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if x.dtype != np.float64:
        raise ValueError(
            f"{name} must be float64 for a gradient check (a step of 1e-6 is lost in "
            f"float32), got dtype {x.dtype}"
        )
    return x


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = DEFAULT_EPS
) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed *in place*, one entry at a time, and ``f(x)`` is evaluated at
    ``x + eps e_i`` and ``x - eps e_i``. That lets ``f`` read ``x`` through another
    reference, e.g. a layer's own ``params["kernel"]``. Each entry is restored before the
    next one, and all of ``x`` is restored even if ``f`` raises.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : float64 ndarray
        The point; writeable.
    eps : float, default 1e-6

    Returns
    -------
    ndarray
        ``df/dx``, same shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0])
    >>> g = numerical_gradient(lambda v: float(np.sum(v**3)), x)
    >>> np.allclose(g, 3 * x**2)
    True
    """
    x = _float64_array(x, "x")
    if not (isinstance(eps, float) and 0.0 < eps < 1.0):
        raise ValueError(f"eps must be a float in (0, 1), got {eps!r}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + eps
            f_plus = float(f(x))
            x[index] = original - eps
            f_minus = float(f(x))
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(analytic: Any, numerical: Any) -> float:
    """``||a - n|| / (||a|| + ||n||)``: 0 when equal, 0 when both are all zeros.

    Examples
    --------
    >>> relative_error(np.array([2.0]), np.array([1.0]))  # a factor 2 off
    0.3333333333333333
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"gradient shapes differ: {a.shape} and {n.shape}")
    scale = float(np.linalg.norm(a) + np.linalg.norm(n))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n)) / scale


def _weights(shape: tuple[int, ...], seed: Any) -> np.ndarray:
    """Random ``G`` for ``L = sum(output * G)``: every output gets its own weight."""
    return check_random_state(seed).standard_normal(shape)


def check_activation(
    activation: Activation, z: np.ndarray, seed: Any = 0, eps: float = DEFAULT_EPS
) -> float:
    """Relative error of ``activation.backward`` for ``L = sum(activation(z) * G)``.

    ``backward(G, a)`` must return dL/dz. Keep ``z`` away from kinks (0 for ReLU):
    there the function has no derivative and central differences straddle the kink.
    """
    z = _float64_array(z, "z").copy()
    g = _weights(z.shape, seed)
    a = activation.forward(z.copy())
    analytic = np.array(activation.backward(g.copy(), a.copy()), dtype=np.float64)
    numerical = numerical_gradient(
        lambda v: float(np.sum(activation.forward(v.copy()) * g)), z, eps
    )
    return relative_error(analytic, numerical)


def check_loss(
    loss: Loss, y_true: np.ndarray, y_pred: np.ndarray, eps: float = DEFAULT_EPS
) -> float:
    """Relative error of ``loss.gradient`` against the derivative of ``loss.value``.

    ``y_true`` are encoded targets (``loss.encode_targets``); ``y_pred`` the network's
    outputs, inside the loss's domain (probabilities in (0, 1) for cross-entropies, away
    from the clipping bounds).
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = _float64_array(y_pred, "y_pred").copy()
    analytic = np.array(loss.gradient(y_true, y_pred.copy()), dtype=np.float64)
    numerical = numerical_gradient(lambda p: loss.value(y_true, p), y_pred, eps)
    return relative_error(analytic, numerical)


def check_fused_gradient(
    loss: Loss, activation: Activation, y_true: np.ndarray, z: np.ndarray, eps: float = DEFAULT_EPS
) -> float:
    """Relative error of the fused dL/dz (``p - y``) for ``L = loss(y, activation(z))``.

    ``activation`` must be the one the loss fuses with (softmax for categorical
    cross-entropy, sigmoid for binary cross-entropy); for softmax ``y_true`` rows must
    sum to 1 (one-hot rows), which is what makes ``p - y`` exact.
    """
    if loss.fused_activation != activation.name:
        raise ValueError(
            f"{loss.name} fuses with {loss.fused_activation!r}, not with {activation.name!r}"
        )
    y_true = np.asarray(y_true, dtype=np.float64)
    z = _float64_array(z, "z").copy()
    p = activation.forward(z.copy())
    analytic = np.array(loss.fused_gradient(y_true, p), dtype=np.float64)
    numerical = numerical_gradient(
        lambda v: loss.value(y_true, activation.forward(v.copy())), z, eps
    )
    return relative_error(analytic, numerical)


def check_regularizer(regularizer: Regularizer, w: np.ndarray, eps: float = DEFAULT_EPS) -> float:
    """Relative error of ``regularizer.gradient(w)`` against ``penalty(w)``.

    Keep the entries of ``w`` away from 0 for an L1 term (``|w|`` has a kink there).
    """
    w = _float64_array(w, "w").copy()
    analytic = np.array(regularizer.gradient(w.copy()), dtype=np.float64)
    numerical = numerical_gradient(regularizer.penalty, w, eps)
    return relative_error(analytic, numerical)


def check_layer(
    layer: Layer, x: np.ndarray, seed: Any = 0, eps: float = DEFAULT_EPS
) -> dict[str, float]:
    """Relative errors of a built layer's gradients, for ``L = sum(out * G) + penalty``.

    Runs ``forward(x, training=True)`` and ``backward(G)`` once, then compares every
    entry of ``layer.grads`` (``"kernel"``, ``"bias"`` for Dense) and the returned input
    gradient (key ``"input"``) with central differences of ``L``. The kernel penalty is
    part of ``L`` because ``backward`` adds its gradient to ``grads["kernel"]``. The
    layer's parameters must be float64; they are left as they were.

    Returns
    -------
    dict
        ``{"kernel": err, "bias": err, "input": err}`` (the keys present in the layer).
    """
    if not layer.built:
        raise ValueError("build the layer first: layer.build(n_features, rng, np.float64)")
    if getattr(layer, "_fused", False):
        raise ValueError("the layer is fused with a loss; check it through check_model")
    x = _float64_array(x, "x").copy()
    for key, p in layer.params.items():
        _float64_array(p, f"parameter {key!r}")
    out = layer.forward(x.copy(), training=True)
    g = _weights(out.shape, seed)
    dx = layer.backward(g.copy(), need_input_grad=True)
    analytic = {key: np.array(v, dtype=np.float64) for key, v in layer.grads.items()}
    analytic["input"] = np.array(dx, dtype=np.float64)

    def objective(_: np.ndarray, inputs: np.ndarray = x) -> float:
        a = layer.forward(inputs, training=False)
        return float(np.sum(a * g)) + layer.regularization_penalty()

    errors = {}
    for key, p in layer.params.items():
        errors[key] = relative_error(analytic[key], numerical_gradient(objective, p, eps))
    errors["input"] = relative_error(
        analytic["input"], numerical_gradient(lambda v: objective(v, v), x, eps)
    )
    return errors


def check_model(
    model: Sequential, x: np.ndarray, y: Any, eps: float = DEFAULT_EPS
) -> dict[str, float]:
    """Relative error of every parameter gradient of a compiled model on ``(x, y)``.

    The analytic gradients are what ``fit`` would use for this batch: a training
    forward pass, the loss gradient (the fused ``p - y`` when the model fuses its output
    activation with the loss), and each layer's backward, read from
    ``model.gradients()``. No optimizer step is taken. The numerical gradients
    differentiate the training objective: the reduced loss (``"mean"`` or ``"sum"``)
    plus the regularization penalty.

    Returns
    -------
    dict
        Dotted parameter name (``"0.kernel"``, ...) to relative error.
    """
    if model.loss is None:
        raise ValueError("compile the model first: model.compile(optimizer=..., loss=...)")
    x = _float64_array(x, "x").copy()
    if not model.built:
        model.build(x.shape[1])
    if model.dtype != np.float64:
        raise ValueError(f"check_model needs a float64 model, got dtype {model.dtype}")
    loss = model.loss
    targets = loss.encode_targets(np.asarray(y), model.output_dim, np.dtype(np.float64))
    layers = model.layers

    out = x
    for layer in layers:
        out = layer.forward(out, training=True)
    if getattr(layers[-1], "_fused", False):
        grad = loss.fused_gradient(targets, out)
    else:
        grad = loss.gradient(targets, out)
    for i in range(len(layers) - 1, -1, -1):
        grad = layers[i].backward(grad, need_input_grad=i > 0)
    analytic = {key: np.array(g, dtype=np.float64) for key, g in model.gradients().items()}

    def objective(_: np.ndarray) -> float:
        a = x
        for layer in layers:
            a = layer.forward(a, training=False)
        return loss.value(targets, a) + model.regularization_penalty()

    return {
        key: relative_error(analytic[key], numerical_gradient(objective, p, eps))
        for key, p in model.parameters().items()
    }

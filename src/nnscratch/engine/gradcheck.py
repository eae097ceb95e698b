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
* :func:`check_layer`: a built layer's weight gradients and its input gradient (any
  layer, your own included), penalties included;
* :func:`check_model`: every weight of a compiled
  :class:`~nnscratch.engine.model.Sequential`, through the very function that ``fit``
  uses (:func:`~nnscratch.engine.training.compute_gradients`), without a step.

The layer and model checks differentiate the *training-mode* forward pass, the function
backpropagation differentiates. Before every evaluation the layers are put back in the
state they had at the start: their non-trainable weights (batch normalization's moving
statistics, which a training pass updates) and their random generators (so Dropout
draws the same mask every time). Batch normalization is checked with its batch
statistics, Dropout with its mask, and both are left as they were.

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
from typing import Any

import numpy as np

from . import training
from .activations import Activation
from .initializers import check_random_state
from .layers import Layer
from .losses import Loss
from .regularizers import Regularizer

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


def _state_keeper(layers: list[Layer]) -> Callable[[], None]:
    """A function that puts ``layers`` back as they are now: their non-trainable weights
    and their random generators (a generator shared by several layers, as the model's
    is, once). A training-mode forward pass changes both; each evaluation of a gradient
    check starts from the same state, so it evaluates the same function."""
    frozen = [
        (layer.params[key], layer.params[key].copy())
        for layer in layers
        for key in layer.weights(trainable=False)
    ]
    generators = {id(layer.rng): layer.rng for layer in layers if layer.rng is not None}
    states = [(rng, _generator_state(rng)) for rng in generators.values()]

    def restore() -> None:
        for array, value in frozen:
            array[...] = value
        for rng, state in states:
            if isinstance(rng, np.random.RandomState):
                rng.set_state(state)
            else:
                rng.bit_generator.state = state

    return restore


def _generator_state(rng: Any) -> Any:
    return rng.get_state() if isinstance(rng, np.random.RandomState) else rng.bit_generator.state


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

    Runs ``forward(x, training=True)`` and ``backward(G)`` once, then compares the
    gradient of every trainable weight (what ``backward`` left in ``layer.grads``, plus
    the regularizers' part, exactly as the training step reads them) and the returned
    input gradient (key ``"input"``) with central differences of ``L``, each evaluation
    a training-mode forward pass from the layer's starting state (see the module's
    notes). The layer's weights must be float64; they are left as they were.

    Returns
    -------
    dict
        ``{"kernel": err, "bias": err, "input": err}`` (the keys present in the layer).
    """
    if not layer.built:
        raise ValueError("build the layer first: layer.setup(input_shape, rng, np.float64)")
    x = _float64_array(x, "x").copy()
    for key, p in layer.params.items():
        _float64_array(p, f"weight {key!r}")
    restore = _state_keeper([layer])
    out = layer.forward(x.copy(), training=True)
    g = _weights(out.shape, seed)
    dx = layer.backward(g.copy())
    analytic = {
        key.split(".", 1)[1]: np.array(v, dtype=np.float64)
        for key, v in training.gradients([layer]).items()
    }
    analytic["input"] = np.array(dx, dtype=np.float64)

    def objective(_: np.ndarray, inputs: np.ndarray = x) -> float:
        restore()
        a = layer.forward(inputs, training=True)
        return float(np.sum(a * g)) + layer.penalty()

    errors = {}
    for key in layer.grads:
        errors[key] = relative_error(
            analytic[key], numerical_gradient(objective, layer.params[key], eps)
        )
    errors["input"] = relative_error(
        analytic["input"], numerical_gradient(lambda v: objective(v, v), x, eps)
    )
    restore()
    return errors


def check_model(model: Any, x: np.ndarray, y: Any, eps: float = DEFAULT_EPS) -> dict[str, float]:
    """Relative error of every weight's gradient of a compiled model on ``(x, y)``.

    The analytic gradients are exactly what ``fit`` uses for this batch:
    :func:`nnscratch.engine.training.compute_gradients` (the fused ``p - y`` when the
    loss folds the output activation in, every layer's backward, the regularizers'
    gradients). No optimizer step is taken. The numerical gradients differentiate the
    training objective (the reduced loss plus the penalty) with the training-mode
    forward pass, every evaluation from the layers' starting state (Dropout's masks,
    batch normalization's statistics: see the module's notes), which the model keeps.

    Returns
    -------
    dict
        Dotted weight name (``"0.kernel"``, ...) to relative error.
    """
    if model.loss is None:
        raise ValueError("compile the model first: model.compile(optimizer=..., loss=...)")
    x = _float64_array(x, "x").copy()
    if model.dtype != np.float64:
        raise ValueError(f"check_model needs a float64 model, got dtype {model.dtype}")
    x, targets = model.check_data(x, y)
    restore = _state_keeper(model.layers)
    _, _, grads = training.compute_gradients(model, x, targets)
    analytic = {key: np.array(g, dtype=np.float64) for key, g in grads.items()}
    scale = x.shape[0] if model.loss.reduction == "sum" else 1  # the objective, not per example

    def objective(_: np.ndarray) -> float:
        restore()
        return training.batch_loss(model, targets, model.forward(x, training=True)) * scale

    params = model.parameters(trainable=True)
    errors = {
        key: relative_error(analytic[key], numerical_gradient(objective, p, eps))
        for key, p in params.items()
    }
    restore()
    return errors

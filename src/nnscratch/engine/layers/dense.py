"""``Dense``: the fully connected layer, ``a = f(x W + b)``.

In the WildML tutorial's notation the hidden layer is ``z1 = X.dot(W1) + b1`` and
``a1 = np.tanh(z1)``; in Nielsen's book ``a' = sigma(w a + b)`` (with column vectors, so
his ``w`` is our ``W`` transposed). Backpropagation through it, given ``dz = dL/dz``::

    dL/dW = x^T dz          (WildML: dW2 = (a1.T).dot(delta3))
    dL/db = sum of dz       (db2 = np.sum(delta3, axis=0))
    dL/dx = dz W^T          (delta2 = delta3.dot(W2.T) * (1 - a1**2), before the tanh)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..checks import flag, positive_int
from .base import Layer, Shape, register_layer
from .settings import resolve_settings

__all__ = ["Dense"]


@register_layer
class Dense(Layer):
    """Fully connected layer: ``a = activation(x @ W + b)``.

    Parameters
    ----------
    units : int
        Number of neurons (output features), > 0.
    activation : str or Activation, optional
        ``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"softmax"``, ... or ``None`` (linear).
    kernel_initializer : str or callable, default "glorot_uniform"
        See :mod:`nnscratch.engine.initializers`; ``"scaled_normal"`` is WildML's.
    bias_initializer : str or callable, default "zeros"
    kernel_regularizer, bias_regularizer : Regularizer, optional
        e.g. ``l2(0.005)``; the penalty joins the training objective.
    kernel_constraint, bias_constraint : Constraint, optional
        e.g. ``max_norm(3)``, ``non_neg()``: applied to the weight after every update
        (:mod:`nnscratch.engine.constraints`).
    use_bias : bool, default True
    **kwargs
        ``name``, ``input_shape`` / ``input_dim`` (for the first layer), ``seed``,
        ``activity_regularizer`` (a penalty on the layer's output): see
        :class:`~nnscratch.engine.layers.base.Layer`.

    Examples
    --------
    >>> from nnscratch.layers import Dense
    >>> Dense(3, activation="tanh", input_dim=2)
    Dense(3, activation='tanh')
    """

    array_api = True  # written with self.xp: runs on any array namespace

    kernel_constraint: constraints.Constraint | None = None
    bias_constraint: constraints.Constraint | None = None

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = None,
        *,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: regularizers.Regularizer | None = None,
        bias_regularizer: regularizers.Regularizer | None = None,
        kernel_constraint: constraints.Constraint | str | dict | None = None,
        bias_constraint: constraints.Constraint | str | dict | None = None,
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.activation = activations.get(activation)
        resolve_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        resolve_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.use_bias = flag("use_bias", use_bias)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense expects inputs of shape (n, features), got (None, "
                f"{', '.join(map(str, input_shape))}); put Flatten() before it"
            )
        init, reg, c = self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint
        self.kernel = self.add_weight("kernel", (*input_shape, self.units), init, reg, constraint=c)
        if self.use_bias:
            init, reg, c = self.bias_initializer, self.bias_regularizer, self.bias_constraint
            self.bias = self.add_weight("bias", (self.units,), init, reg, constraint=c)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (self.units,)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        z = x @ self.kernel  # z = x W + b
        if self.use_bias:
            z += self.bias
        a = self.activation.forward(z)  # a = f(z)
        if training:
            self.x, self.a = x, a
        return a

    def backward(self, grad: np.ndarray) -> np.ndarray:
        # dL/dz = dL/da * f'(z), with f' written through the cached output a
        return self.backward_z(self.activation.backward(grad, self.a))

    def backward_z(self, dz: np.ndarray) -> np.ndarray:
        """Backpropagate ``dz`` = dL/dz, the gradient *before* the activation.

        The training step calls this directly when the loss has already folded the
        activation in (softmax with cross-entropy: ``dz = p - y``).
        """
        self.grads["kernel"] = self.x.T @ dz  # dL/dW = x^T dz
        if self.use_bias:
            self.grads["bias"] = self.xp.sum(dz, axis=0)  # dL/db = sum of dz over the batch
        return dz @ self.kernel.T  # dL/dx = dz W^T

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "units": self.units}
        config["activation"] = activations.name_of(self.activation)
        for key, init in (("kernel", self.kernel_initializer), ("bias", self.bias_initializer)):
            kept = initializers.serialize(init)
            if kept is not None:  # a function of your own: the saved weights stand for it
                config[f"{key}_initializer"] = kept
        for key, reg in (("kernel", self.kernel_regularizer), ("bias", self.bias_regularizer)):
            config[f"{key}_regularizer"] = None if reg is None else reg.get_config()
        for key, bound in (("kernel", self.kernel_constraint), ("bias", self.bias_constraint)):
            if bound is not None:
                config[f"{key}_constraint"] = bound.get_config()
        config["use_bias"] = self.use_bias
        return config

    def __repr__(self) -> str:
        return f"Dense({self.units}, activation={self.activation.name!r})"

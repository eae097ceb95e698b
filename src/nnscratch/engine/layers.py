"""Layers: the building blocks of a :class:`~nnscratch.engine.model.Sequential` model.

A layer is a small object with

* named parameter arrays in ``params`` (``"kernel"``, ``"bias"``) and their gradients in
  ``grads`` under the same names;
* ``forward(x, training)``, which returns the output and caches what backward needs;
* ``backward(grad)``, which takes dL/d(output), fills ``grads`` and returns dL/d(input).

Shapes are batch-first: ``x`` is ``(n_samples, n_features)`` and a dense layer computes
``x @ W + b`` with ``W`` of shape ``(fan_in, fan_out)``. In the WildML tutorial's notation
the hidden layer is ``z1 = X W1 + b1, a1 = tanh(z1)``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import activations as activations_module
from . import initializers as initializers_module
from . import legacy as legacy_module
from . import regularizers as regularizers_module
from .checks import positive_int
from .initializers import RandomLike

__all__ = ["Activation", "Dense", "Dropout", "Layer", "get_layer_class"]


class Layer:
    """Base class. Subclasses implement ``build``, ``forward`` and ``backward``."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.input_dim: int | None = None
        self.built = False

    # -- building --------------------------------------------------------------------
    def build(self, input_dim: int, rng: RandomLike, dtype: np.dtype) -> None:
        """Create the parameters for inputs of ``input_dim`` features."""
        self.input_dim = input_dim
        self.built = True

    def output_dim(self, input_dim: int) -> int:
        """Number of output features for ``input_dim`` input features."""
        return input_dim

    # -- computing -------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def repair_output(self) -> bool:
        """Recompute the last training output more carefully, if the layer has a fast
        path that can overflow (see Dense). Returns True if it did."""
        return False

    def regularization_penalty(self) -> float:
        """Penalty this layer adds to the training objective (0 without regularizers)."""
        return 0.0

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class Dense(Layer):
    """Fully connected layer: ``a = activation(x @ W + b)``.

    Parameters
    ----------
    units : int
        Number of neurons (output features), > 0.
    activation : str or Activation, optional
        ``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"softmax"``, ``"linear"`` (the default,
        also ``None``).
    kernel_initializer : str or callable, default "glorot_uniform"
        See :mod:`nnscratch.engine.initializers`; ``"scaled_normal"`` is WildML's.
    bias_initializer : str or callable, default "zeros"
    kernel_regularizer : Regularizer, optional
        e.g. ``l2(0.005)``; adds its penalty to the objective.
    use_bias : bool, default True
    input_dim : int, optional
        Number of input features (Keras' ``input_dim``); otherwise taken from the data.
    seed : int, Generator or RandomState, optional
        Generator for this layer's initial weights; by default the model's.
    **legacy
        Old Keras spellings, accepted with a ``DeprecationWarning`` naming the new one:
        ``output_dim`` (units), ``init`` (kernel_initializer), ``W_regularizer``
        (kernel_regularizer), ``bias`` (use_bias); and Keras 2's ``input_shape=(n,)``
        (input_dim). See :mod:`nnscratch.engine.legacy`.

    Examples
    --------
    >>> from nnscratch.layers import Dense
    >>> Dense(3, activation="tanh", input_dim=2)
    Dense(3, activation='tanh')
    """

    def __init__(
        self,
        units: int | None = None,
        activation: str | activations_module.Activation | None = None,
        *,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: regularizers_module.Regularizer | None = None,
        use_bias: bool = True,
        input_dim: int | None = None,
        seed: int | RandomLike | None = None,
        name: str | None = None,
        **legacy: Any,
    ) -> None:
        super().__init__(name=name)
        if legacy or units is None:  # old Keras spellings: see engine/legacy.py
            args = legacy_module.dense_arguments(
                {
                    "units": units,
                    "kernel_initializer": kernel_initializer,
                    "kernel_regularizer": kernel_regularizer,
                    "use_bias": use_bias,
                    "input_dim": input_dim,
                },
                legacy,
            )
            units, kernel_initializer = args["units"], args["kernel_initializer"]
            kernel_regularizer, use_bias = args["kernel_regularizer"], args["use_bias"]
            input_dim = args["input_dim"]
        self.units = positive_int("units", units)
        self.activation = activations_module.get(activation)
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)
        self.kernel_regularizer = regularizers_module.get(kernel_regularizer)
        if not isinstance(use_bias, (bool, np.bool_)):
            raise TypeError(f"use_bias must be True or False, got {use_bias!r}")
        self.use_bias = bool(use_bias)
        self.declared_input_dim = (
            None if input_dim is None else positive_int("input_dim", input_dim)
        )
        if seed is not None:
            initializers_module.check_random_state(seed)  # reject bad seeds now, not at fit
        self.seed = seed
        self._fused = False  # set by the model when the loss fuses with our activation
        self._cache_x: np.ndarray | None = None
        self._cache_a: np.ndarray | None = None
        self._buffers: _Scratch | None = None
        # softmax's overflow fallback needs z intact, so its output goes to its own array
        self._softmax = self.activation.name == "softmax"

    def build(self, input_dim: int, rng: RandomLike, dtype: np.dtype) -> None:
        if self.declared_input_dim is not None and self.declared_input_dim != input_dim:
            raise ValueError(
                f"Dense layer declared input_dim={self.declared_input_dim} but receives "
                f"{input_dim} features"
            )
        if self.seed is not None:
            rng = initializers_module.check_random_state(self.seed)
        kernel = np.asarray(self.kernel_initializer((input_dim, self.units), rng), dtype=dtype)
        self.params = {"kernel": kernel}
        if self.use_bias:
            bias = np.asarray(self.bias_initializer((self.units,), rng), dtype=dtype)
            self.params["bias"] = bias.reshape(self.units)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._buffers = None
        super().build(input_dim, rng, dtype)

    def output_dim(self, input_dim: int) -> int:
        return self.units

    def _scratch(self, n: int, dtype: np.dtype) -> _Scratch:
        """Arrays reused across training steps for batches of ``n`` rows.

        At the tutorials' sizes a step is dominated by per-call overhead, and allocating
        fresh arrays is a noticeable share of it. Reusing them changes no result: every
        operation is the same NumPy call on the same values.
        """
        scratch = self._buffers
        if scratch is None or scratch.n != n or scratch.dtype != dtype:
            scratch = self._buffers = _Scratch(n, self.units, self.input_dim or 0, dtype)
        return scratch

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        kernel = self.params["kernel"]
        if not training:
            z = x @ kernel
            if self.use_bias:
                z = z + self.params["bias"]
            return self.activation.forward(z)
        scratch = self._buffers
        if scratch is None or scratch.n != x.shape[0]:
            scratch = self._scratch(x.shape[0], kernel.dtype)
        # z = x W + b  (WildML: z1 = X.dot(W1) + b1)
        z = np.dot(x, kernel, out=scratch.z)
        if self.use_bias:
            np.add(z, self.params["bias"], out=z)
        if self._softmax:
            # The fast softmax; the model checks the loss and calls repair_output() if a
            # row overflowed. z stays intact for that.
            a = activations_module.softmax_unchecked(z, out=scratch.a)
        else:
            a = self.activation.forward(z, out=z)  # element-wise: overwrite z
        self._cache_x, self._cache_a = x, a
        return a

    def repair_output(self) -> bool:
        """Recompute a softmax output of the last training forward pass without overflow.

        Returns True when there was a softmax output to recompute (in place, so the
        array the model holds is updated).
        """
        if not self._softmax or self._buffers is None or self._cache_a is None:
            return False
        activations_module.softmax(self._buffers.z, out=self._cache_a)
        return True

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``grad`` = dL/da (or dL/dz when the loss is fused with us)."""
        x, a = self._cache_x, self._cache_a
        if x is None or a is None:
            raise RuntimeError("Dense.backward called before forward(..., training=True)")
        scratch = self._buffers  # made by forward for this batch size
        assert scratch is not None
        dz = grad if self._fused else self.activation.backward(grad, a, out=scratch.dz)
        kernel = self.params["kernel"]
        grads = self.grads
        # dL/dW = x^T dz, dL/db = sum of dz over the batch (WildML: dW1 = X.T.dot(delta2))
        np.dot(x.T, dz, out=grads["kernel"])
        if self.use_bias:
            np.add.reduce(dz, axis=0, out=grads["bias"])  # = np.sum, less overhead
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(kernel, grads["kernel"])
        if not need_input_grad:
            return None
        # dL/dx = dz W^T (WildML: delta3.dot(W2.T))
        return np.dot(dz, kernel.T, out=scratch.dx)

    def regularization_penalty(self) -> float:
        if self.kernel_regularizer is None or not self.params:
            return 0.0
        return self.kernel_regularizer.penalty(self.params["kernel"])

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation.name,
            "kernel_initializer": initializers_module.name_of(self.kernel_initializer),
            "bias_initializer": initializers_module.name_of(self.bias_initializer),
            "kernel_regularizer": (
                None if self.kernel_regularizer is None else self.kernel_regularizer.get_config()
            ),
            "use_bias": self.use_bias,
            "input_dim": self.declared_input_dim,
        }

    def __repr__(self) -> str:
        return f"Dense({self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies an activation function on its own, as Keras' ``Activation("softmax")``.

    Examples
    --------
    >>> from nnscratch.layers import Activation
    >>> Activation("softmax")
    Activation('softmax')
    """

    def __init__(
        self, activation: str | activations_module.Activation, name: str | None = None
    ) -> None:
        super().__init__(name=name)
        self.activation = activations_module.get(activation)
        self._fused = False
        self._cache_a: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        a = self.activation.forward(x)
        if training:
            self._cache_a = a
        return a

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        if self._fused:
            return grad
        if self._cache_a is None:
            raise RuntimeError("Activation.backward called before forward(..., training=True)")
        return self.activation.backward(grad, self._cache_a)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "activation": self.activation.name}

    def __repr__(self) -> str:
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate``.

    During training every entry is kept with probability ``1 - rate`` and the kept ones
    are scaled by ``1 / (1 - rate)``::

        mask = (u >= rate) / (1 - rate),   u ~ Uniform[0, 1)
        out  = x * mask                    dL/dx = dL/dout * mask

    so the expected output equals the input and nothing needs rescaling at prediction
    time: outside training (``training=False``: ``predict``, ``evaluate``) the layer
    passes its input through unchanged. Dropping random units stops them from
    co-adapting, which regularises the network like training many thinned networks.

    Parameters
    ----------
    rate : float
        Fraction of the inputs to drop, in ``[0, 1)``.
    seed : int, Generator or RandomState, optional
        Generator for the masks; by default the model's (from ``Sequential(seed=...)``),
        so the same seed gives the same masks.

    Examples
    --------
    >>> from nnscratch.layers import Dropout
    >>> Dropout(0.2)
    Dropout(0.2)
    """

    def __init__(
        self, rate: float, seed: int | RandomLike | None = None, name: str | None = None
    ) -> None:
        super().__init__(name=name)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Dropout rate must be a number in [0, 1), got {rate!r}")
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        if seed is not None:
            initializers_module.check_random_state(seed)  # validate early
        self._rng: RandomLike | None = None
        self._mask: np.ndarray | None = None

    def build(self, input_dim: int, rng: RandomLike, dtype: np.dtype) -> None:
        # Our own generator when seeded, else the model's (shared: it also shuffles).
        self._rng = rng if self.seed is None else initializers_module.check_random_state(self.seed)
        super().build(input_dim, rng, dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        if self._rng is None:
            self._rng = initializers_module.check_random_state(self.seed)
        u = self._rng.random(x.shape)  # Generator and RandomState both have random()
        # mask = 1{u >= rate} / (1 - rate): kept units are scaled up, dropped ones are 0.
        self._mask = (u >= self.rate).astype(x.dtype) / x.dtype.type(1.0 - self.rate)
        return x * self._mask

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        if not need_input_grad:
            return None
        # The mask is the Jacobian's diagonal; without one (rate 0) the layer is identity.
        return grad if self._mask is None else grad * self._mask

    def get_config(self) -> dict[str, Any]:
        seed = self.seed if isinstance(self.seed, numbers.Integral) else None
        return {"name": self.name, "rate": self.rate, "seed": seed}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"


class _Scratch:
    """A Dense layer's reusable training arrays for one batch size (``dx`` made lazily:
    the first layer never needs it)."""

    __slots__ = ("_dx", "a", "dtype", "dz", "n", "width_in", "z")

    def __init__(self, n: int, units: int, width_in: int, dtype: np.dtype) -> None:
        self.n, self.dtype, self.width_in = n, dtype, width_in
        self.z = np.empty((n, units), dtype)
        self.a = np.empty((n, units), dtype)
        self.dz = np.empty((n, units), dtype)
        self._dx: np.ndarray | None = None

    @property
    def dx(self) -> np.ndarray:
        if self._dx is None:
            self._dx = np.empty((self.n, self.width_in), self.dtype)
        return self._dx


LAYERS: dict[str, type[Layer]] = {"Dense": Dense, "Activation": Activation, "Dropout": Dropout}


def get_layer_class(name: str) -> type[Layer]:
    """Look a layer class up by its class name (used when loading saved models)."""
    if name in LAYERS:
        return LAYERS[name]
    raise ValueError(f"unknown layer type {name!r}; valid: {', '.join(sorted(LAYERS))}")

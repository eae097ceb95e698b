"""The layers of the book's ``network3.py``, each made of the engine's layers.

The book (chapter 6) describes a network as a list of three kinds of layer, written in
Theano with channels-first images ``(mini_batch, channels, height, width)``. Each one here
keeps the book's constructor, its initial weights (drawn from ``np.random`` in the
constructor, in the book's order) and its behaviour, and hands the arithmetic to the
engine's channels-last layers:

==========================================  ===============================================
the book                                    the engine
==========================================  ===============================================
``ConvPoolLayer``: convolution, max-pool,   ``Conv2D(filters, (kh, kw), use_bias=False)``,
then ``activation(pooled + b)``             ``MaxPooling2D(poolsize)``, then
                                            :class:`NielsenPoolBias` (the bias per feature
                                            map and the activation, on the pooled maps: a
                                            quarter of the values for 2x2 pooling)
``FullyConnectedLayer`` with ``p_dropout``  :class:`NielsenDropout` (if ``p > 0``), then
                                            ``Dense(n_out, activation)``
``SoftmaxLayer``                            :class:`NielsenDropout`, ``Dense(n_out,
                                            "softmax")`` with zero initial weights
==========================================  ===============================================

Translating the weights. Theano's ``conv2d`` computes a true convolution (the filter is
flipped), the engine a correlation (Keras' convention), so the book's filter ``w[f, c, i,
j]`` is the engine's ``kernel[kh - 1 - i, kw - 1 - j, c, f]``. A fully connected layer after
a convolution reads the book's ``(channels, height, width)`` order where the engine's
``Flatten`` gives ``(height, width, channels)``: its kernel's rows are permuted to match.
With these two rules the engine's network computes the same function as the book's, and
``layer.w`` / ``layer.b`` show the weights in the book's shapes.
"""

# The layers draw their initial weights from the global np.random, as the book's do.
# ruff: noqa: NPY002

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine import activations
from ..engine.checks import number, positive_int
from ..engine.layers import Dense, Dropout, Flatten, Layer, register_layer
from ..engine.layers.conv import Conv2D
from ..engine.layers.pooling import MaxPooling2D
from ._shared import shared

__all__ = [
    "ConvPoolLayer",
    "FullyConnectedLayer",
    "NielsenDropout",
    "NielsenPoolBias",
    "ReLU",
    "SoftmaxLayer",
    "book_dropout_seed",
    "linear",
    "sigmoid",
    "tanh",
]


# -- the book's activation functions -----------------------------------------------------
def linear(z: Any) -> np.ndarray:
    """The identity, ``f(z) = z``."""
    return np.asarray(z)


def ReLU(z: Any) -> np.ndarray:
    """Rectified linear unit, ``max(0, z)``."""
    return np.maximum(0.0, z)


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def tanh(z: Any) -> np.ndarray:
    """The hyperbolic tangent."""
    return np.tanh(z)


#: each book function and the engine activation that computes it
_ENGINE_NAMES: dict[Callable[..., Any], str] = {
    sigmoid: "sigmoid",
    tanh: "tanh",
    ReLU: "relu",
    linear: "linear",
}


def _activation_name(fn: Any) -> str:
    if fn in _ENGINE_NAMES:
        return _ENGINE_NAMES[fn]
    raise ValueError(
        f"activation_fn must be one of network3's sigmoid, tanh, ReLU or linear, got {fn!r}"
    )


def book_dropout_seed() -> int:
    """The seed of the book's dropout masks.

    The book's ``dropout_layer`` builds ``RandomStreams(np.random.RandomState(0)
    .randint(999999))`` for every layer, and a stream seeds its generator with the next
    ``randint(2**30)`` of its own seed generator: the same number for every layer and
    every run, whatever ``np.random.seed`` says.
    """
    stream_seed = int(np.random.RandomState(0).randint(999999))
    return int(np.random.RandomState(stream_seed).randint(2**30))


@register_layer
class NielsenDropout(Dropout):
    """The book's dropout: drop inputs while training, scale by ``1 - p`` otherwise.

    Training: ``out = x * mask`` with ``mask ~ Bernoulli(1 - p)`` per entry (no scaling);
    ``predict``: ``out = (1 - p) * x``. This equals the book's layers, which multiply
    ``dot(x, w)`` by ``1 - p`` at inference. Only this forward pass differs from the
    engine's :class:`~nnscratch.engine.layers.Dropout`, which is *inverted* dropout: it
    scales by ``1 / (1 - p)`` while training instead (and trains differently), and
    passes its input through unchanged outside training. The backward pass, through the
    mask, is the same. Masks come from ``rng.binomial(1, 1 - p, x.shape)``.

    Parameters
    ----------
    p_dropout : float
        Probability of dropping an input, in ``[0, 1)``: the book's name for ``rate``.
    """

    array_api = False  # the masks are drawn with NumPy's binomial, on NumPy arrays

    def __init__(self, p_dropout: float, **kwargs: Any) -> None:
        super().__init__(number("p_dropout", p_dropout, 0, 1, high_open=True), **kwargs)

    @property
    def p_dropout(self) -> float:
        return self.rate

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training:
            self.mask = None
            return x * x.dtype.type(1.0 - self.rate)
        self.mask = self.rng.binomial(1, 1.0 - self.rate, size=x.shape).astype(x.dtype)
        return x * self.mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["p_dropout"] = config.pop("rate")  # saved under the book's name
        return config


@register_layer
class NielsenPoolBias(Layer):
    """The end of the book's ``ConvPoolLayer``: ``activation(pooled + b)``.

    One bias per feature map (the last, channels axis), added after the pooling, then the
    activation: the order of the book's Theano graph. The gradient of the bias sums
    ``dL/dz`` over every image and position.

    Parameters
    ----------
    activation : str or Activation
    """

    def __init__(self, activation: str | activations.Activation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.bias = self.add_weight("bias", (input_shape[-1],), "zeros")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        a = self.activation.forward(x + self.bias)
        if training:
            self.a = a
        return a

    def backward(self, grad: np.ndarray) -> np.ndarray:
        dz = self.activation.backward(grad, self.a)
        self.grads["bias"] = dz.reshape(-1, dz.shape[-1]).sum(axis=0)
        return dz

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.name_of(self.activation)}

    def __repr__(self) -> str:
        return f"NielsenPoolBias({self.activation.name!r})"


class _BookWeight:
    """``layer.w`` or ``layer.b``: one of the book's weights, in the book's shape.

    Until the layer joins a :class:`Network` it is the initial draw, kept as ``layer._w``
    (``layer._b``). Afterwards it lives in an engine layer's array: ``layer.engine``'s
    kernel for ``w``, ``layer.bias_engine``'s bias for ``b``, translated by the layer's
    ``kernel_to_book`` / ``kernel_from_book`` (``bias_to_book`` / ``bias_from_book``).
    Reading gives a new array in the book's shape, a :class:`~._shared.SharedArray` whose
    ``eval()``, ``get_value()`` and ``set_value()`` are a Theano shared variable's
    (``conv.py`` plots ``net.layers[0].w.eval()``); assigning checks the shape and writes
    into the engine's array in place, and so does ``set_value``.
    """

    def __init__(self, engine: str, key: str) -> None:
        self.engine, self.key = engine, key  # the attribute holding the engine layer; its weight

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.initial = name, f"_{name}"

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        if layer is None:
            return self
        source = getattr(layer, self.engine)
        if source is None:
            value = getattr(layer, self.initial)
        else:
            value = getattr(layer, f"{self.key}_to_book")(source.params[self.key])
        return shared(value, lambda new: self.__set__(layer, new))

    def __set__(self, layer: Any, value: Any) -> None:
        value = _same_shape(self.name, value, getattr(layer, self.initial))
        source = getattr(layer, self.engine)
        if source is None:
            setattr(layer, self.initial, value)
        else:
            source.params[self.key][...] = getattr(layer, f"{self.key}_from_book")(value)


class _BookLayer:
    """What the three layers share: the book's weights, and the engine layers doing them.

    ``w`` and ``b`` are in the book's shapes. Before the layer joins a :class:`Network`
    they are the initial draws; afterwards they are read from (and written to) the
    engine's arrays, translated (:class:`_BookWeight`).
    """

    n_in: int
    #: the engine layers holding the kernel and the bias, once the network is assembled
    engine: Layer | None = None
    bias_engine: Layer | None = None
    #: ``(channels, height, width)`` of the input when it comes from a convolution
    input_image: tuple[int, int, int] | None = None
    w = _BookWeight("engine", "kernel")
    b = _BookWeight("bias_engine", "bias")

    def __init__(self, w: np.ndarray, b: np.ndarray) -> None:
        self._w, self._b = w, b

    @property
    def params(self) -> list[np.ndarray]:
        """``[w, b]``, as the book lists a layer's parameters."""
        return [self.w, self.b]

    def kernel_from_book(self, w: np.ndarray) -> np.ndarray:
        """A dense layer's kernel: the book's ``(n_in, n_out)``, rows in the engine's order."""
        if self.input_image is None:
            return w
        c, h, width = self.input_image
        return w.reshape(c, h, width, -1).transpose(1, 2, 0, 3).reshape(w.shape)

    def kernel_to_book(self, kernel: np.ndarray) -> np.ndarray:
        if self.input_image is None:
            return kernel.astype(float)
        c, h, width = self.input_image
        return kernel.reshape(h, width, c, -1).transpose(2, 0, 1, 3).reshape(kernel.shape)

    def bias_from_book(self, b: np.ndarray) -> np.ndarray:
        """The bias is one number per output in both: the same array."""
        return b

    def bias_to_book(self, bias: np.ndarray) -> np.ndarray:
        return bias.copy()

    def assemble(self, input_image: tuple[int, int, int] | None) -> list[Layer]:
        """The engine layers of this layer, for an input that is flat (``None``) or an
        image ``(channels, height, width)``."""
        raise NotImplementedError

    def install(self) -> None:
        """Copy the book's weights into the engine layer (once the model is built)."""
        if self.engine is None or self.bias_engine is None:
            raise RuntimeError("the layer is not part of a network yet")
        self.engine.params["kernel"][...] = self.kernel_from_book(self._w)
        self.bias_engine.params["bias"][...] = self.bias_from_book(self._b)


class ConvPoolLayer(_BookLayer):
    """A convolution followed by max-pooling, as the book combines them.

    Parameters
    ----------
    filter_shape : (filters, input feature maps, height, width)
    image_shape : (mini_batch_size, input feature maps, height, width)
    poolsize : (int, int), default (2, 2)
    activation_fn : sigmoid, tanh, ReLU or linear, default sigmoid

    The filters are drawn from N(0, 1/n_out) with ``n_out = filters * height * width /
    prod(poolsize)``, the biases from N(0, 1), in that order, from ``np.random``.

    >>> import numpy as np
    >>> np.random.seed(0)
    >>> layer = ConvPoolLayer(filter_shape=(20, 1, 5, 5), image_shape=(10, 1, 28, 28))
    >>> layer.output_image
    (20, 12, 12)
    """

    def __init__(
        self,
        filter_shape: Sequence[int],
        image_shape: Sequence[int],
        poolsize: Sequence[int] = (2, 2),
        activation_fn: Callable[..., Any] = sigmoid,
    ) -> None:
        self.filter_shape = _dims("filter_shape", filter_shape, 4)
        self.image_shape = _dims("image_shape", image_shape, 4)
        self.poolsize = _dims("poolsize", poolsize, 2)
        self.activation_fn = activation_fn
        self._activation = _activation_name(activation_fn)
        filters, maps, kh, kw = self.filter_shape
        _, channels, height, width = self.image_shape
        if maps != channels:
            raise ValueError(
                f"filter_shape {self.filter_shape} reads {maps} feature maps but image_shape "
                f"{self.image_shape} has {channels}"
            )
        if kh > height or kw > width:
            raise ValueError(f"filters {kh}x{kw} do not fit images {height}x{width}")
        ph, pw = self.poolsize
        self.output_image = (filters, (height - kh + 1) // ph, (width - kw + 1) // pw)
        if min(self.output_image) < 1:
            raise ValueError(f"poolsize {self.poolsize} leaves no output for {self.image_shape}")
        self.n_in = channels * height * width
        self.n_out = math.prod(self.output_image)
        n_out = filters * kh * kw / (ph * pw)
        w = np.random.normal(loc=0, scale=np.sqrt(1.0 / n_out), size=self.filter_shape)
        b = np.random.normal(loc=0, scale=1.0, size=(filters,))
        super().__init__(w, b)

    def kernel_from_book(self, w: np.ndarray) -> np.ndarray:
        # Theano convolves (flipped filters); the engine correlates. (f, c, i, j) ->
        # (kh-1-i, kw-1-j, c, f).
        return w[:, :, ::-1, ::-1].transpose(2, 3, 1, 0)

    def kernel_to_book(self, kernel: np.ndarray) -> np.ndarray:
        return kernel.transpose(3, 2, 0, 1)[:, :, ::-1, ::-1].astype(float)

    def assemble(self, input_image: tuple[int, int, int] | None) -> list[Layer]:
        expected = tuple(self.image_shape[1:])
        if input_image is not None and input_image != expected:
            raise ValueError(
                f"ConvPoolLayer with image_shape {self.image_shape} receives feature maps "
                f"{input_image} from the layer before"
            )
        filters, _, kh, kw = self.filter_shape
        self.engine = Conv2D(filters, (kh, kw), use_bias=False, kernel_initializer="zeros")
        self.bias_engine = NielsenPoolBias(self._activation)
        return [self.engine, MaxPooling2D(self.poolsize), self.bias_engine]


class FullyConnectedLayer(_BookLayer):
    """A fully connected layer: ``activation_fn(x w + b)``, with the book's dropout.

    Weights N(0, 1/n_out) of shape ``(n_in, n_out)``, biases N(0, 1), from ``np.random``.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation_fn: Callable[..., Any] = sigmoid,
        p_dropout: float = 0.0,
    ) -> None:
        self.n_in, self.n_out = positive_int("n_in", n_in), positive_int("n_out", n_out)
        self.activation_fn = activation_fn
        self._activation = _activation_name(activation_fn)
        self.p_dropout = number("p_dropout", p_dropout, 0, 1, high_open=True)
        w = np.random.normal(loc=0.0, scale=np.sqrt(1.0 / n_out), size=(n_in, n_out))
        b = np.random.normal(loc=0.0, scale=1.0, size=(n_out,))
        super().__init__(w, b)

    def assemble(self, input_image: tuple[int, int, int] | None) -> list[Layer]:
        width = self.n_in if input_image is None else math.prod(input_image)
        if width != self.n_in:
            raise ValueError(
                f"{type(self).__name__} with n_in={self.n_in} receives {width} inputs "
                f"from the layer before"
            )
        self.input_image = input_image
        layers: list[Layer] = [Flatten()] if input_image is not None else []
        if self.p_dropout:
            layers.append(NielsenDropout(self.p_dropout, seed=book_dropout_seed()))
        self.engine = Dense(self.n_out, activation=self._activation, kernel_initializer="zeros")
        self.bias_engine = self.engine
        return [*layers, self.engine]


class SoftmaxLayer(FullyConnectedLayer):
    """The output layer: ``softmax(x w + b)``, weights and biases starting at zero; the
    cost is the log-likelihood ``-mean log a[y]`` (the engine's categorical
    cross-entropy, fused with the softmax into ``a - y``)."""

    def __init__(self, n_in: int, n_out: int, p_dropout: float = 0.0) -> None:
        self.n_in, self.n_out = positive_int("n_in", n_in), positive_int("n_out", n_out)
        self.activation_fn = None
        self._activation = "softmax"
        self.p_dropout = number("p_dropout", p_dropout, 0, 1, high_open=True)
        _BookLayer.__init__(self, np.zeros((n_in, n_out)), np.zeros((n_out,)))


def _same_shape(name: str, value: Any, current: np.ndarray) -> np.ndarray:
    """``value`` as a float array, checked to have the shape of the array it replaces."""
    value = np.asarray(value, dtype=float)
    if value.shape != current.shape:
        raise ValueError(f"{name} must have shape {current.shape}, got {value.shape}")
    return value


def _dims(name: str, value: Any, count: int) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) != count:
        raise ValueError(f"{name} must be a tuple of {count} positive integers, got {value!r}")
    return tuple(positive_int(name, v) for v in value)

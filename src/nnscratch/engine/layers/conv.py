"""``Conv2D``: the convolutional layer, channels-last as in Keras, by im2col.

A convolution slides ``filters`` small kernels (``kh x kw x in_channels`` each) over the
image and, at every position, takes the dot product of the kernel with the patch under
it (Nielsen, chapter 6: "local receptive fields" with "shared weights and biases")::

    z[b, p, q, f] = sum over (i, j, c) of  x[b, p*s + i, q*s + j, c] * K[i, j, c, f]  + bias[f]
    a = activation(z)

im2col: one matrix product
--------------------------
Written as loops that is six nested ``for``\\ s. The fast way, and the one this layer
uses, is to copy every patch into one row of a *patch matrix* (im2col)::

    cols[(b, p, q), (i, j, c)] = x[b, p*s + i, q*s + j, c]      shape (n * oh * ow, kh * kw * C)
    z = cols @ K.reshape(kh * kw * C, filters)                  one matrix product

so a convolution is a Dense layer applied to every patch at once. The copy is a single
``take`` with a precomputed index array (the positions of every patch's pixels in the
flattened image), and the rows come out in the order ``(b, p, q)`` with the filters last:
``z`` reshaped is already the channels-last output. Backpropagation is Dense's::

    dL/dK    = cols^T dz                         (kh*kw*C, filters): one product
    dL/dbias = sum of dz over every position
    dL/dcols = dz K^T                            one product
    dL/dx    = col2im(dL/dcols)                  every patch's gradient added back where the
                                                 patch came from (kh * kw slice additions)

``"same"`` padding follows Keras and TensorFlow exactly: the output has ``ceil(n / s)``
positions, the zeros added total ``max((out - 1) * s + k - n, 0)``, half of them (rounded
down) at the top/left and the rest at the bottom/right. ``"valid"`` adds none and keeps
``floor((n - k) / s) + 1`` positions.

Outside training the patch matrix is built for at most :data:`PATCH_BYTES` at a time
(``predict`` on 10,000 images would otherwise need gigabytes); the numbers are the same.
:mod:`nnscratch.engine.fast` runs this same arithmetic with reused buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers, regularizers
from ..checks import flag, positive_int
from .base import Shape, register_layer
from .settings import resolve_settings
from .windows import WindowLayer, padding_name, pair

__all__ = ["PATCH_BYTES", "Conv2D", "weight_settings"]

#: the largest patch matrix built at once outside training (bytes)
PATCH_BYTES = 64 * 2**20


def weight_settings(layer: Any) -> dict[str, Any]:
    """The activation, initializers, regularizers and ``use_bias`` of a layer with a
    kernel and a bias, JSON-ready: a custom initializer function is left out (the saved
    weights stand for it)."""
    config: dict[str, Any] = {"activation": activations.name_of(layer.activation)}
    for key, init in (("kernel", layer.kernel_initializer), ("bias", layer.bias_initializer)):
        kept = initializers.serialize(init)
        if kept is not None:
            config[f"{key}_initializer"] = kept
    for key, reg in (("kernel", layer.kernel_regularizer), ("bias", layer.bias_regularizer)):
        config[f"{key}_regularizer"] = None if reg is None else reg.get_config()
    config["use_bias"] = layer.use_bias
    return config


# -- the layer ------------------------------------------------------------------------------
@register_layer
class Conv2D(WindowLayer):
    """2-D convolution over ``(n, height, width, channels)`` images (channels last).

    Parameters
    ----------
    filters : int
        Number of kernels, i.e. output channels (Nielsen's "feature maps").
    kernel_size : int or (int, int)
        Height and width of each kernel: ``5`` means 5x5.
    strides : int or (int, int), default (1, 1)
        Step between positions, vertically and horizontally.
    padding : {"valid", "same"}, default "valid"
        ``"valid"``: only positions where the kernel fits; ``"same"``: zeros around the
        image so that ``ceil(n / stride)`` positions remain (TensorFlow's rule, the extra
        zero at the bottom/right).
    activation : str or Activation, optional
        ``"relu"``, ``"sigmoid"``, ... or ``None`` (linear), applied to every output.
    kernel_initializer : str or callable, default "glorot_uniform"
        Fans count the receptive field: ``fan_in = kh * kw * in_channels``.
    bias_initializer : str or callable, default "zeros"
    kernel_regularizer, bias_regularizer : Regularizer, optional
    use_bias : bool, default True
    **kwargs
        ``name``, ``input_shape=(height, width, channels)`` for the first layer, ``seed``.

    The kernel has shape ``(kh, kw, in_channels, filters)`` and the bias ``(filters,)``,
    as Keras' ``get_weights()`` gives them. The arguments after ``padding`` are keywords
    only: Keras' fifth positional argument is ``data_format`` (nnscratch is channels-last
    throughout), so a positional call means the same here or fails.

    Examples
    --------
    >>> from nnscratch.layers import Conv2D
    >>> Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1))
    Conv2D(20, (5, 5), strides=(1, 1), padding='valid', activation='relu')
    """

    array_api = True  # written with self.xp: runs on any array namespace

    what = "kernel"

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = (1, 1),
        padding: str = "valid",
        *,
        activation: str | activations.Activation | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: regularizers.Regularizer | None = None,
        bias_regularizer: regularizers.Regularizer | None = None,
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = positive_int("filters", filters)
        self.kernel_size = self.window = pair("kernel_size", kernel_size)
        self.strides = pair("strides", strides)
        self.padding = padding_name(padding)
        self.activation = activations.get(activation)
        resolve_settings(self, "kernel", kernel_initializer, kernel_regularizer)
        resolve_settings(self, "bias", bias_initializer, bias_regularizer)
        self.use_bias = flag("use_bias", use_bias)
        self._index: np.ndarray | None = None  # where each patch's pixels are (made once)

    def build(self, input_shape: Shape) -> None:
        self.check_input_shape(input_shape)
        shape = (*self.kernel_size, input_shape[2], self.filters)
        init, reg = self.kernel_initializer, self.kernel_regularizer
        self.kernel = self.add_weight("kernel", shape, init, reg)
        if self.use_bias:
            init, reg = self.bias_initializer, self.bias_regularizer
            self.bias = self.add_weight("bias", (self.filters,), init, reg)
        self._index = None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*self.output_size(input_shape), self.filters)

    # -- im2col ------------------------------------------------------------------------
    def patch_index(self) -> np.ndarray:
        """For every output position ``(p, q)`` and kernel cell ``(i, j)``, in that
        order, where its pixel is in the flattened padded image: ``(p*sh + i) * width +
        (q*sw + j)``. ``take`` along that axis copies every patch at once. Made once with
        NumPy, kept in the layer's namespace."""
        if self._index is None:
            (oh, ow), (kh, kw), (sh, sw) = self.output_shape[:2], self.kernel_size, self.strides
            width = self.padded_shape()[1]
            rows = np.arange(oh)[:, None, None, None] * sh + np.arange(kh)[None, None, :, None]
            cols = np.arange(ow)[None, :, None, None] * sw + np.arange(kw)[None, None, None, :]
            self._index = self.xp.asarray((rows * width + cols).reshape(-1))
        return self._index

    def patches(self, x: np.ndarray) -> np.ndarray:
        """The patch matrix ``cols``, ``(n * oh * ow, kh * kw * channels)``: row ``(b, p,
        q)`` holds the pixels under the kernel at output position ``(p, q)`` of image
        ``b``, in the kernel's ``(i, j, c)`` order."""
        xp, padded = self.xp, self.pad(x)
        n, height, width, channels = padded.shape
        flat = xp.reshape(padded, (n, height * width, channels))
        return xp.reshape(xp.take(flat, self.patch_index(), axis=1), (n * self.positions(), -1))

    def positions(self) -> int:
        """Output positions per image, ``oh * ow``: the patch matrix's rows per image."""
        return self.output_shape[0] * self.output_shape[1]

    def col2im(self, dcols: np.ndarray) -> np.ndarray:
        """dL/dx from dL/dcols: every patch's gradient is added back onto the pixels it
        was copied from, one kernel cell at a time; the padding's share is dropped."""
        n = dcols.shape[0] // self.positions()
        channels = self.input_shape[2]
        dcols = self.xp.reshape(dcols, (n, *self.output_shape[:2], *self.kernel_size, channels))
        dx = self.xp.zeros((n, *self.padded_shape(), channels), dtype=dcols.dtype)
        for i, j, cell in self.cells():
            dx[cell] += dcols[:, :, :, i, j, :]
        return dx[self.interior()]

    # -- forward and backward ----------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.check_batch(x)
        if training:
            self.cols = self.patches(x)
            self.a = self.activate(self.cols)  # (n * oh * ow, filters)
            return self.xp.reshape(self.a, (x.shape[0], *self.output_shape))
        per_image = self.positions() * (self.kernel.size // self.filters) * self.dtype.itemsize
        step, n = max(1, PATCH_BYTES // per_image), x.shape[0]  # predict: bounded patch matrices
        parts = [
            self.activate(self.patches(x[s : min(s + step, n), ...])) for s in range(0, n, step)
        ]
        out = parts[0] if len(parts) == 1 else self.xp.concat(parts)
        return self.xp.reshape(out, (n, *self.output_shape))

    def activate(self, cols: np.ndarray) -> np.ndarray:
        """``activation(cols @ K + bias)``, one row per output position."""
        z = cols @ self.xp.reshape(self.kernel, (-1, self.filters))  # z = cols K + b
        if self.use_bias:
            z += self.bias
        return self.activation.forward(z)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        # dL/dz = dL/da * f'(z), one row per output position (a softmax acts on the filters)
        grad = self.xp.reshape(grad, self.a.shape)
        return self.backward_z(self.activation.backward(grad, self.a))

    def backward_z(self, dz: np.ndarray) -> np.ndarray:
        """Backpropagate ``dz`` = dL/dz, the gradient before the activation (the training
        step calls this directly when the loss folded the activation in)."""
        xp = self.xp
        dz, kernel = xp.reshape(dz, (-1, self.filters)), xp.reshape(self.kernel, (-1, self.filters))
        self.grads["kernel"] = xp.reshape(self.cols.T @ dz, self.kernel.shape)  # cols^T dz
        if self.use_bias:
            self.grads["bias"] = xp.sum(dz, axis=0)  # over every position of every image
        return self.col2im(dz @ kernel.T)  # dL/dcols = dz K^T, then back to the pixels

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "filters": self.filters}
        config["kernel_size"] = list(self.kernel_size)
        config["strides"] = list(self.strides)
        config["padding"] = self.padding
        return {**config, **weight_settings(self)}

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.filters}, {self.kernel_size}, strides={self.strides}, "
            f"padding={self.padding!r}, activation={self.activation.name!r})"
        )

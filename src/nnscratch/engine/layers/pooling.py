"""Pooling: shrink each feature map by a window summary, or to one number per channel.

Nielsen, chapter 6: "a pooling layer takes each feature map output from the
convolutional layer and prepares a condensed feature map". With a 2x2 pool and stride 2
every non-overlapping 2x2 block of every channel becomes one number: its maximum
(max-pooling, what the book uses) or its mean. Pooling has no weights.

How it is computed
------------------
One cell ``(i, j)`` of every window is a strided slice of the image (see
:mod:`~nnscratch.engine.layers.windows`), so the pooled image is the elementwise max (or
sum) of ``ph * pw`` slices, and the backward pass sends the gradient back through the same
slices:

* max: the gradient of each window goes to the cell that held its maximum; when several
  cells tie, to the first of them in row-major order (TensorFlow's and PyTorch's rule),
  so the gradient is never counted twice;
* average: each cell of a window gets ``grad / count``, where ``count`` is the number of
  real (not padded) cells in the window.

``"same"`` padding follows TensorFlow: max-pooling ignores the padded cells (they hold
``-inf``) and average-pooling divides by the real cells only, so a window that hangs over
the edge averages what it covers.

``GlobalAveragePooling2D`` and ``GlobalMaxPooling2D`` take the whole map as the window:
``(n, height, width, channels)`` becomes ``(n, channels)``, one number per feature map,
which a ``Dense`` layer can read without a ``Flatten`` (Keras' image classifiers end so).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import flag
from .base import Shape, register_layer
from .windows import ImageLayer, WindowLayer, padding_name, pair

__all__ = ["AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "MaxPooling2D"]


class Pooling2D(WindowLayer):
    """What both pooling layers share: arguments, shapes and config (Keras' names).

    Parameters
    ----------
    pool_size : int or (int, int), default (2, 2)
        Window height and width.
    strides : int or (int, int), optional
        Step between windows; ``None`` (the default) means ``pool_size``:
        non-overlapping windows.
    padding : {"valid", "same"}, default "valid"
    **kwargs
        ``name``, ``input_shape``, ``seed`` (see :class:`~nnscratch.engine.layers.base.Layer`).
    """

    array_api = True  # written with self.xp: runs on any array namespace

    what = "pool"

    def __init__(
        self,
        pool_size: int | tuple[int, int] = (2, 2),
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = self.window = pair("pool_size", pool_size)
        self.strides = self.pool_size if strides is None else pair("strides", strides)
        self.padding = padding_name(padding)

    def build(self, input_shape: Shape) -> None:
        self.check_input_shape(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*self.output_size(input_shape), input_shape[2])

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "pool_size": list(self.pool_size)}
        return {**config, "strides": list(self.strides), "padding": self.padding}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.pool_size}, strides={self.strides}, "
            f"padding={self.padding!r})"
        )


@register_layer
class MaxPooling2D(Pooling2D):
    """The maximum of each ``pool_size`` window of each channel.

    Examples
    --------
    >>> from nnscratch.layers import MaxPooling2D
    >>> MaxPooling2D(2)
    MaxPooling2D((2, 2), strides=(2, 2), padding='valid')
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.check_batch(x)
        padded = self.pad(x, -math.inf)  # padded cells never win
        out = None
        for _, _, cell in self.cells():
            out = padded[cell] if out is None else self.xp.maximum(out, padded[cell])
        if training:
            self.x, self.out = padded, out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        # Each window's gradient goes to its first cell holding the maximum.
        xp = self.xp
        dx = xp.zeros(self.x.shape, dtype=grad.dtype)
        taken = xp.zeros(grad.shape, dtype=xp.bool)
        for _, _, cell in self.cells():
            first = (self.x[cell] == self.out) & ~taken
            taken |= first
            dx[cell] += grad * xp.astype(first, grad.dtype)
        return dx[self.interior()]


@register_layer
class AveragePooling2D(Pooling2D):
    """The mean of each ``pool_size`` window of each channel (of its real cells, under
    ``"same"`` padding).

    Examples
    --------
    >>> from nnscratch.layers import AveragePooling2D
    >>> AveragePooling2D(2, strides=1, padding="same")
    AveragePooling2D((2, 2), strides=(1, 1), padding='same')
    """

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        self._count: np.ndarray | None = None

    def count(self) -> np.ndarray:
        """Real cells in each window, ``(oh, ow, 1)``: the pool's area but at the edges
        of a ``"same"``-padded image."""
        if self._count is None:
            dtype = getattr(self.xp, self.dtype.name)  # the namespace's float32 or float64
            real = self.pad(self.xp.ones((1, *self.input_shape[:2], 1), dtype=dtype))
            total = sum(real[cell] for _, _, cell in self.cells())
            self._count = total[0, ...]
        return self._count

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.check_batch(x)
        padded = self.pad(x)  # zeros: they add nothing to the sum
        total = None
        for _, _, cell in self.cells():
            total = padded[cell] if total is None else total + padded[cell]
        return total / self.count()

    def backward(self, grad: np.ndarray) -> np.ndarray:
        share = grad / self.count()  # every real cell of a window gets grad / count
        dx = self.xp.zeros((grad.shape[0], *self.padded_shape(), grad.shape[3]), dtype=grad.dtype)
        for _, _, cell in self.cells():
            dx[cell] += share
        return dx[self.interior()]


class GlobalPooling2D(ImageLayer):
    """What both global pooling layers share: ``keepdims`` and the shapes.

    Parameters
    ----------
    keepdims : bool, default False
        Keep the height and width axes, of size 1: ``(n, 1, 1, channels)``.
    **kwargs
        ``name``, ``input_shape``, ``seed`` (see :class:`~nnscratch.engine.layers.base.Layer`).
    """

    array_api = True  # written with self.xp: runs on any array namespace

    def __init__(self, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keepdims = flag("keepdims", keepdims)

    def build(self, input_shape: Shape) -> None:
        self.check_input_shape(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (1, 1, input_shape[2]) if self.keepdims else (input_shape[2],)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(keepdims={self.keepdims})"

    def spread(self, grad: np.ndarray) -> np.ndarray:
        """``grad`` of one number per map as ``(n, 1, 1, channels)``, to broadcast over
        the map."""
        return self.xp.reshape(grad, (grad.shape[0], 1, 1, self.input_shape[2]))


@register_layer
class GlobalAveragePooling2D(GlobalPooling2D):
    """The mean of each feature map: ``(n, h, w, c)`` to ``(n, c)``. Each cell of a map
    gets ``1 / (h * w)`` of its mean's gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from nnscratch import Sequential
    >>> from nnscratch.layers import GlobalAveragePooling2D
    >>> model = Sequential([GlobalAveragePooling2D(input_shape=(2, 2, 1))])
    >>> model.predict(np.array([[[[1.0], [2.0]], [[3.0], [6.0]]]]))  # one 2x2 map
    array([[3.]])
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.check_batch(x)
        return self.xp.mean(x, axis=(1, 2), keepdims=self.keepdims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        h, w, c = self.input_shape
        share = self.spread(grad) / (h * w)
        return share * self.xp.ones((1, h, w, c), dtype=grad.dtype)


@register_layer
class GlobalMaxPooling2D(GlobalPooling2D):
    """The largest value of each feature map: ``(n, h, w, c)`` to ``(n, c)``. Its gradient
    goes to the cell that held it (of equal ones, the first in row-major order, as
    :class:`MaxPooling2D`).

    Examples
    --------
    >>> import numpy as np
    >>> from nnscratch import Sequential
    >>> from nnscratch.layers import GlobalMaxPooling2D
    >>> maps = np.arange(8.0).reshape(1, 2, 2, 2)  # two 2x2 maps: 0 2 4 6 and 1 3 5 7
    >>> Sequential([GlobalMaxPooling2D(input_shape=(2, 2, 2))]).predict(maps)
    array([[6., 7.]])
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.check_batch(x)
        if training:
            self.x = x
        return self.xp.max(x, axis=(1, 2), keepdims=self.keepdims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp, (n, h, w, c) = self.xp, self.x.shape
        flat = xp.reshape(self.x, (n, h * w, c))
        first = xp.argmax(flat, axis=1)  # (n, c): where each map's maximum first stands
        held = xp.reshape(xp.arange(h * w), (1, h * w, 1)) == xp.reshape(first, (n, 1, c))
        return xp.reshape(xp.astype(held, grad.dtype), (n, h, w, c)) * self.spread(grad)

"""What convolution and pooling share: a window sliding over an image.

Both :class:`~nnscratch.engine.layers.conv.Conv2D` and the pooling layers look at a
``kh x kw`` window of a channels-last image ``(n, height, width, channels)``, moved by
``strides``, with ``padding`` ``"valid"`` (only where the window fits) or ``"same"``
(TensorFlow's rule, which Keras follows)::

    valid:  out = floor((n - k) / s) + 1            no padding
    same:   out = ceil(n / s)                       total = max((out - 1) * s + k - n, 0)
                                                    top/left = total // 2, the rest bottom/right

One window cell ``(i, j)`` of *every* window at once is a strided slice of the padded
image, ``x[:, i : i + s*(oh-1) + 1 : s, j : ...]``, of shape ``(n, oh, ow, channels)``:
pooling takes the max or the mean of the ``kh * kw`` slices, and the convolution's
``col2im`` adds its patch gradients back through the same slices. When the stride equals
the window (2x2 pooling) these slices are exactly the windows of
``x.reshape(n, oh, 2, ow, 2, c)``; a loop over the cells of views is several times
faster in NumPy than a reduction over those reshaped axes, and it serves every stride.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..checks import one_of, positive_int
from .base import Layer, Shape

__all__ = [
    "PADDINGS",
    "ImageLayer",
    "WindowLayer",
    "output_length",
    "padding_name",
    "pair",
    "same_padding",
]

PADDINGS = ("valid", "same")


def pair(name: str, value: Any) -> tuple[int, int]:
    """``3`` or ``(3, 3)`` (or a list) as ``(3, 3)``; positive integers only.

    >>> pair("kernel_size", 5), pair("strides", [2, 1])
    ((5, 5), (2, 1))
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (positive_int(name, value),) * 2
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (positive_int(name, value[0]), positive_int(name, value[1]))
    raise (ValueError if isinstance(value, (tuple, list)) else TypeError)(
        f"{name} must be a positive integer or a pair of them such as (2, 2), got {value!r}"
    )


def padding_name(value: Any) -> str:
    """``"valid"`` or ``"same"`` (in any case, as Keras accepts them)."""
    return one_of("padding", value.lower() if isinstance(value, str) else value, PADDINGS)


def output_length(n: int, k: int, s: int, padding: str) -> int:
    """Window positions along an axis of ``n`` cells, for a window ``k`` and stride ``s``.

    >>> output_length(28, 5, 1, "valid"), output_length(28, 5, 2, "same")
    (24, 14)
    """
    if padding == "same":
        return -(-n // s)
    return (n - k) // s + 1 if n >= k else 0


def same_padding(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """Cells added ``(before, after)`` along an axis: none for ``"valid"``.

    >>> same_padding(5, 2, 2, "same")  # out 3, total (3 - 1) * 2 + 2 - 5 = 1: at the end
    (0, 1)
    """
    if padding != "same":
        return (0, 0)
    total = max((output_length(n, k, s, padding) - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


class ImageLayer(Layer):
    """Base of the layers that take ``(height, width, channels)`` images: the checks of
    their input shape and of a batch."""

    def check_input_shape(self, input_shape: Shape) -> None:
        """Refuse anything but ``(height, width, channels)``."""
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} expects inputs of shape (n, height, width, channels), "
                f"got (None, {', '.join(map(str, input_shape))}); give grey images one "
                f"channel: x.reshape(-1, height, width, 1) and input_shape=(height, width, 1)"
            )

    def check_batch(self, x: np.ndarray) -> None:
        """A clear error for a batch that is not ``(n, *input_shape)``."""
        if x.shape[1:] != self.input_shape:
            raise ValueError(
                f"{self.describe()} expects inputs of shape (n, "
                f"{', '.join(map(str, self.input_shape))}), got {x.shape}"
            )


class WindowLayer(ImageLayer):
    """Base of the layers that slide a window over ``(height, width, channels)`` images.

    Subclasses set ``window`` (the kernel or pool size), ``strides`` and ``padding`` in
    ``__init__`` and ``what`` (``"kernel"``, ``"pool"``) for the messages.
    """

    window: tuple[int, int] = (1, 1)
    strides: tuple[int, int] = (1, 1)
    padding = "valid"
    what = "window"

    def check_input_shape(self, input_shape: Shape) -> None:
        """Refuse anything but ``(height, width, channels)``, and under ``"valid"`` an
        image smaller than the window (no position would be left)."""
        super().check_input_shape(input_shape)
        (kh, kw), (h, w) = self.window, input_shape[:2]
        if self.padding == "valid" and (h < kh or w < kw):
            raise ValueError(
                f"{self.describe()}: a {kh}x{kw} {self.what} with padding='valid' needs "
                f"images of at least {kh}x{kw}, got {h}x{w}; use a smaller {self.what} or "
                f"padding='same'"
            )

    def output_size(self, input_shape: Shape) -> tuple[int, int]:
        """``(out_height, out_width)`` for images of ``input_shape``."""
        self.check_input_shape(input_shape)
        (h, w), (kh, kw), (sh, sw) = input_shape[:2], self.window, self.strides
        return output_length(h, kh, sh, self.padding), output_length(w, kw, sw, self.padding)

    def margins(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The padding ``((top, bottom), (left, right))``; all 0 for ``"valid"``."""
        (h, w), (kh, kw), (sh, sw) = self.input_shape[:2], self.window, self.strides
        return same_padding(h, kh, sh, self.padding), same_padding(w, kw, sw, self.padding)

    def padded_shape(self) -> tuple[int, int]:
        """Height and width of the image with its padding."""
        (top, bottom), (left, right) = self.margins()
        return self.input_shape[0] + top + bottom, self.input_shape[1] + left + right

    def pad(self, x: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """``x`` inside a border of ``fill`` (``x`` itself when there is no padding)."""
        if self.padded_shape() == self.input_shape[:2]:
            return x
        shape = (x.shape[0], *self.padded_shape(), x.shape[3])
        padded = self.xp.full(shape, fill, dtype=x.dtype)
        padded[self.interior()] = x
        return padded

    def interior(self) -> tuple[slice, ...]:
        """The index of the real image inside the padded one (the trailing ``...``, the
        channels, is what the Array API standard asks for; NumPy implies it)."""
        (h, w), ((top, _), (left, _)) = self.input_shape[:2], self.margins()
        return (slice(None), slice(top, top + h), slice(left, left + w), ...)

    def cells(self) -> Iterator[tuple[int, int, tuple[slice, ...]]]:
        """``(i, j, index)`` for every window cell in row-major order: ``padded[index]``
        is cell ``(i, j)`` of every window, shape ``(n, oh, ow, channels)``."""
        (oh, ow), (sh, sw) = self.output_shape[:2], self.strides
        for i in range(self.window[0]):
            rows = slice(i, i + sh * (oh - 1) + 1, sh)
            for j in range(self.window[1]):
                yield i, j, (slice(None), rows, slice(j, j + sw * (ow - 1) + 1, sw), ...)

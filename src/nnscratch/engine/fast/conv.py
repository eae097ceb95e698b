"""The fast path's kernels for ``Conv2D`` and ``MaxPooling2D`` (:mod:`~nnscratch.engine.fast`
uses them; read that module first).

A kernel holds a layer's training arrays, reused every step: ``forward(x)`` and
``backward(grad, fused)`` (``None`` for the first layer, whose input gradient nobody
needs), writing the weight gradients into the fast step's gradient vector. The padded
image, the patch matrix, its gradient and the pooling masks are made once per batch
size; a first convolution skips its input gradient (its ``col2im`` and one of its three
matrix products), and ``col2im`` adds in place. The patch layout, the index array and
every product are the plain layers' own, so the numbers are the same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import Softmax
from ..layers import Conv2D, MaxPooling2D

__all__ = ["kernel"]


class _ConvKernel:
    """A Conv2D layer's training arrays for batches of ``n`` images, reused every step.

    The plain layer's arithmetic (its patch index, ``cols @ K``, ``cols^T dz``, ``dz
    K^T``, col2im in the same cell order), writing into buffers instead of new arrays.
    """

    def __init__(self, layer: Conv2D, index: int, grads: dict[str, np.ndarray], last: bool) -> None:
        self.layer, self.index = layer, index
        self.kernel = layer.params["kernel"].reshape(-1, layer.filters)  # views of the weights
        self.bias = layer.params.get("bias")
        self.reg_kernel = layer.regularizers.get("kernel")
        self.reg_bias = layer.regularizers.get("bias")
        self.grad_kernel = grads[f"{index}.kernel"]
        self.grad_bias = grads.get(f"{index}.bias")
        self.separate_output = isinstance(layer.activation, Softmax)
        self.n = -1

    def buffers(self, n: int, dtype: np.dtype) -> None:
        layer = self.layer
        rows, width = n * layer.positions(), self.kernel.shape[0]
        self.n, channels = n, layer.input_shape[2]  # type: ignore[index]
        self.padded = None
        if layer.padded_shape() != layer.input_shape[:2]:  # type: ignore[index]
            self.padded = np.zeros((n, *layer.padded_shape(), channels), dtype)  # border: 0
        self.cols = np.empty((rows, width), dtype)
        self.z = np.empty((rows, layer.filters), dtype)
        self.a = np.empty_like(self.z) if self.separate_output else self.z
        self.dz = np.empty_like(self.z)
        if self.index > 0:
            self.dcols = np.empty_like(self.cols)
            self.dx = np.empty((n, *layer.padded_shape(), channels), dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        layer = self.layer
        if x.shape[0] != self.n:
            self.buffers(x.shape[0], self.kernel.dtype)
        if self.padded is not None:
            np.copyto(self.padded[layer.interior()], x)
            x = self.padded
        n, height, width, channels = x.shape
        flat = x.reshape(n, height * width, channels)
        patches = self.cols.reshape(n, -1, channels)
        np.take(flat, layer.patch_index(), axis=1, out=patches, mode="clip")  # in range
        z = np.matmul(self.cols, self.kernel, out=self.z)
        if self.bias is not None:
            np.add(z, self.bias, out=z)
        a = layer.activation.forward(z, out=self.a)
        return a.reshape(n, *layer.output_shape)  # type: ignore[misc]

    def backward(self, grad: np.ndarray, fused: bool) -> np.ndarray | None:
        layer = self.layer
        grad = grad.reshape(self.z.shape)
        dz = grad if fused else layer.activation.backward(grad, self.a, out=self.dz)
        kernel_grad = self.grad_kernel.reshape(self.kernel.shape)
        np.matmul(self.cols.T, dz, out=kernel_grad)
        if self.reg_kernel is not None:
            w = layer.params["kernel"]
            np.copyto(self.grad_kernel, self.reg_kernel.add_to(w, self.grad_kernel))
        if self.bias is not None:
            np.add.reduce(dz, axis=0, out=self.grad_bias)
            if self.reg_bias is not None:
                np.copyto(self.grad_bias, self.reg_bias.add_to(self.bias, self.grad_bias))
        if self.index == 0:
            return None
        np.matmul(dz, self.kernel.T, out=self.dcols)
        shape = (self.n, *layer.output_shape[:2], *layer.kernel_size, layer.input_shape[2])  # type: ignore[index]
        dcols, dx = self.dcols.reshape(shape), self.dx
        dx.fill(0)
        for i, j, cell in layer.cells():  # col2im, in the plain layer's order
            view = dx[cell]
            np.add(view, dcols[:, :, :, i, j], out=view)
        return dx[layer.interior()]


class _MaxPoolKernel:
    """A MaxPooling2D layer's arrays, reused: the padded image, the output, the masks."""

    def __init__(self, layer: MaxPooling2D, index: int, grads: Any, last: bool) -> None:
        self.layer, self.index, self.n = layer, index, -1

    def buffers(self, n: int, dtype: np.dtype) -> None:
        layer = self.layer
        shape = (n, *layer.output_shape)  # type: ignore[misc]
        padded = (n, *layer.padded_shape(), layer.input_shape[2])  # type: ignore[index]
        self.n = n
        self.padded = None
        if padded[1:3] != layer.input_shape[:2]:  # type: ignore[index]
            self.padded = np.full(padded, -np.inf, dtype)  # the border never wins
        self.out, self.share = np.empty(shape, dtype), np.empty(shape, dtype)
        self.hit, self.taken = np.empty(shape, bool), np.empty(shape, bool)
        self.dx = np.empty(padded, dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        layer = self.layer
        if x.shape[0] != self.n:
            self.buffers(x.shape[0], x.dtype)
        if self.padded is not None:
            np.copyto(self.padded[layer.interior()], x)
            x = self.padded
        self.x = x
        out = self.out
        for i, j, cell in layer.cells():
            if i == j == 0:
                np.copyto(out, x[cell])
            else:
                np.maximum(out, x[cell], out=out)
        return out

    def backward(self, grad: np.ndarray, fused: bool) -> np.ndarray | None:
        layer, hit, taken, dx = self.layer, self.hit, self.taken, self.dx
        dx.fill(0)
        taken.fill(False)
        for _, _, cell in layer.cells():  # the first cell holding each window's maximum
            np.equal(self.x[cell], self.out, out=hit)
            np.greater(hit, taken, out=hit)  # hit and not taken
            np.logical_or(taken, hit, out=taken)
            np.multiply(grad, hit, out=self.share)
            view = dx[cell]
            np.add(view, self.share, out=view)
        return None if self.index == 0 else dx[layer.interior()]


#: the layers with a kernel here
_KERNELS: dict[type, Any] = {Conv2D: _ConvKernel, MaxPooling2D: _MaxPoolKernel}
#: what a subclass of Conv2D or MaxPooling2D must not override to run on their kernels
_ARITHMETIC = ("forward", "backward", "backward_z", "activate", "patches", "col2im", "cells")


def kernel(layer: Any) -> Any:
    """The kernel class that computes what ``layer`` computes, or None.

    Conv2D and MaxPooling2D by their exact class, and also for a subclass that only
    changes how the layer is made (``nnscratch.keras.layers.Conv2D`` translates Keras 1
    arguments) and keeps every method of the arithmetic.
    """
    kind = type(layer)
    if kind in _KERNELS:
        return _KERNELS[kind]
    for base in (Conv2D, MaxPooling2D):
        if isinstance(layer, base) and all(
            getattr(kind, name, None) is getattr(base, name, None) for name in _ARITHMETIC
        ):
            return _KERNELS[base]
    return None

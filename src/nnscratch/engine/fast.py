"""The fast path: the same training step as :mod:`~nnscratch.engine.training`, with fewer
NumPy calls. Read it after the plain path, or never: it changes no number.

At the tutorials' sizes (200 points, 3 hidden units) a training step is a few dozen NumPy
calls on tiny arrays, and the cost of each call (allocating its result, checking its
arguments) is most of the time. This module saves calls without changing any arithmetic:

* every Dense layer gets arrays that are reused from step to step (``out=``), for its
  pre-activations, outputs and gradients, instead of fresh ones;
* softmax is computed in three calls, without the overflow checks; when a row does
  overflow the loss comes out NaN or infinite, and only then is the output recomputed the
  careful way (:func:`~nnscratch.engine.activations.softmax`) and the loss measured again;
* the first layer's input gradient, which nobody needs, is not computed;
* mini-batches are gathered into a reused buffer instead of a fresh copy;
* with plain SGD (no momentum) all gradients live in one vector, so ``lr * g`` for every
  weight is a single call;
* a row sum over two columns (the tutorials' two classes) is one addition of two columns,
  which NumPy's row reduction computes in the same order;
* ``Conv2D`` and ``MaxPooling2D`` get reused buffers too (the padded image, the patch
  matrix, its gradient, the pooling masks), a first convolution skips its input gradient
  (its ``col2im`` and one of its three matrix products), and ``col2im`` adds in place. The
  patch layout, the index array and every product are the plain layers' own, so the
  numbers are the same bits.

``tests/test_fast_path.py`` pins the two paths bit-identical: every printed loss and every
final weight of the article's runs, for every sweep size of both data sets, and mini-batch
runs with other activations, losses, optimizers and dropout, and small convolutional
networks (strides, both paddings, float32 and float64). Layers this module does not know
(average pooling, your own) run their own plain ``forward``/``backward`` inside the fast
step. Runs with sample weights, weight constraints, activity regularizers or
non-trainable weights (batch normalization) are left to the plain path (:func:`handles`).
``NNSCRATCH_PLAIN=1`` (or ``with nnscratch.engine.training.plain_path():``) turns this
module off.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .activations import Softmax, softmax
from .backend import is_numpy
from .layers import Conv2D, Dense, MaxPooling2D
from .layers.base import check_gradient
from .optimizers import SGD
from .regularizers import L1L2

__all__ = ["handles", "make_step"]


class _AddRegularizer:
    """``grad <- reg.add_to(w, grad)`` in place. For a plain L2 (the tutorials' penalty)
    that is ``grad + (2 l2) w`` in two calls into a reused buffer, the plain path's own
    two operations; any other regularizer computes its own ``add_to``."""

    def __init__(self, reg: Any, w: np.ndarray) -> None:
        self.reg, self.w = reg, w
        self.two_l2 = None if _l2_only(reg) is None else reg._two_l2
        self.scaled = np.empty_like(w)

    def __call__(self, grad: np.ndarray) -> None:
        if self.two_l2 is None:
            np.copyto(grad, self.reg.add_to(self.w, grad))
            return
        np.multiply(self.w, self.two_l2, out=self.scaled)
        np.add(grad, self.scaled, out=grad)


def _add_regularizer(layer: Any, key: str) -> _AddRegularizer | None:
    reg = layer.regularizers.get(key)
    return None if reg is None else _AddRegularizer(reg, layer.params[key])


class _Kernel:
    """A layer's training arrays, reused every step: ``forward(x)`` and
    ``backward(grad, fused)`` (``None`` for the first layer, whose input gradient nobody
    needs), writing the weight gradients into the step's gradient vector."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, fused: bool) -> np.ndarray | None:
        raise NotImplementedError


class _DenseKernel(_Kernel):
    """A Dense layer's training arrays for batches of ``n`` rows, reused every step."""

    def __init__(self, layer: Dense, index: int, grads: dict[str, np.ndarray], last: bool) -> None:
        self.layer = layer
        self.index = index
        self.kernel = layer.params["kernel"]
        self.bias = layer.params.get("bias")
        self.reg_kernel = _add_regularizer(layer, "kernel")
        self.reg_bias = _add_regularizer(layer, "bias")
        self.grad_kernel = grads[f"{index}.kernel"]
        self.grad_bias = grads.get(f"{index}.bias")
        # The output layer's softmax takes three calls and a redo on overflow (below);
        # a softmax inside the network keeps the careful version.
        self.unchecked_softmax = last and isinstance(layer.activation, Softmax)
        self.separate_output = isinstance(layer.activation, Softmax)
        self.n = -1

    def buffers(self, n: int, dtype: np.dtype, width_in: int) -> None:
        units = self.kernel.shape[1]
        self.n = n
        self.z = np.empty((n, units), dtype)
        self.a = np.empty((n, units), dtype) if self.separate_output else self.z
        self.dz = np.empty((n, units), dtype)
        self.dx = np.empty((n, width_in), dtype) if self.index > 0 else None
        self.row_sum = np.empty((n, 1), dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] != self.n:
            self.buffers(x.shape[0], self.kernel.dtype, x.shape[1])
        self.x = x
        z = np.dot(x, self.kernel, out=self.z)
        if self.bias is not None:
            np.add(z, self.bias, out=z)
        if self.unchecked_softmax:  # exp(z) / sum(exp(z)); z stays intact for a redo
            e = np.exp(z, out=self.a)
            if e.shape[1] == 2:
                np.add(e[:, 0:1], e[:, 1:2], out=self.row_sum)
            else:
                np.add.reduce(e, axis=1, keepdims=True, out=self.row_sum)
            return np.divide(e, self.row_sum, out=e)
        return self.layer.activation.forward(z, out=self.a)

    def redo_softmax(self) -> None:
        """Recompute the softmax output the careful way, after an overflow."""
        softmax(self.z, out=self.a)

    def backward(self, grad: np.ndarray, fused: bool) -> np.ndarray | None:
        dz = grad if fused else self.layer.activation.backward(grad, self.a, out=self.dz)
        np.dot(self.x.T, dz, out=self.grad_kernel)
        if self.reg_kernel is not None:
            self.reg_kernel(self.grad_kernel)
        if self.bias is not None:
            np.add.reduce(dz, axis=0, out=self.grad_bias)
            if self.reg_bias is not None:
                self.reg_bias(self.grad_bias)
        if self.dx is None:
            return None
        return np.dot(dz, self.kernel.T, out=self.dx)


class _ConvKernel(_Kernel):
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


class _MaxPoolKernel(_Kernel):
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


#: the layers this module knows, by exact class (a subclass may compute differently)
_KERNELS: dict[type, Any] = {Dense: _DenseKernel, Conv2D: _ConvKernel, MaxPooling2D: _MaxPoolKernel}
#: what a subclass of Conv2D or MaxPooling2D must not override to run on their kernels
_ARITHMETIC = ("forward", "backward", "backward_z", "activate", "patches", "col2im", "cells")


def _kernel(layer: Any) -> Any:
    """The kernel class that computes what ``layer`` computes, or None.

    Dense by its exact class; Conv2D and MaxPooling2D also for a subclass that only
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


class _FastStep:
    """``compute`` and ``update`` for :func:`~nnscratch.engine.training.fit_loop`."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.loss = model.loss
        self.optimizer = model.optimizer
        self.params = model.parameters(trainable=True)
        size = sum(p.size for p in self.params.values())
        self.flat_grads = np.zeros(size, model.dtype)
        self.scaled = np.empty(size, model.dtype)  # lr * g, for plain SGD
        self.grads: dict[str, np.ndarray] = {}
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []
        offset = 0
        for key, p in self.params.items():  # every gradient is a view into one vector
            part = slice(offset, offset + p.size)
            self.grads[key] = self.flat_grads[part].reshape(p.shape)
            self.pairs.append((p, self.scaled[part].reshape(p.shape)))
            offset += p.size
        count = len(model.layers)
        self.units: list[Any] = [
            _kernel(layer)(layer, i, self.grads, i == count - 1) if _kernel(layer) else layer
            for i, layer in enumerate(model.layers)
        ]
        # the penalty as model.penalty() adds it up: per layer, then over the layers
        self.penalized = [
            [(_l2_only(reg), reg, layer.params[key]) for key, reg in layer.regularizers.items()]
            for layer in model.layers
            if layer.regularizers
        ]
        act = getattr(model.layers[-1], "activation", None)
        self.fused = act is not None and act.name == self.loss.fused_activation
        # each unit's forward(x) and, last first, backward(grad), as plain calls
        last = len(self.units) - 1
        self.forwards = [_forward(unit) for unit in self.units]
        self.backwards = [
            self._backward_of(i, self.fused and i == last) for i in range(last, -1, -1)
        ]
        self.redo = self.units[-1] if getattr(self.units[-1], "unchecked_softmax", 0) else None
        self.plain_sgd = type(self.optimizer) is SGD and not self.optimizer.momentum
        self.gathered: dict[str, np.ndarray] = {}
        self.delta: np.ndarray | None = None

    def penalty(self) -> float:
        """``model.penalty()``'s sum, in its order; a plain L2 as its ``l2 * (W . W)``."""
        total = 0.0
        for pairs in self.penalized:
            part = 0.0
            for l2, reg, w in pairs:
                part += reg.penalty(w) if l2 is None else l2 * float(np.vdot(w, w))
            total += part
        return total

    def gather(self, name: str, source: np.ndarray, index: Any) -> np.ndarray:
        """``source[index]``: a view for a slice, else a copy into a reused buffer."""
        if isinstance(index, slice):
            return source[index]
        buf = self.gathered.get(name)
        if buf is None or buf.shape[0] < len(index):
            buf = self.gathered[name] = np.empty((len(index), *source.shape[1:]), source.dtype)
        # mode="clip" writes straight into `out`; the indices come from a permutation.
        return np.take(source, index, axis=0, out=buf[: len(index)], mode="clip")

    def compute(
        self, x: np.ndarray, targets: np.ndarray, index: Any
    ) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
        xb, yb = self.gather("x", x, index), self.gather("y", targets, index)
        out = xb
        for forward in self.forwards:
            out = forward(out)
        loss_fn = self.loss
        total = loss_fn.total(yb, out)
        if self.redo is not None and not math.isfinite(total):
            self.redo.redo_softmax()  # a row overflowed on the three-call softmax
            total = loss_fn.total(yb, out)
        value = loss_fn.objective(total, self.penalty(), out.shape[0])
        if not math.isfinite(value):
            return value, out, self.grads
        if self.delta is None or self.delta.shape != out.shape:
            self.delta = np.empty_like(out)
        if self.fused:
            grad: Any = loss_fn.fused_gradient(yb, out, out=self.delta)
        else:
            grad = loss_fn.gradient(yb, out)
        for backward in self.backwards:
            grad = backward(grad)
        return value, out, self.grads

    def _backward_of(self, i: int, fused: bool) -> Callable[[np.ndarray], Any]:
        """Unit ``i``'s ``backward(grad)`` (``fused``: ``grad`` is already dL/dz)."""
        unit = self.units[i]
        if isinstance(unit, _Kernel):
            return functools.partial(unit.backward, fused=fused)
        return functools.partial(self._layer_backward, i, fused=fused)

    def _layer_backward(self, i: int, grad: np.ndarray, fused: bool) -> Any:
        unit = self.units[i]
        grad = unit.backward_z(grad) if fused else unit.backward(grad)
        for key, g in unit.grads.items():  # a layer this module does not know
            check_gradient(unit, key, g)
            reg = unit.regularizers.get(key)
            np.copyto(
                self.grads[f"{i}.{key}"], g if reg is None else reg.add_to(unit.params[key], g)
            )
        return grad

    def update(self, grads: dict[str, np.ndarray]) -> None:
        """The optimizer's step on the gradients :meth:`compute` left in ``self.grads``."""
        if not self.plain_sgd:
            self.optimizer.step(self.params, self.grads)
            return
        # w <- w - lr g for every weight: lr g in one call, then one subtraction each.
        np.multiply(self.flat_grads, self.optimizer.learning_rate, out=self.scaled)
        for p, scaled in self.pairs:
            np.subtract(p, scaled, out=p)
        self.optimizer.iterations += 1


def _forward(unit: Any) -> Callable[[np.ndarray], np.ndarray]:
    """``unit``'s training forward pass as a one-argument call."""
    if isinstance(unit, _Kernel):
        return unit.forward
    return functools.partial(unit.forward, training=True)


def _l2_only(reg: Any) -> float | None:
    """``l2`` of a regularizer that is a plain L2 penalty (``L1L2`` without ``l1``)."""
    return reg.l2 if type(reg) is L1L2 and reg.l2 and not reg.l1 else None


def handles(model: Any, weights: Any) -> bool:
    """True when this module computes ``model``'s steps. Runs with sample weights, weight
    constraints, activity regularizers or non-trainable weights (the statistics that
    ``BatchNormalization`` updates in its forward pass) go to the plain path, which knows
    them, and so do models on another array namespace than NumPy (a GPU): this module is
    NumPy's."""
    special = any(x.constraints or x.activity_regularizer or x.non_trainable for x in model.layers)
    return weights is None and not special and is_numpy(model.xp)


def make_step(model: Any) -> tuple[Callable[..., Any], Callable[..., None]]:
    """The fast ``(compute, update)`` pair for ``model`` (same numbers as the plain one)."""
    step = _FastStep(model)
    return step.compute, step.update

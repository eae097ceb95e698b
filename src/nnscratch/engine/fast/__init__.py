"""The fast path: the same training step as :mod:`~nnscratch.engine.training`, with fewer
NumPy calls. Read it after the plain path, or never: it changes no number.

At the tutorials' sizes (200 points, 3 hidden units) a training step is a few dozen NumPy
calls on tiny arrays, and the cost of each call (allocating its result, checking its
arguments, and the Python around it: attribute look-ups, branches, dictionaries) is most
of the time. This module saves that cost without changing any arithmetic:

* every Dense layer gets arrays that are reused from step to step (``out=``), for its
  pre-activations, outputs and gradients, instead of fresh ones;
* a network of Dense layers prepares its whole step once, as a *tape* of NumPy calls
  with their arrays bound (:class:`_Tape`); each training step on the same batch arrays
  runs the tape again, a loop of calls with nothing else in between;
* softmax is computed in three calls, without the overflow checks; when a row does
  overflow the loss comes out NaN or infinite, and only then is the output recomputed the
  careful way (:func:`~nnscratch.engine.activations.softmax`) and the loss measured again;
* the cross-entropy is the loss's own three calls into a reused buffer, the quadratic cost
  (Nielsen's chapter 1) its ``a - y`` and one dot product, and the gradient of either,
  ``(a - y) / n``, two calls;
* tanh (forward and backward) and the sigmoid's backward pass run as their own calls (the
  same calls as :mod:`~nnscratch.engine.activations`) on reused buffers;
* the first layer's input gradient, which nobody needs, is not computed;
* mini-batches are gathered into a reused buffer instead of a fresh copy (for a kept
  tape a slice of the data is copied into one too, so the tape finds its arrays);
* with plain SGD (no momentum) all gradients live in one vector, so ``lr * g`` for every
  weight is a single call;
* a row sum over two columns (the tutorials' two classes) is one addition of two columns,
  which NumPy's row reduction computes in the same order;
* ``np.dot`` and ``np.vdot`` are called as the arrays' ``dot`` method: the same C
  function and the same bits, without NumPy's dispatch in front of it;
* ``Conv2D`` and ``MaxPooling2D`` get reused buffers too (:mod:`~nnscratch.engine.fast.conv`).

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
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..activations import Sigmoid, Softmax, Tanh, softmax
from ..backend import is_numpy
from ..layers import Dense
from ..layers.base import Layer, check_gradient
from ..losses import CategoricalCrossentropy, Loss, Quadratic
from ..optimizers import SGD
from ..regularizers import L1L2
from .conv import kernel as conv_kernel

__all__ = ["handles", "make_step"]


class _AddRegularizer:
    """``grad <- reg.add_to(w, grad)`` in place, as steps (see :class:`_DenseKernel`). For a
    plain L2 (the tutorials' penalty) that is ``grad + (2 l2) w`` in two calls into a reused
    buffer, the plain path's own two operations; any other regularizer computes its own
    ``add_to``."""

    def __init__(self, reg: Any, w: np.ndarray) -> None:
        self.reg, self.w = reg, w
        self.two_l2 = None if _l2_only(reg) is None else reg._two_l2
        self.scaled = np.empty_like(w)

    def steps(self, grad: np.ndarray) -> Steps:
        if self.two_l2 is None:
            return [lambda: np.copyto(grad, self.reg.add_to(self.w, grad))]
        return [
            _call(np.multiply, self.w, self.two_l2, self.scaled),
            _call(np.add, grad, self.scaled, grad),
        ]


def _add_regularizer(layer: Any, key: str) -> _AddRegularizer | None:
    reg = layer.regularizers.get(key)
    return None if reg is None else _AddRegularizer(reg, layer.params[key])


#: ``_call(f, *args)``: the call ``f(*args)`` prepared once, made later with no arguments
#: (``functools.partial``; ``out`` is passed by position, which NumPy takes fastest)
_call = functools.partial
Steps = list[Callable[[], Any]]


def _run(steps: Steps) -> None:
    for step in steps:
        step()


class _DenseKernel:
    """A Dense layer's training arrays for batches of ``n`` rows, reused every step.

    Its forward and backward passes are written as *steps*: NumPy calls prepared once
    with their arrays (``x.dot(W, z)`` writes ``x W`` into ``z``), made later with no
    arguments. Between two training steps on the same batch arrays nothing in them
    changes, so a network of Dense layers prepares its steps once (:class:`_Tape`) and
    every training step is a loop over them: no attribute look-ups, no branches, no
    arrays made, only the arithmetic. In any other network the steps are made and run
    at once, every training step.
    """

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
        self.tanh = type(layer.activation) is Tanh
        self.sigmoid = type(layer.activation) is Sigmoid
        self.n = -1

    def buffers(self, n: int, dtype: np.dtype, width_in: int) -> None:
        units = self.kernel.shape[1]
        self.n = n
        self.z = np.empty((n, units), dtype)
        self.a = np.empty((n, units), dtype) if self.separate_output else self.z
        self.dz = np.empty((n, units), dtype)
        self.dx = np.empty((n, width_in), dtype) if self.index > 0 else None
        self.row_sum = np.empty((n, 1), dtype)

    def forward_steps(self, x: np.ndarray) -> tuple[Steps, np.ndarray]:
        """The steps of ``a = f(x W + b)`` for this ``x``, and the array ``a`` they fill."""
        if x.shape[0] != self.n:
            self.buffers(x.shape[0], self.kernel.dtype, x.shape[1])
        self.x, z, a, activation = x, self.z, self.a, self.layer.activation
        steps = [_call(x.dot, self.kernel, z)]  # np.dot's bits, called directly
        if self.bias is not None:
            steps.append(_call(np.add, z, self.bias, z))
        if self.unchecked_softmax:  # exp(z) / sum(exp(z)); z stays intact for a redo
            if a.shape[1] == 2:  # a row sum of two columns: one addition, in NumPy's order
                total = _call(np.add, a[:, 0:1], a[:, 1:2], self.row_sum)
            else:
                total = _call(np.add.reduce, a, 1, None, self.row_sum, True)  # keepdims
            steps += [_call(np.exp, z, a), total, _call(np.divide, a, self.row_sum, a)]
        elif self.tanh:
            steps.append(_call(np.tanh, z, a))
        else:
            steps.append(_call(_into, activation.forward, a, z))
        return steps, a

    def backward_steps(self, grad: np.ndarray, fused: bool) -> tuple[Steps, np.ndarray | None]:
        """The steps from ``grad`` (dL/da, or dL/dz when ``fused``) to the weight gradients
        and dL/dx, and the array dL/dx they fill (``None`` for the first layer)."""
        steps: Steps = []
        dz = grad if fused else self.dz
        if not fused and (self.tanh or self.sigmoid):  # grad * f'(a), as their backward
            a = self.a
            if self.tanh:  # 1 - a**2
                steps += [_call(np.power, a, 2, dz), _call(np.subtract, 1.0, dz, dz)]
            else:  # (1 - a) * a
                steps += [_call(np.subtract, 1.0, a, dz), _call(np.multiply, dz, a, dz)]
            steps.append(_call(np.multiply, grad, dz, dz))
        elif not fused:
            steps.append(_call(_into, self.layer.activation.backward, dz, grad, self.a))
        steps.append(_call(self.x.T.dot, dz, self.grad_kernel))
        if self.reg_kernel is not None:
            steps += self.reg_kernel.steps(self.grad_kernel)
        if self.bias is not None:
            steps.append(_call(np.add.reduce, dz, 0, None, self.grad_bias))
            if self.reg_bias is not None:
                steps += self.reg_bias.steps(self.grad_bias)
        if self.dx is not None:
            steps.append(_call(dz.dot, self.kernel.T, self.dx))
        return steps, self.dx


def _into(f: Callable[..., np.ndarray], out: np.ndarray, *args: np.ndarray) -> None:
    """``out[...] = f(*args, out=out)``: an activation that writes into ``out`` (all of
    nnscratch's do) costs nothing more; one of your own that returns a new array is copied."""
    result = f(*args, out=out)
    if result is not out:
        np.copyto(out, result)


def _kernel(layer: Any) -> Any:
    """The kernel class that computes what ``layer`` computes, or None: Dense by its
    exact class (a subclass may compute differently), Conv2D and MaxPooling2D as
    :func:`~nnscratch.engine.fast.conv.kernel` finds them."""
    return _DenseKernel if type(layer) is Dense else conv_kernel(layer)


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
        self.subtractions: Steps = []  # w <- w - (lr g), prepared for every weight
        offset = 0
        for key, p in self.params.items():  # every gradient is a view into one vector
            part = slice(offset, offset + p.size)
            self.grads[key] = self.flat_grads[part].reshape(p.shape)
            self.subtractions.append(_call(np.subtract, p, self.scaled[part].reshape(p.shape), p))
            offset += p.size
        count = len(model.layers)
        self.units: list[Any] = [
            _kernel(layer)(layer, i, self.grads, i == count - 1) if _kernel(layer) else layer
            for i, layer in enumerate(model.layers)
        ]
        # the penalty as model.penalty() adds it up: per layer, then over the layers
        self.penalized = [
            [(_l2_only(reg), reg, w, _square(w)) for w, reg in _regularized(layer)]
            for layer in model.layers
            if layer.regularizers
        ]
        act = getattr(model.layers[-1], "activation", None)
        self.fused = act is not None and act.name == self.loss.fused_activation
        self.plain_sgd = type(self.optimizer) is SGD and not self.optimizer.momentum
        self.gathered: dict[tuple[str, int], np.ndarray] = {}
        # A network of Dense layers keeps its tapes: one per pair of batch arrays.
        self.keeps_tapes = all(type(unit) is _DenseKernel for unit in self.units)
        self.tapes: dict[tuple[int, int], _Tape] = {}

    def penalty(self) -> float:
        """``model.penalty()``'s sum, in its order; a plain L2 as its ``l2 * (W . W)`` (the
        dot of ``W`` as one row: ``np.vdot``'s bits)."""
        total = 0.0
        for pairs in self.penalized:
            part = 0.0
            for l2, reg, w, square in pairs:
                part += reg.penalty(w) if l2 is None else l2 * float(square())
            total += part
        return total

    def gather(self, name: str, source: np.ndarray, index: Any) -> np.ndarray:
        """``source[index]``; for tapes an array that stays the same object from batch to
        batch, so that a tape is found again: ``source`` itself when the batch is all of
        it, else a reused buffer for batches of this size (a slice copied into it, an index
        array gathered). Without kept tapes a slice stays a view."""
        n = len(source)
        if isinstance(index, slice):
            if index.indices(n) == (0, n, 1):
                return source
            if not self.keeps_tapes:
                return source[index]
            n = len(range(*index.indices(n)))
        else:
            n = len(index)
        buf = self.gathered.get((name, n))
        if buf is None:
            buf = self.gathered[name, n] = np.empty((n, *source.shape[1:]), source.dtype)
        if isinstance(index, slice):
            np.copyto(buf, source[index])
        else:  # mode="clip" writes straight into `out`; the indices come from a permutation.
            np.take(source, index, axis=0, out=buf, mode="clip")
        return buf

    def compute(
        self, x: np.ndarray, targets: np.ndarray, index: Any
    ) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
        """Forward, loss and backward on the batch ``index``, as the plain path's
        ``compute_gradients``: ``(loss, output, gradients)``."""
        xb, yb = self.gather("x", x, index), self.gather("y", targets, index)
        tape = self.tapes.get((id(xb), id(yb)))
        if tape is None:
            tape = _Tape(self, xb, yb)  # without kept tapes this runs the forward pass
            if self.keeps_tapes:
                if len(self.tapes) >= 8:  # a fit makes one or two (batch sizes): a bound
                    self.tapes.clear()
                self.tapes[id(xb), id(yb)] = tape
        if tape.kept:
            _run(tape.forward)
        total = tape.total()
        if tape.redo is not None and not math.isfinite(total):
            softmax(tape.redo[0], out=tape.redo[1])  # a row overflowed: redo it carefully
            total = tape.total()
        out = tape.out
        value = self.loss.objective(total, self.penalty(), out.shape[0])
        if math.isfinite(value):
            tape.run_backward()
        return value, out, self.grads

    def forward_steps(self, unit: Any, x: np.ndarray) -> tuple[Steps, np.ndarray]:
        """``unit``'s forward steps from ``x``, and its output. A unit that is not a Dense
        kernel has no steps to keep: it computes at once, and its output is the result."""
        if type(unit) is _DenseKernel:
            return unit.forward_steps(x)
        return [], unit.forward(x, True) if isinstance(unit, Layer) else unit.forward(x)

    def backward_steps(self, i: int, grad: np.ndarray) -> tuple[Steps, Any]:
        """Unit ``i``'s backward steps from ``grad`` (dL/dz for a fused last layer), and
        its input gradient; a unit that is not a Dense kernel computes at once."""
        unit, fused = self.units[i], self.fused and i == len(self.units) - 1
        if type(unit) is _DenseKernel:
            return unit.backward_steps(grad, fused)
        if not isinstance(unit, Layer):  # a convolution's or pooling's kernel
            return [], unit.backward(grad, fused)
        grad = unit.backward_z(grad) if fused else unit.backward(grad)
        for key, g in unit.grads.items():  # a layer this module does not know
            check_gradient(unit, key, g)
            reg = unit.regularizers.get(key)
            np.copyto(
                self.grads[f"{i}.{key}"], g if reg is None else reg.add_to(unit.params[key], g)
            )
        return [], grad

    def update(self, grads: dict[str, np.ndarray]) -> None:
        """The optimizer's step on the gradients :meth:`compute` left in ``self.grads``."""
        if not self.plain_sgd:
            self.optimizer.step(self.params, self.grads)
            return
        # w <- w - lr g for every weight: lr g in one call, then one subtraction each.
        np.multiply(self.flat_grads, self.optimizer.learning_rate, self.scaled)
        for subtract in self.subtractions:
            subtract()
        self.optimizer.iterations += 1


class _Tape:
    """One training step on the batch arrays ``(x, y)`` as prepared steps (see
    :class:`_DenseKernel`): ``forward`` (every layer), the loss's calls (:meth:`total`),
    ``backward`` (the loss's gradient, then every layer, last first).

    A network of Dense layers *keeps* its tape (``kept``): made once, every later step
    on the same arrays only runs it again. Any other network makes a tape every step and
    runs each piece as soon as it is made (a convolution or a layer of your own computes
    right away, and what follows it needs its result), so its steps are never kept.
    """

    def __init__(self, step: _FastStep, x: np.ndarray, y: np.ndarray) -> None:
        self.step, self.x, self.y, self.loss = step, x, y, step.loss
        self.kept = step.keeps_tapes
        self.forward: Steps = []
        out = x
        for unit in step.units:
            steps, out = step.forward_steps(unit, out)
            self._add(self.forward, steps)
        self.out, last, loss = out, step.units[-1], step.loss
        self.redo = (last.z, last.a) if getattr(last, "unchecked_softmax", 0) else None
        # The loss's total as scale * (u . v), the dot of two flat arrays that loss_steps
        # fill (np.vecdot's bits), for the losses the tutorials use; None: loss.total.
        self.loss_steps: Steps | None = None
        if type(loss) is CategoricalCrossentropy:  # -y . log(max(p, tiny))
            logp = np.empty_like(out)
            tiny = np.finfo(out.dtype).smallest_normal
            self.loss_steps = [_call(np.maximum, out, tiny, out=logp), _call(np.log, logp, logp)]
            self.scale, self.flat = -1.0, (y.reshape(-1), logp.reshape(-1))
        elif type(loss) is Quadratic:  # 1/2 (a - y) . (a - y)
            diff = np.empty_like(out)
            self.loss_steps = [_call(np.subtract, out, y, diff)]
            self.scale, self.flat = 0.5, (diff.reshape(-1), diff.reshape(-1))
        self.backward: Steps = []
        if self.kept:
            for steps in self._backward_pieces():
                self.backward += steps

    def _add(self, steps: Steps, new: Steps) -> None:
        """Keep ``new`` in ``steps``, or (a tape that is not kept) run it now."""
        if self.kept:
            steps += new
        else:
            _run(new)

    def _backward_pieces(self) -> Iterator[Steps]:
        """The backward steps, one piece per layer, each made after the one before ran."""
        loss, out, y = self.loss, self.out, self.y
        delta = np.empty_like(out)  # dL/d(output), or dL/dz when fused: p - y
        fused = self.step.fused
        # (a - y) / n: the quadratic cost's gradient, and the fused one (p - y) / n
        if type(loss) is Quadratic or (fused and type(loss).fused_gradient is Loss.fused_gradient):
            first = [_call(np.subtract, out, y, delta)]
            if loss.reduction == "mean":  # Loss._reduce_grad's grad /= n
                first.append(_call(np.true_divide, delta, out.shape[0], delta))
        elif fused:
            first = [_call(_into, loss.fused_gradient, delta, y, out)]
        else:
            first = [lambda: np.copyto(delta, loss.gradient(y, out))]
        yield first
        grad: Any = delta
        for i in range(len(self.step.units) - 1, -1, -1):
            steps, grad = self.step.backward_steps(i, grad)
            yield steps

    def run_backward(self) -> None:
        if self.kept:
            _run(self.backward)
            return
        for steps in self._backward_pieces():
            _run(steps)

    def total(self) -> float:
        """The loss summed over the batch (``loss.total``), from the forward's output."""
        if self.loss_steps is None:
            return self.loss.total(self.y, self.out)
        _run(self.loss_steps)
        u, v = self.flat
        return self.scale * float(u.dot(v))


def _regularized(layer: Any) -> list[tuple[np.ndarray, Any]]:
    return [(layer.params[key], reg) for key, reg in layer.regularizers.items()]


def _square(w: np.ndarray) -> Callable[[], Any]:
    """``W . W`` prepared: ``np.vdot(w, w)``'s bits, as the dot of ``w`` as one row (a view)."""
    flat = w.reshape(-1)
    return _call(flat.dot, flat) if np.shares_memory(flat, w) else _call(np.vdot, w, w)


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

"""Chapter 2's pieces of the book's network: ``backprop``, one ``update_mini_batch`` step,
and what happens when a reader replaces one of them.

The book's ``SGD`` calls ``update_mini_batch`` for every mini-batch, which sums
``backprop(x, y)`` over the examples. The exercises change exactly these methods
(momentum, L1 regularization, a matrix-based backprop), usually in a subclass::

    class MomentumNetwork(network2.Network):
        def update_mini_batch(self, mini_batch, eta, lmbda, n):
            ...

nnscratch's own versions run a mini-batch as one matrix on the engine. When a subclass
replaces one of them, the reader's code must be what runs: :func:`overridden` tells the two
apart, ``SGD`` then calls the reader's ``update_mini_batch`` with lists of ``(x, y)``
pairs, and :meth:`BookSteps.update_mini_batch` sums the reader's ``backprop`` one example
at a time, the book's loop (slower, and exactly the book's arithmetic).

The same loop runs, with the book's ``backprop`` written out in NumPy, for a cost class
of one's own (its ``delta(z, a, y)`` starts the backward pass, its ``fn(a, y)`` is the
monitored cost) and for a ``network.Network`` subclass with its own
``cost_derivative``: the engine knows only the book's two costs.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..engine.checks import number, positive_int
from ..engine.labels import one_hot
from ..engine.optimizers import SGD as EngineSGD
from ..engine.regularizers import L1L2
from ._costs import is_book_cost, sigmoid, sigmoid_prime
from ._examples import as_list, to_matrices

__all__ = ["BookSteps", "overridden"]


def overridden(net: Any, name: str) -> bool:
    """Whether ``net``'s method ``name`` is a subclass's own (not nnscratch's)."""
    module = getattr(getattr(type(net), name, None), "__module__", None) or ""
    return not module.startswith(f"{__package__}.")


class BookSteps:
    """``backprop``, ``cost_derivative``, ``update_mini_batch`` and ``compile`` of
    :class:`nnscratch.nielsen.Network` (which sets ``sizes``, ``cost``, ``model``)."""

    sizes: list[int]
    cost: Any
    model: Any
    _compiled_for: tuple[float, str] | None
    _network2: bool

    def books_arithmetic(self) -> bool:
        """Whether training needs the book's per-example NumPy loop: a cost class of one's
        own, or (network.py) a subclass's own ``cost_derivative``."""
        return not is_book_cost(self.cost) or (
            not self._network2 and overridden(self, "cost_derivative")
        )

    # -- chapter 2: backpropagation ----------------------------------------------------------
    def backprop(self, x: Any, y: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The gradient of the cost ``C_x`` of one example: ``(nabla_b, nabla_w)``.

        Layer-by-layer lists shaped like ``biases`` and ``weights``, as the book's
        ``backprop`` returns them (equations BP1-BP4: ``delta^L = cost.delta(z, a, y)``,
        ``delta^l = (w^{l+1}.T delta^{l+1}) * sigmoid'(z^l)``, ``dC/db = delta``,
        ``dC/dw = delta a^{l-1}.T``). Computed by the engine's backward pass on a batch
        of one example, without the L2 term (which the book adds in
        ``update_mini_batch``). ``y`` is the desired output column ``(n_out, 1)`` (or a
        digit).
        """
        if self.books_arithmetic():
            return self._book_backprop(x, y)
        X = self._column(x, "backprop", "input")  # type: ignore[attr-defined]
        if isinstance(y, numbers.Integral) and not isinstance(y, bool):
            Y = one_hot(np.array([int(y)]), self.sizes[-1], self.model.dtype)
        else:
            Y = self._column(y, "backprop", "output")  # type: ignore[attr-defined]
        if self.model.loss is None or self.model.loss.name != self.cost.engine_loss:
            self.compile(1.0)
        saved = [dict(layer.regularizers) for layer in self.model.layers]
        try:
            for layer in self.model.layers:
                layer.regularizers.clear()
            grads = self.model.gradients(X, Y)
        finally:
            for layer, regs in zip(self.model.layers, saved):
                layer.regularizers.update(regs)
        count = len(self.model.layers)
        nabla_b = [grads[f"{i}.bias"].astype(float).reshape(-1, 1) for i in range(count)]
        nabla_w = [grads[f"{i}.kernel"].astype(float).T.copy() for i in range(count)]
        return nabla_b, nabla_w

    def _book_backprop(self, x: Any, y: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The book's ``backprop``, line for line: network2's ``cost.delta(z, a, y)``, or
        network.py's ``cost_derivative(a, y) * sigmoid_prime(z)``, then BP2-BP4."""
        column = self._column  # type: ignore[attr-defined]
        activation = np.asarray(column(x, "backprop", "input"), dtype=float).reshape(-1, 1)
        if isinstance(y, numbers.Integral) and not isinstance(y, bool):
            y = one_hot(np.array([int(y)]), self.sizes[-1]).reshape(-1, 1)
        y = np.asarray(column(y, "backprop", "output"), dtype=float).reshape(-1, 1)
        weights, biases = self.weights, self.biases  # type: ignore[attr-defined]
        activations, zs = [activation], []
        for b, w in zip(biases, weights):
            zs.append(w @ activation + b)
            activation = sigmoid(zs[-1])
            activations.append(activation)
        if self._network2:
            delta = self.cost.delta(zs[-1], activations[-1], y)
        else:
            delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
        for layer in range(2, len(self.sizes)):
            delta = (weights[-layer + 1].T @ delta) * sigmoid_prime(zs[-layer])
            nabla_b.insert(0, delta)
            nabla_w.insert(0, delta @ activations[-layer - 1].T)
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations: Any, y: Any) -> np.ndarray:
        """``dC_x/da = a - y`` for the quadratic cost (network.py's helper)."""
        return np.asarray(output_activations) - np.asarray(y)

    # -- one step ----------------------------------------------------------------------------
    def update_mini_batch(
        self, mini_batch: Any, eta: float, lmbda: float = 0.0, n: int = 0
    ) -> None:
        """One gradient step on ``mini_batch`` (a list of (x, y)), as one matrix.

        ``n`` is the size of the whole training set, which scales the L2 term (network2's
        ``update_mini_batch(mini_batch, eta, lmbda, n)``; network.py's has no ``lmbda``).
        When a subclass has its own ``backprop``, the step sums it over the examples, as
        the book's loop does.
        """
        batch = as_list(mini_batch, "mini_batch")
        eta, lmbda = number("eta", eta, low=0, low_open=True), number("lmbda", lmbda, low=0)
        if lmbda and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0):
            raise ValueError(f"with lmbda > 0, n must be the training set size (> 0), got {n!r}")
        if overridden(self, "backprop") or self.books_arithmetic():
            self._book_step(batch, eta, lmbda, int(n) or 1)
            return
        X, Y, vector = to_matrices(
            batch, "mini_batch", self.sizes[0], self.sizes[-1], self.model.dtype
        )
        if not vector:
            Y = one_hot(Y, self.sizes[-1], self.model.dtype)
        self.compile(eta, lmbda, int(n) or 1)
        self.model.train_on_batch(X, Y)

    def _book_step(self, batch: list, eta: float, lmbda: float, n: int) -> None:
        """The book's ``update_mini_batch``: ``self.backprop`` summed example by example,
        then ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``, ``b <- b - (eta / m)
        nabla_b``."""
        weights, biases = self.weights, self.biases  # type: ignore[attr-defined]
        nabla_b = [np.zeros(b.shape) for b in biases]
        nabla_w = [np.zeros(w.shape) for w in weights]
        for x, y in batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        step, decay = eta / len(batch), 1 - eta * (lmbda / n)
        # Into the engine's arrays (views) directly: past an overflow the book goes on with
        # inf and nan, which the weights setter refuses from a reader.
        with np.errstate(over="ignore", invalid="ignore"):
            for w, nw in zip(weights, nabla_w):
                w[...] = decay * w - step * nw
            for b, nb in zip(biases, nabla_b):
                b[...] = b - step * nb

    def compile(self, eta: float, lmbda: float = 0.0, n: int = 1) -> None:
        """Set the engine model up for the book's SGD step.

        The optimizer is ``SGD(learning_rate=eta)`` on the mean of the cost over a
        mini-batch, and with ``lmbda > 0`` every kernel gets ``l2(lmbda / (2 n))``, whose
        gradient ``(lmbda / n) w`` is network2's weight decay for ``n`` training
        examples. ``SGD`` calls this itself; call it to train ``self.model`` directly
        with ``self.model.fit``. A cost class of one's own has no engine loss: its
        network trains through ``SGD``'s per-example loop, and ``compile`` refuses it.
        """
        if not is_book_cost(self.cost):
            raise ValueError(
                f"the engine trains QuadraticCost and CrossEntropyCost; {self.cost.__name__} "
                f"trains through SGD and update_mini_batch, one example at a time"
            )
        eta = number("eta", eta, low=0, low_open=True)
        lmbda = number("lmbda", lmbda, low=0)
        n = positive_int("n", n)
        reg = L1L2(l2=lmbda / (2.0 * n)) if lmbda else None
        for layer in self.model.layers:
            layer.set_regularizer("kernel", reg)
        key = (eta, self.cost.engine_loss)
        if self._compiled_for != key:
            self.model.compile(optimizer=EngineSGD(learning_rate=eta), loss=self.cost.engine_loss)
            self._compiled_for = key

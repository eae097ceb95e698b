"""The book's network of sigmoid neurons, over the engine: what ``network`` and ``network2``
share.

The book stores one example as a column: ``x`` is ``(784, 1)``, a layer computes
``a' = sigmoid(w a + b)`` with ``w`` of shape ``(y, x)`` (``w[j, k]`` links neuron ``k``
of one layer to neuron ``j`` of the next) and ``b`` of shape ``(y, 1)``. The engine is
batch-first: a mini-batch of ``m`` examples is a matrix ``X`` of shape ``(m, 784)`` and a
layer computes ``sigmoid(X @ W + b)`` with ``W = w.T``. ``Network.weights`` and
``Network.biases`` show the engine's arrays in the book's shapes (transposed *views*:
changing one changes the model).

The book updates after each mini-batch of size ``m`` (equations BP1-BP4)::

    w <- (1 - eta lmbda / n) w - (eta / m) * sum_x dC_x/dw

looping over the examples of the mini-batch. Here the whole mini-batch goes through the
network as one matrix, and the same update is the engine's ``SGD(learning_rate=eta)`` on
the *mean* of the per-example costs, with ``kernel_regularizer=l2(lmbda / (2 n))``
(whose gradient is ``(lmbda / n) w``). ``random.shuffle`` is called on a list of
example indices, which gives the book's order.
"""

from __future__ import annotations

import json
import numbers
import os
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine.checks import integer, number, positive_int
from ..engine.layers import Dense
from ..engine.losses import one_hot
from ..engine.model import Sequential
from ..engine.optimizers import SGD as EngineSGD
from ..engine.regularizers import L1L2
from ._costs import QuadraticCost, cost_class
from ._examples import LayerList, as_list, to_matrices
from ._threads import blas_threads

__all__ = ["Network"]

Lines = Callable[[str], Any]


class Network:
    """The book's feedforward network of sigmoid neurons, trained by mini-batch SGD.

    ``Network(sizes)`` is ``network.py``'s (chapter 1: quadratic cost, weights and biases
    N(0, 1)); ``Network(sizes, cost=CrossEntropyCost)`` (or ``QuadraticCost``) is
    ``network2.py``'s (that cost, weights N(0, 1/n_in)). :mod:`nnscratch.nielsen.network`
    and :mod:`nnscratch.nielsen.network2` fix the choice as the book's modules do.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first: ``[784, 30, 10]``.
    cost : QuadraticCost or CrossEntropyCost, optional
    dtype : {"float64", "float32"}, default "float64"
        float64 is the book's arithmetic; float32 is about twice as fast.
    random_state : np.random.RandomState, optional
        Where the initial weights are drawn. By default the global ``np.random``, as in
        the book, so that ``np.random.seed(s)`` reproduces its networks.
    print_fn : callable or None, default print
        Receives the lines ``SGD`` prints ("Epoch 0: 9036 / 10000"); ``None`` is silent.

    Attributes
    ----------
    num_layers, sizes, cost : as in the book
    weights : list of arrays ``(y, x)``; ``biases`` : list of arrays ``(y, 1)``
    model : nnscratch.engine.model.Sequential
        The engine model doing the work (``Dense`` layers with sigmoid activations).

    Examples
    --------
    >>> import numpy as np
    >>> np.random.seed(0)
    >>> net = Network([2, 3, 1])
    >>> [w.shape for w in net.weights], [b.shape for b in net.biases]
    ([(3, 2), (1, 3)], [(3, 1), (1, 1)])
    >>> net.feedforward(np.array([[0.5], [1.0]])).shape
    (1, 1)
    """

    #: network2's lines ("Epoch 0 training complete", a blank line after each epoch)
    _network2 = False

    def __init__(
        self,
        sizes: Sequence[int],
        cost: Any = None,
        *,
        dtype: str = "float64",
        random_state: np.random.RandomState | None = None,
        print_fn: Lines | None = print,
    ) -> None:
        sizes = list(sizes) if isinstance(sizes, (list, tuple, np.ndarray)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least 2 layer sizes, got {sizes!r}")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s <= 0:
                raise ValueError(f"layer sizes must be positive integers, got {sizes!r}")
        if random_state is not None and not isinstance(random_state, np.random.RandomState):
            raise TypeError(
                f"random_state must be a np.random.RandomState, got {type(random_state).__name__}"
            )
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(self.sizes)
        self._network2 = self._network2 or cost is not None
        self.cost = cost_class(cost if cost is not None else QuadraticCost)
        self.random_state = random_state
        self.print_fn = print_fn
        # The engine model. Its own generator is only used by callers that let the engine
        # shuffle; the book's SGD shuffles with random.shuffle itself.
        self.model = Sequential(
            [Dense(y, activation="sigmoid", kernel_initializer="zeros") for y in self.sizes[1:]],
            seed=random_state,
            dtype=dtype,
        )
        self.model.build(self.sizes[0])
        self._compiled_for: tuple[float, str] | None = None
        if self._network2:
            self.default_weight_initializer()
        else:
            self.large_weight_initializer()

    # -- weights in the book's shapes ----------------------------------------------------
    @property
    def weights(self) -> list[np.ndarray]:
        """The weight matrices ``w`` of shape ``(y, x)``: views of the engine's kernels."""
        return LayerList((layer.params["kernel"].T for layer in self.model.layers), "weights")

    @weights.setter
    def weights(self, values: Sequence[Any]) -> None:
        self._assign("weights", values)

    @property
    def biases(self) -> list[np.ndarray]:
        """The bias columns ``b`` of shape ``(y, 1)``: views of the engine's biases."""
        return LayerList(
            (layer.params["bias"].reshape(-1, 1) for layer in self.model.layers), "biases"
        )

    @biases.setter
    def biases(self, values: Sequence[Any]) -> None:
        self._assign("biases", values)

    def _assign(self, what: str, values: Sequence[Any]) -> None:
        values = list(values)
        current = self.weights if what == "weights" else self.biases
        if len(values) != len(current):
            raise ValueError(f"expected {len(current)} {what} arrays, got {len(values)}")
        checked = []
        for i, (v, target) in enumerate(zip(values, current)):
            v = np.asarray(v, dtype=float)
            if v.shape != target.shape:
                raise ValueError(f"{what}[{i}]: expected shape {target.shape}, got {v.shape}")
            if not np.all(np.isfinite(v)):
                raise ValueError(f"{what}[{i}] contains NaN or infinite values")
            checked.append(v)
        for v, target in zip(checked, current):
            target[...] = v

    def default_weight_initializer(self) -> None:
        """Weights N(0, 1/n_in), biases N(0, 1): network2's default.

        Drawn as the book draws them: all the biases first (``np.random.randn(y, 1)``
        layer by layer), then the weights (``np.random.randn(y, x) / np.sqrt(x)``).
        """
        rs = self.random_state if self.random_state is not None else np.random
        biases = [rs.randn(y, 1) for y in self.sizes[1:]]
        weights = [rs.randn(y, x) / np.sqrt(x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases, self.weights = biases, weights

    def large_weight_initializer(self) -> None:
        """Weights and biases N(0, 1): network.py's initialisation (chapter 1)."""
        rs = self.random_state if self.random_state is not None else np.random
        biases = [rs.randn(y, 1) for y in self.sizes[1:]]
        weights = [rs.randn(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases, self.weights = biases, weights

    @property
    def dtype(self) -> np.dtype:
        return self.model.dtype

    # -- using the network -----------------------------------------------------------------
    def feedforward(self, a: Any) -> np.ndarray:
        """The network's output for input ``a``: ``a' = sigmoid(w a + b)``, layer by layer.

        ``a`` is a column ``(n_in, 1)`` as in the book (a flat ``(n_in,)`` vector is
        accepted too); the result is a column ``(n_out, 1)``.
        """
        return self.model.predict(self._column(a, "feedforward", "input")).reshape(-1, 1)

    def _column(self, a: Any, where: str, what: str) -> np.ndarray:
        a = np.asarray(a)
        n = self.sizes[0] if what == "input" else self.sizes[-1]
        if a.size != n or a.ndim > 2 or (a.ndim == 2 and a.shape[1] != 1):
            raise ValueError(
                f"{where} expects an {what} column of shape ({n}, 1), got shape {a.shape}"
            )
        return a.reshape(1, -1)

    def evaluate(self, test_data: Any) -> int:
        """Number of examples of ``test_data`` whose output's largest neuron is the label.

        ``test_data`` is ``[(x, y), ...]`` with integer labels ``y`` (one-hot label
        columns are accepted too). The whole set goes through the network as one matrix.
        """
        data = as_list(test_data, "test_data")
        X, Y, vector = to_matrices(data, "test_data", self.sizes[0], self.sizes[-1], self.dtype)
        return self._count_correct(X, Y, vector)

    def accuracy(self, data: Any, convert: bool = False) -> int:
        """network2's ``accuracy``: the number of correct results on ``data``.

        ``convert`` is accepted for the book's calls; whether the labels are one-hot
        vectors or digits is seen from the data.
        """
        return self.evaluate(data)

    def total_cost(self, data: Any, lmbda: float, convert: bool = False) -> float:
        """network2's ``total_cost``: the mean cost on ``data`` plus the L2 term
        ``0.5 * (lmbda / len(data)) * sum ||w||^2``."""
        lmbda = number("lmbda", lmbda, low=0)
        data = as_list(data, "data")
        X, Y, vector = to_matrices(data, "data", self.sizes[0], self.sizes[-1], self.dtype)
        return self._total_cost(X, Y, vector, lmbda)

    def _count_correct(self, X: np.ndarray, Y: np.ndarray, vector: bool) -> int:
        out = self.model.predict(X, batch_size=10_000)
        labels = Y.argmax(axis=1) if vector else Y
        return int(np.count_nonzero(out.argmax(axis=1) == labels))

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, vector: bool, lmbda: float) -> float:
        out = self.model.predict(X, batch_size=10_000).astype(np.float64)
        targets = Y.astype(np.float64) if vector else one_hot(Y, out.shape[1])
        n = X.shape[0]
        if self.cost is QuadraticCost:
            cost = 0.5 * float(np.sum((out - targets) ** 2)) / n
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = -targets * np.log(out) - (1 - targets) * np.log(1 - out)
            cost = float(np.sum(np.nan_to_num(terms))) / n
        squares = sum(float(np.vdot(w, w)) for w in self.weights)
        return cost + 0.5 * (lmbda / n) * squares

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
        X = self._column(x, "backprop", "input")
        if isinstance(y, numbers.Integral) and not isinstance(y, bool):
            Y = one_hot(np.array([int(y)]), self.sizes[-1], self.dtype)
        else:
            Y = self._column(y, "backprop", "output")
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

    def cost_derivative(self, output_activations: Any, y: Any) -> np.ndarray:
        """``dC_x/da = a - y`` for the quadratic cost (network.py's helper)."""
        return np.asarray(output_activations) - np.asarray(y)

    # -- learning ----------------------------------------------------------------------------
    def SGD(
        self,
        training_data: Any,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        lmbda: float = 0.0,
        evaluation_data: Any = None,
        monitor_evaluation_cost: bool = False,
        monitor_evaluation_accuracy: bool = False,
        monitor_training_cost: bool = False,
        monitor_training_accuracy: bool = False,
        early_stopping_n: int = 0,
        *,
        test_data: Any = None,
    ) -> tuple[list[float], list[int], list[float], list[int]]:
        """Train by mini-batch stochastic gradient descent, as the book does.

        Every epoch shuffles the training examples with ``random.shuffle`` and splits
        them into mini-batches of ``mini_batch_size``; each mini-batch makes one step
        ``w <- (1 - eta lmbda / n) w - (eta / m) sum_x dC_x/dw`` (``b`` likewise,
        without the ``lmbda`` term), the whole mini-batch computed as one matrix.

        Parameters
        ----------
        training_data : list of (x, y)
            ``x`` a ``(784, 1)`` column, ``y`` a one-hot ``(10, 1)`` column (or a
            digit). Lists, tuples, zips and generators are accepted.
        epochs, mini_batch_size : int
        eta : float
            The learning rate.
        lmbda : float, default 0.0
            The L2 regularization parameter (network2).
        evaluation_data : list of (x, y), optional
            Usually ``validation_data``; needed by the ``monitor_evaluation_*`` flags.
        monitor_evaluation_cost, monitor_evaluation_accuracy,
        monitor_training_cost, monitor_training_accuracy : bool
            Measure and print those numbers after every epoch (network2).
        early_stopping_n : int, default 0
            Stop when the evaluation accuracy has not improved for that many epochs
            (the book's exercise; needs ``monitor_evaluation_accuracy``).
        test_data : list of (x, y), optional
            network.py's argument: print "Epoch j: correct / total" after every epoch.

        Returns
        -------
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy : lists
            One entry per epoch for each monitored quantity (network2's return value).
        """
        if not isinstance(lmbda, numbers.Real) or isinstance(lmbda, bool):
            raise TypeError(
                f"lmbda must be a number, got {type(lmbda).__name__}; to measure accuracy "
                f"on test data after every epoch, pass it by name: SGD(..., test_data=test_data)"
            )
        epochs = positive_int("epochs", epochs)
        m = positive_int("mini_batch_size", mini_batch_size)
        eta = number("eta", eta, low=0, low_open=True)
        lmbda = number("lmbda", lmbda, low=0)
        early_stopping_n = integer("early_stopping_n", early_stopping_n, low=0)
        if (monitor_evaluation_cost or monitor_evaluation_accuracy) and evaluation_data is None:
            raise ValueError("monitor_evaluation_cost/accuracy need evaluation_data")
        if early_stopping_n and not monitor_evaluation_accuracy:
            raise ValueError(
                "early_stopping_n watches the evaluation accuracy: also pass evaluation_data "
                "and monitor_evaluation_accuracy=True"
            )
        n_in, n_out, dtype = self.sizes[0], self.sizes[-1], self.dtype
        X, Y, vector = to_matrices(
            as_list(training_data, "training_data"), "training_data", n_in, n_out, dtype
        )
        if not vector:
            Y = one_hot(Y, n_out, dtype)
        sets = {}
        for name, data in (("test_data", test_data), ("evaluation_data", evaluation_data)):
            if data is not None:
                X_set, Y_set, labels = to_matrices(as_list(data, name), name, n_in, n_out, dtype)
                # measured after every epoch: converted to the model's dtype once, here
                sets[name] = (np.ascontiguousarray(X_set, dtype), Y_set, labels)
        if monitor_training_cost or monitor_training_accuracy:  # measured every epoch too
            X = np.ascontiguousarray(X, dtype)
        self.compile(eta, lmbda, X.shape[0])
        monitors = (
            monitor_training_cost,
            monitor_training_accuracy,
            monitor_evaluation_cost,
            monitor_evaluation_accuracy,
        )
        with blas_threads(self._step_flops(m)):
            return self._epochs(X, Y, epochs, m, lmbda, sets, monitors, early_stopping_n)

    def _step_flops(self, m: int) -> float:
        """Multiply-adds of one training step (forward, two backward products), times 2."""
        return 6.0 * m * sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def _epochs(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        m: int,
        lmbda: float,
        sets: dict[str, tuple[np.ndarray, np.ndarray, bool]],
        monitors: tuple[bool, bool, bool, bool],
        early_stopping_n: int,
    ) -> tuple[list[float], list[int], list[float], list[int]]:
        say = self.print_fn or (lambda line: None)
        n = X.shape[0]
        test, evaluation = sets.get("test_data"), sets.get("evaluation_data")
        train_cost, train_acc, eval_cost, eval_acc = monitors
        results: tuple[list[float], list[int], list[float], list[int]] = ([], [], [], [])
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = results
        best_accuracy, no_change = 0, 0
        # The book shuffles the list of examples in place; shuffling their indices with the
        # same random.shuffle gives the same order (the permutation ignores the content).
        order = list(range(n))
        chunk = m * max(1, 8192 // m)  # whole mini-batches, so the shuffled copy stays small
        for j in range(epochs):
            random.shuffle(order)
            index = np.asarray(order)
            for start in range(0, n, chunk):
                part = index[start : start + chunk]
                self.model.fit(X[part], Y[part], epochs=1, batch_size=m, shuffle=False, verbose=0)
            if test is not None:
                say(f"Epoch {j}: {self._count_correct(*test)} / {len(test[1])}")
            elif self._network2:
                say(f"Epoch {j} training complete")
            else:
                say(f"Epoch {j} complete")
            if train_cost:
                training_cost.append(self._total_cost(X, Y, True, lmbda))
                say(f"Cost on training data: {training_cost[-1]}")
            if train_acc:
                training_accuracy.append(self._count_correct(X, Y, True))
                say(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
            if evaluation is not None and eval_cost:
                evaluation_cost.append(self._total_cost(*evaluation, lmbda))
                say(f"Cost on evaluation data: {evaluation_cost[-1]}")
            if evaluation is not None and eval_acc:
                evaluation_accuracy.append(self._count_correct(*evaluation))
                say(
                    f"Accuracy on evaluation data: {evaluation_accuracy[-1]} / {len(evaluation[1])}"
                )
            if self._network2 and test is None:
                say("")  # network2 prints an empty line after every epoch
            if early_stopping_n:
                if evaluation_accuracy[-1] > best_accuracy:
                    best_accuracy, no_change = evaluation_accuracy[-1], 0
                else:
                    no_change += 1
                if no_change == early_stopping_n:
                    break
        return results

    def update_mini_batch(
        self, mini_batch: Any, eta: float, lmbda: float = 0.0, n: int = 0
    ) -> None:
        """One gradient step on ``mini_batch`` (a list of (x, y)), as one matrix.

        ``n`` is the size of the whole training set, which scales the L2 term (network2's
        ``update_mini_batch(mini_batch, eta, lmbda, n)``; network.py's has no ``lmbda``).
        """
        batch = as_list(mini_batch, "mini_batch")
        X, Y, vector = to_matrices(batch, "mini_batch", self.sizes[0], self.sizes[-1], self.dtype)
        if not vector:
            Y = one_hot(Y, self.sizes[-1], self.dtype)
        lmbda = number("lmbda", lmbda, low=0)
        if lmbda and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0):
            raise ValueError(f"with lmbda > 0, n must be the training set size (> 0), got {n!r}")
        self.compile(number("eta", eta, low=0, low_open=True), lmbda, int(n) or 1)
        self.model.train_on_batch(X, Y)

    def compile(self, eta: float, lmbda: float = 0.0, n: int = 1) -> None:
        """Set the engine model up for the book's SGD step.

        The optimizer is ``SGD(learning_rate=eta)`` on the mean of the cost over a
        mini-batch, and with ``lmbda > 0`` every kernel gets ``l2(lmbda / (2 n))``, whose
        gradient ``(lmbda / n) w`` is network2's weight decay for ``n`` training
        examples. ``SGD`` calls this itself; call it to train ``self.model`` directly
        with ``self.model.fit``.
        """
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

    # -- files ---------------------------------------------------------------------------------
    def save(self, filename: str | os.PathLike[str]) -> None:
        """Save to ``filename`` as the book's JSON: sizes, weights, biases, cost name.

        Written with :func:`nnscratch.files.atomic_write`: an existing file is never left
        half-written, and an error names ``filename``.
        """
        from ..files import atomic_write

        data = {
            "sizes": self.sizes,
            "weights": [w.astype(float).tolist() for w in self.weights],
            "biases": [b.astype(float).tolist() for b in self.biases],
            "cost": self.cost.__name__,
        }
        atomic_write(filename, lambda f: json.dump(data, f), text=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sizes}, cost={self.cost.__name__})"

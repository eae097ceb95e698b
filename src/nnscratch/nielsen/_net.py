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
from ..engine.labels import one_hot
from ..engine.layers import Dense
from ..engine.model import Sequential
from ._costs import QuadraticCost, cost_class, is_book_cost
from ._examples import LayerList, as_list, to_matrices
from ._fit import fit_in_order
from ._steps import BookSteps, overridden
from ._threads import blas_threads

__all__ = ["Network"]

Lines = Callable[[str], Any]
#: a data set as SGD measures it: inputs, targets, whether they are one-hot, the examples
Examples = tuple[np.ndarray, np.ndarray, bool, list]


class Network(BookSteps):
    """The book's feedforward network of sigmoid neurons, trained by mini-batch SGD.

    ``Network(sizes)`` is ``network.py``'s (chapter 1: quadratic cost, weights and biases
    N(0, 1)); ``Network(sizes, cost=CrossEntropyCost)`` (or ``QuadraticCost``) is
    ``network2.py``'s (that cost, weights N(0, 1/n_in)). :mod:`nnscratch.nielsen.network`
    and :mod:`nnscratch.nielsen.network2` fix the choice as the book's modules do.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first: ``[784, 30, 10]``.
    cost : QuadraticCost or CrossEntropyCost (the class or an instance), optional
        Or a class of one's own with the book's ``fn(a, y)`` and ``delta(z, a, y)``:
        then training runs the book's per-example loop (see :mod:`._steps`).
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
        accepted too); the result is a column ``(n_out, 1)``. As in the book, where
        ``np.dot(w, a) + b`` adds ``b`` to every column, a matrix ``(n_in, k)`` of ``k``
        inputs side by side gives their ``k`` outputs ``(n_out, k)``.
        """
        a = np.asarray(a)
        n = self.sizes[0]
        if a.ndim == 2 and a.shape[0] == n and a.shape[1] != 1 and a.dtype.kind in "biuf":
            return self.model.predict(a.T).T
        if a.size != n or a.ndim > 2 or (a.ndim == 2 and a.shape[1] != 1):
            raise ValueError(
                f"feedforward expects an input column of shape ({n}, 1) or ({n}, k) for k "
                f"inputs, got shape {a.shape}"
            )
        return self.model.predict(a.reshape(1, -1)).reshape(-1, 1)

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

    def _correct(self, data: Examples, method: str) -> int:
        """What SGD prints as correct: a subclass's own ``evaluate`` or ``accuracy``
        (called as the book's SGD calls it), else the whole set as one matrix."""
        X, Y, vector, examples = data
        if not overridden(self, method):
            return self._count_correct(X, Y, vector)
        if method == "evaluate":
            return self.evaluate(examples)
        return self.accuracy(examples, convert=vector)

    def _cost(self, data: Examples, lmbda: float) -> float:
        """SGD's cost: a subclass's own ``total_cost``, else the whole set as one matrix."""
        X, Y, vector, examples = data
        if not overridden(self, "total_cost"):
            return self._total_cost(X, Y, vector, lmbda)
        return self.total_cost(examples, lmbda, convert=not vector)

    def _count_correct(self, X: np.ndarray, Y: np.ndarray, vector: bool) -> int:
        out = self.model.predict(X, batch_size=10_000)
        labels = Y.argmax(axis=1) if vector else Y
        return int(np.count_nonzero(out.argmax(axis=1) == labels))

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, vector: bool, lmbda: float) -> float:
        out = self.model.predict(X, batch_size=10_000).astype(np.float64)
        targets = Y.astype(np.float64) if vector else one_hot(Y, out.shape[1])
        n = X.shape[0]
        if not is_book_cost(self.cost):  # a cost of one's own: its fn, example by example
            cost = (
                sum(float(self.cost.fn(a[:, None], y[:, None])) for a, y in zip(out, targets)) / n
            )
        elif self.cost is QuadraticCost:
            cost = 0.5 * float(np.sum((out - targets) ** 2)) / n
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = -targets * np.log(out) - (1 - targets) * np.log(1 - out)
            cost = float(np.sum(np.nan_to_num(terms))) / n
        squares = sum(float(np.vdot(w, w)) for w in self.weights)
        return cost + 0.5 * (lmbda / n) * squares

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
        examples = as_list(training_data, "training_data")
        X, Y, vector = to_matrices(examples, "training_data", n_in, n_out, dtype)
        if not vector:
            Y = one_hot(Y, n_out, dtype)
        sets = {}
        for name, data in (("test_data", test_data), ("evaluation_data", evaluation_data)):
            if data is not None:
                data = as_list(data, name)
                X_set, Y_set, labels = to_matrices(data, name, n_in, n_out, dtype)
                # measured after every epoch: converted to the model's dtype once, here
                sets[name] = (np.ascontiguousarray(X_set, dtype), Y_set, labels, data)
        if monitor_training_cost or monitor_training_accuracy:  # measured every epoch too
            X = np.ascontiguousarray(X, dtype)
        if not self.books_arithmetic():
            self.compile(eta, lmbda, X.shape[0])
        monitors = (
            monitor_training_cost,
            monitor_training_accuracy,
            monitor_evaluation_cost,
            monitor_evaluation_accuracy,
        )
        train = (X, Y, True, examples)
        with blas_threads(self._step_flops(m)):
            return self._epochs(train, epochs, m, eta, lmbda, sets, monitors, early_stopping_n)

    def _step_flops(self, m: int) -> float:
        """Multiply-adds of one training step (forward, two backward products), times 2."""
        return 6.0 * m * sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def _epochs(
        self,
        train: Examples,
        epochs: int,
        m: int,
        eta: float,
        lmbda: float,
        sets: dict[str, Examples],
        monitors: tuple[bool, bool, bool, bool],
        early_stopping_n: int,
    ) -> tuple[list[float], list[int], list[float], list[int]]:
        say = self.print_fn or (lambda line: None)
        X, Y, _, examples = train
        n = X.shape[0]
        # A subclass's own update_mini_batch or backprop is called as the book calls it.
        books_loop = (
            self.books_arithmetic()
            or overridden(self, "update_mini_batch")
            or overridden(self, "backprop")
        )
        book_args = (eta, lmbda, n) if self._network2 else (eta,)
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
            for start in range(0, n, m if books_loop else chunk):
                if books_loop:
                    batch = [examples[i] for i in order[start : start + m]]
                    self.update_mini_batch(batch, *book_args)
                    continue
                part = index[start : start + chunk]
                fit_in_order(self.model, X[part], Y[part], m)  # on past an overflow, as the book
            if test is not None:
                say(f"Epoch {j}: {self._correct(test, 'evaluate')} / {len(test[1])}")
            elif self._network2:
                say(f"Epoch {j} training complete")
            else:
                say(f"Epoch {j} complete")
            if train_cost:
                training_cost.append(self._cost(train, lmbda))
                say(f"Cost on training data: {training_cost[-1]}")
            if train_acc:
                training_accuracy.append(self._correct(train, "accuracy"))
                say(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
            if evaluation is not None and eval_cost:
                evaluation_cost.append(self._cost(evaluation, lmbda))
                say(f"Cost on evaluation data: {evaluation_cost[-1]}")
            if evaluation is not None and eval_acc:
                evaluation_accuracy.append(self._correct(evaluation, "accuracy"))
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

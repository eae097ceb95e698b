"""Michael Nielsen's *Neural Networks and Deep Learning*, on Python 3, over the engine.

The book's chapters 1-3 drive two small programs, ``network.py`` and ``network2.py``, and
a loader, ``mnist_loader.py``. This module offers the same calls::

    >>> from nnscratch.nielsen import mnist_loader, Network, CrossEntropyCost
    >>> training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    >>> net = Network([784, 30, 10])                                   # doctest: +SKIP
    >>> net.SGD(training_data, 30, 10, 3.0, test_data=test_data)       # doctest: +SKIP
    Epoch 0: 9129 / 10000
    ...

and fixes what trips readers up on Python 3: the loader returns *lists* (the popular
port returns ``zip`` iterators, so ``len()`` fails and a second ``SGD`` call trains on
nothing and prints "0 / 0"), ``SGD`` accepts lists, tuples, zips and generators (an
iterator is read once and remembered, so passing the same ``zip`` again works), and files
are JSON, never pickle.

The book's notation and ours
----------------------------
The book stores one example as a column: ``x`` is ``(784, 1)``, a layer computes
``a' = sigmoid(w a + b)`` with ``w`` of shape ``(y, x)`` (``w[j, k]`` links neuron ``k``
of one layer to neuron ``j`` of the next) and ``b`` of shape ``(y, 1)``. The engine is
batch-first: a mini-batch of ``m`` examples is a matrix ``X`` of shape ``(m, 784)`` and a
layer computes ``sigmoid(X @ W + b)`` with ``W = w.T``. ``Network.weights`` and
``Network.biases`` show the engine's arrays in the book's shapes (transposed *views*:
changing one changes the model).

The book updates after each mini-batch of size ``m`` (equations BP1-BP4)::

    w <- w - (eta / m) * sum_x dC_x/dw

looping over the examples of the mini-batch. Here the whole mini-batch goes through the
network as one matrix, and the same update is the engine's ``SGD(learning_rate=eta)`` on
the *mean* of the per-example costs:

====================================  ===============================================
the book                              the engine
====================================  ===============================================
``QuadraticCost``: ``1/2 ||a - y||^2``  loss ``"quadratic"``, ``reduction="mean"``
``CrossEntropyCost`` with sigmoid     loss ``"binary_crossentropy"``, fused with the
outputs, ``delta = a - y``            sigmoid so that ``dC/dz = a - y``
L2: ``w <- (1 - eta lmbda / n) w - ...``  ``kernel_regularizer=l2(lmbda / (2 n))``: the
                                      penalty ``lmbda/(2n) sum w^2`` has gradient
                                      ``(lmbda / n) w``
``random.shuffle(training_data)``     the same call on a list of example indices
====================================  ===============================================

So with ``np.random.seed(s)`` and ``random.seed(s)`` called first, the initial weights and
the shuffles are the book's, and after an epoch the weights equal the book's per-example
algorithm up to rounding (about 1e-15 in float64).

``network.py`` or ``network2.py``?
----------------------------------
``Network(sizes)`` behaves like ``network.py`` (chapter 1): quadratic cost and "large"
weights drawn from N(0, 1). Giving a cost, ``Network(sizes, cost=CrossEntropyCost)`` (or
``cost=QuadraticCost``), behaves like ``network2.py`` (chapter 3): weights drawn by
``default_weight_initializer``, N(0, 1) / sqrt(n_in). Call ``large_weight_initializer()``
to get chapter 3's comparison with large weights, as the book does.
"""

from __future__ import annotations

import collections
import itertools
import json
import math
import numbers
import os
import random
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import numpy as np

from .engine.checks import positive_int
from .engine.layers import Dense
from .engine.model import Sequential
from .engine.optimizers import SGD as _SGD
from .engine.regularizers import L1L2

__all__ = [
    "COSTS",
    "CrossEntropyCost",
    "Network",
    "QuadraticCost",
    "load",
    "mnist_loader",
    "sigmoid",
    "sigmoid_prime",
    "vectorized_result",
]


# -- the book's helper functions --------------------------------------------------------
def sigmoid(z: Any) -> np.ndarray:
    """The sigmoid function ``1 / (1 + exp(-z))``, elementwise (the book's ``sigmoid``)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: Any) -> np.ndarray:
    """Derivative of the sigmoid: ``sigmoid(z) * (1 - sigmoid(z))``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def vectorized_result(j: int) -> np.ndarray:
    """A ``(10, 1)`` unit vector with 1.0 in position ``j``: the book's one-hot label."""
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j <= 9:
        raise ValueError(f"a digit label must be an integer 0..9, got {j!r}")
    e = np.zeros((10, 1))
    e[int(j)] = 1.0
    return e


# -- costs --------------------------------------------------------------------------------
class QuadraticCost:
    """The quadratic cost ``C = 1/2 ||a - y||^2`` of one example (chapters 1 and 3).

    ``fn`` and ``delta`` are the book's; training uses the engine's ``"quadratic"`` loss,
    whose gradient with respect to the output is ``a - y``, multiplied through the
    sigmoid's slope: ``delta = (a - y) * sigmoid_prime(z)``.
    """

    #: the engine loss this cost trains with
    engine_loss: ClassVar[str] = "quadratic"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        """Cost of output ``a`` for desired output ``y``."""
        return float(0.5 * np.linalg.norm(np.asarray(a) - np.asarray(y)) ** 2)

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The error ``dC/dz`` of the output layer."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """The cross-entropy cost ``-sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]`` (chapter 3).

    With sigmoid outputs the slope of the sigmoid cancels and ``delta = a - y``: the
    learning does not slow down when a neuron saturates. The engine's
    ``"binary_crossentropy"`` loss fuses with the sigmoid in exactly this way.
    """

    engine_loss: ClassVar[str] = "binary_crossentropy"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        return a - y


#: the costs by name, as ``save`` writes them and ``load`` reads them
COSTS: dict[str, type] = {"QuadraticCost": QuadraticCost, "CrossEntropyCost": CrossEntropyCost}


def _cost_class(cost: Any) -> type:
    if isinstance(cost, str):
        if cost in COSTS:
            return COSTS[cost]
        raise ValueError(f"unknown cost {cost!r}; valid: {', '.join(COSTS)}")
    if isinstance(cost, type) and cost in COSTS.values():
        return cost
    raise ValueError(
        f"cost must be QuadraticCost or CrossEntropyCost (or their names), got {cost!r}"
    )


# -- data: lists of (x, y) pairs, as the book has them ---------------------------------
# An iterator (zip, generator) can be read only once. The book's Python 3 readers pass
# the same zip to SGD twice and silently train on nothing; we remember what an iterator
# held, keyed by the object itself (kept alive here so that its id stays unique).
_SEEN_ITERATORS: collections.OrderedDict[int, tuple[Any, list]] = collections.OrderedDict()
_MAX_SEEN = 8


def _as_list(data: Any, name: str) -> list:
    """The examples of ``data`` as a list, reading an iterator only once."""
    if isinstance(data, list):
        return data
    if isinstance(data, (tuple, Sequence)) and not isinstance(data, (str, bytes)):
        return list(data)
    if isinstance(data, np.ndarray):
        raise TypeError(
            f"{name} must be a list of (x, y) pairs, got a NumPy array of shape {data.shape}; "
            f"use mnist_loader.load_data_wrapper() or list(zip(inputs, labels))"
        )
    if not isinstance(data, Iterable):
        raise TypeError(f"{name} must be a list of (x, y) pairs, got {type(data).__name__}")
    seen = _SEEN_ITERATORS.get(id(data))
    if seen is not None and seen[0] is data:
        _SEEN_ITERATORS.move_to_end(id(data))
        return seen[1]
    items = list(data)
    _SEEN_ITERATORS[id(data)] = (data, items)
    while len(_SEEN_ITERATORS) > _MAX_SEEN:
        _SEEN_ITERATORS.popitem(last=False)
    return items


def _to_matrices(
    data: list, name: str, n_in: int, n_out: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Stack ``[(x, y), ...]`` into ``X (n, n_in)`` and ``Y``.

    ``Y`` is one-hot ``(n, n_out)`` when the labels are vectors (the training data of
    ``load_data_wrapper``), otherwise integer labels ``(n,)``; the flag says which.
    """
    n = len(data)
    if n == 0:
        raise ValueError(
            f"{name} is empty: an exhausted zip or generator? Pass a list, "
            f"e.g. list(zip(inputs, labels))"
        )
    fast = _stack_fast(data, n_in, n_out, dtype)
    if fast is not None:
        return fast
    # The careful way, example by example, to name the first one that does not fit.
    X = np.empty((n, n_in), dtype=dtype)
    first = data[0]
    if not isinstance(first, (tuple, list)) or len(first) != 2:
        raise TypeError(f"{name}[0] must be a pair (x, y), got {type(first).__name__}")
    y0 = np.asarray(first[1])
    vector_labels = y0.size > 1
    Y = np.empty((n, n_out), dtype=dtype) if vector_labels else np.empty(n, dtype=np.int64)
    for i, pair in enumerate(data):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}[{i}] must be a pair (x, y), got {type(pair).__name__}"
            ) from None
        x = np.asarray(x)
        if x.size != n_in or (x.ndim == 2 and x.shape[1] != 1) or x.ndim > 2:
            raise ValueError(
                f"{name}[{i}]: expected an input column of shape ({n_in}, 1), got shape {x.shape}"
            )
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name}[{i}]: the input must be numeric, got dtype {x.dtype}")
        X[i] = x.reshape(n_in)
        y = np.asarray(y)
        if vector_labels:
            if y.size != n_out:
                raise ValueError(
                    f"{name}[{i}]: expected a label vector of shape ({n_out}, 1), "
                    f"got shape {y.shape}"
                )
            Y[i] = y.reshape(n_out)
        else:
            if y.size != 1 or y.dtype.kind not in "biu":
                raise ValueError(
                    f"{name}[{i}]: expected an integer label 0..{n_out - 1} (like the first "
                    f"example's), got {y!r}"
                )
            Y[i] = int(y.reshape(()))
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite inputs")
    if vector_labels:
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{name} contains NaN or infinite labels")
    elif Y.min() < 0 or Y.max() >= n_out:
        bad = np.unique(Y[(Y < 0) | (Y >= n_out)])[:5].tolist()
        raise ValueError(
            f"{name}: labels {bad} do not fit an output layer of {n_out} neurons "
            f"(expected 0..{n_out - 1})"
        )
    return X, Y, vector_labels


def _stack_fast(
    data: list, n_in: int, n_out: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """Stack well-formed data in a few C loops; ``None`` when anything looks unusual."""
    try:
        xs, ys = zip(*data)
        X = np.array(xs)
        Y = np.array(ys)
    except (TypeError, ValueError):
        return None
    n = len(data)
    if X.dtype.kind not in "fiu" or X.shape not in ((n, n_in, 1), (n, n_in)):
        return None
    X = X.reshape(n, n_in).astype(dtype, copy=False)
    if not np.all(np.isfinite(X)):
        return None
    if Y.shape in ((n, n_out, 1), (n, n_out)) and n_out > 1 and Y.dtype.kind in "fiu":
        Y = Y.reshape(n, n_out).astype(dtype, copy=False)
        return (X, Y, True) if np.all(np.isfinite(Y)) else None
    if Y.shape == (n,) and Y.dtype.kind in "iu" and Y.size and 0 <= Y.min() and Y.max() < n_out:
        return X, Y.astype(np.int64, copy=False), False
    return None


class _LayerList(list):
    """The book's ``net.weights`` / ``net.biases``: a list whose items write through.

    ``net.weights[0] = w`` copies ``w`` into the engine's kernel, as the book's readers
    expect when they set weights by hand.
    """

    def __init__(self, items: Iterable[np.ndarray], name: str) -> None:
        super().__init__(items)
        self._name = name

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError(f"assign {self._name} one layer at a time, or the whole list")
        target = self[index]
        value = np.asarray(value, dtype=float)
        if value.shape != target.shape:
            raise ValueError(
                f"{self._name}[{index}]: expected shape {target.shape}, got {value.shape}"
            )
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{self._name}[{index}] contains NaN or infinite values")
        target[...] = value


# -- the network ----------------------------------------------------------------------------
class Network:
    """The book's feedforward network of sigmoid neurons, trained by mini-batch SGD.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first: ``[784, 30, 10]``.
    cost : QuadraticCost or CrossEntropyCost, optional
        Omitted: ``network.py``'s network (quadratic cost, weights N(0, 1)). Given:
        ``network2.py``'s (that cost, weights N(0, 1/n_in)). See the module docstring.
    dtype : {"float64", "float32"}, default "float64"
        float64 is the book's arithmetic; float32 is about twice as fast.
    random_state : np.random.RandomState, optional
        Where the initial weights are drawn. By default the global ``np.random``, as in
        the book, so that ``np.random.seed(s)`` reproduces its networks.
    print_fn : callable or None, default print
        Receives the progress lines of ``SGD`` ("Epoch 0: 9129 / 10000"); ``None`` is
        silent.

    Attributes
    ----------
    num_layers, sizes, cost : as in the book
    weights : list of arrays ``(y, x)``; ``weights[0][j, k]`` links input ``k`` to
        hidden neuron ``j``
    biases : list of arrays ``(y, 1)``
    model : nnscratch.Sequential
        The engine model doing the work (``Dense`` layers with sigmoid activations).

    Examples
    --------
    >>> import numpy as np
    >>> from nnscratch.nielsen import Network
    >>> np.random.seed(0)
    >>> net = Network([2, 3, 1])
    >>> [w.shape for w in net.weights], [b.shape for b in net.biases]
    ([(3, 2), (1, 3)], [(3, 1), (1, 1)])
    >>> net.feedforward(np.array([[0.5], [1.0]])).shape
    (1, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        cost: Any = None,
        *,
        dtype: str = "float64",
        random_state: np.random.RandomState | None = None,
        print_fn: Callable[[str], Any] | None = print,
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
        self._network2 = cost is not None
        self.cost = _cost_class(cost if cost is not None else QuadraticCost)
        self.random_state = random_state
        self.print_fn = print_fn
        # The engine model. Its own generator (seeded from random_state, if any) is only
        # used by callers that let the engine shuffle; the book's SGD shuffles itself.
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
        return _LayerList((layer.params["kernel"].T for layer in self.model.layers), "weights")

    @weights.setter
    def weights(self, values: Sequence[Any]) -> None:
        self._assign("weights", values)

    @property
    def biases(self) -> list[np.ndarray]:
        """The bias columns ``b`` of shape ``(y, 1)``: views of the engine's biases."""
        return _LayerList(
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

    # -- using the network -----------------------------------------------------------------
    def feedforward(self, a: Any) -> np.ndarray:
        """The network's output for input ``a``: ``a' = sigmoid(w a + b)``, layer by layer.

        ``a`` is a column ``(n_in, 1)`` as in the book (a flat ``(n_in,)`` vector is
        accepted too); the result is a column ``(n_out, 1)``.
        """
        a = np.asarray(a)
        if a.size != self.sizes[0] or a.ndim > 2 or (a.ndim == 2 and a.shape[1] != 1):
            raise ValueError(
                f"feedforward expects an input column of shape ({self.sizes[0]}, 1), "
                f"got shape {a.shape}"
            )
        return self.model.predict(a.reshape(1, -1)).reshape(-1, 1)

    def evaluate(self, test_data: Any) -> int:
        """Number of examples of ``test_data`` whose output's largest neuron is the label.

        ``test_data`` is ``[(x, y), ...]`` with integer labels ``y`` (one-hot label
        columns are accepted too). The whole set goes through the network as one matrix.
        """
        data = _as_list(test_data, "test_data")
        X, Y, vector = _to_matrices(data, "test_data", self.sizes[0], self.sizes[-1], self.dtype)
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
        lmbda = _non_negative("lmbda", lmbda)
        data = _as_list(data, "data")
        X, Y, vector = _to_matrices(data, "data", self.sizes[0], self.sizes[-1], self.dtype)
        return self._total_cost(X, Y, vector, lmbda)

    @property
    def dtype(self) -> np.dtype:
        return self.model.dtype

    def _count_correct(self, X: np.ndarray, Y: np.ndarray, vector: bool) -> int:
        out = self.model.predict(X, batch_size=10_000)
        labels = Y.argmax(axis=1) if vector else Y
        return int(np.count_nonzero(out.argmax(axis=1) == labels))

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, vector: bool, lmbda: float) -> float:
        out = self.model.predict(X, batch_size=10_000).astype(np.float64)
        if vector:
            targets = Y.astype(np.float64)
        else:
            targets = np.zeros_like(out)
            targets[np.arange(len(Y)), Y] = 1.0
        n = X.shape[0]
        if self.cost is QuadraticCost:
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
            (needs ``monitor_evaluation_accuracy``).
        test_data : list of (x, y), optional
            network.py's keyword: print "Epoch j: correct / total" after every epoch.

        Returns
        -------
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy : lists
            One entry per epoch for each monitored quantity (network2's return value).

        Examples
        --------
        >>> net = Network([784, 30, 10])                                # doctest: +SKIP
        >>> net.SGD(training_data, 30, 10, 3.0, test_data=test_data)    # doctest: +SKIP
        Epoch 0: 9129 / 10000
        """
        if not isinstance(lmbda, numbers.Real) or isinstance(lmbda, bool):
            raise TypeError(
                f"lmbda must be a number, got {type(lmbda).__name__}; to measure accuracy "
                f"on test data after every epoch, pass it by name: SGD(..., test_data=test_data)"
            )
        epochs = positive_int("epochs", epochs)
        m = positive_int("mini_batch_size", mini_batch_size)
        eta = _positive_float("eta", eta)
        lmbda = _non_negative("lmbda", lmbda)
        if isinstance(early_stopping_n, bool) or not isinstance(early_stopping_n, numbers.Integral):
            raise TypeError(f"early_stopping_n must be an integer, got {early_stopping_n!r}")
        if early_stopping_n < 0:
            raise ValueError(f"early_stopping_n must be >= 0, got {early_stopping_n}")
        monitor_eval = monitor_evaluation_cost or monitor_evaluation_accuracy
        if monitor_eval and evaluation_data is None:
            raise ValueError("monitor_evaluation_cost/accuracy need evaluation_data")
        if early_stopping_n and not monitor_evaluation_accuracy:
            raise ValueError(
                "early_stopping_n watches the evaluation accuracy: also pass evaluation_data "
                "and monitor_evaluation_accuracy=True"
            )

        n_in, n_out, dtype = self.sizes[0], self.sizes[-1], self.dtype
        train = _as_list(training_data, "training_data")
        X, Y, vector = _to_matrices(train, "training_data", n_in, n_out, dtype)
        if not vector:
            Y = _one_hot(Y, n_out, dtype)
        n = X.shape[0]
        test = evaluation = None
        if test_data is not None:
            test = _to_matrices(_as_list(test_data, "test_data"), "test_data", n_in, n_out, dtype)
        if evaluation_data is not None:
            evaluation = _to_matrices(
                _as_list(evaluation_data, "evaluation_data"), "evaluation_data", n_in, n_out, dtype
            )

        self.compile(eta, lmbda, n)
        say = self.print_fn or (lambda line: None)
        evaluation_cost: list[float] = []
        evaluation_accuracy: list[int] = []
        training_cost: list[float] = []
        training_accuracy: list[int] = []
        best_accuracy, no_change = 0, 0
        # The book shuffles the list of examples in place; shuffling their indices with the
        # same random.shuffle gives the same order (the permutation ignores the content).
        order = list(range(n))
        # Train on chunks of whole mini-batches, so the shuffled copy stays small.
        chunk = m * max(1, 8192 // m)
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
            if monitor_training_cost:
                training_cost.append(self._total_cost(X, Y, True, lmbda))
                say(f"Cost on training data: {training_cost[-1]}")
            if monitor_training_accuracy:
                training_accuracy.append(self._count_correct(X, Y, True))
                say(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
            if evaluation is not None and monitor_evaluation_cost:
                evaluation_cost.append(self._total_cost(*evaluation, lmbda))
                say(f"Cost on evaluation data: {evaluation_cost[-1]}")
            if evaluation is not None and monitor_evaluation_accuracy:
                evaluation_accuracy.append(self._count_correct(*evaluation))
                say(
                    f"Accuracy on evaluation data: {evaluation_accuracy[-1]} / {len(evaluation[1])}"
                )
            if early_stopping_n:
                if evaluation_accuracy[-1] > best_accuracy:
                    best_accuracy, no_change = evaluation_accuracy[-1], 0
                else:
                    no_change += 1
                if no_change == early_stopping_n:
                    break
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(
        self, mini_batch: Any, eta: float, lmbda: float = 0.0, n: int = 0
    ) -> None:
        """One gradient step on ``mini_batch`` (a list of (x, y)), as one matrix.

        ``n`` is the size of the whole training set, which scales the L2 term.
        """
        batch = _as_list(mini_batch, "mini_batch")
        X, Y, vector = _to_matrices(batch, "mini_batch", self.sizes[0], self.sizes[-1], self.dtype)
        if not vector:
            Y = _one_hot(Y, self.sizes[-1], self.dtype)
        lmbda = _non_negative("lmbda", lmbda)
        if lmbda and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0):
            raise ValueError(f"with lmbda > 0, n must be the training set size (> 0), got {n!r}")
        self.compile(_positive_float("eta", eta), lmbda, int(n) or 1)
        self.model.train_on_batch(X, Y)

    def compile(self, eta: float, lmbda: float = 0.0, n: int = 1) -> None:
        """Set the engine model up for the book's SGD step.

        The optimizer is ``SGD(learning_rate=eta)`` on the mean of the cost over a
        mini-batch, and with ``lmbda > 0`` every kernel gets ``l2(lmbda / (2 n))``, whose
        gradient ``(lmbda / n) w`` is network2's weight decay for ``n`` training
        examples. ``SGD`` calls this itself; call it to train ``self.model`` directly
        with ``self.model.fit``.
        """
        eta = _positive_float("eta", eta)
        lmbda = _non_negative("lmbda", lmbda)
        n = positive_int("n", n)
        reg = L1L2(l2=lmbda / (2.0 * n)) if lmbda else None
        for layer in self.model.layers:
            layer.set_regularizer("kernel", reg)
        key = (eta, self.cost.engine_loss)
        if self._compiled_for != key:
            self.model.compile(optimizer=_SGD(learning_rate=eta), loss=self.cost.engine_loss)
            self._compiled_for = key

    # -- files ---------------------------------------------------------------------------------
    def save(self, filename: str | os.PathLike) -> None:
        """Save to ``filename`` as the book's JSON: sizes, weights, biases, cost name.

        The file is written next to its destination and renamed into place, so an
        existing file is never left half-written.
        """
        data = {
            "sizes": self.sizes,
            "weights": [w.astype(float).tolist() for w in self.weights],
            "biases": [b.astype(float).tolist() for b in self.biases],
            "cost": self.cost.__name__,
        }
        _atomic_write_text(os.fspath(filename), json.dumps(data))

    def __repr__(self) -> str:
        return f"Network({self.sizes}, cost={self.cost.__name__})"


def load(filename: str | os.PathLike, *, dtype: str = "float64") -> Network:
    """Load a network saved by :meth:`Network.save` (or by the book's ``network2.save``).

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it is not such a JSON file (naming what is wrong).
    """
    path = os.fspath(filename)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a network file (not UTF-8 JSON text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a network file (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a network file (expected a JSON object)")
    missing = [k for k in ("sizes", "weights", "biases", "cost") if k not in data]
    if missing:
        raise ValueError(f"{path}: not a network file (missing {', '.join(missing)})")
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes)
    ):
        raise ValueError(f"{path}: 'sizes' must be a list of positive integers, got {sizes!r}")
    if data["cost"] not in COSTS:
        raise ValueError(f"{path}: unknown cost {data['cost']!r}; valid: {', '.join(COSTS)}")
    n_layers = len(sizes) - 1
    arrays = {}
    for key in ("weights", "biases"):
        value = data[key]
        if not isinstance(value, list) or len(value) != n_layers:
            raise ValueError(
                f"{path}: {key!r} must be a list of {n_layers} arrays for sizes {sizes}"
            )
        try:
            arrays[key] = [np.array(v, dtype=float) for v in value]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {key} must be nested lists of numbers ({exc})") from None
    for i, (x, y) in enumerate(itertools.pairwise(sizes)):
        for key, shape in (("weights", (y, x)), ("biases", (y, 1))):
            got = arrays[key][i].shape
            if got != shape:
                raise ValueError(
                    f"{path}: {key}[{i}] has shape {got}, expected {shape} for sizes {sizes}"
                )
    # A private generator for the throwaway initial weights: loading a network must not
    # move the global np.random state that a reader's script may have seeded.
    net = Network(
        sizes, cost=COSTS[data["cost"]], dtype=dtype, random_state=np.random.RandomState(0)
    )
    net.weights = arrays["weights"]
    net.biases = arrays["biases"]
    net.random_state = None
    return net


# -- the loader ------------------------------------------------------------------------------
class _MnistLoader:
    """The book's ``mnist_loader`` module: ``load_data()`` and ``load_data_wrapper()``.

    The data comes from :func:`nnscratch.data.mnist.load_mnist` (the ``path`` argument,
    ``NNSCRATCH_DATA``, the user cache, or a verified download). Nielsen's split:
    50,000 training, 10,000 validation and 10,000 test images.
    """

    vectorized_result = staticmethod(vectorized_result)

    @staticmethod
    def load_data(
        path: str | os.PathLike | None = None, **options: Any
    ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """``(training_data, validation_data, test_data)``, each a pair of arrays.

        The images are a ``(n, 784)`` float32 array of pixel intensities in [0, 1]
        (the book's rows of 28x28 = 784 values), the labels an ``(n,)`` array of digits.
        ``options`` go to :func:`~nnscratch.data.mnist.load_mnist` (``cache_dir=``,
        ``download=`` ...).
        """
        from .data.mnist import load_mnist

        mnist = load_mnist(path, **options)
        return (
            (mnist.train[0], mnist.train[1]),
            (mnist.validation[0], mnist.validation[1]),
            (mnist.test[0], mnist.test[1]),
        )

    @staticmethod
    def load_data_wrapper(
        path: str | os.PathLike | None = None, **options: Any
    ) -> tuple[list, list, list]:
        """The data in the book's training format: three *lists* of ``(x, y)`` pairs.

        ``x`` is a ``(784, 1)`` column. In ``training_data`` ``y`` is the one-hot
        ``(10, 1)`` column of the digit (``vectorized_result``); in ``validation_data``
        and ``test_data`` it is the digit itself. Lists, unlike the popular port's
        ``zip`` objects, can be measured with ``len()`` and used again.
        """
        (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = _MnistLoader.load_data(path, **options)
        eye = np.eye(10)
        training_data = [(x.reshape(784, 1), eye[:, [int(y)]]) for x, y in zip(tr_x, tr_y)]
        validation_data = [(x.reshape(784, 1), int(y)) for x, y in zip(va_x, va_y)]
        test_data = [(x.reshape(784, 1), int(y)) for x, y in zip(te_x, te_y)]
        return training_data, validation_data, test_data

    def __repr__(self) -> str:
        return "<nnscratch.nielsen.mnist_loader>"


#: the book's ``mnist_loader`` module: ``mnist_loader.load_data_wrapper()``
mnist_loader = _MnistLoader()


# -- helpers -----------------------------------------------------------------------------------
def _one_hot(labels: np.ndarray, n: int, dtype: np.dtype) -> np.ndarray:
    out = np.zeros((labels.shape[0], n), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def _positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _non_negative(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

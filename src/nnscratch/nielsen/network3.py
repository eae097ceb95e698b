"""The book's ``network3.py`` (chapter 6): convolutional networks, on NumPy instead of Theano.

The book's session runs as the book types it (after
``nnscratch.nielsen.install_book_modules()``, or with ``from nnscratch.nielsen import
network3``)::

    >>> import network3                                                  # doctest: +SKIP
    >>> from network3 import Network, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
    >>> training_data, validation_data, test_data = network3.load_data_shared()
    >>> mini_batch_size = 10
    >>> net = Network([
    ...     ConvPoolLayer(image_shape=(mini_batch_size, 1, 28, 28),
    ...                   filter_shape=(20, 1, 5, 5), poolsize=(2, 2)),
    ...     FullyConnectedLayer(n_in=20*12*12, n_out=100),
    ...     SoftmaxLayer(n_in=100, n_out=10)], mini_batch_size)
    >>> net.SGD(training_data, 60, mini_batch_size, 0.1, validation_data, test_data)
    Training mini-batch number 0
    ...
    Epoch 0: validation accuracy 93.98%
    This is the best validation accuracy to date.
    The corresponding test accuracy is 93.47%
    ...

What is the book's, and how
---------------------------
* **The initial weights**: each layer draws them from ``np.random`` in its constructor,
  with the book's scales (convolution N(0, 1/n_out) with ``n_out = filters * kh * kw /
  pool area``, fully connected N(0, 1/n_out), biases N(0, 1), softmax zeros), so
  ``np.random.seed(s)`` before building the layers fixes them.
* **The training**: mini-batches in the data's own order, never shuffled (the book's
  ``train_mb(i)`` takes batch ``i``; a remainder shorter than a mini-batch is left out);
  the cost is the mean log-likelihood of the mini-batch plus ``0.5 * lmbda * sum(w**2) /
  num_training_batches`` over every layer's weights (not the biases), and the step is
  ``param -= eta * grad``.
* **Dropout**: the inputs of a layer with ``p_dropout`` are dropped while training and
  ``dot(x, w)`` is scaled by ``1 - p`` at inference (see
  :class:`~nnscratch.nielsen._network3_layers.NielsenDropout`).
* **The printed lines** and the result: the test accuracy at the epoch of the best
  validation accuracy (ties go to the later epoch, as the book's ``>=``).

The arithmetic runs on the engine's ``Conv2D``, ``MaxPooling2D``, ``Flatten`` and
``Dense`` layers (channels-last), in float32 as the book's GPU setting
(``theano.config.floatX = 'float32'``). ``net.model`` is that engine model: save it with
``nnscratch.saving.save_model(net.model, "net.nnscratch")`` and read it back with
``nnscratch.load_model`` once this module is imported (it registers the two layers of
its own, ``NielsenDropout`` and ``NielsenPoolBias``). ``net.history`` holds the run's
numbers.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.callbacks import Callback
from ..engine.checks import number, positive_int
from ..engine.labels import one_hot
from ..engine.model import Sequential
from ..engine.optimizers import SGD as EngineSGD
from ..engine.regularizers import L1L2
from ._fit import fit_in_order
from ._network3_layers import (
    ConvPoolLayer,
    FullyConnectedLayer,
    NielsenDropout,
    ReLU,
    SoftmaxLayer,
    linear,
    sigmoid,
    tanh,
)
from ._shared import SharedArray, shared
from ._threads import blas_threads

__all__ = [
    "ConvPoolLayer",
    "FullyConnectedLayer",
    "Network",
    "NielsenDropout",
    "ReLU",
    "SharedArray",
    "SoftmaxLayer",
    "TrainingRecord",
    "linear",
    "load_data_shared",
    "sigmoid",
    "size",
    "tanh",
]

Data = tuple[np.ndarray, np.ndarray]
#: the name of the book's expanded data file (its ``expand_mnist.py`` writes it)
EXPANDED_FILE = "mnist_expanded.pkl.gz"


def load_data_shared(filename: str | os.PathLike[str] | None = None) -> list[Data]:
    """``[training_data, validation_data, test_data]``, each ``(x, y)``: ``x`` float32
    ``(n, 784)``, ``y`` int32 labels: the book's shared variables as NumPy arrays that
    keep their ``get_value()`` and ``eval()`` (:class:`~nnscratch.nielsen._shared.SharedArray`).

    Without ``filename`` the data is found as :func:`nnscratch.data.mnist.load_mnist`
    finds it (``NNSCRATCH_DATA``, the book's ``../data/mnist.pkl.gz``, ``./mnist.pkl.gz``,
    the cache, a verified download). The book's ``"../data/mnist_expanded.pkl.gz"``,
    when no such file exists, is :func:`nnscratch.data.mnist.expanded_training_set`: the
    250,000 shifted training images, built once and cached (the validation and test sets
    are MNIST's own).
    """
    from ..data.mnist import expanded_training_set, load_mnist

    path = None if filename is None else Path(filename)
    if path is not None and path.name == EXPANDED_FILE and not path.exists():
        mnist = load_mnist()
        train = expanded_training_set()
    else:
        mnist = load_mnist(path)
        train = mnist.train
    return [_shared(train), _shared(mnist.validation), _shared(mnist.test)]


def _shared(split: Any) -> Data:
    # arrays with the shared variables' get_value() and eval(), which the book's code calls
    return shared(np.asarray(split[0], np.float32)), shared(np.asarray(split[1], np.int32))


def size(data: Data) -> int:
    """The number of examples in ``data`` (the book's ``size``)."""
    return int(np.shape(data[0])[0])


@dataclass
class TrainingRecord:
    """What one ``SGD`` run measured: accuracies are fractions, one entry per epoch."""

    validation_accuracy: list[float] = field(default_factory=list)
    #: the test accuracy of each epoch that set a new best validation accuracy
    test_accuracy: dict[int, float] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    best_validation_accuracy: float = 0.0
    best_epoch: int | None = None
    best_iteration: int | None = None
    interrupted: bool = False

    @property
    def epochs(self) -> int:
        return len(self.validation_accuracy)

    @property
    def best_test_accuracy(self) -> float | None:
        """The test accuracy at the best validation epoch: the book's result."""
        return None if self.best_epoch is None else self.test_accuracy.get(self.best_epoch)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["test_accuracy"] = {str(k): v for k, v in self.test_accuracy.items()}
        return {**data, "epochs": self.epochs, "best_test_accuracy": self.best_test_accuracy}


class _MiniBatchLines(Callback):
    """The book's "Training mini-batch number N" line, every 1000 mini-batches."""

    def __init__(self, say: Callable[[str], Any], first_iteration: int) -> None:
        super().__init__()
        self.say, self.iteration = say, first_iteration

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.iteration % 1000 == 0:
            self.say(f"Training mini-batch number {self.iteration}")
        self.iteration += 1


class Network:
    """A network of ``ConvPoolLayer``, ``FullyConnectedLayer`` and ``SoftmaxLayer``.

    Parameters
    ----------
    layers : list of the book's layers, the last a ``SoftmaxLayer``
    mini_batch_size : int
    dtype : {"float32", "float64"}, default "float32"
        float32 is the book's GPU setting; float64 its CPU default.
    print_fn : callable or None, default print
        Receives the book's lines; ``None`` is silent.

    Attributes
    ----------
    layers, mini_batch_size, params : as in the book (``params`` lists ``[w, b, ...]``)
    model : nnscratch.engine.model.Sequential
        The engine model the book's layers are made of.
    history : TrainingRecord
        The numbers of the last ``SGD`` run.
    test_mb_predictions : callable
        Set by ``SGD`` with test data, as in the book: ``test_mb_predictions(i)`` is the
        digits read in test mini-batch ``i`` (``conv.py``'s ensemble votes with them).
    """

    def __init__(
        self,
        layers: Sequence[Any],
        mini_batch_size: int,
        *,
        dtype: str = "float32",
        print_fn: Callable[[str], Any] | None = print,
    ) -> None:
        layers = list(layers)
        if not layers or not isinstance(layers[-1], SoftmaxLayer):
            raise ValueError("the last layer of a network3 Network must be a SoftmaxLayer")
        for layer in layers:
            if not isinstance(layer, (ConvPoolLayer, FullyConnectedLayer)):
                raise TypeError(
                    f"network3 layers are ConvPoolLayer, FullyConnectedLayer and SoftmaxLayer, "
                    f"got {type(layer).__name__}"
                )
        self.layers = layers
        self.mini_batch_size = positive_int("mini_batch_size", mini_batch_size)
        self.print_fn = print_fn
        self.history = TrainingRecord()
        first = layers[0]
        image = tuple(first.image_shape[1:]) if isinstance(first, ConvPoolLayer) else None
        self.input_image: tuple[int, ...] | None = image
        engine_layers, current = [], image
        for layer in layers:
            engine_layers += layer.assemble(current)
            current = layer.output_image if isinstance(layer, ConvPoolLayer) else None
        self.model = Sequential(engine_layers, seed=0, dtype=dtype)
        if image is None:
            self.model.build((first.n_in,))
        else:
            channels, height, width = image
            self.model.build((height, width, channels))
        for layer in layers:
            layer.install()
        self.best_weights: list[np.ndarray] | None = None

    @property
    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params]

    def inputs(self, x: Any) -> np.ndarray:
        """The book's rows of pixels ``(n, channels * height * width)`` as the engine's
        input: channels-last images for a first ``ConvPoolLayer``."""
        x = np.asarray(x, dtype=self.model.dtype)
        if self.input_image is None:
            return x
        channels, height, width = self.input_image
        if x.ndim != 2 or x.shape[1] != channels * height * width:
            raise ValueError(
                f"expected inputs of shape (n, {channels * height * width}) for images "
                f"{self.input_image}, got {x.shape}"
            )
        images = x.reshape(-1, channels, height, width)
        return np.ascontiguousarray(images.transpose(0, 2, 3, 1))

    def predict(self, x: Any, batch_size: int = 1000) -> np.ndarray:
        """The digit each row of ``x`` is read as (the book's ``y_out``)."""
        return self.model.predict(self.inputs(x), batch_size=batch_size).argmax(axis=1)

    def _mb_predictions(self, x: Any, i: int) -> np.ndarray:
        """The digits read in mini-batch ``i`` of ``x`` (``test_mb_predictions(i)``)."""
        m = self.mini_batch_size
        return self.predict(x[i * m : (i + 1) * m])

    def accuracy(self, data: Data) -> float:
        """The fraction of ``data`` classified right, over whole mini-batches as the book
        counts it (a remainder shorter than a mini-batch is left out)."""
        n = size(data) // self.mini_batch_size * self.mini_batch_size
        return float(np.mean(self.predict(data[0][:n]) == np.asarray(data[1][:n])))

    def SGD(
        self,
        training_data: Data,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        validation_data: Data,
        test_data: Data | None,
        lmbda: float = 0.0,
        *,
        callbacks: Sequence[Callback] = (),
        on_epoch: Callable[[int, TrainingRecord], Any] | None = None,
    ) -> None:
        """Train by mini-batch SGD, printing the book's lines; see the module docstring.

        ``callbacks`` (engine callbacks: a progress bar) and ``on_epoch(epoch, record)``
        (called after each epoch's validation) are nnscratch's additions. A Ctrl-C puts
        the weights of the best validation epoch back (``net.best_weights``), marks
        ``net.history.interrupted`` and raises ``KeyboardInterrupt`` again.
        """
        if positive_int("mini_batch_size", mini_batch_size) != self.mini_batch_size:
            raise ValueError(
                f"SGD's mini_batch_size {mini_batch_size} differs from the network's "
                f"{self.mini_batch_size} (the book's layers are shaped for that size)"
            )
        epochs = positive_int("epochs", epochs)
        eta = number("eta", eta, low=0, low_open=True)
        lmbda = number("lmbda", lmbda, low=0)
        m = self.mini_batch_size
        num_training_batches = size(training_data) // m
        if num_training_batches == 0:
            raise ValueError(f"training_data has fewer examples than one mini-batch ({m})")
        if validation_data is None:
            raise ValueError(
                "SGD needs validation_data (an (x, y) pair, e.g. from load_data_shared()): "
                "the book measures it after every epoch to pick the best one"
            )
        for name, data in (("validation_data", validation_data), ("test_data", test_data)):
            if data is not None and size(data) < m:
                raise ValueError(f"{name} has fewer examples than one mini-batch ({m})")
        n = num_training_batches * m
        if test_data is not None:  # the book's SGD defines it: predictions on test batch i
            self.test_mb_predictions = functools.partial(self._mb_predictions, test_data[0])
        X = self.inputs(training_data[0][:n])
        Y = one_hot(np.asarray(training_data[1][:n]), self.layers[-1].n_out, self.model.dtype)
        # cost + 0.5 * lmbda * sum(w**2) / num_training_batches: l2(c) adds c * sum(w**2)
        reg = L1L2(l2=0.5 * lmbda / num_training_batches) if lmbda else None
        for layer in self.layers:
            layer.engine.set_regularizer("kernel", reg)
        self.model.compile(optimizer=EngineSGD(learning_rate=eta), loss="categorical_crossentropy")
        with blas_threads(self.step_flops()):
            self._epochs(X, Y, epochs, validation_data, test_data, callbacks, on_epoch)

    def _epochs(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        validation_data: Data,
        test_data: Data | None,
        callbacks: Sequence[Callback],
        on_epoch: Callable[[int, TrainingRecord], Any] | None,
    ) -> None:
        say = self.print_fn or (lambda line: None)
        batches = X.shape[0] // self.mini_batch_size
        record = self.history = TrainingRecord()
        self.best_weights = None
        try:
            for epoch in range(epochs):
                start = time.perf_counter()
                lines = _MiniBatchLines(say, batches * epoch)
                # on past a loss that overflows, as the book's Theano code does
                fit_in_order(self.model, X, Y, self.mini_batch_size, [lines, *callbacks])
                accuracy = self.accuracy(validation_data)
                record.validation_accuracy.append(accuracy)
                say(f"Epoch {epoch}: validation accuracy {accuracy:.2%}")
                if accuracy >= record.best_validation_accuracy:
                    say("This is the best validation accuracy to date.")
                    record.best_validation_accuracy = accuracy
                    record.best_epoch, record.best_iteration = epoch, batches * (epoch + 1) - 1
                    self.best_weights = self.model.get_weights()
                    if test_data is not None:
                        record.test_accuracy[epoch] = self.accuracy(test_data)
                        say(f"The corresponding test accuracy is {record.test_accuracy[epoch]:.2%}")
                record.seconds.append(time.perf_counter() - start)
                if on_epoch is not None:
                    on_epoch(epoch, record)
        except KeyboardInterrupt:
            record.interrupted = True
            if self.best_weights is not None:
                self.use_best_weights()
            raise
        say("Finished training network.")
        say(
            f"Best validation accuracy of {record.best_validation_accuracy:.2%} obtained at "
            f"iteration {record.best_iteration}"
        )
        if record.best_test_accuracy is not None:
            say(f"Corresponding test accuracy of {record.best_test_accuracy:.2%}")

    def step_flops(self) -> float:
        """About the floating-point operations of one training step (forward and the two
        backward products of every convolution and dense layer), to choose BLAS threads."""
        total = 0.0
        for layer in self.layers:
            kernel = layer.engine.params["kernel"]
            positions = 1
            if isinstance(layer, ConvPoolLayer):
                positions = math.prod(layer.engine.output_shape[:2])
            total += 6.0 * self.mini_batch_size * positions * kernel.size
        return total

    def use_best_weights(self) -> None:
        """Put back the weights of the best validation epoch of the last ``SGD`` run."""
        if self.best_weights is None:
            raise RuntimeError("no SGD run has measured a validation accuracy yet")
        # Copied in place, not with set_weights, which refuses nan: a run whose weights
        # overflowed (the book's code trains on) may have its best epoch among them.
        for p, best in zip(self.model.parameters().values(), self.best_weights):
            p[...] = best

    def __repr__(self) -> str:
        inner = ", ".join(type(layer).__name__ for layer in self.layers)
        return f"Network([{inner}], mini_batch_size={self.mini_batch_size})"

"""Chapter 6 of Nielsen's book as experiments: the ladder of convolutional networks.

The book climbs from 98.78% to 99.67% test accuracy on MNIST in six steps, each adding
one idea to the one before (mini-batches of 10 throughout; the result of a run is the
test accuracy at the epoch of the best validation accuracy):

====  ==========================================================================  ======
step  network                                                                     book
====  ==========================================================================  ======
1     conv-pool 20x5x5, FC 100, softmax; sigmoid; 60 epochs; eta 0.1              98.78%
2     two conv-pools (20, 40 filters), FC 100; sigmoid; 60 epochs; eta 0.1        99.06%
3     step 2 with ReLU, eta 0.03, lmbda 0.1                                       99.23%
4     step 3 on the expanded data (250,000 images)                                99.37%
5     + two FC 1000 with dropout 0.5 (and on the softmax), 40 epochs, no lmbda    99.60%
6     five step-5 networks voting                                                 99.67%
====  ==========================================================================  ======

:func:`build_network` makes a step's :class:`~nnscratch.nielsen.network3.Network` after
``np.random.seed(seed)`` (the book's layers draw their weights from ``np.random``),
:func:`run_step` trains it with the book's settings and :func:`vote` counts an
ensemble's votes. Nothing here prints except through the ``print_fn`` the caller gives.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import backend, checks
from ..nielsen import network3
from ..nielsen.network3 import (
    ConvPoolLayer,
    FullyConnectedLayer,
    Network,
    ReLU,
    SoftmaxLayer,
    TrainingRecord,
    sigmoid,
)

__all__ = [
    "MINI_BATCH_SIZE",
    "STEPS",
    "Step",
    "build_network",
    "load_step_data",
    "run_step",
    "vote",
]

MINI_BATCH_SIZE = 10
#: the networks step 6 lets vote
ENSEMBLE_SIZE = 5


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: the book's network, settings and result."""

    number: int
    description: str
    book_accuracy: float
    epochs: int
    eta: float
    lmbda: float
    expanded: bool
    activation: Callable[..., Any]
    convolutions: int
    hidden: tuple[int, ...]
    p_dropout: float = 0.0
    ensemble: int = 1


STEPS: dict[int, Step] = {
    1: Step(1, "conv-pool 20x5x5, FC 100, softmax; sigmoid", 0.9878, 60, 0.1, 0.0, False,
            sigmoid, 1, (100,)),
    2: Step(2, "two conv-pools (20, 40), FC 100; sigmoid", 0.9906, 60, 0.1, 0.0, False,
            sigmoid, 2, (100,)),
    3: Step(3, "two conv-pools, FC 100; ReLU, lmbda 0.1", 0.9923, 60, 0.03, 0.1, False,
            ReLU, 2, (100,)),
    4: Step(4, "step 3 on the expanded data (250,000 images)", 0.9937, 60, 0.03, 0.1, True,
            ReLU, 2, (100,)),
    5: Step(5, "two conv-pools, two FC 1000 with dropout 0.5; expanded data", 0.9960, 40,
            0.03, 0.0, True, ReLU, 2, (1000, 1000), p_dropout=0.5),
    6: Step(6, "five step-5 networks voting", 0.9967, 40, 0.03, 0.0, True, ReLU, 2,
            (1000, 1000), p_dropout=0.5, ensemble=ENSEMBLE_SIZE),
}  # fmt: skip


def build_network(
    step: int,
    seed: int = 0,
    *,
    mini_batch_size: int = MINI_BATCH_SIZE,
    print_fn: Callable[[str], Any] | None = print,
    device: str = "cpu",
) -> Network:
    """The network of ``step`` (1-6), its weights drawn after ``np.random.seed(seed)``.

    ``device="gpu"`` moves the engine model to CuPy after the weights are drawn
    (:func:`nnscratch.engine.backend.move_model`), which refuses, in one line, the book's
    layers that compute with NumPy only.

    >>> net = build_network(1, print_fn=None)
    >>> net
    Network([ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer], mini_batch_size=10)
    """
    s = STEPS[checks.one_of("step", step, STEPS)]
    checks.integer("seed", seed, low=0, high=2**32 - 1)
    m = checks.positive_int("mini_batch_size", mini_batch_size)
    np.random.seed(seed)  # noqa: NPY002  (the book's layers draw from the global generator)
    fn = s.activation
    layers: list[Any] = [
        ConvPoolLayer(image_shape=(m, 1, 28, 28), filter_shape=(20, 1, 5, 5), activation_fn=fn)
    ]
    features = 20 * 12 * 12
    if s.convolutions == 2:
        layers.append(
            ConvPoolLayer(
                image_shape=(m, 20, 12, 12), filter_shape=(40, 20, 5, 5), activation_fn=fn
            )
        )
        features = 40 * 4 * 4
    for units in s.hidden:
        layers.append(FullyConnectedLayer(features, units, activation_fn=fn, p_dropout=s.p_dropout))
        features = units
    layers.append(SoftmaxLayer(features, 10, p_dropout=s.p_dropout))
    net = Network(layers, m, print_fn=print_fn)
    if device != "cpu":
        backend.move_model(net.model, device)
    return net


def load_step_data(
    step: int, path: str | os.PathLike[str] | None = None
) -> tuple[network3.Data, network3.Data, network3.Data]:
    """``(training, validation, test)`` for ``step``: MNIST's 50,000 training images, or
    for steps 4-6 the book's 250,000 expanded ones
    (:func:`nnscratch.data.mnist.expanded_training_set`, seed 0, cached)."""
    from ..data.mnist import expanded_training_set, load_mnist

    mnist = load_mnist(path)
    train = expanded_training_set(path) if STEPS[step].expanded else mnist.train
    shared = network3._shared
    return shared(train), shared(mnist.validation), shared(mnist.test)


def run_step(
    net: Network,
    step: int,
    data: tuple[network3.Data, network3.Data, network3.Data],
    *,
    epochs: int | None = None,
    callbacks: Sequence[Any] = (),
    on_epoch: Callable[[int, TrainingRecord], Any] | None = None,
) -> TrainingRecord:
    """Train ``net`` with ``step``'s eta, lmbda and epochs (``epochs`` overrides the
    book's count) and return its :class:`~nnscratch.nielsen.network3.TrainingRecord`.

    A Ctrl-C leaves the best validation epoch's weights in ``net`` and raises
    ``KeyboardInterrupt`` (``net.history.interrupted`` is then True).
    """
    s = STEPS[step]
    epochs = s.epochs if epochs is None else checks.positive_int("epochs", epochs)
    training, validation, test = data
    net.SGD(
        training,
        epochs,
        net.mini_batch_size,
        s.eta,
        validation,
        test,
        lmbda=s.lmbda,
        callbacks=callbacks,
        on_epoch=on_epoch,
    )
    return net.history


def vote(nets: Sequence[Network], x: np.ndarray) -> np.ndarray:
    """The digit most of ``nets`` read each row of ``x`` as (ties: the smallest digit,
    each network's vote counted once)."""
    votes = np.stack([net.predict(x) for net in nets])  # (networks, n)
    counts = np.zeros((votes.shape[1], 10), dtype=np.int64)
    for row in votes:
        counts[np.arange(votes.shape[1]), row] += 1
    return counts.argmax(axis=1)

"""``compare --dataset mnist --conv``: the book's step-3 convolutional network in three libraries.

Nielsen's chapter 6 climbs a ladder of networks; its step 3 is two convolution-pooling
layers (20 and 40 filters of 5x5, max-pooling 2x2), a fully connected layer of 100 and a
softmax of 10, all ReLU, trained with ``eta = 0.03``, ``lmbda = 0.1`` and mini-batches of
10. This module trains it for one epoch (by default) with nnscratch, PyTorch and Keras 3,
**from the same initial weights**, and returns the same :class:`LibraryRun` records as
the dense comparison. scikit-learn has no convolutional layers and is reported as skipped.

How the book's step is spoken
-----------------------------
The book's ``network3.py`` minimises, per mini-batch, the mean log-likelihood cost plus
``0.5 * lmbda * sum(w**2) / num_training_batches`` over every layer's weights (not the
biases), with ``param -= eta * grad``. Every library here does the same:

* the mean categorical cross-entropy of the batch (nnscratch's default reduction,
  PyTorch's ``F.cross_entropy``, Keras' ``SparseCategoricalCrossentropy``);
* an L2 penalty ``c * sum(w**2)`` on each kernel with ``c = lmbda / (2 * num_batches)``
  (``num_batches = n_train // batch_size``: 1e-5 for the book's 50,000 images): nnscratch's
  and Keras' ``l2(c)``, added to the loss by hand in PyTorch;
* plain SGD with learning rate ``eta``, one thread (BLAS and PyTorch).

The initial weights follow the book's scheme, drawn from ``np.random.RandomState(seed)``
in the book's order and shapes, then laid out channels-last: convolution kernels
N(0, 1/n_out) with ``n_out = filters * 25 / 4``, the fully connected kernel N(0, 1/100),
biases N(0, 1), the softmax layer zeros. The libraries shuffle with their own generators,
so their runs differ as two runs with different shuffles do; the table shows how close
they end and how long each takes. Everything runs in float32, as the book's GPU setting.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..engine.layers import Conv2D, Dense, Flatten, MaxPooling2D
from ..engine.model import Sequential, TrainingDiverged
from ..engine.optimizers import SGD
from ..engine.regularizers import l2 as l2_penalty
from .compare_libraries import import_keras, import_torch, library_status, one_torch_thread
from .compare_setup import (
    CONV_DEFAULTS,
    CompareSettings,
    Comparison,
    LibraryRun,
    Split,
    finish_run,
    run_libraries,
)

__all__ = [
    "CONV_DEFAULTS",
    "CONV_TRAINERS",
    "book_initial_weights",
    "compare_conv",
    "conv_model",
    "keras_conv_model",
    "l2_coefficient",
    "load_images",
    "torch_conv_model",
    "train_keras_conv",
    "train_nnscratch_conv",
    "train_pytorch_conv",
]

#: why a library cannot train this network
NO_CONV = {"scikit-learn": "scikit-learn has no convolutional layers"}


def l2_coefficient(settings: CompareSettings, n_train: int) -> float:
    """``lmbda / (2 * num_training_batches)``: the book's ``0.5 * lmbda * sum(w**2) /
    num_training_batches`` as the ``c`` of a penalty ``c * sum(w**2)``."""
    batches = max(n_train // (settings.batch_size or n_train), 1)
    return settings.l2 / (2 * batches)


# -- the network and its start ---------------------------------------------------------------
def conv_model(settings: CompareSettings, coefficient: float) -> Sequential:
    """The step-3 network as nnscratch layers, float32, compiled for the book's step."""
    reg = l2_penalty(coefficient) if coefficient else None
    model = Sequential(
        [
            Conv2D(20, 5, activation="relu", kernel_regularizer=reg, input_shape=(28, 28, 1)),
            MaxPooling2D(2),
            Conv2D(40, 5, activation="relu", kernel_regularizer=reg),
            MaxPooling2D(2),
            Flatten(),
            Dense(settings.hidden, "relu", kernel_regularizer=reg),
            Dense(10, "softmax", kernel_regularizer=reg),
        ],
        seed=settings.seed,
        dtype="float32",
    )
    model.compile(SGD(settings.learning_rate), "categorical_crossentropy")
    return model


def book_initial_weights(settings: CompareSettings) -> list[np.ndarray]:
    """``[K1, b1, K2, b2, W3, b3, W4, b4]`` drawn as the book's layers draw them.

    Channels-last: kernels ``(5, 5, in, filters)``, the fully connected kernel's rows in
    the order of nnscratch's (and Keras') ``Flatten``.
    """
    rng = np.random.RandomState(settings.seed)
    weights = []
    for filters, channels in ((20, 1), (40, 20)):
        n_out = filters * 5 * 5 / 4  # the book's: filters * prod(kernel) / prod(pool)
        w = rng.normal(0.0, np.sqrt(1.0 / n_out), (filters, channels, 5, 5))
        weights += [w.transpose(2, 3, 1, 0), rng.normal(0.0, 1.0, filters)]
    hidden = settings.hidden
    weights += [rng.normal(0.0, np.sqrt(1.0 / hidden), (640, hidden)), rng.normal(0, 1, hidden)]
    weights += [np.zeros((hidden, 10)), np.zeros(10)]  # the book's SoftmaxLayer
    return [np.ascontiguousarray(w, dtype=np.float32) for w in weights]


def load_images(settings: CompareSettings, data_path: Any = None) -> Split:
    """The first ``n_samples`` training images and the 10,000 test images, as
    ``(n, 28, 28, 1)`` float32 (from ``data_path``, ``NNSCRATCH_DATA`` or the cache)."""
    from ..data import load_mnist

    (X, y), _, (X_test, y_test) = load_mnist(data_path, download=False, progress=False)
    n = settings.n_samples
    return Split(
        np.ascontiguousarray(X[:n].reshape(-1, 28, 28, 1), dtype=np.float32),
        np.asarray(y[:n], dtype=np.int64),
        np.ascontiguousarray(X_test.reshape(-1, 28, 28, 1), dtype=np.float32),
        np.asarray(y_test, dtype=np.int64),
        10,
    )


def book_cost(proba: np.ndarray, y: np.ndarray, kernels: Sequence[np.ndarray], c: float) -> float:
    """The book's objective on a whole set: mean ``-log p[y]`` plus ``c * sum(w**2)``."""
    p = np.clip(proba[np.arange(len(y)), y].astype(np.float64), 1e-300, None)
    penalty = c * sum(float(np.vdot(k, k)) for k in kernels)
    return float(-np.log(p).mean()) + penalty


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """One BLAS thread and one PyTorch thread: the same for every library."""
    with threadpool_limits(1), one_torch_thread():
        yield


def _book_cost(
    settings: CompareSettings, split: Split
) -> Callable[[np.ndarray, np.ndarray, Sequence[np.ndarray]], float]:
    """The final loss of a run for :func:`finish_run`: the book's cost, this run's L2."""
    return functools.partial(book_cost, c=l2_coefficient(settings, len(split.y_train)))


# -- the three libraries -----------------------------------------------------------------------
def train_nnscratch_conv(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """nnscratch's engine: ``Sequential.fit`` with the layers above."""
    from .. import __version__

    model = conv_model(settings, l2_coefficient(settings, len(split.y_train)))
    model.set_weights(weights)
    note = ""
    with one_thread():
        start = time.perf_counter()
        try:
            model.fit(split.X_train, split.y_train, settings.batch_size, settings.epochs)
        except TrainingDiverged as exc:
            note = f"diverged at epoch {exc.epoch}"
        seconds = time.perf_counter() - start

        def predict(x: np.ndarray) -> np.ndarray:
            return model.predict(x, batch_size=1000)

        final = model.get_weights()
        return finish_run(
            "nnscratch", __version__, split, settings, predict, final, seconds,
            model.count_params(), note, cost=_book_cost(settings, split),
        )  # fmt: skip


def torch_conv_model(torch: Any, weights: Sequence[np.ndarray], hidden: int = 100) -> Any:
    """The network in ``torch.nn``, holding ``weights`` (nnscratch's layouts) translated:
    kernels to ``(filters, in, 5, 5)``, the first Dense kernel's rows to PyTorch's
    channels-first flatten order, Dense kernels transposed."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 40, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(640, hidden), nn.ReLU(), nn.Linear(hidden, 10),
    )  # fmt: skip
    k1, b1, k2, b2, w3, b3, w4, b4 = weights
    w3 = np.asarray(w3).reshape(4, 4, 40, hidden).transpose(2, 0, 1, 3).reshape(640, hidden)
    layouts = [k1.transpose(3, 2, 0, 1), b1, k2.transpose(3, 2, 0, 1), b2, w3.T, b3, w4.T, b4]
    with torch.no_grad():
        for p, w in zip(model.parameters(), layouts, strict=True):
            p.copy_(torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32)))
    return model


def train_pytorch_conv(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """PyTorch as its tutorials train: ``F.cross_entropy`` plus the L2 term, ``optim.SGD``."""
    torch = import_torch()
    model = torch_conv_model(torch, weights, settings.hidden)
    kernels = [p for name, p in model.named_parameters() if name.endswith("weight")]
    c = l2_coefficient(settings, len(split.y_train))
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.learning_rate)
    X = torch.from_numpy(np.ascontiguousarray(split.X_train.transpose(0, 3, 1, 2)))
    y = torch.from_numpy(split.y_train)
    generator = torch.Generator().manual_seed(settings.seed)
    batch = settings.batch_size or len(y)
    with one_thread():
        start = time.perf_counter()
        for _ in range(settings.epochs):
            order = torch.randperm(len(y), generator=generator)
            for s in range(0, len(y), batch):
                idx = order[s : s + batch]
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
                if c:
                    loss = loss + c * sum((w * w).sum() for w in kernels)
                loss.backward()
                optimizer.step()
        seconds = time.perf_counter() - start

        def predict(x: np.ndarray) -> np.ndarray:
            images = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            with torch.no_grad():
                parts = [
                    torch.softmax(model(images[s : s + 1000]), 1) for s in range(0, len(x), 1000)
                ]
            return torch.cat(parts).numpy()

        final = [np.array(p.detach().numpy()) for p in model.parameters()]
        return finish_run(
            "pytorch", torch.__version__, split, settings, predict, final, seconds,
            sum(int(p.numel()) for p in model.parameters()), cost=_book_cost(settings, split),
        )  # fmt: skip


def keras_conv_model(keras: Any, weights: Sequence[np.ndarray], c: float, hidden: int = 100) -> Any:
    """The network in Keras 3 (channels-last, as nnscratch), holding ``weights``."""
    reg = (lambda: keras.regularizers.l2(c)) if c else (lambda: None)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(20, 5, activation="relu", kernel_regularizer=reg()),
            layers.MaxPooling2D(2),
            layers.Conv2D(40, 5, activation="relu", kernel_regularizer=reg()),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(hidden, activation="relu", kernel_regularizer=reg()),
            layers.Dense(10, activation="softmax", kernel_regularizer=reg()),
        ]
    )
    model.set_weights([np.asarray(w, dtype=np.float32) for w in weights])
    return model


def train_keras_conv(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """Keras 3 as its users write it: ``Sequential``, ``compile``, ``fit``."""
    keras = import_keras()
    c = l2_coefficient(settings, len(split.y_train))
    model = keras_conv_model(keras, weights, c, settings.hidden)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=settings.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")  # the backend's notices, NumPy 2's __array__ protocol
        start = time.perf_counter()
        model.fit(
            split.X_train, split.y_train, batch_size=settings.batch_size,
            epochs=settings.epochs, shuffle=True, verbose=0,
        )  # fmt: skip
        seconds = time.perf_counter() - start

        def predict(x: np.ndarray) -> np.ndarray:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return np.asarray(model.predict(x, batch_size=1000, verbose=0))

        final = [np.array(w) for w in model.get_weights()]
        return finish_run(
            "keras", f"{keras.__version__} ({keras.backend.backend()})", split, settings,
            predict, final, seconds, int(model.count_params()), cost=_book_cost(settings, split),
        )  # fmt: skip


CONV_TRAINERS: dict[str, Callable[[Split, CompareSettings, Sequence[np.ndarray]], LibraryRun]] = {
    "nnscratch": train_nnscratch_conv,
    "keras": train_keras_conv,
    "pytorch": train_pytorch_conv,
}


def compare_conv(
    config: CompareSettings,
    wanted: Sequence[str],
    data_path: str | os.PathLike[str] | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> Comparison:
    """Train the step-3 network with each library of ``wanted`` (in the table's order);
    see :func:`nnscratch.lab.compare.compare`, which calls this for ``conv=True``."""
    split = load_images(config, data_path)
    start = book_initial_weights(config)
    status = library_status([name for name in wanted if name not in NO_CONV])
    reasons = {name: NO_CONV.get(name) or status[name] for name in wanted}
    return run_libraries(config, split, start, CONV_TRAINERS, reasons, on_start, on_done)

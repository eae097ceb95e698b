"""What a comparison of libraries trains on, starts from and gives back.

:mod:`nnscratch.lab.compare` trains the same network with several libraries; this module
holds what they share: the settings (:class:`CompareSettings`, with each data set's
defaults in :data:`DATASETS`), the data (:func:`load_split`), the common starting
weights (:func:`initial_weights`, the article's ``randn / sqrt(n_in)``), the article's loss
(:func:`article_loss`) and the record of one library's run (:class:`LibraryRun`). It
imports no library but NumPy and nnscratch's engine, so the command line can read the
defaults without loading scikit-learn, Keras or PyTorch.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..engine import backend, checks
from ..engine.layers import Dense
from ..engine.model import Sequential
from ..engine.optimizers import SGD
from ..engine.regularizers import l2 as l2_penalty

__all__ = [
    "CONV_DEFAULTS",
    "DATASETS",
    "LIBRARIES",
    "CompareSettings",
    "Comparison",
    "LibraryRun",
    "Split",
    "article_loss",
    "article_model",
    "check_libraries",
    "finish_run",
    "initial_weights",
    "load_split",
    "make_settings",
    "run_libraries",
]

#: the convolutional network's defaults (the book's step 3, one epoch); ``hidden`` is its
#: fully connected layer
CONV_DEFAULTS: dict[str, Any] = {
    "hidden": 100,
    "epochs": 1,
    "learning_rate": 0.03,
    "l2": 0.1,
    "batch_size": 10,
    "n_samples": 50000,
}

#: the libraries, in the order of the table
LIBRARIES = ("nnscratch", "scikit-learn", "keras", "pytorch")

#: each data set's defaults: the article's for the toy data, the book's scale for MNIST
DATASETS: dict[str, dict[str, Any]] = {
    "moons": {
        "hidden": 3,
        "epochs": 20000,
        "learning_rate": 0.01,
        "l2": 0.01,
        "batch_size": None,
        "n_samples": 200,
    },
    "circles": {
        "hidden": 3,
        "epochs": 20000,
        "learning_rate": 0.01,
        "l2": 0.01,
        "batch_size": None,
        "n_samples": 100,
    },
    "mnist": {
        "hidden": 30,
        "epochs": 5,
        "learning_rate": 0.05,
        "l2": 0.0,
        "batch_size": 10,
        "n_samples": 10000,
    },
}


@dataclass(frozen=True)
class CompareSettings:
    """What every library trains with.

    Attributes
    ----------
    dataset : {"moons", "circles", "mnist"}
    hidden : int
        Units of the tanh hidden layer.
    epochs : int
        Passes over the training data.
    learning_rate : float
        The article's ``epsilon``: the step on the *summed* gradient of a batch.
    l2 : float
        The article's ``reg_lambda``: the penalty is ``l2 / 2 * sum of squared kernels``.
    batch_size : int or None
        ``None`` is full-batch gradient descent (the article).
    seed : int
        Initial weights and the train/test split.
    test_size : float
        Fraction of the toy data held out for testing (MNIST has its own test set).
    n_samples : int
        Points of toy data generated, or MNIST training images used.
    device : "cpu", "gpu" or an Array-API namespace module
        Where nnscratch trains: NumPy, or CuPy on a GPU (the other libraries on the CPU);
        see :mod:`nnscratch.engine.backend`.
    conv : bool
        MNIST only: the book's step-3 convolutional network instead of the tanh MLP
        (``hidden`` is then its fully connected layer, ``learning_rate`` the book's
        ``eta`` on the batch's mean cost, ``l2`` its ``lmbda``); see
        :mod:`nnscratch.lab.compare_conv`.
    """

    dataset: str = "moons"
    hidden: int = 3
    epochs: int = 20000
    learning_rate: float = 0.01
    l2: float = 0.01
    batch_size: int | None = None
    seed: int = 0
    test_size: float = 0.3
    n_samples: int = 200
    conv: bool = False
    device: Any = "cpu"

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(
                f"unknown dataset {self.dataset!r}; valid: {', '.join(sorted(DATASETS))}"
            )
        if checks.flag("conv", self.conv) and self.dataset != "mnist":
            raise ValueError(
                f"the convolutional network needs images: --dataset mnist, not {self.dataset}"
            )
        for name in ("hidden", "epochs", "n_samples"):
            checks.positive_int(name, getattr(self, name))
        if self.batch_size is not None:
            checks.positive_int("batch_size", self.batch_size)
        checks.integer("seed", self.seed, low=0, high=2**32 - 1)
        checks.number("learning_rate", self.learning_rate, low=0, low_open=True)
        checks.number("l2", self.l2, low=0)
        checks.number("test_size", self.test_size, 0, 1, low_open=True, high_open=True)
        backend.namespace(self.device)  # "cpu", "gpu" (CuPy and a GPU) or a namespace
        if self.conv and self.device != "cpu":
            raise ValueError("device='gpu' compares the tanh network; --conv runs on the CPU")

    @property
    def passes(self) -> str:
        """``"1 epoch"``, ``"20000 epochs"``."""
        return f"{self.epochs} epoch{'' if self.epochs == 1 else 's'}"

    def describe(self) -> str:
        """The settings in words, as the command line prints them."""
        batch = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        if self.conv:
            return (
                f"{self.dataset}: the book's step-3 network (conv 20x5x5, pool 2, conv 40x5x5, "
                f"pool 2, {self.hidden} ReLU, softmax 10), {self.passes}, {batch}, "
                f"eta {self.learning_rate:g}, lmbda {self.l2:g}, float32, seed {self.seed}"
            )
        where = "" if self.device == "cpu" else f", nnscratch on the {self.device}"
        return (
            f"{self.dataset}: {self.hidden} tanh units, {self.passes}, {batch}, "
            f"learning rate {self.learning_rate:g}, L2 {self.l2:g}, seed {self.seed}{where}"
        )


def check_libraries(libraries: Sequence[str]) -> list[str]:
    """``libraries`` as a list, if each is one of :data:`LIBRARIES` (and there is one).

    >>> check_libraries(["nnscratch", "pytorch"])
    ['nnscratch', 'pytorch']
    """
    wanted = list(libraries)
    unknown = [name for name in wanted if name not in LIBRARIES]
    if unknown or not wanted:
        raise ValueError(
            f"unknown librar{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown) or '(none)'}"
            f"; valid: {', '.join(LIBRARIES)}"
        )
    return wanted


def make_settings(dataset: str = "moons", conv: bool = False, **overrides: Any) -> CompareSettings:
    """Settings for ``dataset``: its defaults, with every non-``None`` override applied.

    ``conv=True`` (MNIST) starts from the convolutional network's defaults
    (:data:`~nnscratch.lab.compare_conv.CONV_DEFAULTS`: the book's step 3, one epoch).

    >>> make_settings("moons", hidden=5).hidden
    5
    >>> make_settings("mnist").batch_size
    10
    >>> make_settings("mnist", conv=True).learning_rate
    0.03
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; valid: {', '.join(sorted(DATASETS))}")
    values = {**(CONV_DEFAULTS if conv is True and dataset == "mnist" else DATASETS[dataset])}
    unknown = set(overrides) - {f.name for f in CompareSettings.__dataclass_fields__.values()}
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "batch_size" in overrides and overrides["batch_size"] == 0:
        values["batch_size"] = None  # 0 asks for the full batch explicitly
    return CompareSettings(dataset=dataset, conv=conv, **values)


@dataclass
class Split:
    """Training and test data, float64 inputs and integer labels ``0..n_classes-1``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int


@dataclass
class LibraryRun:
    """One library's result.

    ``weights`` are the final ``[W1, b1, W2, b2]`` (kernels ``(n_in, n_out)``);
    ``predict_proba`` maps inputs to class probabilities. Neither goes into JSON.
    """

    library: str
    version: str
    train_accuracy: float
    test_accuracy: float
    final_loss: float
    wall_time: float
    n_params: int
    note: str = ""
    weights: list[np.ndarray] = field(default_factory=list, repr=False)
    predict_proba: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("weights")
        d.pop("predict_proba")
        return d


@dataclass
class Comparison:
    """The outcome of :func:`compare`: the settings, one run per library, and the data.

    ``interrupted`` names the library whose training Ctrl-C stopped (its run is left
    out; the libraries after it did not train), else None.
    """

    settings: CompareSettings
    runs: list[LibraryRun]
    skipped: dict[str, str]
    split: Split = field(repr=False)
    interrupted: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "n_train": int(self.split.X_train.shape[0]),
            "n_test": int(self.split.X_test.shape[0]),
            "results": [run.to_dict() for run in self.runs],
            "skipped": dict(self.skipped),
            "interrupted": self.interrupted,
        }


# -- data ----------------------------------------------------------------------------------
def load_split(settings: CompareSettings, data_path: str | os.PathLike[str] | None = None) -> Split:
    """The data of ``settings.dataset``, split into training and test sets.

    The toy sets are the article's (``moons``: 200 points, noise 0.2, seed 0; ``circles``)
    split with a stratified ``train_test_split`` seeded by ``settings.seed``. MNIST uses the
    first ``n_samples`` training images and the 10,000 test images of
    :func:`nnscratch.data.load_mnist` (from ``data_path``, ``NNSCRATCH_DATA`` or the
    cache; nothing is downloaded here).
    """
    if settings.dataset == "mnist":
        return _load_mnist(settings, data_path)
    from sklearn.model_selection import train_test_split

    from ..data.toy import circles, moons

    make = moons if settings.dataset == "moons" else circles
    X, y = make(settings.n_samples)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=settings.test_size, random_state=settings.seed, stratify=y
    )
    return Split(
        np.ascontiguousarray(X_train, dtype=np.float64),
        y_train.astype(np.int64),
        np.ascontiguousarray(X_test, dtype=np.float64),
        y_test.astype(np.int64),
        int(y.max()) + 1,
    )


def _load_mnist(settings: CompareSettings, data_path: Any) -> Split:
    from ..data import load_mnist

    data = load_mnist(data_path, download=False, progress=False)
    (X, y), _, (X_test, y_test) = data
    X, y = X[: settings.n_samples], y[: settings.n_samples]
    return Split(
        np.ascontiguousarray(X, dtype=np.float64),
        np.asarray(y, dtype=np.int64),
        np.ascontiguousarray(X_test, dtype=np.float64),
        np.asarray(y_test, dtype=np.int64),
        10,
    )


# -- the shared starting point -------------------------------------------------------------
def article_model(settings: CompareSettings, n_features: int, n_classes: int) -> Sequential:
    reg = l2_penalty(settings.l2 / 2) if settings.l2 else None
    model = Sequential(
        [
            Dense(
                settings.hidden,
                "tanh",
                kernel_initializer="scaled_normal",
                kernel_regularizer=reg,
            ),
            Dense(n_classes, "softmax", kernel_initializer="scaled_normal", kernel_regularizer=reg),
        ],
        seed=settings.seed,
        dtype="float64",
        device=settings.device,
    )
    model.build(n_features)
    model.compile(SGD(settings.learning_rate), "categorical_crossentropy", reduction="sum")
    return model


def initial_weights(settings: CompareSettings, n_features: int, n_classes: int) -> list[np.ndarray]:
    """The article's initial ``[W1, b1, W2, b2]``, drawn from ``RandomState(seed)``.

    ``W1 = randn(n_features, hidden) / sqrt(n_features)``, ``W2 = randn(hidden, n_classes)
    / sqrt(hidden)``, zero biases: the tutorial's ``build_model`` start.
    """
    return article_model(settings, n_features, n_classes).get_weights()


def article_loss(
    proba: np.ndarray, y: np.ndarray, kernels: Sequence[np.ndarray], l2: float
) -> float:
    """The article's ``calculate_loss``: ``(sum -log p[i, y_i] + l2/2 * sum ||W||^2) / n``."""
    p = np.clip(proba[np.arange(len(y)), y], 1e-300, None)
    data = float(-np.log(p).sum())
    penalty = l2 / 2 * sum(float(np.vdot(k, k)) for k in kernels)
    return (data + penalty) / len(y)


def _accuracy(proba: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(proba.argmax(axis=1) == y))


def finish_run(
    library: str,
    version: str,
    split: Split,
    settings: CompareSettings,
    predict_proba: Callable[[np.ndarray], np.ndarray],
    weights: list[np.ndarray],
    seconds: float,
    n_params: int,
    note: str = "",
    cost: Callable[[np.ndarray, np.ndarray, Sequence[np.ndarray]], float] | None = None,
    kernels: Sequence[np.ndarray] | None = None,
) -> LibraryRun:
    """The record of a trained library. Its final loss is ``cost(train_proba, y_train,
    kernels)``: by default the article's :func:`article_loss` with ``settings.l2``.

    ``weights`` is the trained ``[kernel, bias, kernel, bias, ...]`` in nnscratch's
    layouts; ``kernels``, the arrays the L2 penalty counts, are by default every other
    one of them (``weights[0::2]``: every layer's kernel, no bias).
    """
    train_p = predict_proba(split.X_train)
    test_p = predict_proba(split.X_test)
    if cost is None:
        cost = functools.partial(article_loss, l2=settings.l2)
    if kernels is None:
        kernels = weights[0::2]
    return LibraryRun(
        library=library,
        version=version,
        train_accuracy=_accuracy(train_p, split.y_train),
        test_accuracy=_accuracy(test_p, split.y_test),
        final_loss=cost(train_p, split.y_train, kernels),
        wall_time=seconds,
        n_params=n_params,
        note=note,
        weights=weights,
        predict_proba=predict_proba,
    )


def run_libraries(
    settings: CompareSettings,
    split: Split,
    start: Any,
    trainers: Mapping[str, Callable[[Split, CompareSettings, Any], LibraryRun]],
    reasons: Mapping[str, str | None],
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> Comparison:
    """Train each library named in ``reasons``, in :data:`LIBRARIES`' order, from ``start``.

    ``reasons[name]`` is why that library cannot run (it is then skipped with that reason)
    or ``None``. ``on_start(name)`` and ``on_done(name)`` frame each library. A Ctrl-C
    during one library keeps the runs before it; the comparison names it ``interrupted``.
    """
    runs: list[LibraryRun] = []
    skipped: dict[str, str] = {}
    for name in (n for n in LIBRARIES if n in reasons):
        reason = reasons[name]
        if reason is not None:
            skipped[name] = reason
        else:
            if on_start is not None:
                on_start(name)
            try:
                runs.append(trainers[name](split, settings, start))
            except KeyboardInterrupt:  # keep what the other libraries did
                return Comparison(settings, runs, skipped, split, interrupted=name)
        if on_done is not None:
            on_done(name)
    return Comparison(settings, runs, skipped, split)

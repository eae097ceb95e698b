"""The same network trained by nnscratch, scikit-learn, Keras and PyTorch, side by side.

The WildML article ends by asking how its hand-written network compares with the
libraries. This module answers with one experiment: the *same* architecture (a tanh hidden
layer and a softmax output), the *same* initial weights (the article's
``randn(n_in, n_out) / sqrt(n_in)``, zero biases, drawn from ``seed``), the same data split
and the same hyperparameters, trained by each library as its users would train it. It
returns, for every library, the train and test accuracy, the final loss, the wall time of
the training and the number of parameters, plus a function to draw its decision boundary.

How the article's hyperparameters are spoken in each library
-------------------------------------------------------------
The article takes gradient steps on the *summed* loss of a batch with
``W <- W - epsilon * (dW + reg_lambda * W)``, i.e. on the objective

    sum_i -log p[i, y_i]  +  reg_lambda / 2 * (||W1||^2 + ||W2||^2)

* nnscratch: ``loss reduction="sum"``, ``l2(reg_lambda / 2)`` on each kernel,
  ``SGD(epsilon)``: the article's arithmetic, step for step.
* PyTorch: ``cross_entropy(logits, y, reduction="sum")`` plus the same penalty,
  ``torch.optim.SGD(lr=epsilon)``, in float64, on one thread (its fastest setting for
  networks this small; Keras on the PyTorch backend too).
* Keras 3: ``SparseCategoricalCrossentropy(reduction="sum")``,
  ``regularizers.l2(reg_lambda / 2)``, ``optimizers.SGD(epsilon)``, float64 layers.
  Keras runs on the PyTorch backend unless ``KERAS_BACKEND`` says otherwise. (On that
  backend Keras 3 still multiplies matrices in float32, so it agrees with the others to
  float32 rounding only.)
* scikit-learn's ``MLPClassifier`` averages over the batch (``B`` samples) and divides its
  ``alpha`` by ``B`` too, so ``solver="sgd"``, ``momentum=0``, ``alpha=reg_lambda`` and
  ``learning_rate_init = epsilon * B`` give exactly the article's step. For two classes it
  uses one logistic output unit instead of a two-way softmax (the same function:
  ``softmax([a, b])[1] = sigmoid(b - a)``), started from ``W2[:, 1] - W2[:, 0]``; that
  layer then trains at a different pace, so its numbers differ a little.

With a full batch (the default for the toy data) one step of nnscratch and one of PyTorch
give the same float64 weights to 1e-12. Over thousands of steps rounding differences can
grow (the article's step size is large: the loss oscillates a little), so the libraries end
close in accuracy and loss rather than equal in every bit; the table shows mostly how fast
each one gets there. Mini-batches
(``batch_size``) are shuffled by each library's own generator, so then the runs differ
like any two runs with different shuffles.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..data.toy import circles, moons
from ..engine.layers import Dense
from ..engine.model import Sequential, TrainingDiverged
from ..engine.optimizers import SGD
from ..engine.regularizers import l2 as l2_penalty
from ._files import save_figure

__all__ = [
    "DATASETS",
    "LIBRARIES",
    "CompareSettings",
    "Comparison",
    "LibraryRun",
    "Split",
    "article_loss",
    "boundary_figure",
    "compare",
    "initial_weights",
    "library_status",
    "load_split",
    "make_settings",
    "save_figure",
    "train_keras",
    "train_nnscratch",
    "train_pytorch",
    "train_sklearn",
]

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

#: how to install what is missing
_INSTALL_HINT = "pip install 'nnscratch[compare]'"


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

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(
                f"unknown dataset {self.dataset!r}; valid: {', '.join(sorted(DATASETS))}"
            )
        for name in ("hidden", "epochs", "n_samples"):
            _check_positive_int(name, getattr(self, name))
        if self.batch_size is not None:
            _check_positive_int("batch_size", self.batch_size)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {self.seed!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {lr!r}")
        if not (isinstance(self.l2, (int, float)) and math.isfinite(self.l2) and self.l2 >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {self.l2!r}")
        if not (isinstance(self.test_size, float) and 0.0 < self.test_size < 1.0):
            raise ValueError(f"test_size must be a fraction in (0, 1), got {self.test_size!r}")


def make_settings(dataset: str = "moons", **overrides: Any) -> CompareSettings:
    """Settings for ``dataset``: its defaults, with every non-``None`` override applied.

    >>> make_settings("moons", hidden=5).hidden
    5
    >>> make_settings("mnist").batch_size
    10
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; valid: {', '.join(sorted(DATASETS))}")
    values = {**DATASETS[dataset]}
    unknown = set(overrides) - {f.name for f in CompareSettings.__dataclass_fields__.values()}
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "batch_size" in overrides and overrides["batch_size"] == 0:
        values["batch_size"] = None  # 0 asks for the full batch explicitly
    return CompareSettings(dataset=dataset, **values)


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
    """The outcome of :func:`compare`: the settings, one run per library, and the data."""

    settings: CompareSettings
    runs: list[LibraryRun]
    skipped: dict[str, str]
    split: Split = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "n_train": int(self.split.X_train.shape[0]),
            "n_test": int(self.split.X_test.shape[0]),
            "results": [run.to_dict() for run in self.runs],
            "skipped": dict(self.skipped),
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
    try:
        from ..data import load_mnist  # type: ignore[attr-defined]
    except ImportError as exc:
        raise ValueError(
            "--dataset mnist needs the MNIST loader nnscratch.data.load_mnist, which this "
            "installation of nnscratch does not have"
        ) from exc
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
def _article_model(settings: CompareSettings, n_features: int, n_classes: int) -> Sequential:
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
    )
    model.build(n_features)
    model.compile(SGD(settings.learning_rate), "categorical_crossentropy", reduction="sum")
    return model


def initial_weights(settings: CompareSettings, n_features: int, n_classes: int) -> list[np.ndarray]:
    """The article's initial ``[W1, b1, W2, b2]``, drawn from ``RandomState(seed)``.

    ``W1 = randn(n_features, hidden) / sqrt(n_features)``, ``W2 = randn(hidden, n_classes)
    / sqrt(hidden)``, zero biases: the tutorial's ``build_model`` start.
    """
    return _article_model(settings, n_features, n_classes).get_weights()


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


def _finish(
    library: str,
    version: str,
    split: Split,
    settings: CompareSettings,
    predict_proba: Callable[[np.ndarray], np.ndarray],
    weights: list[np.ndarray],
    kernels: Sequence[np.ndarray],
    seconds: float,
    n_params: int,
    note: str = "",
) -> LibraryRun:
    train_p = predict_proba(split.X_train)
    test_p = predict_proba(split.X_test)
    return LibraryRun(
        library=library,
        version=version,
        train_accuracy=_accuracy(train_p, split.y_train),
        test_accuracy=_accuracy(test_p, split.y_test),
        final_loss=article_loss(train_p, split.y_train, kernels, settings.l2),
        wall_time=seconds,
        n_params=n_params,
        note=note,
        weights=weights,
        predict_proba=predict_proba,
    )


# -- the four libraries --------------------------------------------------------------------
def train_nnscratch(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """nnscratch's engine, set up as the article: sum reduction, ``l2(reg/2)``, plain SGD."""
    from .. import __version__

    model = _article_model(settings, split.X_train.shape[1], split.n_classes)
    model.set_weights(weights)
    note = ""
    start = time.perf_counter()
    try:
        model.fit(
            split.X_train,
            split.y_train,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            shuffle=True,
            verbose=0,
        )
    except TrainingDiverged as exc:
        note = f"diverged at epoch {exc.epoch}"
    seconds = time.perf_counter() - start
    final = model.get_weights()
    return _finish(
        "nnscratch",
        __version__,
        split,
        settings,
        model.predict,
        final,
        final[0::2],
        seconds,
        model.count_params(),
        note,
    )


def train_sklearn(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """scikit-learn's MLPClassifier, matched to the article (see the module docstring)."""
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    n = split.X_train.shape[0]
    batch = n if settings.batch_size is None else min(settings.batch_size, n)
    clf = MLPClassifier(
        hidden_layer_sizes=(settings.hidden,),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        learning_rate="constant",
        learning_rate_init=settings.learning_rate * batch,
        alpha=settings.l2,
        batch_size=batch,
        shuffle=settings.batch_size is not None,
        tol=0.0,
        n_iter_no_change=np.inf,
        max_iter=1,
        warm_start=True,
        random_state=settings.seed,
    )
    W1, b1, W2, b2 = (np.array(w, dtype=np.float64) for w in weights)
    note = ""
    if split.n_classes == 2:
        W2, b2 = W2[:, 1:] - W2[:, :1], b2[1:] - b2[:1]
        note = "one logistic output unit (scikit-learn's form of a 2-way softmax)"
    with warnings.catch_warnings():
        # The fixed number of epochs is the point here: "max_iter reached" is expected.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # A one-step fit on one example of each class sets up classes_ and the layers;
        # then the shared initial weights replace sklearn's own.
        one_each = np.unique(split.y_train, return_index=True)[1]
        clf.set_params(batch_size=len(one_each))
        clf.fit(split.X_train[one_each], split.y_train[one_each])
        clf.coefs_, clf.intercepts_ = [W1, W2], [b1, b2]
        clf.set_params(max_iter=settings.epochs, batch_size=batch)
        start = time.perf_counter()
        try:
            clf.fit(split.X_train, split.y_train)
        except ValueError as exc:
            if "non-finite" not in str(exc):
                raise
            note = f"diverged: {exc}"  # "Solver produced non-finite parameter weights"
        seconds = time.perf_counter() - start
    final = [clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1], clf.intercepts_[1]]
    n_params = sum(int(w.size) for w in final)
    return _finish(
        "scikit-learn",
        sklearn.__version__,
        split,
        settings,
        clf.predict_proba,
        final,
        clf.coefs_,
        seconds,
        n_params,
        note,
    )


def _import_torch() -> Any:
    return importlib.import_module("torch")


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run PyTorch on one thread, then restore its setting.

    On networks this small a matrix product takes microseconds, and extra threads only
    add synchronisation; on a busy machine their spinning costs far more. One thread is
    PyTorch's fastest setting here, so the comparison gives it that advantage.
    """
    if "torch" not in sys.modules:
        yield
        return
    torch = sys.modules["torch"]
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _torch_epochs(
    model: Any,
    optimizer: Any,
    X: Any,
    y: Any,
    settings: CompareSettings,
    batch: int,
    generator: Any,
    kernels: Sequence[Any],
) -> None:
    """The PyTorch training loop, as its tutorials write it."""
    import torch

    n = X.shape[0]
    half_l2 = settings.l2 / 2
    cross_entropy = torch.nn.functional.cross_entropy
    for _ in range(settings.epochs):
        order = torch.randperm(n, generator=generator) if batch < n else None
        for s in range(0, n, batch):
            if order is None:
                xb, yb = X, y
            else:
                idx = order[s : s + batch]
                xb, yb = X[idx], y[idx]
            optimizer.zero_grad()
            loss = cross_entropy(model(xb), yb, reduction="sum")
            if half_l2:
                loss = loss + half_l2 * sum((w * w).sum() for w in kernels)
            loss.backward()
            optimizer.step()


def train_pytorch(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """PyTorch in float64: ``Linear -> Tanh -> Linear``, summed cross-entropy on the logits
    (log-softmax fused, like our ``p - y``), the L2 penalty added to the loss, plain SGD."""
    torch = _import_torch()
    nn = torch.nn
    d, h = np.shape(weights[0])
    k = np.shape(weights[2])[1]
    model = nn.Sequential(
        nn.Linear(d, h, dtype=torch.float64), nn.Tanh(), nn.Linear(h, k, dtype=torch.float64)
    )
    with torch.no_grad():
        for layer, (W, b) in zip((model[0], model[2]), (weights[0:2], weights[2:4])):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(np.asarray(W).T)))
            layer.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float64)))
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.learning_rate)
    X = torch.from_numpy(split.X_train)
    y = torch.from_numpy(split.y_train)
    n = X.shape[0]
    batch = n if settings.batch_size is None else min(settings.batch_size, n)
    generator = torch.Generator().manual_seed(settings.seed)
    kernels = (model[0].weight, model[2].weight)

    with _one_torch_thread():
        start = time.perf_counter()
        _torch_epochs(model, optimizer, X, y, settings, batch, generator, kernels)
        seconds = time.perf_counter() - start

    def predict_proba(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            logits = model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64)))
            return torch.softmax(logits, dim=1).numpy()

    final = [
        model[0].weight.detach().numpy().T.copy(),
        model[0].bias.detach().numpy().copy(),
        model[2].weight.detach().numpy().T.copy(),
        model[2].bias.detach().numpy().copy(),
    ]
    n_params = sum(int(p.numel()) for p in model.parameters())
    return _finish(
        "pytorch",
        torch.__version__,
        split,
        settings,
        predict_proba,
        final,
        final[0::2],
        seconds,
        n_params,
    )


def _import_keras() -> Any:
    if "keras" not in sys.modules:
        # Keras 3 needs a backend; PyTorch is the one the compare extra installs.
        os.environ.setdefault("KERAS_BACKEND", "torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the backends' import-time deprecation notices
        return importlib.import_module("keras")


def train_keras(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """Keras 3 as its users write it: ``Sequential``, ``Dense``, ``compile``, ``fit``.

    Keras keeps its optimizer's variables (the learning rate among them) in ``floatx``,
    float32 by default; for a float64 comparison ``floatx`` is float64 while this model is
    built and trained, then set back.
    """
    keras = _import_keras()
    d = split.X_train.shape[1]
    n = split.X_train.shape[0]
    batch = n if settings.batch_size is None else min(settings.batch_size, n)
    previous_floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        reg = keras.regularizers.l2(settings.l2 / 2) if settings.l2 else None
        model = keras.Sequential(
            [
                keras.Input(shape=(d,)),
                keras.layers.Dense(settings.hidden, activation="tanh", kernel_regularizer=reg),
                keras.layers.Dense(split.n_classes, activation="softmax", kernel_regularizer=reg),
            ]
        )
        model.set_weights([np.asarray(w, dtype=np.float64) for w in weights])
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=settings.learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(reduction="sum"),
        )
        with warnings.catch_warnings(), _one_torch_thread():
            warnings.simplefilter("ignore")  # backend notices during the first step
            start = time.perf_counter()
            model.fit(
                split.X_train,
                split.y_train,
                epochs=settings.epochs,
                batch_size=batch,
                shuffle=True,
                verbose=0,
            )
            seconds = time.perf_counter() - start
    finally:
        keras.config.set_floatx(previous_floatx)

    def predict_proba(x: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            # Keras' tensors predate NumPy 2's __array__(copy=...) protocol.
            warnings.simplefilter("ignore", DeprecationWarning)
            out = model.predict(np.asarray(x, dtype=np.float64), verbose=0, batch_size=4096)
            return np.array(out, dtype=np.float64)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        final = [np.array(w, dtype=np.float64) for w in model.get_weights()]
    backend = keras.backend.backend()
    return _finish(
        "keras",
        f"{keras.__version__} ({backend})",
        split,
        settings,
        predict_proba,
        final,
        final[0::2],
        seconds,
        int(model.count_params()),
    )


_TRAINERS: dict[str, Callable[[Split, CompareSettings, Sequence[np.ndarray]], LibraryRun]] = {
    "nnscratch": train_nnscratch,
    "scikit-learn": train_sklearn,
    "keras": train_keras,
    "pytorch": train_pytorch,
}


def library_status(libraries: Sequence[str] = LIBRARIES) -> dict[str, str | None]:
    """``None`` for each of ``libraries`` that can run here, else why it cannot.

    Importing Keras and PyTorch takes seconds, so only the libraries asked for are tried.
    """
    status: dict[str, str | None] = {}
    for name in libraries:
        status[name] = None
        if name == "pytorch":
            try:
                _import_torch()
            except ImportError:
                status[name] = f"PyTorch is not installed ({_INSTALL_HINT})"
        elif name == "keras":
            try:
                _import_keras()
            except Exception as exc:  # not installed, or its backend is missing or broken
                status[name] = f"Keras 3 is not usable: {exc} ({_INSTALL_HINT})"
    return status


def compare(
    dataset: str | CompareSettings = "moons",
    *,
    libraries: Sequence[str] | None = None,
    data_path: str | os.PathLike[str] | None = None,
    on_start: Callable[[str], None] | None = None,
    **settings: Any,
) -> Comparison:
    """Train the same network with each library and collect the results.

    Parameters
    ----------
    dataset : {"moons", "circles", "mnist"} or CompareSettings
        A name (then ``settings`` adjust its defaults) or complete settings.
    libraries : sequence of str, optional
        Among ``LIBRARIES``; default all of them. A library that is not installed is
        reported in ``Comparison.skipped`` (asking for it by name too: the table still
        shows the others).
    data_path : path-like, optional
        MNIST file or folder (see :func:`nnscratch.data.load_mnist`).
    on_start : callable, optional
        Called with a library's name before it trains (for progress messages).
    **settings
        Fields of :class:`CompareSettings` (``hidden``, ``epochs``, ``learning_rate``,
        ``l2``, ``batch_size``, ``seed``, ``test_size``, ``n_samples``); ``None`` keeps the
        data set's default.

    Examples
    --------
    >>> from nnscratch.lab.compare import compare
    >>> result = compare("moons", libraries=["nnscratch", "scikit-learn"], epochs=200)
    >>> [run.library for run in result.runs]
    ['nnscratch', 'scikit-learn']
    """
    if isinstance(dataset, CompareSettings):
        if settings:
            raise TypeError("pass either CompareSettings or keyword settings, not both")
        config = dataset
    else:
        config = make_settings(dataset, **settings)
    wanted = list(LIBRARIES if libraries is None else libraries)
    unknown = [name for name in wanted if name not in LIBRARIES]
    if unknown or not wanted:
        raise ValueError(
            f"unknown librar{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown) or '(none)'}"
            f"; valid: {', '.join(LIBRARIES)}"
        )
    split = load_split(config, data_path)
    start = initial_weights(config, split.X_train.shape[1], split.n_classes)
    status = library_status(wanted)
    runs: list[LibraryRun] = []
    skipped: dict[str, str] = {}
    for name in LIBRARIES:
        if name not in wanted:
            continue
        reason = status[name]
        if reason is not None:
            skipped[name] = reason
            continue
        if on_start is not None:
            on_start(name)
        runs.append(_TRAINERS[name](split, config, start))
    return Comparison(config, runs, skipped, split)


# -- the picture ---------------------------------------------------------------------------
def boundary_figure(comparison: Comparison, resolution: int = 200) -> Any:
    """One row of panels, one per library: its decision regions with the data on top.

    Only for 2-D data (the toy sets); raises ``ValueError`` for MNIST. Returns a
    matplotlib ``Figure`` (made without pyplot, so no window opens).
    """
    from matplotlib.figure import Figure

    split = comparison.split
    if split.X_train.shape[1] != 2:
        raise ValueError(
            f"decision boundaries need 2-D inputs; {comparison.settings.dataset} has "
            f"{split.X_train.shape[1]} features"
        )
    X = np.vstack([split.X_train, split.X_test])
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    runs = [r for r in comparison.runs if r.predict_proba is not None]
    fig = Figure(figsize=(4.0 * max(len(runs), 1), 4.0), layout="constrained")
    axes = fig.subplots(1, max(len(runs), 1), squeeze=False)[0]
    for ax, run in zip(axes, runs):
        assert run.predict_proba is not None
        zz = run.predict_proba(grid).argmax(axis=1).reshape(xx.shape)
        ax.contourf(xx, yy, zz, cmap="Spectral", alpha=0.8)
        ax.scatter(
            split.X_train[:, 0],
            split.X_train[:, 1],
            c=split.y_train,
            cmap="Spectral",
            edgecolors="k",
            s=18,
            label="train",
        )
        ax.scatter(
            split.X_test[:, 0],
            split.X_test[:, 1],
            c=split.y_test,
            cmap="Spectral",
            edgecolors="k",
            marker="^",
            s=24,
            label="test",
        )
        ax.set_title(
            f"{run.library}\ntest accuracy {run.test_accuracy:.1%}, {run.wall_time:.2f} s",
            fontsize=10,
        )
        ax.set_xticks([])
        ax.set_yticks([])
    s = comparison.settings
    fig.suptitle(
        f"{s.dataset}: {s.hidden} tanh units, {s.epochs} epochs, learning rate "
        f"{s.learning_rate:g}, L2 {s.l2:g}",
        fontsize=11,
    )
    return fig


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")

"""The four libraries of a comparison, each trained as its own users train it.

Every ``train_*`` function takes the same :class:`~nnscratch.lab.compare_setup.Split`,
:class:`~nnscratch.lab.compare_setup.CompareSettings` and starting weights and returns a
:class:`~nnscratch.lab.compare_setup.LibraryRun`; how each one is made to take the
article's step is told in :mod:`nnscratch.lab.compare`. scikit-learn, Keras and PyTorch
are imported only when their function runs (each takes a second or more to import).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..engine.model import TrainingDiverged
from .compare_setup import LIBRARIES, CompareSettings, LibraryRun, Split, article_model, finish_run

__all__ = [
    "INSTALL_HINT",
    "TRAINERS",
    "import_keras",
    "import_torch",
    "library_status",
    "one_torch_thread",
    "train_keras",
    "train_nnscratch",
    "train_pytorch",
    "train_sklearn",
]

#: how to install what is missing
INSTALL_HINT = "pip install 'nnscratch[compare]'"


# -- the four libraries --------------------------------------------------------------------
def train_nnscratch(
    split: Split, settings: CompareSettings, weights: Sequence[np.ndarray]
) -> LibraryRun:
    """nnscratch's engine, set up as the article: sum reduction, ``l2(reg/2)``, plain SGD."""
    from .. import __version__

    model = article_model(settings, split.X_train.shape[1], split.n_classes)
    model.set_weights(weights)
    note = ""
    start = time.perf_counter()
    try:
        model.fit(
            split.X_train,
            split.y_train,
            epochs=settings.epochs,
            batch_size=settings.batch_size or len(split.X_train),  # None: the full batch
            shuffle=True,
            verbose=0,
        )
    except TrainingDiverged as exc:
        note = f"diverged at epoch {exc.epoch}"
    seconds = time.perf_counter() - start
    final = model.get_weights()
    return finish_run(
        "nnscratch",
        __version__,
        split,
        settings,
        model.predict,
        final,
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
    return finish_run(
        "scikit-learn",
        sklearn.__version__,
        split,
        settings,
        clf.predict_proba,
        final,
        seconds,
        n_params,
        note,
    )


def import_torch() -> Any:
    return importlib.import_module("torch")


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
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
    torch = import_torch()
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

    with one_torch_thread():
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
    return finish_run(
        "pytorch", torch.__version__, split, settings, predict_proba, final, seconds, n_params
    )


def import_keras() -> Any:
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
    keras = import_keras()
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
        with warnings.catch_warnings(), one_torch_thread():
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
    version = f"{keras.__version__} ({keras.backend.backend()})"
    n_params = int(model.count_params())
    return finish_run("keras", version, split, settings, predict_proba, final, seconds, n_params)


TRAINERS: dict[str, Callable[[Split, CompareSettings, Sequence[np.ndarray]], LibraryRun]] = {
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
                import_torch()
            except ImportError:
                status[name] = f"PyTorch is not installed ({INSTALL_HINT})"
        elif name == "keras":
            try:
                import_keras()
            except Exception as exc:  # not installed, or its backend is missing or broken
                status[name] = f"Keras 3 is not usable: {exc} ({INSTALL_HINT})"
    return status

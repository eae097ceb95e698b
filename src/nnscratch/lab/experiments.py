"""The WildML tutorial, step by step, as functions that return data.

The article users follow goes: look at the data, fit a logistic regression (a straight
boundary that cannot follow the moons), train a 2-H-2 network (tanh hidden layer, softmax
output) by full-batch gradient descent, sweep the hidden size, then try the circles. Each
step is one function here; none of them prints or draws. The command line prints the
results and :mod:`nnscratch.lab.plots` draws them.

The network is built from the public API only, exactly as a user would write it::

    model = Sequential([
        Dense(H, "tanh", kernel_initializer="scaled_normal",
              kernel_regularizer=l2(reg / 2), input_dim=2),
        Dense(2, "softmax", kernel_initializer="scaled_normal",
              kernel_regularizer=l2(reg / 2)),
    ], seed=0)
    model.compile(SGD(learning_rate), "categorical_crossentropy", reduction="sum")

``reg`` is the article's ``reg_lambda``: the article adds ``reg_lambda * W`` to the
gradient, and Keras' ``l2(k)`` adds ``k * sum(W**2)`` to the loss, whose gradient is
``2k * W``; so ``reg_lambda = 0.01`` is ``l2(0.005)``. ``reduction="sum"`` sums the
gradient over the 200 examples, as the article does.

Several runs (a sweep over hidden sizes) go to a pool of worker processes
(:mod:`nnscratch.lab.parallel`), the most expensive first so every core stays busy until
the end. Each run is deterministic, so the parallel results are the very numbers a
sequential run gives.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .. import SGD, Sequential, TrainingDiverged, l2
from ..layers import Dense
from ..progress import LossPrinter
from .boundary import Regions, decision_regions

__all__ = [
    "ARTICLE_HIDDEN_SIZES",
    "DATASETS",
    "LINE_FORMAT",
    "LogisticResult",
    "NetworkRun",
    "NetworkSpec",
    "Regions",
    "build_network",
    "decision_regions",
    "load_dataset",
    "logistic_regression",
    "run_network",
    "settles_smoothly",
    "sweep",
    "train_network",
    "two_cycle",
]

#: the article's two data sets, by name, with their sizes
DATASETS: dict[str, int] = {"moons": 200, "circles": 100}

#: the hidden sizes of the article's sweep ("Hidden Layer size N")
ARTICLE_HIDDEN_SIZES: tuple[int, ...] = (1, 2, 3, 4, 10, 20, 50, 200)

#: the article's progress line, ``print("Loss after iteration %i: %f" % (i, loss))``
LINE_FORMAT = "Loss after iteration {epoch}: {loss:f}"


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The article's data set ``name`` as ``(X, y)``.

    ``"moons"`` is ``make_moons(200, noise=0.20)`` after ``np.random.seed(0)``;
    ``"circles"`` is ``make_circles(noise=0.2, factor=0.5, random_state=1)``.

    >>> X, y = load_dataset("moons")
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 2), [0, 1])
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    # Imported here: the generators need scikit-learn, which takes seconds to import, and
    # worker processes that receive the arrays should not pay for it.
    from .. import data

    return getattr(data, name)()


# -- step 2: the straight-line baseline ---------------------------------------------------
@dataclass(frozen=True)
class LogisticResult:
    """A fitted logistic regression and its accuracy on the training data."""

    dataset: str
    classifier: Any
    train_accuracy: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class labels for the points ``x`` of shape ``(n, 2)``."""
        return self.classifier.predict(x)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "LogisticRegressionCV",
            "C": float(np.ravel(self.classifier.C_)[0]),
            "train_accuracy": self.train_accuracy,
        }


# scikit-learn >= 1.8 announces changes of LogisticRegressionCV's defaults with
# FutureWarnings. They concern the library's future, not the user's run, and the article's
# call (all defaults) is what we reproduce, so exactly these messages are silenced.
_SKLEARN_DEFAULT_CHANGES = (
    r"The default value for l1_ratios will change",
    r"The default value of the parameter 'scoring' will change",
    r"The fitted attributes of LogisticRegressionCV will be simplified",
)


def logistic_regression(dataset: str = "moons") -> LogisticResult:
    """Fit the article's baseline, ``LogisticRegressionCV()``, on the data set.

    A linear model draws a straight boundary: about 85% on the moons, about chance on
    the circles. That is the article's motivation for a hidden layer.

    >>> result = logistic_regression("moons")
    >>> round(result.train_accuracy, 2)
    0.85
    """
    from sklearn.linear_model import LogisticRegressionCV

    X, y = load_dataset(dataset)
    with warnings.catch_warnings():
        for message in _SKLEARN_DEFAULT_CHANGES:
            warnings.filterwarnings("ignore", message=message, category=FutureWarning)
        clf = LogisticRegressionCV().fit(X, y)
    accuracy = float(np.mean(clf.predict(X) == y))
    return LogisticResult(dataset=dataset, classifier=clf, train_accuracy=accuracy)


# -- step 3: the network ------------------------------------------------------------------
def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _check_float(name: str, value: Any, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    bad = not math.isfinite(value) or value < 0 or (positive and value == 0)
    if bad:
        wanted = "a finite number > 0" if positive else "a finite number >= 0"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return value


@dataclass(frozen=True)
class NetworkSpec:
    """Everything that defines one training run of the article's network.

    The defaults are the article's: 3 hidden units, 20000 passes of full-batch gradient
    descent with learning rate 0.01 on the summed gradient, ``reg_lambda`` 0.01, seed 0,
    a loss line every 1000 passes.
    """

    dataset: str = "moons"
    hidden: int = 3
    passes: int = 20000
    learning_rate: float = 0.01
    reg: float = 0.01
    seed: int = 0
    print_every: int = 1000

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown data set {self.dataset!r}; valid: {', '.join(DATASETS)}")
        _check_int("hidden", self.hidden, 1)
        _check_int("passes", self.passes, 1)
        _check_float("learning_rate", self.learning_rate, positive=True)
        _check_float("reg", self.reg, positive=False)
        _check_int("seed", self.seed, 0)
        if self.seed >= 2**32:
            raise ValueError(f"seed must be below 2**32, got {self.seed}")
        _check_int("print_every", self.print_every, 1)

    @property
    def cost(self) -> float:
        """Rough relative CPU time: a fixed per-pass overhead plus the matrix work."""
        return self.passes * (6000.0 + DATASETS[self.dataset] * self.hidden)


@dataclass
class NetworkRun:
    """The outcome of one training run.

    Attributes
    ----------
    spec : NetworkSpec
    iterations, losses : list
        The printed lines' numbers: ``losses[k]`` is the loss after pass
        ``iterations[k]`` (every ``print_every`` passes, starting at 0).
    loss_curve : ndarray
        The loss of every pass, measured on the forward pass before its update
        (``history.history["loss"]``).
    n_samples : int
        Size of the training set (the gradient is summed over it).
    final_loss : float
        ``model.evaluate`` after the last pass (with the L2 penalty, per example).
    train_accuracy : float
    weights : list of ndarray
        ``[W1, b1, W2, b2]``, enough to rebuild the model with :meth:`model`.
    regions : Regions or None
        The trained network's classes over the plane, when asked for.
    stopped : str or None
        Why training ended early (the loss diverged, or Ctrl-C), else None.
    diverged : bool
    """

    spec: NetworkSpec
    iterations: list[int]
    losses: list[float]
    loss_curve: np.ndarray
    n_samples: int
    final_loss: float
    train_accuracy: float
    weights: list[np.ndarray] = field(repr=False)
    stopped: str | None = None
    diverged: bool = False
    regions: Regions | None = field(default=None, repr=False)

    @property
    def hidden(self) -> int:
        return self.spec.hidden

    @property
    def dataset(self) -> str:
        return self.spec.dataset

    @property
    def interrupted(self) -> bool:
        return self.stopped is not None and not self.diverged

    @property
    def lines(self) -> list[str]:
        """The article's lines, ``"Loss after iteration 0: 0.432387"`` ..."""
        return [LINE_FORMAT.format(epoch=i, loss=v) for i, v in zip(self.iterations, self.losses)]

    def model(self) -> Sequential:
        """The trained network, rebuilt from :attr:`weights`."""
        spec = self.spec
        model = build_network(spec.hidden, spec.learning_rate, spec.reg, spec.seed)
        model.set_weights(self.weights)
        return model

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class labels (the most probable class) for the points ``x``."""
        # In slices: a 150,000-point grid through 200 tanh units stays in cache.
        return np.argmax(self.model().predict(x, batch_size=2048), axis=1)

    def to_json(self) -> dict[str, Any]:
        """The JSON record of the command line: hidden, losses, final_loss, accuracy."""
        record: dict[str, Any] = {
            "dataset": self.dataset,
            "hidden": self.hidden,
            "iterations": list(self.iterations),
            "losses": [_finite_or_none(v) for v in self.losses],
            "final_loss": _finite_or_none(self.final_loss),
            "train_accuracy": self.train_accuracy,
            "settings": asdict(self.spec),
        }
        if self.stopped is not None:
            record["stopped"] = self.stopped
        return record


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def build_network(
    hidden: int = 3, learning_rate: float = 0.01, reg: float = 0.01, seed: int = 0
) -> Sequential:
    """The article's network, compiled: 2 inputs, ``hidden`` tanh units, 2 softmax outputs.

    ``reg`` is the article's ``reg_lambda`` (``l2(reg / 2)`` in Keras terms) and the
    gradient is summed over the batch, so the learning rate means what it means there.

    >>> model = build_network(3)
    >>> model.count_params()
    17
    """
    penalty = l2(reg / 2)
    model = Sequential(
        [
            Dense(
                hidden,
                "tanh",
                kernel_initializer="scaled_normal",
                kernel_regularizer=penalty,
                input_dim=2,
            ),
            Dense(2, "softmax", kernel_initializer="scaled_normal", kernel_regularizer=penalty),
        ],
        seed=seed,
    )
    model.compile(SGD(learning_rate), "categorical_crossentropy", reduction="sum")
    return model


def train_network(
    dataset: str = "moons",
    hidden: int = 3,
    *,
    passes: int = 20000,
    learning_rate: float = 0.01,
    reg: float = 0.01,
    seed: int = 0,
    print_every: int = 1000,
    on_line: Callable[[str], None] | None = None,
) -> NetworkRun:
    """Train the article's network on ``dataset`` by full-batch gradient descent.

    Every ``print_every`` passes (at pass 0, 1000, ...) the loss after that pass's update
    is recorded, and its line ``"Loss after iteration 0: 0.432387"`` handed to
    ``on_line`` (the command line prints it as it comes).

    A run whose loss becomes NaN or infinite does not raise: it returns what it has, with
    ``diverged=True`` and the reason in ``stopped``; the weights are the last finite ones.

    >>> run = train_network("moons", 3, passes=1001)
    >>> run.lines
    ['Loss after iteration 0: 0.432387', 'Loss after iteration 1000: 0.068947']
    """
    spec = NetworkSpec(dataset, hidden, passes, learning_rate, reg, seed, print_every)
    return run_network(spec, on_line=on_line)


def run_network(
    spec: NetworkSpec,
    on_line: Callable[[str], None] | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    regions: bool = False,
) -> NetworkRun:
    """Train one :class:`NetworkSpec` (see :func:`train_network`).

    ``data`` is the data set's ``(X, y)`` when the caller has it already. With
    ``regions=True`` the run also carries :func:`decision_regions` of the trained
    network, so a worker process does that work too.
    """
    X, y = load_dataset(spec.dataset) if data is None else data
    model = build_network(spec.hidden, spec.learning_rate, spec.reg, spec.seed)
    printer = LossPrinter(X, y, every=spec.print_every, write=on_line, fmt=LINE_FORMAT)
    stopped: str | None = None
    diverged = False
    try:
        # One BLAS thread: at these sizes OpenBLAS gains nothing from a second one, and
        # its idle threads cost more than the arithmetic (a third of the run, measured).
        with threadpool_limits(1):
            model.fit(X, y, epochs=spec.passes, verbose=0, callbacks=[printer])
    except TrainingDiverged as exc:
        stopped, diverged = str(exc), True
    except KeyboardInterrupt:
        if not model.history.interrupted:  # a second Ctrl-C: stop at once
            raise
        stopped = f"interrupted by Ctrl-C after pass {model.history.epoch[-1]}"
    curve = np.asarray(model.history.history.get("loss", []), dtype=float)
    run = NetworkRun(
        spec=spec,
        iterations=[i for i, _ in printer.losses],
        losses=[float(v) for _, v in printer.losses],
        loss_curve=curve,
        n_samples=len(X),
        final_loss=float(model.evaluate(X, y)),
        train_accuracy=float(np.mean(np.argmax(model.predict(X), axis=1) == y)),
        weights=model.get_weights(),
        stopped=stopped,
        diverged=diverged,
    )
    if regions:
        run.regions = decision_regions(run.predict, X)
    return run


def two_cycle(curve: np.ndarray, window: int = 20) -> tuple[float, float] | None:
    """The two values a loss curve alternates between at its end, or None.

    Gradient descent at the edge of stability does not settle: the loss jumps up and
    down every pass. Returns ``(high, low)`` (the last two values, sorted) when over the
    last ``window`` passes every step changes direction.

    >>> two_cycle(np.array([0.0713158, 0.0707579, 0.0713158, 0.0707579]))
    (0.0713158, 0.0707579)
    >>> two_cycle(np.array([0.3, 0.2, 0.1, 0.1, 0.1])) is None
    True
    """
    tail = np.asarray(curve, dtype=float)[-window:]
    if tail.size < 4 or not np.all(np.isfinite(tail)):
        return None
    direction = np.sign(np.diff(tail))  # signs, not products: huge losses overflow
    if not np.all(direction[:-1] * direction[1:] < 0):
        return None
    return float(max(tail[-2:])), float(min(tail[-2:]))


def settles_smoothly(curve: np.ndarray, fraction: float = 0.25) -> bool:
    """True when the loss never goes up over the last ``fraction`` of the run.

    >>> settles_smoothly(np.array([0.5, 0.3, 0.2, 0.15, 0.14, 0.14]))
    True
    >>> settles_smoothly(np.array([0.5, 0.3, 0.2, 0.25, 0.2, 0.25]))
    False
    """
    curve = np.asarray(curve, dtype=float)
    tail = curve[-max(2, int(curve.size * fraction)) :]
    if tail.size < 2 or not np.all(np.isfinite(tail)):
        return False
    return bool(np.all(np.diff(tail) <= 1e-12 * np.abs(tail[:-1])))


def sweep(
    dataset: str = "moons",
    hidden_sizes: Sequence[int] = ARTICLE_HIDDEN_SIZES,
    *,
    jobs: int | None = None,
    passes: int = 20000,
    learning_rate: float = 0.01,
    reg: float = 0.01,
    seed: int = 0,
    print_every: int = 1000,
    executor: cf.Executor | None = None,
    regions: bool = False,
) -> list[NetworkRun]:
    """The article's hidden-size sweep: one run per size, in parallel, in the given order.

    Small networks underfit (a straight-ish boundary at 1 unit), 3 to 5 units follow the
    moons, and 50 or 200 units start to bend around single noisy points.

    >>> runs = sweep("moons", [1, 3], passes=200, jobs=1)
    >>> [run.hidden for run in runs]
    [1, 3]
    """
    if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Iterable):
        raise TypeError(f"hidden_sizes must be a sequence of integers, got {hidden_sizes!r}")
    hidden_sizes = list(hidden_sizes)
    if not hidden_sizes:
        raise ValueError("hidden_sizes is empty; give at least one size, e.g. [3]")
    specs = [
        NetworkSpec(dataset, h, passes, learning_rate, reg, seed, print_every) for h in hidden_sizes
    ]
    from .parallel import run_networks  # parallel.py builds on this module

    return run_networks(specs, jobs=jobs, executor=executor, regions=regions)

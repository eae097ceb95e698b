"""The WildML tutorial, step by step, as functions that return data.

The article users follow goes: look at the data, fit a logistic regression (a straight
boundary that cannot follow the moons), train a 2-H-2 network (tanh hidden layer, softmax
output) by full-batch gradient descent, sweep the hidden size, then try the circles. Each
step is one function here; none of them prints or draws. The command line prints the
results and :mod:`nnscratch.lab.plots` draws them.

The network and one run of it (:class:`NetworkSpec` -> :func:`run_network` ->
:class:`NetworkRun`) live in :mod:`nnscratch.lab.network_runs`, and are re-exported here.

Several runs (a sweep over hidden sizes, or a grid of settings: :mod:`nnscratch.lab.grid`)
go to a pool of worker processes (:mod:`nnscratch.lab.parallel`), the most expensive
first so every core stays busy until the end, or to a Dask cluster
(:mod:`nnscratch.lab.runs_dask`, the ``[dask]`` extra), on this machine or many. Each run
is deterministic, so the parallel results are the very
numbers a sequential run gives.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .boundary import Regions, decision_regions
from .grid import grid_specs
from .network_runs import (
    DATASETS,
    LINE_FORMAT,
    NetworkRun,
    NetworkSpec,
    build_network,
    load_dataset,
    run_network,
)
from .parallel import Progress, in_order, run_networks

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
    "describe_loss",
    "load_dataset",
    "logistic_regression",
    "run_network",
    "settles_smoothly",
    "spikes",
    "sweep",
    "train_network",
    "train_runs",
    "two_cycle",
]

#: the hidden sizes of the article's sweep ("Hidden Layer size N")
ARTICLE_HIDDEN_SIZES: tuple[int, ...] = (1, 2, 3, 4, 10, 20, 50, 200)


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


def spikes(curve: np.ndarray, rise: float = 0.5) -> list[tuple[int, float, float]]:
    """The passes where the loss shoots up: ``[(pass, peak, low before), ...]``.

    A spike starts where the loss rises more than ``rise`` (50%) above the lowest value
    reached so far, and lasts until it is back under that line; each spike is reported
    once, at its peak.

    >>> spikes(np.array([0.5, 0.3, 0.2, 0.6, 0.4, 0.25, 0.19]))
    [(3, 0.6, 0.2)]
    >>> spikes(np.array([0.5, 0.3, 0.2, 0.15]))
    []
    """
    curve = np.asarray(curve, dtype=float)
    found: list[tuple[int, float, float]] = []
    low = np.inf
    peak: tuple[int, float, float] | None = None
    for i, value in enumerate(curve):
        if not np.isfinite(value):
            break
        if peak is None and value > (1 + rise) * low:
            peak = (i, float(value), float(low))
        elif peak is not None:
            if value > peak[1]:
                peak = (i, float(value), peak[2])
            elif value <= (1 + rise) * peak[2]:
                found.append(peak)
                peak = None
        if peak is None:
            low = min(low, float(value))
    if peak is not None:
        found.append(peak)
    return found


def describe_loss(curve: np.ndarray) -> str:
    """What a loss curve does, in words: its spikes, and how it ends.

    The words a caption uses: "rises sharply once, to 0.622 at pass 224, then settles
    smoothly to 0.067804", or "alternates every pass between 0.0713158 and 0.0707579 (a
    2-cycle) instead of settling".
    """
    curve = np.asarray(curve, dtype=float)
    if curve.size == 0:
        return "was not measured (no pass ran)"
    if not np.all(np.isfinite(curve)):
        return "becomes infinite or NaN: training diverged"
    jumps = spikes(curve)
    parts = []
    if jumps:
        at, peak, low = max(jumps, key=lambda jump: jump[1] - jump[2])
        times = "once" if len(jumps) == 1 else f"{len(jumps)} times"
        highest = "" if len(jumps) == 1 else " (the highest"
        parts.append(
            f"rises sharply {times}{highest}, to {peak:.3f} at pass {at} from {low:.3f}"
            + (")" if highest else "")
        )
    cycle = two_cycle(curve)
    if cycle is not None:
        ending = (
            f"alternates every pass between {cycle[0]:.7f} and {cycle[1]:.7f} "
            "(a 2-cycle) instead of settling"
        )
    elif settles_smoothly(curve):
        ending = f"settles smoothly to {curve[-1]:.6f}"
    else:
        ending = f"is still jumping at the end ({curve[-1]:.6f} at the last pass)"
    if parts:
        return (
            f"{parts[0]}, then {ending}" if cycle is None else f"{parts[0]}; at the end it {ending}"
        )
    return ending


def sweep(
    dataset: str = "moons",
    hidden_sizes: Sequence[int] = ARTICLE_HIDDEN_SIZES,
    *,
    jobs: int | None = None,
    passes: int = 20000,
    learning_rate: float | Sequence[float] = 0.01,
    reg: float | Sequence[float] = 0.01,
    seed: int | Sequence[int] = 0,
    print_every: int = 1000,
    executor: cf.Executor | None = None,
    regions: bool = False,
    scheduler: str | None = None,
) -> list[NetworkRun]:
    """The article's hidden-size sweep, or a grid: one run per combination, in parallel.

    Small networks underfit (a straight-ish boundary at 1 unit), 3 to 5 units follow the
    moons, and 50 or 200 units start to bend around single noisy points.

    ``learning_rate``, ``reg`` and ``seed`` each take one value or a sequence of
    distinct values; the runs are every combination (:func:`~nnscratch.lab.grid.grid_specs`),
    returned in nested-loop order: hidden size outermost, in the order given, then
    learning rate, ``reg_lambda`` and seed. :func:`~nnscratch.lab.grid.sort_runs` orders
    them by value and :func:`~nnscratch.lab.grid_plots.grid_figure` draws their final loss.

    The runs go to ``jobs`` local worker processes, or with ``scheduler`` to a Dask
    cluster: ``"local"`` (a ``LocalCluster`` of ``jobs`` worker processes, started for
    the sweep) or a running scheduler's address (``"tcp://10.0.0.5:8786"``); the numbers
    are the same (see :func:`train_runs`).

    >>> runs = sweep("moons", [1, 3], passes=200, jobs=1)
    >>> [run.hidden for run in runs]
    [1, 3]
    >>> runs = sweep("moons", [1, 3], learning_rate=[0.01, 0.005], passes=200, jobs=1)
    >>> [(run.hidden, run.spec.learning_rate) for run in runs]
    [(1, 0.01), (1, 0.005), (3, 0.01), (3, 0.005)]
    """
    if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Iterable):
        raise TypeError(f"hidden_sizes must be a sequence of integers, got {hidden_sizes!r}")
    hidden_sizes = list(hidden_sizes)
    if not hidden_sizes:
        raise ValueError("hidden_sizes is empty; give at least one size, e.g. [3]")
    specs = grid_specs(
        dataset,
        hidden_sizes,
        learning_rate=learning_rate,
        reg=reg,
        seed=seed,
        passes=passes,
        print_every=print_every,
    )
    return train_runs(specs, jobs=jobs, executor=executor, scheduler=scheduler, regions=regions)


def train_runs(
    specs: Sequence[NetworkSpec],
    *,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    scheduler: str | None = None,
    regions: bool = False,
    on_progress: Progress | None = None,
    same_numbers: bool = True,
    on_start: Callable[[str], None] | None = None,
) -> list[NetworkRun]:
    """Train ``specs`` where the caller asks; the runs in the order given.

    Without ``scheduler``: in this process (``jobs=1``), on ``executor``, or on ``jobs``
    local worker processes (:func:`~nnscratch.lab.parallel.run_networks`). With
    ``scheduler`` (needs the ``[dask]`` extra): on a Dask cluster, ``"local"`` (``jobs``
    worker processes, default one per core) or the address of a running scheduler
    (:mod:`nnscratch.lab.runs_dask`). Every worker runs the same
    :func:`~nnscratch.lab.network_runs.run_network` with the same seeds; with
    ``same_numbers`` each Dask worker is first checked to compute this process's
    numbers bit for bit. ``on_start(where)`` hears where the runs go, in words.

    Raises
    ------
    ~nnscratch.lab.parallel.RunsInterrupted
        On Ctrl-C, with the runs that finished or stopped.
    """
    if scheduler is None:
        if on_start is not None:
            count = min(jobs or os.cpu_count() or 1, len(specs))
            on_start("in this process" if count == 1 else f"in {count} worker processes")
        return run_networks(specs, jobs, executor, regions, on_progress)
    from . import runs_dask

    runs_dask.check_scheduler(scheduler)
    if executor is not None:
        raise ValueError("give an executor or a Dask scheduler, not both")
    if jobs is not None and scheduler != "local":
        raise ValueError(
            f"jobs={jobs} sizes a local pool or cluster; the Dask scheduler at {scheduler} "
            "has its own workers"
        )
    data = {name: load_dataset(name) for name in sorted({spec.dataset for spec in specs})}
    with runs_dask.open_cluster(scheduler, jobs) as client:
        if same_numbers:
            runs_dask.check_workers(client, data.get(runs_dask.PROBE.dataset))
        if on_start is not None:
            on_start("on " + runs_dask.describe_cluster(client))
        return in_order(runs_dask.iter_runs_dask)(specs, client, regions, on_progress, data=data)

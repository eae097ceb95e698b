"""One training run of the article's network: what it is given, and what it gives back.

A run is described by a :class:`NetworkSpec` (data set, hidden size, passes, learning
rate, ``reg_lambda``, seed, how often to print) and :func:`run_network` turns it into a
:class:`NetworkRun`: the printed loss lines, the loss of every pass, the final loss and
accuracy, the weights and, on request, the decision regions. Both are plain data, so a
worker process can train a run and send it back (:mod:`nnscratch.lab.parallel`), and
:mod:`nnscratch.lab.experiments` builds the article's steps from them.

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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .. import SGD, Sequential, TrainingDiverged, l2
from ..engine import checks
from ..layers import Dense
from ..progress import LossPrinter
from .boundary import Regions, decision_regions
from .delegation import delegated
from .memory import check_fits
from .stopping import StopRequest, ctrl_c_stops

__all__ = [
    "DATASETS",
    "LINE_FORMAT",
    "NetworkRun",
    "NetworkSpec",
    "build_network",
    "check_memory",
    "load_dataset",
    "run_network",
]

#: the article's two data sets, by name, with their sizes
DATASETS: dict[str, int] = {"moons": 200, "circles": 100}

#: the article's progress line, ``print("Loss after iteration %i: %f" % (i, loss))``
LINE_FORMAT = "Loss after iteration {epoch}: {loss:f}"

#: the largest seed ``np.random.seed`` accepts
MAX_SEED = 2**32 - 1


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
        checks.positive_int("hidden", self.hidden)
        checks.positive_int("passes", self.passes)
        checks.number("learning_rate", self.learning_rate, low=0, low_open=True)
        checks.number("reg", self.reg, low=0)
        checks.integer("seed", self.seed, low=0, high=MAX_SEED)
        checks.positive_int("print_every", self.print_every)

    @property
    def cost(self) -> float:
        """Rough relative CPU time: a fixed per-pass overhead plus the matrix work."""
        return self.passes * (6000.0 + DATASETS[self.dataset] * self.hidden)

    def describe(self) -> str:
        """The settings in words, as the command line and the examples print them."""
        return (
            f"{self.dataset}, {self.hidden} tanh units, {self.passes} full-batch passes, "
            f"learning rate {self.learning_rate:g}, reg_lambda {self.reg:g}, seed {self.seed}"
        )


def check_memory(spec: NetworkSpec, available: int | None = None) -> None:
    """Refuse a run whose arrays would not fit in memory, before allocating anything.

    Training keeps about ten ``(n_samples, hidden)`` float64 arrays (activations,
    gradients, scratch) and the decision regions evaluate the network on slices of 2048
    grid points; the weights are small beside them. ``available`` defaults to the
    memory the operating system reports as available (see
    :func:`nnscratch.lab.memory.check_fits`).

    Raises
    ------
    ValueError
        Naming the hidden size, the estimate and what is available.
    """
    rows = max(DATASETS[spec.dataset], 2048)
    needed = 8 * spec.hidden * (10 * rows + 8)
    check_fits(needed, f"a hidden layer of {spec.hidden} units", available)


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

    hidden = delegated("spec.hidden", "Units of the hidden layer (the spec's).")
    dataset = delegated("spec.dataset", "Name of the data set (the spec's).")

    @property
    def interrupted(self) -> bool:
        return self.stopped is not None and not self.diverged

    @property
    def complete(self) -> bool:
        """True when every pass ran: neither diverged nor interrupted."""
        return self.stopped is None

    @property
    def passes_done(self) -> int:
        """How many passes trained (all of them unless the run stopped early)."""
        return int(self.loss_curve.size)

    @property
    def status(self) -> str:
        """``"complete"``, ``"diverged"`` or ``"interrupted"``: what the numbers are."""
        if self.diverged:
            return "diverged"
        return "interrupted" if self.stopped is not None else "complete"

    @property
    def label(self) -> str:
        """What happened to a run that did not finish, in a few words ("" if it did).

        ``"interrupted after 1234 of 20000 passes"`` or ``"diverged after 57 of 20000
        passes"``; tables, JSON and figure titles show it next to the numbers.
        """
        if self.stopped is None:
            return ""
        return f"{self.status} after {self.passes_done} of {self.spec.passes} passes"

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
        """The JSON record of the command line: hidden, losses, final_loss, accuracy.

        ``status`` is ``"complete"``, ``"interrupted"`` or ``"diverged"``. A diverged run
        has no result: its ``final_loss`` and ``train_accuracy`` are null (the printed
        lines up to the divergence are kept in ``losses``).
        """
        diverged = self.diverged
        record: dict[str, Any] = {
            "dataset": self.dataset,
            "hidden": self.hidden,
            "status": self.status,
            "passes_done": self.passes_done,
            "iterations": list(self.iterations),
            "losses": [_finite_or_none(v) for v in self.losses],
            "final_loss": None if diverged else _finite_or_none(self.final_loss),
            "train_accuracy": None if diverged else self.train_accuracy,
            "settings": asdict(self.spec),
        }
        if self.stopped is not None:
            record["stopped"] = self.stopped
            record["label"] = self.label
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


class _LinesAndWatch(LossPrinter):
    """The article's loss lines, plus a progress count and a stop check, in one callback.

    One callback rather than three: the article's run calls its callbacks after each of
    its 20,000 passes, and each extra call would cost a few percent of the run. Every
    ``check`` passes it hands the passes done to ``report`` (a progress bar) and ends
    training, through ``model.stop_training``, once ``stop`` is requested.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        every: int,
        write: Callable[[str], None] | None,
        report: Callable[[int], None] | None,
        stop: StopRequest,
        check: int = 20,
    ) -> None:
        super().__init__(x, y, every=every, write=write, fmt=LINE_FORMAT)
        self.report, self.stop, self.check = report, stop, check
        self.reported = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if epoch % self.every == 0:
            super().on_epoch_end(epoch, logs)
        if epoch % self.check == 0:
            if self.report is not None and epoch + 1 - self.reported >= 200:
                self.flush(epoch + 1)
            if self.stop.requested():
                self.model.stop_training = True

    def flush(self, passes: int) -> None:
        """Report the passes done up to ``passes`` that were not reported yet."""
        if self.report is not None and passes > self.reported:
            self.report(passes - self.reported)
        self.reported = max(self.reported, passes)


def run_network(
    spec: NetworkSpec,
    on_line: Callable[[str], None] | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    regions: bool = False,
    *,
    on_passes: Callable[[int], None] | None = None,
    stop: StopRequest | None = None,
) -> NetworkRun:
    """Train one :class:`NetworkSpec` (see :func:`~nnscratch.lab.experiments.train_network`).

    ``data`` is the data set's ``(X, y)`` when the caller has it already. With
    ``regions=True`` the run also carries :func:`decision_regions` of the trained
    network, so a worker process does that work too. ``on_passes(n)`` hears about the
    passes done, a few hundred at a time (for a progress bar).

    Ctrl-C (in the main thread) or ``stop`` (a :class:`~nnscratch.lab.stopping.StopRequest`,
    e.g. a worker's) ends training after the current pass; the run then comes back with
    ``stopped`` saying after which pass. A second Ctrl-C interrupts at once.
    """
    check_memory(spec)
    X, y = load_dataset(spec.dataset) if data is None else data
    model = build_network(spec.hidden, spec.learning_rate, spec.reg, spec.seed)
    stopped: str | None = None
    diverged = False
    with ctrl_c_stops(stop) as request:
        printer = _LinesAndWatch(X, y, spec.print_every, on_line, on_passes, request)
        try:
            # One BLAS thread: at these sizes OpenBLAS gains nothing from a second one, and
            # its idle threads cost more than the arithmetic (a third of the run, measured).
            with threadpool_limits(1):
                model.fit(
                    X, y, batch_size=len(X), epochs=spec.passes, verbose=0, callbacks=[printer]
                )
        except TrainingDiverged as exc:
            stopped, diverged = str(exc), True
        except KeyboardInterrupt:
            if not model.history.interrupted:  # a second Ctrl-C: stop at once
                raise
            request.set()
        passes = len(model.history.epoch)
        printer.flush(passes)
        if not diverged and request.requested() and passes < spec.passes:
            stopped = f"interrupted by Ctrl-C after {passes} of {spec.passes} passes"
    curve = np.asarray(model.history.history.get("loss", []), dtype=float)
    run = NetworkRun(
        spec=spec,
        iterations=[i for i, _ in printer.losses],
        losses=[float(v) for _, v in printer.losses],
        loss_curve=curve,
        n_samples=len(X),
        final_loss=float(model.evaluate(X, y, verbose=0)),
        train_accuracy=float(np.mean(np.argmax(model.predict(X), axis=1) == y)),
        weights=model.get_weights(),
        stopped=stopped,
        diverged=diverged,
    )
    if regions:
        run.regions = decision_regions(run.predict, X)
    return run

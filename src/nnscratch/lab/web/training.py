"""The models of one run and their training: the main network and the sweep's.

A :class:`Run` starts at epoch 0 from the configuration's seed and trains with the
engine's own ``fit``, whole epochs at a time: training ``3 + 3`` epochs gives the same
weights as ``fit(epochs=6)``, which is what "copy as Python" runs. The sweep's models
(one hidden layer of each size) train alongside, on the same data.

Training can be stopped from another thread (a ``pause``, a closed tab, the server
shutting down) within a fraction of a second. It runs in *slices* of about
:data:`SLICE_SECONDS`, and the ``cancel`` function it is given is asked between slices.
An epoch too long for one slice is also asked after every mini-batch; when it is stopped
half-way, the models go back to where the epoch started (a copy saved with
``model.save`` before it began), so the run stays a whole number of epochs and "copy as
Python" still reproduces it exactly.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from ...engine.callbacks import Callback, History
from ...engine.model import Sequential, TrainingDiverged
from ...models import load_model
from .build import build_model
from .dataset import Data, Inputs
from .schema import LIMITS, PlaygroundError

__all__ = [
    "LONG_EPOCH_SECONDS",
    "SLICE_SECONDS",
    "Run",
    "Stop",
    "check_work",
    "step_work",
]

#: training between two looks at ``cancel``
SLICE_SECONDS = 0.05
#: an epoch that takes longer is stopped after any mini-batch (and rolled back)
LONG_EPOCH_SECONDS = 0.2


def step_work(config: dict[str, Any], n_features: int, n_outputs: int, rows: int) -> int:
    """Multiply-adds of one forward pass of ``rows`` examples (a gradient step is ~3x).

    >>> step_work({"hidden_layers": [{"units": 4}, {"units": 2}]}, 2, 2, 10)
    200
    """
    sizes = [n_features] + [h["units"] for h in config["hidden_layers"]] + [n_outputs]
    return rows * sum(a * b for a, b in itertools.pairwise(sizes))


def check_work(config: dict[str, Any], n_features: int, n_outputs: int, n_train: int) -> None:
    """Refuse a network whose single gradient step would take seconds.

    One step is one uninterruptible piece of work: it bounds how soon a ``pause`` is
    answered. ``LIMITS["max_step_work"]`` multiply-adds per forward pass (about 0.1 s
    for the whole step on one core) allow, e.g., 8 layers of 256 units with batches of
    up to 500 points, or full batches of 10,000 points on 2 layers of 100 units.
    """
    rows = n_train if config["batch_size"] == "full" else min(n_train, config["batch_size"])
    work = step_work(config, n_features, n_outputs, rows)
    limit = LIMITS["max_step_work"]
    if work > limit:
        per_row = work // rows
        raise PlaygroundError(
            f"this network is too big for batches of {rows:,} points: one gradient step "
            f"would be {work:,} multiply-adds (at most {limit:,}); use a batch size of at "
            f"most {max(1, limit // per_row):,} or fewer or smaller hidden layers",
            "batch_size",
        )


class Stop:
    """Whether the work under way should stop; set from another thread.

    Messages are numbered as they arrive; :meth:`begin` says which one the work that
    follows answers, :meth:`interrupt` (a ``pause`` numbered ``n``) stops the work for
    every message before ``n``, :meth:`close` (a closed tab, a shutdown) stops it all.
    Calling the object asks: ``if stop(): ...``. Plain ints and a bool: no lock needed.
    """

    def __init__(self) -> None:
        self.working = 0
        self.interrupted = 0
        self.closed = False

    def begin(self, number: int) -> None:
        self.working = number

    def interrupt(self, number: int) -> None:
        self.interrupted = max(self.interrupted, number)

    def close(self) -> None:
        self.closed = True

    def __call__(self) -> bool:
        return self.closed or self.working < self.interrupted


class _StopWhen(Callback):
    """Stops ``fit`` after the mini-batch during which ``cancel()`` became true."""

    def __init__(self, cancel: Callable[[], bool]) -> None:
        super().__init__()
        self.cancel = cancel
        self.stopped = False

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.cancel():
            self.stopped = True
            self.model.stop_training = True


class Run:
    """The main model, the sweep's models, and how far they have trained.

    Parameters
    ----------
    config : dict
        A validated configuration.
    data, inputs : Data, Inputs
        The points and the feature columns the models train on.
    sweep_sizes : list of int, optional
        Hidden sizes of the sweep's one-hidden-layer models (their activation is the
        first hidden layer's, tanh when there is none).
    lock : context manager, optional
        Held during each slice of training (the session's lock, so that a download
        between two slices sees whole epochs).
    """

    def __init__(
        self,
        config: dict[str, Any],
        data: Data,
        inputs: Inputs,
        sweep_sizes: list[int] | None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        self.seconds_per_epoch: float | None = None  # measured as training goes
        self.data = data
        self.inputs = inputs
        n_features = inputs.train.shape[1]
        self.model = build_model(config, n_features, data.task, data.n_classes)
        hidden = config["hidden_layers"]
        activation = hidden[0]["activation"] if hidden else "tanh"
        self.sweep: list[tuple[int, Sequential]] = []
        for size in sweep_sizes or []:
            cfg = dict(config, hidden_layers=[{"units": size, "activation": activation}])
            self.sweep.append((size, build_model(cfg, n_features, data.task, data.n_classes)))
        n_train = inputs.train.shape[0]
        b = config["batch_size"]
        #: examples per gradient step; None for full-batch gradient descent
        self.batch_size = n_train if b == "full" or b >= n_train else int(b)  # full: one step
        self.steps_per_epoch = -(-n_train // self.batch_size)
        self.epoch = 0
        self.steps = 0

    @property
    def models(self) -> list[Sequential]:
        """The main model first, then the sweep's."""
        return [self.model] + [m for _, m in self.sweep]

    def most_epochs(self, steps: int) -> int:
        """Whole epochs that fit in ``steps`` gradient steps of all models (at least 0)."""
        return max(0, steps // (self.steps_per_epoch * len(self.models)))

    def train(
        self,
        epochs: int,
        cancel: Callable[[], bool] | None = None,
        seconds: float | None = None,
    ) -> int:
        """Train every model up to ``epochs`` epochs with ``fit``; return the epochs done.

        Fewer are done when ``cancel()`` becomes true or after the slice that passes
        ``seconds`` of work (at least one epoch is always done, unless cancelled).

        Raises
        ------
        TrainingDiverged
            When the main model's loss becomes NaN or infinite (it keeps its last finite
            weights). A diverged sweep model keeps its last finite weights and waits.
        """
        cancel = cancel or (lambda: False)
        start = time.perf_counter()
        done = 0
        while done < epochs and not cancel():
            if done and seconds is not None and time.perf_counter() - start > seconds:
                break
            per_epoch = self.seconds_per_epoch
            long = per_epoch is None or per_epoch > LONG_EPOCH_SECONDS
            n = 1 if long else max(1, min(epochs - done, int(SLICE_SECONDS / per_epoch)))
            began = time.perf_counter()
            with self.lock:
                if long and not self._train_rolling_back(cancel):
                    break
                if not long:
                    self._fit(n, None)
            took = (time.perf_counter() - began) / n
            # a running average that follows changes (other tabs, the machine's load)
            self.seconds_per_epoch = took if per_epoch is None else 0.5 * (per_epoch + took)
            done += n
        return done

    def _train_rolling_back(self, cancel: Callable[[], bool]) -> bool:
        """One epoch that stops after any mini-batch; cancelled, back to its start."""
        stop = _StopWhen(cancel)
        with tempfile.TemporaryDirectory(prefix="nnscratch-playground-") as folder:
            paths = [os.path.join(folder, f"{i}.nnscratch") for i in range(len(self.models))]
            for model, path in zip(self.models, paths):
                model.save(path)
            self._fit(1, stop)
            if not stop.stopped:
                return True
            self.model = load_model(paths[0])
            self.sweep = [(size, load_model(p)) for (size, _), p in zip(self.sweep, paths[1:])]
            return False

    def _fit(self, epochs: int, stop: _StopWhen | None) -> None:
        # A diverging run overflows on its way to an infinite loss; the engine detects
        # that and raises TrainingDiverged, which the page is told about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for model in self.models:
                model.history = History()  # keep memory flat over long runs
                try:
                    model.fit(
                        self.inputs.train,
                        self.data.y_train,
                        epochs=epochs,
                        batch_size=self.batch_size,
                        shuffle=True,
                        verbose=0,
                        callbacks=[stop] if stop is not None else None,
                    )
                except TrainingDiverged as exc:
                    if model is self.model:
                        self.epoch += exc.epoch
                        self.steps += exc.epoch * self.steps_per_epoch
                        raise
                if stop is not None and stop.stopped:
                    return
        self.epoch += epochs
        self.steps += epochs * self.steps_per_epoch

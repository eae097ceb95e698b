"""Callbacks: how the training loop reports, without ever printing.

``Sequential.fit`` calls hooks on every callback at fixed points::

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)
        on_train_batch_begin(batch, logs) / on_train_batch_end(batch, logs)
      on_epoch_end(epoch, logs)          logs = {"loss": ..., "val_loss": ..., ...}
    on_train_end(logs)

A batch's logs hold the epoch's means so far (``"loss"`` and the metrics, as Keras 3's)
and the batch's ``"size"``; the last batch's means are the epoch's.

A progress bar, the command line's "Loss after iteration ..." lines and the web
playground's live frames are all callbacks. A callback can stop training by setting
``self.model.stop_training = True``.

The engine itself stays silent: the progress bar that ``nnscratch.Sequential.fit(verbose=1)``
shows lives in :mod:`nnscratch.progress`, above the engine.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "TerminateOnNaN",
    "callback_list",
]

Logs = dict[str, Any]


class Callback:
    """Base class with no-op hooks; override the ones you need.

    ``fit`` hands every callback the model (``self.model``) and the run's settings
    (``self.params``: ``epochs``, ``steps`` per epoch, ``samples``, ``verbose``).
    """

    model: Any = None
    params: Mapping[str, Any] = MappingProxyType({})

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...


HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
)


def callback_list(callbacks: Callback | Iterable[Callback] | None) -> list[Any]:
    """``fit(callbacks=...)`` as a list: ``None`` is none and one callback a list of it, as
    Keras takes them (:class:`CallbackList` checks that each item is a Callback)."""
    if callbacks is None or isinstance(callbacks, Callback):
        return [] if callbacks is None else [callbacks]
    if isinstance(callbacks, (str, bytes, Mapping)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            f"callbacks must be a list of Callback instances, got {type(callbacks).__name__}"
        )
    return list(callbacks)


class CallbackList:
    """Calls a hook on each callback that defines it, in order.

    Hooks a callback leaves as the base class's no-ops are skipped: the tutorials' runs
    are 20,000 one-batch epochs, where empty calls would add up. ``hooks`` are the hooks
    it calls (a facade may add its own, as ``nnscratch.keras`` does Keras' test hooks);
    ``params=None`` leaves each callback's ``params`` as they are (a pass inside a run).
    """

    def __init__(
        self,
        callbacks: Callback | Iterable[Callback] | None,
        model: Any,
        params: dict[str, Any] | None,
        hooks: Iterable[str] = HOOKS,
    ) -> None:
        self.callbacks = callback_list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
            cb.set_model(model)
            if params is not None:
                cb.set_params(params)
        self.hooks = {
            hook: [getattr(cb, hook) for cb in self.callbacks if defines(cb, hook)]
            for hook in hooks
        }

    def call(self, hook: str, *args: Any) -> None:
        for method in self.hooks[hook]:
            method(*args)


def defines(cb: Callback, hook: str, base: type = Callback) -> bool:
    """True when ``cb`` has its own ``hook`` (in its class or, as LambdaCallback, itself),
    not the no-op of ``base`` (a facade's base class may add hooks of its own)."""
    return hook in vars(cb) or getattr(type(cb), hook, None) is not getattr(base, hook, None)


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is a list.

    ``fit`` makes a new one for each run, fills it itself after every epoch (after the
    callbacks' ``on_epoch_end``, as Keras does, so that what they add to the logs is
    recorded too: ``learning_rate`` from :class:`LearningRateScheduler`, a metric of your
    own), returns it and keeps it as ``model.history``; ``history.params`` are the run's
    settings, as for a callback. ``interrupted`` is True when training was stopped by
    Ctrl-C or by a diverging loss, ``diverged`` when by a diverging loss.
    """

    #: set to True by fit when the run was stopped by Ctrl-C or by a diverging loss
    interrupted = False
    #: set to True by fit when the run was stopped by a diverging loss
    diverged = False

    def __init__(self, model: Any = None, params: Mapping[str, Any] | None = None) -> None:
        self.model, self.params = model, {} if params is None else params  # fit passes both
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"


class LambdaCallback(Callback):
    """A callback made of plain functions, e.g. ``LambdaCallback(on_epoch_end=f)``."""

    def __init__(
        self,
        on_epoch_begin: Callable[[int, Logs], None] | None = None,
        on_epoch_end: Callable[[int, Logs], None] | None = None,
        on_train_begin: Callable[[Logs], None] | None = None,
        on_train_end: Callable[[Logs], None] | None = None,
        on_train_batch_begin: Callable[[int, Logs], None] | None = None,
        on_train_batch_end: Callable[[int, Logs], None] | None = None,
    ) -> None:
        super().__init__()
        for hook, fn in (
            ("on_epoch_begin", on_epoch_begin),
            ("on_epoch_end", on_epoch_end),
            ("on_train_begin", on_train_begin),
            ("on_train_end", on_train_end),
            ("on_train_batch_begin", on_train_batch_begin),
            ("on_train_batch_end", on_train_batch_end),
        ):
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"{hook} must be callable, got {type(fn).__name__}")
                setattr(self, hook, fn)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch.

    ``schedule(epoch, lr)`` (or ``schedule(epoch)``) returns the rate for ``epoch``
    (counted from 0); ``lr`` is the current rate. The schedules of
    :mod:`nnscratch.engine.schedules` work too, called with the epoch number. The rate
    set is a constant for the epoch: it replaces any schedule the optimizer was given.
    ``rates`` lists the rates set, epoch by epoch.

    Examples
    --------
    Halve the rate every 10 epochs:

    >>> def halve_every_10(epoch, lr):
    ...     return lr * 0.5 if epoch and epoch % 10 == 0 else lr
    >>> halve = LearningRateScheduler(halve_every_10)

    The same with a schedule object:

    >>> from nnscratch.engine.schedules import StepDecay
    >>> by_epoch = LearningRateScheduler(StepDecay(0.1, drop=0.5, step_size=10))
    """

    def __init__(self, schedule: Callable[..., float]) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"schedule must be callable, got {type(schedule).__name__}")
        self.schedule = schedule
        self._two_args = _accepts_two_args(schedule)
        self.rates: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        if self._two_args:
            lr = self.schedule(epoch, optimizer.learning_rate)
        else:
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
            raise ValueError(
                f"the schedule returned {lr!r} for epoch {epoch}; expected a number > 0"
            )
        optimizer.learning_rate = float(lr)
        self.rates.append(float(lr))

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:  # as Keras does: History, called last, records it
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _accepts_two_args(fn: Callable[..., Any]) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    positional = [
        p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values()):
        return True
    return len(positional) >= 2


class TerminateOnNaN(Callback):
    """Stop training cleanly when a batch's loss is NaN or infinite (Keras' callback).

    The engine checks every batch's loss itself: on a non-finite loss it puts back the
    weights of the last finite step and, unless a callback stopped training, raises
    :class:`~nnscratch.engine.training.TrainingDiverged`. This callback sets
    ``model.stop_training`` when it sees such a loss, so ``fit`` returns the history
    instead of raising, with ``terminated`` set here and ``history.diverged`` True.
    """

    def __init__(self) -> None:
        super().__init__()
        self.terminated = False

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.terminated = False

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self.terminated = True
            self.model.stop_training = True

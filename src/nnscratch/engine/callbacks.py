"""Callbacks: how the training loop reports, without ever printing.

``Sequential.fit`` calls hooks on every callback at fixed points::

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)
        on_train_batch_begin(batch, logs) / on_train_batch_end(batch, logs)
      on_epoch_end(epoch, logs)          logs = {"loss": ..., "val_loss": ..., ...}
    on_train_end(logs)

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

from .checks import integer, number, one_of

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
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


class CallbackList:
    """Calls a hook on each callback that defines it, in order.

    Hooks a callback leaves as the base class's no-ops are skipped: the tutorials' runs
    are 20,000 one-batch epochs, where empty calls would add up.
    """

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
            cb.set_model(model)
            cb.set_params(params)
        self.hooks = {
            hook: [getattr(cb, hook) for cb in self.callbacks if _defines(cb, hook)]
            for hook in HOOKS
        }

    def call(self, hook: str, *args: Any) -> None:
        for method in self.hooks[hook]:
            method(*args)


def _defines(cb: Callback, hook: str) -> bool:
    """True when ``cb`` has its own ``hook`` (in its class or, as LambdaCallback, itself)."""
    return hook in vars(cb) or getattr(type(cb), hook) is not getattr(Callback, hook)


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is a list.

    ``fit`` makes a new one for each run, fills it itself after every epoch (before the
    callbacks' ``on_epoch_end``, so they see that epoch in ``model.history``), returns it
    and keeps it as ``model.history``; ``history.params`` are the run's settings, as for
    a callback. ``interrupted`` is True when training was stopped by Ctrl-C or by a
    diverging loss, ``diverged`` when by a diverging loss.
    """

    def __init__(self, model: Any = None, params: Mapping[str, Any] = MappingProxyType({})) -> None:
        self.model, self.params = model, params  # fit passes its model and settings
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.interrupted = self.diverged = False

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


class EarlyStopping(Callback):
    """Stop training when a monitored value has stopped improving.

    After every epoch the value ``logs[monitor]`` is compared with the best so far. It
    counts as an improvement when it beats the best by more than ``min_delta``::

        mode "min":  current < best - min_delta
        mode "max":  current > best + min_delta

    After ``patience`` epochs in a row without improvement (at least one, and never at
    the first epoch), training stops
    (``model.stop_training = True``) and ``stopped_epoch`` records when.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A key of the epoch logs: ``"loss"``, ``"accuracy"``, ``"val_loss"`` (needs
        ``validation_data`` or ``validation_split``), ``"val_accuracy"``.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement (>= 0).
    patience : int, default 0
        Epochs without improvement to wait before stopping.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" is "max" for accuracies and "min" otherwise.
    baseline : float, optional
        Training stops if the value does not beat this within ``patience`` epochs.
    restore_best_weights : bool, default False
        When training ends (stopped by this callback or after the last epoch), put back
        the weights of the best epoch. Keras restores only when it stops training early;
        here the best weights are also restored after the last epoch, so that the model
        you keep is always the best one seen. Not on Ctrl-C or divergence: then the model
        keeps its latest weights.
    start_from_epoch : int, default 0
        Epochs to train before watching the value at all (a warm-up; as Keras).

    Raises
    ------
    ValueError
        At the first epoch end, if ``monitor`` is not in the logs (the message lists the
        keys that are).

    Examples
    --------
    >>> stop = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a log key such as 'val_loss', got {monitor!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real):
            raise TypeError(f"min_delta must be a number, got {min_delta!r}")
        if not math.isfinite(min_delta):
            raise ValueError(f"min_delta must be finite, got {min_delta!r}")
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral):
            raise TypeError(f"patience must be an integer >= 0, got {patience!r}")
        if patience < 0:
            raise ValueError(f"patience must be an integer >= 0, got {patience}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if monitor.endswith(("acc", "accuracy")) else "min"
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.mode = mode
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = integer("start_from_epoch", start_from_epoch, low=0)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best: float = math.inf if self.mode == "min" else -math.inf
        if self.baseline is not None:
            self.best = self.baseline
        self.best_weights: list[Any] | None = None

    def _improved(self, current: float) -> bool:
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = monitored(self, logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Keep the first epoch's weights so there is always something to restore.
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(current):
            self.best = current
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:  # Keras' rule
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        logs = logs or {}
        if logs.get("interrupted") or logs.get("diverged"):
            return
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def monitored(callback: Any, logs: Logs | None) -> float:
    """``logs[callback.monitor]``, or a ``ValueError`` that lists the keys there are."""
    logs = logs or {}
    if callback.monitor not in logs:
        have = ", ".join(sorted(logs)) or "nothing"
        hint = (
            "; pass validation_data=... or validation_split=... to fit()"
            if callback.monitor.startswith("val_")
            else ""
        )
        raise ValueError(
            f"{type(callback).__name__} monitors {callback.monitor!r} but the logs have only "
            f"{have}{hint}"
        )
    return float(logs[callback.monitor])


class ReduceLROnPlateau(Callback):
    """Lower the learning rate when a monitored value has stopped improving (Keras').

    After ``patience`` epochs in a row in which ``logs[monitor]`` did not beat the best
    value by more than ``min_delta``, the rate becomes ``max(lr * factor, min_lr)``; then
    ``cooldown`` epochs pass before epochs count again. The rate set is a constant: it
    replaces any schedule the optimizer was given. ``reductions`` lists
    ``(epoch, new rate)`` for every change.

    Parameters
    ----------
    monitor : str, default "val_loss"
    factor : float, default 0.1
        In ``(0, 1)``: the new rate is ``lr * factor``.
    patience : int, default 10
    mode : {"auto", "min", "max"}, default "auto"
        "auto" is "max" for accuracies and "min" otherwise.
    min_delta : float, default 1e-4
    cooldown : int, default 0
    min_lr : float, default 0.0
        The rate never goes below this.

    Examples
    --------
    >>> plateau = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a log key such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.factor = number("factor", factor, 0, 1, low_open=True, high_open=True)
        self.patience = integer("patience", patience, low=0)
        self.mode = one_of("mode", mode, ("auto", "min", "max"))
        if self.mode == "auto":
            self.mode = "max" if monitor.endswith(("acc", "accuracy")) else "min"
        self.min_delta = number("min_delta", min_delta, low=0)
        self.cooldown = integer("cooldown", cooldown, low=0)
        self.min_lr = number("min_lr", min_lr, low=0)
        self.reductions: list[tuple[int, float]] = []
        self.on_train_begin()

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = self.cooldown_counter = 0
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = monitored(self, logs)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.mode == "min":
            improved = current < self.best - self.min_delta
        else:
            improved = current > self.best + self.min_delta
        if improved:
            self.best, self.wait = current, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        optimizer = self.model.optimizer
        if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
            rate = max(float(optimizer.learning_rate) * self.factor, self.min_lr)
            optimizer.learning_rate = rate
            self.reductions.append((epoch, rate))
            self.cooldown_counter, self.wait = self.cooldown, 0


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

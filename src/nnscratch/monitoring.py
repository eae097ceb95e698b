"""Callbacks that watch a logged value: :class:`EarlyStopping` stops training when it has
stopped improving, :class:`ReduceLROnPlateau` lowers the learning rate. Both take Keras 3's
arguments in Keras 3's order, and with ``verbose=1`` print Keras' lines.

Both compare each epoch's ``logs[monitor]`` with the best value so far; an epoch counts as
an improvement when it beats the best by more than ``min_delta`` (below it in mode "min",
above it in mode "max").
"""

from __future__ import annotations

import math
from typing import Any

from .engine import checks
from .engine.callbacks import Callback, Logs
from .progress import report

__all__ = ["EarlyStopping", "ReduceLROnPlateau"]

#: in mode "auto", a monitored key with one of these endings is watched for a rise
_LARGER_IS_BETTER = (
    "acc",
    "accuracy",
    "auc",
    "precision",
    "recall",
    "true_positives",
    "true_negatives",
)


class _Watcher(Callback):
    """What the callbacks that watch a logged value share (these two, and
    ``ModelCheckpoint(save_best_only=True)``): the value, how it improves, and ``verbose``."""

    def _watch(self, monitor: str, verbose: int, mode: str, min_delta: float) -> None:
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a log key such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.verbose = checks.one_of("verbose", verbose, (0, 1))
        self.mode = checks.one_of("mode", mode, ("auto", "min", "max"))
        self._auto = self.mode == "auto"
        if self._auto:  # by the name for now; by the metric itself when training starts
            self.mode = "max" if monitor.endswith(_LARGER_IS_BETTER) else "min"
        self.min_delta = abs(checks.number("min_delta", min_delta))  # its sign is the mode's

    def _settle_mode(self) -> bool:
        """In mode "auto", ask the model's metric of that name whether larger is better
        (its ``direction``, as Keras does), so that ``Precision(name="p")`` is watched
        for a rise; True when that changed the mode."""
        metric = getattr(self.model, "metrics", {}).get(self.monitor.removeprefix("val_"))
        direction = getattr(metric, "direction", None)
        if not self._auto or direction not in ("up", "down"):
            return False
        mode, self.mode = self.mode, "max" if direction == "up" else "min"
        return mode != self.mode

    def _worst(self) -> float:
        return math.inf if self.mode == "min" else -math.inf

    def _improved(self, current: float) -> bool:
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def _current(self, logs: Logs | None) -> float:
        """``logs[monitor]``, or a ``ValueError`` that lists the keys there are."""
        logs = logs or {}
        if self.monitor not in logs:
            have = ", ".join(sorted(logs)) or "nothing"
            hint = (
                "; pass validation_data=... or validation_split=... to fit()"
                if self.monitor.startswith("val_")
                else ""
            )
            raise ValueError(
                f"{type(self).__name__} monitors {self.monitor!r} but the logs have only "
                f"{have}{hint}"
            )
        return float(logs[self.monitor])


class EarlyStopping(_Watcher):
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
    verbose : 0 or 1, default 0
        1 prints Keras' lines when training ends: ``Epoch N: early stopping`` and which
        epoch's weights came back.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" is "max" for accuracies, AUC, precision and recall (and any metric
        whose ``direction`` is "up"), and "min" otherwise.
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

    The arguments come in Keras 3's order, so a call that passes them by position means
    the same here.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self._watch(monitor, verbose, mode, min_delta)
        self.patience = checks.integer("patience", patience, low=0)
        self.baseline = None if baseline is None else checks.number("baseline", baseline)
        self.restore_best_weights = checks.flag("restore_best_weights", restore_best_weights)
        self.start_from_epoch = checks.integer("start_from_epoch", start_from_epoch, low=0)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = self._worst() if self.baseline is None else self.baseline
        self.best_weights: list[Any] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._settle_mode()
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self._current(logs)
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
        if self.stopped_epoch > 0:
            report(self.verbose, f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
            report(
                self.verbose,
                f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.",
            )


class ReduceLROnPlateau(_Watcher):
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
    verbose : 0 or 1, default 0
        1 prints each new rate, as Keras does.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" is "max" for accuracies, AUC, precision and recall (and any metric
        whose ``direction`` is "up"), and "min" otherwise.
    min_delta : float, default 1e-4
    cooldown : int, default 0
    min_lr : float, default 0.0
        The rate never goes below this.

    Examples
    --------
    >>> plateau = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3)

    The arguments come in Keras 3's order, as for :class:`EarlyStopping`.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        self._watch(monitor, verbose, mode, min_delta)
        self.patience = checks.integer("patience", patience, low=0)
        self.factor = checks.number("factor", factor, 0, 1, low_open=True, high_open=True)
        self.cooldown = checks.integer("cooldown", cooldown, low=0)
        self.min_lr = checks.number("min_lr", min_lr, low=0)
        self.reductions: list[tuple[int, float]] = []
        self.on_train_begin()

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._settle_mode()
        self.wait = self.cooldown_counter = 0
        self.best = self._worst()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:  # the rate this epoch trained with, as Keras logs it
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self._current(logs)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
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
            report(
                self.verbose,
                f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {rate}.",
            )
            self.cooldown_counter, self.wait = self.cooldown, 0

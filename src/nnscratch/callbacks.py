"""Callbacks, Keras-style: ``from nnscratch.callbacks import EarlyStopping, ModelCheckpoint``.

The engine's callbacks (:mod:`nnscratch.engine.callbacks`) never touch files; the two
defined here do, which is why they live above the engine:

* :class:`ModelCheckpoint` saves the model (atomically, see :mod:`nnscratch.saving`)
  after every epoch, or every ``save_freq`` batches, or only when a monitored value
  improves;
* :class:`CSVLogger` appends one line of logs per epoch to a CSV file.
"""

from __future__ import annotations

import csv
import numbers
import os
from typing import Any, TextIO

from . import saving, weights_file
from .engine import callbacks as engine_callbacks
from .engine import checks
from .engine.callbacks import Callback, History, LambdaCallback, TerminateOnNaN
from .engine.serialize import model_to_data
from .files import writable_folder
from .monitoring import EarlyStopping, ReduceLROnPlateau, _Watcher
from .progress import LossPrinter, ProgressBar, report
from .saving import save_model

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "LossPrinter",
    "ModelCheckpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]


class ModelCheckpoint(_Watcher):
    """Save the model during training, so that a crash or Ctrl-C loses little.

    Each save is atomic: the previous file stays intact until the new one is complete.
    A Ctrl-C during ``fit`` stops after the current batch and still ends the epoch, so
    the checkpoint on disk then holds the weights after that batch.

    Parameters
    ----------
    filepath : str or path
        May contain ``{epoch}`` (counted from 1, as Keras does) and log keys, e.g.
        ``"ckpt-{epoch:03d}-{val_loss:.3f}.nnscratch"``.
    monitor : str, default "val_loss"
        Used with ``save_best_only``.
    verbose : 0 or 1, default 0
        1 prints a line for each save (and each epoch that did not improve), as Keras does.
    save_best_only : bool, default False
        Save only when ``logs[monitor]`` improves on the best value so far.
    save_weights_only : bool, default False
        Write only the weights (``model.save_weights``): ``filepath`` must then end in
        ``.weights.npz``.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" is "max" for accuracies, "min" otherwise.
    save_freq : "epoch" or int, default "epoch"
        Save at the end of every epoch, or every ``save_freq`` batches.
    initial_value_threshold : float, optional
        With ``save_best_only``, the value ``logs[monitor]`` must beat for the first save.

    The arguments come in Keras 3's order, so a call that passes them by position means
    the same here.

    Attributes
    ----------
    saved : list of str
        The paths written, in order.

    Examples
    --------
    >>> ckpt = ModelCheckpoint("best.nnscratch", monitor="val_loss", save_best_only=True)
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        if not isinstance(self.filepath, str) or not self.filepath:
            raise ValueError(f"filepath must be a non-empty path, got {filepath!r}")
        self._watch(monitor, verbose, mode, 0.0)  # any improvement counts
        self.save_weights_only = checks.flag("save_weights_only", save_weights_only)
        # Refuse a name the save would refuse now, not after an epoch of work.
        if self.save_weights_only:
            weights_file.check_filename(self.filepath)
        elif "{" not in os.path.splitext(self.filepath)[1]:  # (a suffix from the logs: at save)
            saving.check_filename(self.filepath)
        if save_freq != "epoch" and (
            isinstance(save_freq, bool)
            or not isinstance(save_freq, numbers.Integral)
            or save_freq <= 0
        ):
            raise ValueError(f"save_freq must be 'epoch' or a positive integer, got {save_freq!r}")
        self.save_best_only = bool(save_best_only)
        self.save_freq = save_freq
        self.saved: list[str] = []
        self.best, self._has_best = self._worst(), initial_value_threshold is not None
        if initial_value_threshold is not None:  # a file is written only once it beats this
            self.best = checks.number("initial_value_threshold", initial_value_threshold)
        self._batches = 0
        self._epoch = 0
        if save_freq != "epoch":
            # Only then do we need the per-batch hook (the engine skips unused hooks).
            self.on_train_batch_end = self._batch_end  # type: ignore[method-assign]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Before the first step: the model must be one a file can hold (a loss, optimizer
        or setting of your own is refused now, not after an epoch of work), and the folder
        must take files."""
        self._batches = 0
        if self._settle_mode() and not self._has_best:  # the worst of the other mode
            self.best = self._worst()
        if not self.save_weights_only:
            model_to_data(self.model)
        folder = os.path.dirname(self.filepath)
        if "{" not in folder:  # a folder named from the logs is made at each save
            writable_folder(folder or ".", "ModelCheckpoint folder")

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def _batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._batches += 1
        if self._batches % int(self.save_freq) == 0:
            self._save(self._epoch, dict(logs or {}))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, dict(logs or {}))

    def _save(self, epoch: int, logs: dict[str, Any]) -> None:
        if self.save_best_only:
            current = self._current(logs)
            best = f"{self.best:.5f}" if self._has_best else "None"  # Keras' words
            if not self._improved(current):
                report(
                    self.verbose, f"Epoch {epoch + 1}: {self.monitor} did not improve from {best}"
                )
                return
            self.best, self._has_best = current, True
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"ModelCheckpoint filepath {self.filepath!r} cannot be filled from epoch and "
                f"the logs ({', '.join(sorted(logs))}): {exc}"
            ) from None
        if self.save_best_only:
            report(
                self.verbose,
                f"Epoch {epoch + 1}: {self.monitor} improved from {best} to "
                f"{current:.5f}, saving model to {path}",
            )
        else:
            report(self.verbose, f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            weights_file.save_weights(self.model, path)
        else:
            save_model(self.model, path)
        report(self.verbose, f"Epoch {epoch + 1}: finished saving model to {path}")
        self.saved.append(path)


class LearningRateScheduler(engine_callbacks.LearningRateScheduler):
    """:class:`nnscratch.engine.callbacks.LearningRateScheduler` with Keras' ``verbose``:
    1 prints the rate set at the start of each epoch."""

    def __init__(self, schedule: Any, verbose: int = 0) -> None:
        super().__init__(schedule)
        self.verbose = checks.one_of("verbose", verbose, (0, 1))

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_begin(epoch, logs)
        report(
            self.verbose,
            f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {self.rates[-1]}.",
        )


class CSVLogger(Callback):
    """Write the logs of every epoch as a row of a CSV file: ``epoch,loss,...``.

    Each row is flushed as soon as the epoch ends, so the file is useful while training
    runs and keeps every finished epoch after a crash or Ctrl-C.

    Parameters
    ----------
    filename : str or path
    separator : str, default ","
    append : bool, default False
        Add to an existing file (without repeating the header) instead of replacing it.

    Examples
    --------
    >>> log = CSVLogger("training.csv")
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"separator must be a single character, got {separator!r}")
        self.separator = separator
        self.append = bool(append)
        self.keys: list[str] | None = None
        self._file: TextIO | None = None
        self._writer: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        existing = (
            self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        )
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._header_needed = not existing
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._writer is None or self._file is None:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self._header_needed:
                self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(logs.get(k, "") for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None

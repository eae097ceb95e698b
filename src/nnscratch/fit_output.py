"""What ``fit(verbose=...)`` prints, laid out as Keras prints it.

Keras scripts pass ``verbose=1`` or ``verbose=2`` to ``fit`` and their readers expect
Keras' output on standard output:

``verbose=1``
    A progress bar for each epoch, counting its steps (mini-batches), with the running
    loss, then the epoch's logs. On a terminal or in Jupyter it is a live bar; elsewhere
    (a log file, a pipe) a plain line at the end of each epoch, and one every 10 seconds
    during a long epoch. Both come from :func:`nnscratch.progress.progress_bar`.
``verbose=2``
    One line per epoch, Keras 3's::

        Epoch 1/20
        469/469 - 2s - 4ms/step - loss: 0.2466 - accuracy: 0.9237 - val_loss: 0.1019

With more than one epoch each epoch starts with its ``Epoch 3/20`` line, as in Keras 3.
Values print with four decimals (``0.2466``), or in scientific notation below 0.001
(``4.1200e-05``), as Keras does. The logs come in the order the model reports them:
the loss, the metrics in the order they were compiled, then the validation ones
(Keras 2's order; Keras 3 sorts them alphabetically).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from .engine.callbacks import Callback
from .progress import Bar, progress_bar

__all__ = [
    "EpochBars",
    "EpochLine",
    "evaluation_line",
    "format_logs",
    "format_value",
    "keras_output",
]


def format_value(value: float) -> str:
    """A log value as Keras prints it: ``0.2466``, or ``4.1200e-05`` below 0.001."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_logs(logs: dict[str, Any]) -> str:
    """``"loss: 0.2466 - accuracy: 0.9237"``: the numbers of ``logs``, in their order."""
    return " - ".join(
        f"{key}: {format_value(float(value))}"
        for key, value in logs.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "size"
    )


def _per_step(seconds: float) -> str:
    """Keras' time per step: ``1s/step``, ``4ms/step`` or ``350us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def evaluation_line(steps: int, seconds: float, logs: dict[str, Any]) -> str:
    """Keras' line for a finished pass: ``469/469 - 2s - 4ms/step - loss: 0.2466``."""
    parts = [f"{steps}/{steps}", f"{seconds:.0f}s", _per_step(seconds / max(steps, 1))]
    text = format_logs(logs)
    return " - ".join(parts + ([text] if text else []))


class _EpochHeader(Callback):
    """Writes ``Epoch 3/20`` before each epoch when there is more than one."""

    def __init__(self, file: TextIO | None = None) -> None:
        super().__init__()
        self.file = file

    def stream(self) -> TextIO:
        return self.file if self.file is not None else sys.stdout

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        total = self.params.get("epochs", 0)
        if total > 1:
            print(f"Epoch {epoch + 1}/{total}", file=self.stream(), flush=True)


class EpochLine(_EpochHeader):
    """``verbose=2``: one line per epoch, ``469/469 - 2s - 4ms/step - loss: 0.2466``.

    Parameters
    ----------
    file : text stream, optional
        Where to write; standard output (as Keras) by default.
    """

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_begin(epoch, logs)
        self._start = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        line = evaluation_line(
            self.params.get("steps", 0), time.monotonic() - self._start, logs or {}
        )
        print(line, file=self.stream(), flush=True)


class EpochBars(_EpochHeader):
    """``verbose=1``: a bar per epoch over its steps, ending with the epoch's logs.

    The bar is :func:`nnscratch.progress.progress_bar` (live on a terminal, plain lines
    elsewhere); while the epoch runs it shows the batch logs, the epoch's means so far.

    Parameters
    ----------
    file : text stream, optional
        Where to write; standard output (as Keras) by default.
    """

    def __init__(self, file: TextIO | None = None) -> None:
        super().__init__(file)
        self._bar: Bar | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_begin(epoch, logs)
        self._bar = progress_bar(self.params.get("steps"), "", "step", file=self.stream())

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is None:
            return
        self._bar.set_postfix_str(format_logs(logs or {}), False)  # the epoch's means so far
        self._bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._close()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()  # an epoch cut short (Ctrl-C, a diverging loss)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def keras_output(verbose: int, file: TextIO | None = None) -> list[Callback]:
    """The callbacks that print what Keras prints for ``verbose`` (0, 1 or 2)."""
    if verbose == 1:
        return [EpochBars(file)]
    return [EpochLine(file)] if verbose == 2 else []

"""Reporting callbacks for people watching a run: a progress bar and "print every k".

These are the only callbacks that write text, and they write where they are told
(``write=``). ``fit(verbose=1)`` uses :class:`ProgressBar`; ``verbose=2`` prints one line
per epoch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from .engine.callbacks import Callback, register_progress

__all__ = ["EpochLines", "LossPrinter", "ProgressBar"]


def _format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, float))


class ProgressBar(Callback):
    """A ``tqdm`` bar over the epochs, showing the latest logs.

    Parameters
    ----------
    file : text stream, default sys.stderr
    leave : bool, default True
        Keep the finished bar on screen.
    """

    def __init__(self, file: TextIO | None = None, leave: bool = True, desc: str = "") -> None:
        super().__init__()
        self.file = file
        self.leave = leave
        self.desc = desc
        self._bar: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=self.params.get("epochs"),
            file=self.file or sys.stderr,
            leave=self.leave,
            desc=self.desc or "epochs",
            unit="epoch",
            dynamic_ncols=True,
        )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            self._bar.update(1)
            if logs:
                self._bar.set_postfix_str(_format_logs(logs), refresh=False)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class EpochLines(Callback):
    """One line per epoch: ``Epoch 3/30 - loss: 0.4123 - accuracy: 0.9012``."""

    def __init__(self, write: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.write = write or (lambda line: print(line, file=sys.stderr))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        total = self.params.get("epochs", "?")
        self.write(f"Epoch {epoch + 1}/{total} - {_format_logs(logs or {})}")


class LossPrinter(Callback):
    """Every ``every`` epochs, evaluate the loss on ``(x, y)`` and report it.

    This is the tutorial's ``print_loss`` option: after pass ``i`` (``i % every == 0``)
    the loss *after* that pass's update is computed on the whole data set and written as
    ``"Loss after iteration {i}: {loss:f}"``.

    Parameters
    ----------
    x, y : arrays
        The data to evaluate on (usually the training set).
    every : int, default 1000
    write : callable, default print
        Receives each line.
    fmt : str
        Format with ``{epoch}`` and ``{loss}``.
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        every: int = 1000,
        write: Callable[[str], None] | None = print,
        fmt: str = "Loss after iteration {epoch}: {loss:f}",
    ) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every <= 0:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.x, self.y, self.every, self.write, self.fmt = x, y, every, write, fmt
        self.losses: list[tuple[int, float]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if epoch % self.every == 0:
            loss = self.model.evaluate(self.x, self.y)
            loss = loss[0] if isinstance(loss, list) else loss
            self.losses.append((epoch, loss))
            if self.write is not None:
                self.write(self.fmt.format(epoch=epoch, loss=loss))


def _default_progress(verbose: int) -> Callback:
    return ProgressBar() if verbose == 1 else EpochLines()


register_progress(_default_progress)

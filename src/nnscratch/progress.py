"""Progress for people watching a run: the one progress bar, and "print every k".

:func:`progress_bar` is the only progress implementation in nnscratch; the download of
MNIST, ``fit(verbose=1)``, the command line's per-epoch and per-network bars all use it.
On a terminal (or in Jupyter) it is a live ``tqdm`` bar. Where nobody watches a
terminal (output piped to a file, CI) a redrawn bar would only fill the log with
carriage returns, so it writes a plain line now and then instead (at most every
``every`` seconds, and at the end).

The callbacks here are the only ones that write text, and they write where they are
told (``file=`` / ``write=``): :class:`ProgressBar` (``fit(verbose=1)``),
:class:`EpochLines` (``verbose=2``) and :class:`LossPrinter` (the tutorial's
``print_loss``).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from .engine.callbacks import Callback

__all__ = [
    "Bar",
    "EpochLines",
    "LossPrinter",
    "ProgressBar",
    "in_jupyter_kernel",
    "interactive",
    "progress_bar",
    "report",
]


class Bar(Protocol):
    """What :func:`progress_bar` returns (a ``tqdm`` bar fits): count, annotate, close."""

    def update(self, n: int = 1) -> Any: ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> Any: ...

    def close(self) -> Any: ...


def in_jupyter_kernel() -> bool:
    """True when this code runs in a Jupyter kernel (a notebook cell), not merely in a
    process that has imported ``ipykernel`` (a test runner executing notebooks does)."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


def interactive(stream: Any) -> bool:
    """True on a terminal, and in a Jupyter kernel (where tqdm draws a widget)."""
    if in_jupyter_kernel():
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class _LineBar:
    """The bar for logs: ``desc: 3/10 epoch (30%), 12 s, about 28 s left - loss: 0.41``."""

    def __init__(
        self, total: int | None, desc: str, unit: str, stream: TextIO, every: float
    ) -> None:
        self.total, self.desc, self.unit, self.stream, self.every = total, desc, unit, stream, every
        self.n = 0
        self.postfix = ""
        self.start = self.last = time.monotonic()
        self.closed = False
        self.written: int | None = None  # the count of the last line written

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._write(now)

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.written != self.n:  # the last update may have written this line
                self._write(time.monotonic())

    def _write(self, now: float) -> None:
        elapsed = now - self.start
        self.written = self.n
        if self.unit == "%":  # a percentage already: 30%
            count = f"{self.n}%"
        elif self.total:
            count = f"{self.n}/{self.total} {self.unit} ({100 * self.n / self.total:.0f}%)"
        else:
            count = f"{self.n} {self.unit}"
        parts = [f"{self.desc + ': ' if self.desc else ''}{count}"]
        parts.append(f"{elapsed:.0f} s")
        if self.total and 0 < self.n < self.total:
            parts.append(f"about {elapsed / self.n * (self.total - self.n):.0f} s left")
        line = ", ".join(parts) + (f" - {self.postfix}" if self.postfix else "")
        print(line, file=self.stream, flush=True)


def progress_bar(
    total: int | None = None,
    desc: str = "",
    unit: str = "it",
    *,
    file: TextIO | None = None,
    leave: bool = True,
    unit_scale: bool = False,
    every: float = 10.0,
) -> Bar:
    """A progress bar over ``total`` steps (``None``: unknown), on ``file`` (stderr).

    A live ``tqdm`` bar on a terminal or in Jupyter; elsewhere a plain line at most
    every ``every`` seconds and one at the end. ``unit_scale=True`` shows byte counts
    as kB/MB (downloads).

    Examples
    --------
    >>> import io
    >>> bar = progress_bar(3, "epochs", "epoch", file=io.StringIO())
    >>> for _ in range(3):
    ...     bar.update(1)
    >>> bar.close()
    """
    stream = file if file is not None else sys.stderr
    if interactive(stream):
        tqdm = _tqdm_class()
        return tqdm(
            total=total,
            desc=desc or None,
            unit=unit,
            unit_scale=unit_scale,
            unit_divisor=1024 if unit_scale else 1000,
            file=stream,
            leave=leave,
            dynamic_ncols=True,
        )
    return _LineBar(total, desc, unit, stream, every)


def _tqdm_class() -> Any:
    """tqdm's widget bar in a Jupyter kernel that has ipywidgets, else its text bar (which
    Jupyter also shows live; tqdm.auto would warn "IProgress not found" without ipywidgets)."""
    if in_jupyter_kernel() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


def report(verbose: int, line: str) -> None:
    """With ``verbose``, print ``line`` (a callback's note, such as Keras' ``Epoch 7: early
    stopping``) on a line of its own, above any progress bar being drawn."""
    if verbose:
        _tqdm_class().write(line)


def _format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, float))


class ProgressBar(Callback):
    """A progress bar over the epochs (or, with ``per_batch=True``, over each epoch's
    mini-batches), showing the latest logs.

    Parameters
    ----------
    file : text stream, default sys.stderr
    leave : bool, default True
        Keep the finished bar on screen.
    desc : str, optional
    per_batch : bool, default False
        One bar per epoch, counting its mini-batches (for long epochs such as MNIST's).
    """

    def __init__(
        self,
        file: TextIO | None = None,
        leave: bool = True,
        desc: str = "",
        per_batch: bool = False,
    ) -> None:
        super().__init__()
        self.file = file
        self.leave = leave
        self.desc = desc
        self.per_batch = per_batch
        self._bar: Bar | None = None
        self._pending = 0
        self._every = 1

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.per_batch:
            self._bar = progress_bar(
                self.params.get("epochs"),
                self.desc or "epochs",
                "epoch",
                file=self.file,
                leave=self.leave,
            )

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.per_batch:
            steps = self.params.get("steps") or None
            self._every = max(1, (steps or 0) // 200)  # about 200 redraws per epoch
            self._pending = 0
            total = self.params.get("epochs", "?")
            self._bar = progress_bar(
                steps,
                f"{self.desc + ' ' if self.desc else ''}epoch {epoch + 1}/{total}",
                "batch",
                file=self.file,
                leave=False,
            )

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.per_batch and self._bar is not None:
            self._pending += 1
            if self._pending >= self._every:
                self._bar.update(self._pending)
                self._pending = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is None:
            return
        if self.per_batch:
            self._close()
        else:
            self._bar.update(1)
            if logs:
                self._bar.set_postfix_str(_format_logs(logs), refresh=False)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            if self._pending:
                self._bar.update(self._pending)
                self._pending = 0
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
            loss = self.model.evaluate(self.x, self.y, verbose=0)
            loss = loss[0] if isinstance(loss, list) else loss
            self.losses.append((epoch, loss))
            if self.write is not None:
                self.write(self.fmt.format(epoch=epoch, loss=loss))

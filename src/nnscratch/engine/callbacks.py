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

The engine itself stays silent: ``fit(verbose=1)`` asks :func:`make_progress` for a
progress callback, which the package registers at import time (a ``tqdm`` bar), so this
module needs nothing beyond NumPy and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "LambdaCallback",
    "make_progress",
    "register_progress",
]

Logs = dict[str, Any]


class Callback:
    """Base class with no-op hooks; override the ones you need."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

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


def _overrides(cb: Callback, hook: str) -> bool:
    """True when ``cb`` defines ``hook`` itself (in its class or, for LambdaCallback, on
    the instance)."""
    return hook in vars(cb) or getattr(type(cb), hook) is not getattr(Callback, hook)


class CallbackList:
    """Calls a hook on each callback in order; skips hooks nobody overrides.

    Skipping matters for the tutorials' full-batch runs: 20,000 epochs of one batch each,
    where a few empty Python calls per batch would be a measurable share of the time.
    """

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
            cb.set_model(model)
            cb.set_params(params)
        self._hooks = {
            hook: [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            for hook in (
                "on_train_begin",
                "on_train_end",
                "on_epoch_begin",
                "on_epoch_end",
                "on_train_batch_begin",
                "on_train_batch_end",
            )
        }
        self.wants_batches = bool(
            self._hooks["on_train_batch_begin"] or self._hooks["on_train_batch_end"]
        )

    def call(self, hook: str, *args: Any) -> None:
        for fn in self._hooks[hook]:
            fn(*args)

    def has(self, hook: str) -> bool:
        return bool(self._hooks[hook])


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is a list.

    ``fit`` returns it, and keeps it as ``model.history``. ``interrupted`` is True when
    training was stopped by Ctrl-C or by a diverging loss.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.interrupted = False

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.interrupted = False

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
        on_train_batch_end: Callable[[int, Logs], None] | None = None,
    ) -> None:
        super().__init__()
        for hook, fn in (
            ("on_epoch_begin", on_epoch_begin),
            ("on_epoch_end", on_epoch_end),
            ("on_train_begin", on_train_begin),
            ("on_train_end", on_train_end),
            ("on_train_batch_end", on_train_batch_end),
        ):
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"{hook} must be callable, got {type(fn).__name__}")
                setattr(self, hook, fn)


_progress_factory: Callable[[int], Callback] | None = None


def register_progress(factory: Callable[[int], Callback]) -> None:
    """Install the function that builds ``fit(verbose=...)``'s progress callback."""
    global _progress_factory
    _progress_factory = factory


def make_progress(verbose: int) -> Callback | None:
    """The progress callback for ``verbose`` (1: a bar, 2: one line per epoch), if any."""
    if verbose and _progress_factory is not None:
        return _progress_factory(verbose)
    return None

"""``from nnscratch.keras.callbacks import Callback, EarlyStopping, ModelCheckpoint, ...``.

The built-in callbacks are ``nnscratch.callbacks``' (its progress reporters aside).
:class:`Callback`, the base class of a callback of your own, is Keras 3's: besides the six
hooks of training (``on_train_begin``, ``on_epoch_begin``, ``on_train_batch_begin``, ...)
it has the ones Keras calls from ``evaluate`` and ``predict``::

    on_test_begin(logs)     on_test_batch_begin(batch, logs)     on_test_batch_end(batch, logs)
    on_test_end(logs)       on_predict_begin(logs)     on_predict_batch_begin(batch, logs)
    on_predict_batch_end(batch, logs)                  on_predict_end(logs)

and Keras 2's ``on_batch_begin`` / ``on_batch_end``, which are called for each training
batch. A ``nnscratch.keras`` model calls them as Keras 3 does (see
:mod:`nnscratch.keras._hooks`): ``evaluate(callbacks=[...])`` and
``predict(callbacks=[...])`` call the test and predict hooks, ``fit`` calls the test hooks
when it validates at the end of an epoch, and ``on_train_end`` receives the last epoch's
logs.
"""

from __future__ import annotations

from typing import Any

from .. import callbacks as _callbacks
from ..callbacks import *  # noqa: F403  (the names below)
from ..engine import callbacks as engine_callbacks
from ._refusals import missing

Logs = dict[str, Any]

# nnscratch.callbacks' names but its progress reporters (LossPrinter, ProgressBar).
__all__ = [name for name in _callbacks.__all__ if name not in ("LossPrinter", "ProgressBar")]


class Callback(engine_callbacks.Callback):
    """Keras 3's base class: every hook of ``fit``, ``evaluate`` and ``predict``, each
    doing nothing until you override it; ``self.model`` is the model being run and
    ``self.params`` the run's settings (``epochs``, ``steps``, ``verbose``).

    Examples
    --------
    >>> class LossHistory(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         self.per_batch_losses = []
    ...
    ...     def on_batch_end(self, batch, logs=None):
    ...         self.per_batch_losses.append(logs.get("loss"))
    """

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Before each training batch; calls Keras 2's :meth:`on_batch_begin`."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """After each training batch (``logs``: the epoch's means so far); calls Keras 2's
        :meth:`on_batch_end`."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_begin(self, logs: Logs | None = None) -> None: ...
    def on_test_end(self, logs: Logs | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_begin(self, logs: Logs | None = None) -> None: ...
    def on_predict_end(self, logs: Logs | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...


_MISSING = {
    "TensorBoard": (
        "TensorBoard is not available: record the logs with CSVLogger('log.csv') or read "
        "history.history after fit, and plot them"
    ),
    "BackupAndRestore": (
        "BackupAndRestore is not available: save with ModelCheckpoint and resume with "
        "keras.models.load_model(path) and fit(initial_epoch=...)"
    ),
    "RemoteMonitor": "RemoteMonitor is not available: nnscratch sends nothing over a network",
    "ProgbarLogger": "ProgbarLogger is not a callback here: fit(verbose=1) draws the bar",
}


def __getattr__(name: str) -> Any:
    """A Keras callback nnscratch does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)

"""``nnscratch.Sequential``: the engine's model, plus what a person at a keyboard needs.

:class:`nnscratch.engine.model.Sequential` computes and stays silent. This subclass adds,
on top and nothing underneath:

* ``fit(verbose=...)``: a progress bar (``1``), one line per epoch (``2``) or nothing
  (``0``); ``"auto"`` (the default) shows the bar on a terminal and in Jupyter;
* Ctrl-C during ``fit``: the first press stops training after the current batch and
  keeps the weights (``fit`` then raises ``KeyboardInterrupt``, with
  ``model.history.interrupted`` set); a second press interrupts at once;
* ``save(path)`` (see :mod:`nnscratch.saving`) and :func:`load_model`;
* ``summary()`` prints the table, as Keras does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .engine import model as engine_model
from .engine import serialize
from .engine.callbacks import Callback, History
from .progress import EpochLines, ProgressBar, interactive
from .saving import ModelFileError, read_model_file, save_model

__all__ = ["Sequential", "load_model"]


class Sequential(engine_model.Sequential):
    """A linear stack of layers, with Keras' ``compile`` / ``fit`` / ``predict``.

    See :class:`nnscratch.engine.model.Sequential` for the parameters and the methods;
    this class adds progress, Ctrl-C handling, ``save`` and a printed ``summary``.
    """

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``; see the engine's ``fit``.

        ``verbose``: 0 silent, 1 a progress bar, 2 one line per epoch (on stderr);
        ``"auto"`` is 1 on a terminal or in Jupyter, else 0.
        """
        level = _verbosity(verbose)
        extra: list[Callback] = [ProgressBar()] if level == 1 else []
        if level == 2:
            extra.append(EpochLines())
        with _ctrl_c_stops_training(self) as pressed:
            history = super().fit(
                x,
                y,
                batch_size,
                epochs,
                level,
                [*(callbacks or []), *extra],
                validation_split,
                validation_data,
                shuffle,
                initial_epoch,
            )
        if pressed():
            done = len(history.epoch)
            raise KeyboardInterrupt(
                f"training interrupted after {done} epoch{'s' * (done != 1)}; the model "
                f"keeps its weights"
            )
        return history

    def save(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Save architecture, weights, loss and optimizer state to one ``.nnscratch`` file.

        Load it with :func:`nnscratch.load_model`; see :mod:`nnscratch.saving`.
        """
        save_model(self, filepath, overwrite=overwrite)

    def summary(self, print_fn: Any = None) -> None:  # type: ignore[override]
        """Print the layers, their output shapes and parameter counts (Keras' table).

        ``print_fn`` receives each line instead of ``print``. The table as an object is
        :meth:`nnscratch.engine.model.Sequential.summary`.
        """
        table = super().summary(print_fn=print_fn)
        if print_fn is None:
            print(table)


def load_model(filepath: str | os.PathLike[str], compile: bool = True) -> Sequential:
    """Load a model written by ``model.save`` / :func:`nnscratch.saving.save_model`.

    Parameters
    ----------
    filepath : str or path
    compile : bool, default True
        Restore the loss, metrics and optimizer (with its state) so that ``fit``
        continues where it stopped. ``False`` gives a model ready to ``predict``.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ModelFileError
        A ``ValueError`` naming the file and what is wrong with it.
    """
    config, arrays = read_model_file(filepath)
    try:
        return serialize.model_from_data(config, arrays, compile=compile, model_class=Sequential)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise ModelFileError(filepath, str(exc)) from None


def _verbosity(verbose: int | str) -> int:
    if verbose == "auto":
        return 1 if interactive(sys.stderr) else 0
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


@contextlib.contextmanager
def _ctrl_c_stops_training(model: Any) -> Iterator[Any]:
    """While training, the first Ctrl-C asks for a clean stop after the current batch.

    A second Ctrl-C interrupts at once. Outside the main thread signals cannot be
    caught, and Ctrl-C behaves as usual.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag.is_set
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        flag.set()
        model.stop_training = True
        model.history.interrupted = True

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not allowed here (e.g. some embedded interpreters)
        yield flag.is_set
        return
    try:
        yield flag.is_set
    finally:
        signal.signal(signal.SIGINT, previous)

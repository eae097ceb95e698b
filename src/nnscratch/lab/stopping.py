"""Ending a training run early, cleanly: Ctrl-C here, or a stop asked by a parent process.

A long run should never be lost to Ctrl-C: the first one ends training after the current
pass and the run comes back with what it learnt (marked as interrupted); a second one
interrupts at once. In a pool of worker processes the parent decides: the workers ignore
Ctrl-C and watch an event the parent sets instead, so stopping works the same whether
the whole process group got the signal or only the parent.

The training loop is stopped the way any callback stops it, through
``model.stop_training`` (see :mod:`nnscratch.lab.network_runs`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["StopRequest", "ctrl_c_stops"]


class StopRequest:
    """A flag that says "stop after this pass", set here or by another process.

    Parameters
    ----------
    event : multiprocessing.Event, optional
        Set by a parent process. Asking it costs a lock, so it is asked only every
        ``poll_every`` calls of :meth:`requested`.
    poll_every : int, default 50
    """

    def __init__(self, event: Any = None, poll_every: int = 50) -> None:
        self._set = False
        self._event = event
        self._poll_every = poll_every
        self._calls = 0

    def set(self) -> None:
        """Ask for the stop."""
        self._set = True

    def requested(self, now: bool = False) -> bool:
        """True once a stop was asked for (here, or through the event).

        The event is asked every ``poll_every`` calls, or at once with ``now=True``.
        """
        if not self._set and self._event is not None:
            self._calls += 1
            if now or self._calls >= self._poll_every:
                self._calls = 0
                self._set = bool(self._event.is_set())
        return self._set


@contextlib.contextmanager
def ctrl_c_stops(request: StopRequest | None = None) -> Iterator[StopRequest]:
    """While inside, the first Ctrl-C sets the request; a second one interrupts at once.

    Only the main thread can receive signals; elsewhere, and where Ctrl-C is ignored
    (a worker process whose parent decides), the handler is left as it is.
    """
    request = request if request is not None else StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # installed outside Python: put Python's own back afterwards
        previous = signal.default_int_handler
    if previous is signal.SIG_IGN:
        yield request
        return

    def handler(signum: int, frame: Any) -> None:
        if request.requested():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        request.set()

    signal.signal(signal.SIGINT, handler)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)

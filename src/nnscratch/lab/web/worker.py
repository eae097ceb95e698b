"""A thread of its own for each session's CPU work, awaited from the event loop.

Why one thread per session, and not one pool for all: a pool of N threads is filled by N
sessions training a big network, and every other tab then waits, even for its first
message. With a thread each, a new tab's work starts at once; the operating system and
the interpreter share the processor between the threads, and each session trains in
short slices (see :mod:`.training`) and gives up a slice when told to stop. The threads
are daemons, so a server that stops is never held up by a slice still running.

>>> import asyncio
>>> worker = SessionWorker("example")
>>> asyncio.run(worker.run(lambda: 6 * 7))
42
>>> worker.close()
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SessionWorker"]

T = TypeVar("T")


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the awaiting coroutine was cancelled (the tab went away)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class SessionWorker:
    """Runs functions one after another on a daemon thread of its own."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the worker's thread; its result (or exception) when it is done."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future))
        return await future

    def close(self) -> None:
        """End the thread once the jobs already given are done."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, loop, future = job
            if future.done():
                continue
            result, error = None, None
            try:
                result = fn()
            except BaseException as exc:  # handed to the awaiting coroutine
                error = exc
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the event loop has closed: the server is stopping
                return

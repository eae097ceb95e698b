"""How many BLAS threads the book's small matrices should use.

A mini-batch step of ``[784, 30, 10]`` with ``m = 10`` is a handful of products such as
``(10 x 784) @ (784 x 30)``: about a million multiply-adds. Splitting work that small
between threads costs more than it saves (the threads wake up, wait for each other and
share a cache), and on a machine busy with other work a thread that has to wait for a
second core makes every step slower. We measured one chapter-3 epoch at 11.3 s with
OpenBLAS's default 2 threads and 2.4 s with 1 thread (``benchmarks/bench_mnist.py``).

So training runs inside ``threadpool_limits(1)`` (threadpoolctl) when a step is below
:data:`SMALL_STEP_FLOPS` floating-point operations, and with the library's own choice
of threads above it, where each product is large enough to share. The limit holds only
around the training call: the caller's own NumPy code is not affected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["SMALL_STEP_FLOPS", "blas_threads", "threads_for"]

#: below this many floating-point operations per training step, one BLAS thread is faster
#: (about 0.1 s of work for one core; every network of the book at m = 10 is below it)
SMALL_STEP_FLOPS = 2e8


def threads_for(step_flops: float) -> int | None:
    """1 for a step of fewer than :data:`SMALL_STEP_FLOPS` operations, else ``None``
    (the BLAS library's default)."""
    return 1 if step_flops < SMALL_STEP_FLOPS else None


@contextlib.contextmanager
def blas_threads(step_flops: float) -> Iterator[int | None]:
    """Limit the BLAS threads for work whose training step costs ``step_flops``.

    Yields the limit chosen (``1`` or ``None`` for no limit).
    """
    threads = threads_for(step_flops)
    if threads is None:
        yield None
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield threads

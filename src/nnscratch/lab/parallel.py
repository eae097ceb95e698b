"""Training many networks at once: a process pool that keeps every core busy.

A sweep trains one network per hidden size; the demo trains 18. Each run is one
process's work (NumPy on 200 points gains nothing from threads), so the runs go to a
pool of worker processes, queued most expensive first: when the queue drains, the last
runs are short ones, and no core idles while another finishes a long run (the
"longest processing time first" rule).

Workers start with the ``spawn`` method: each is a fresh interpreter that inherits
``os.environ`` as it is when the pool starts (NumPy reads settings such as
``NPY_DISABLE_CPU_FEATURES`` only at import), so call :func:`worker_pool` after any such
set-up. Each worker uses one BLAS thread. Every run is deterministic, so the results
are the very numbers a sequential run gives.

Ctrl-C: each running worker stops after its current pass and returns what it has (the
engine handles that inside ``fit``); queued runs are dropped; :class:`RunsInterrupted`
carries everything that came back.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..engine import checks
from .network_runs import NetworkRun, NetworkSpec, load_dataset, run_network

__all__ = [
    "ExperimentPool",
    "RunsInterrupted",
    "collect_runs",
    "iter_runs",
    "run_networks",
    "submit_runs",
    "worker_pool",
]

Data = tuple[np.ndarray, np.ndarray]


class RunsInterrupted(KeyboardInterrupt):
    """Ctrl-C while several runs trained; ``results`` holds what finished or stopped.

    ``results`` follows the requested order, with None for runs that never started.
    """

    def __init__(self, results: list[NetworkRun | None]) -> None:
        super().__init__("interrupted by Ctrl-C")
        self.results = results


# -- inside a worker ------------------------------------------------------------------------
_STOP: Any = None  # the pool's "drop queued runs" event, in a worker process
_THREAD_LIMIT: Any = None  # keeps the BLAS thread limit alive in a worker process


def _init_worker(stop: Any) -> None:
    """Prepare a worker: one BLAS thread, Ctrl-C left to the training loop.

    Two workers on two cores each starting two OpenBLAS threads would fight over the
    cores. Outside ``fit`` Ctrl-C is ignored here (the parent decides); inside ``fit``
    the engine stops after the current pass and the run returns its partial results.
    """
    global _STOP, _THREAD_LIMIT
    _STOP = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        return
    _THREAD_LIMIT = threadpool_limits(limits=1)


def _run_queued(spec: NetworkSpec, data: Data, regions: bool) -> NetworkRun | None:
    """Train one queued run, unless the parent has asked to drop the queue (None)."""
    if _STOP is not None and _STOP.is_set():
        return None
    return run_network(spec, None, data, regions)


# -- in the parent ---------------------------------------------------------------------------
def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start a worker."""


class ExperimentPool(cf.ProcessPoolExecutor):
    """A ``spawn`` process pool whose queued runs can be dropped at once (Ctrl-C).

    The workers are started right away rather than at the first real task, so their
    start-up (a fresh interpreter importing NumPy) overlaps whatever the parent does
    next, such as loading the data.
    """

    def __init__(self, jobs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop_event = context.Event()
        super().__init__(
            max_workers=jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.stop_event,),
        )
        for _ in range(jobs):  # each submit with no idle worker starts one more
            self.submit(_ready)

    def drop_queued(self) -> None:
        """Make the workers skip every run that has not started yet."""
        self.stop_event.set()


def _check_jobs(jobs: int | None) -> int:
    """``jobs`` checked, or all cores for None."""
    if jobs is None:
        return os.cpu_count() or 1
    return checks.positive_int("jobs", jobs)


def worker_pool(jobs: int | None = None) -> ExperimentPool:
    """A pool of ``jobs`` worker processes (default: all cores) for experiments."""
    return ExperimentPool(_check_jobs(jobs))


def submit_runs(
    pool: cf.Executor,
    specs: Sequence[NetworkSpec],
    regions: bool = False,
    data: dict[str, Data] | None = None,
) -> dict[cf.Future[NetworkRun | None], int]:
    """Queue every spec on ``pool``, most expensive first; returns ``{future: index}``.

    For callers with other work to do while the runs train (the ``demo`` command draws
    its first figures meanwhile). ``data`` maps data-set names to ``(X, y)``; missing
    ones are loaded here, once, and sent along, so workers never import the generators.
    """
    data = dict(data or {})
    for name in sorted({spec.dataset for spec in specs} - set(data)):
        data[name] = load_dataset(name)
    order = sorted(range(len(specs)), key=lambda i: -specs[i].cost)
    return {pool.submit(_run_queued, specs[i], data[specs[i].dataset], regions): i for i in order}


def collect_runs(
    futures: dict[cf.Future[NetworkRun | None], int],
    done: list[NetworkRun | None],
    pool: cf.Executor | None = None,
) -> Iterator[tuple[int, NetworkRun]]:
    """Yield ``(index, run)`` from :func:`submit_runs`' futures as they finish.

    ``done`` (one slot per spec) is filled in as well. On Ctrl-C the queued runs are
    dropped (pass the ``pool``), the running ones, which stop after their current pass,
    are collected, and :class:`RunsInterrupted` is raised with ``done``.
    """
    try:
        for future in cf.as_completed(futures):
            run = future.result()
            if run is None:
                continue
            done[futures[future]] = run
            if run.interrupted:
                raise KeyboardInterrupt
            yield futures[future], run
    except KeyboardInterrupt:
        if isinstance(pool, ExperimentPool):
            pool.drop_queued()
        for future in futures:
            future.cancel()
        for future, i in futures.items():
            if not future.cancelled():
                done[i] = future.result()
        raise RunsInterrupted(done) from None


def iter_runs(
    specs: Sequence[NetworkSpec],
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    regions: bool = False,
) -> Iterator[tuple[int, NetworkRun]]:
    """Train several networks and yield ``(index, run)`` as each one finishes.

    ``jobs=1`` (or a single spec) trains in this process, one after the other (the
    biggest first, like the pool); otherwise the runs go to ``executor`` or to a fresh
    :func:`worker_pool`. ``regions`` is passed on to
    :func:`~nnscratch.lab.network_runs.run_network`.

    Raises
    ------
    RunsInterrupted
        On Ctrl-C, after collecting the runs that finished or stopped.
    """
    specs = list(specs)
    for spec in specs:
        if not isinstance(spec, NetworkSpec):
            raise TypeError(f"expected NetworkSpec objects, got {type(spec).__name__}")
    jobs = _check_jobs(jobs)
    done: list[NetworkRun | None] = [None] * len(specs)
    data = {name: load_dataset(name) for name in sorted({spec.dataset for spec in specs})}
    if executor is None and (jobs == 1 or len(specs) <= 1):
        for i in sorted(range(len(specs)), key=lambda i: -specs[i].cost):
            done[i] = run = run_network(specs[i], None, data[specs[i].dataset], regions)
            if run.interrupted:
                raise RunsInterrupted(done)
            yield i, run
        return
    if executor is not None:
        yield from collect_runs(submit_runs(executor, specs, regions, data), done, executor)
        return
    pool = worker_pool(min(jobs, len(specs)))
    try:
        yield from collect_runs(submit_runs(pool, specs, regions, data), done, pool)
    finally:  # also when the caller stops early: drop what has not started
        pool.drop_queued()
        pool.shutdown(wait=True, cancel_futures=True)


def run_networks(
    specs: Iterable[NetworkSpec],
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    regions: bool = False,
) -> list[NetworkRun]:
    """Train several networks (see :func:`iter_runs`); the runs in the order given.

    >>> from nnscratch.lab.network_runs import NetworkSpec
    >>> runs = run_networks([NetworkSpec("moons", 1, 100), NetworkSpec("circles", 2, 100)])
    >>> [(run.dataset, run.hidden) for run in runs]
    [('moons', 1), ('circles', 2)]
    """
    specs = list(specs)
    results: list[NetworkRun | None] = [None] * len(specs)
    for i, run in iter_runs(specs, jobs, executor, regions):
        results[i] = run
    return results  # type: ignore[return-value]

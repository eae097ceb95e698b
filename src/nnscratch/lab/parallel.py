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

Progress: every worker adds the work it has done to a counter shared with the parent,
a few hundred passes at a time, each pass weighted by its cost
(:attr:`~nnscratch.lab.network_runs.NetworkSpec.cost`: a pass of 200 hidden units costs
more than a pass of 1), so the parent can show how far all the runs together are, and
estimate the time left, while it waits (:func:`collect_runs`' ``on_progress``).

Workers never outlive the parent: on Linux each asks the kernel to kill it when the
parent dies (``prctl(PR_SET_PDEATHSIG)``), so even a parent killed with SIGKILL leaves no
worker training on at 100% CPU; elsewhere a small thread in each worker watches that the
parent is still there.

Ctrl-C is the parent's to decide: the workers ignore it. The first Ctrl-C in the parent
sets an event that every worker watches; each running run stops after its current pass
and comes back with what it has (marked interrupted), queued runs are dropped, and
:class:`RunsInterrupted` carries everything that came back. The same happens whether the
whole process group got the signal or only the parent. A second Ctrl-C stops at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import inspect
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..engine import checks
from .network_runs import NetworkRun, NetworkSpec, load_dataset, run_network
from .stopping import StopRequest, ctrl_c_stops

__all__ = [
    "ExperimentPool",
    "RunsInterrupted",
    "collect_runs",
    "die_with_parent",
    "in_order",
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
_STOP: StopRequest | None = None  # the parent's "stop now" event, in a worker process
_WORK: Any = None  # the pool's shared work counter, in a worker process
_THREAD_LIMIT: Any = None  # keeps the BLAS thread limit alive in a worker process


def _init_worker(stop: Any, work: Any, parent: int) -> None:
    """Prepare a worker: it dies with ``parent``, uses one BLAS thread, leaves Ctrl-C to
    the parent.

    Two workers on two cores each starting two OpenBLAS threads would fight over the
    cores. Ctrl-C is ignored here: the parent sets ``stop`` instead.
    """
    global _STOP, _WORK, _THREAD_LIMIT
    die_with_parent(parent)
    _STOP = StopRequest(event=stop, poll_every=5)  # asked every 5 x 20 passes
    _WORK = work
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked while the pool started it; now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    from threadpoolctl import threadpool_limits

    _THREAD_LIMIT = threadpool_limits(limits=1)


def die_with_parent(parent: int) -> None:
    """Make this process end when the process ``parent`` does, however that one ends.

    On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks for SIGKILL
    when the parent dies (checked once more afterwards, in case it died already). Where
    that is not available, a daemon thread looks every second whether the parent is
    still this process's parent, and ends the process when it is not.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1  # from <linux/prctl.h>
            if libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) == 0:
                if os.getppid() != parent:  # it died before the request was made
                    os._exit(1)
                return
        except (OSError, AttributeError):  # no libc prctl: watch instead
            pass
    threading.Thread(target=_watch_parent, args=(parent,), name="parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(1.0)


def _add_work(amount: float) -> None:
    if _WORK is not None:
        with _WORK.get_lock():
            _WORK.value += amount


def _run_queued(spec: NetworkSpec, data: Data, regions: bool) -> NetworkRun | None:
    """Train one queued run, unless the parent has asked to stop (then None)."""
    if _STOP is not None and _STOP.requested(now=True):
        return None
    per_pass = spec.cost / spec.passes

    def report(passes: int) -> None:
        _add_work(passes * per_pass)

    return run_network(spec, None, data, regions, on_passes=report, stop=_STOP)


# -- in the parent ---------------------------------------------------------------------------
def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start a worker."""


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back in this thread (and in the processes it starts) for the block."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class ExperimentPool(cf.ProcessPoolExecutor):
    """A ``spawn`` process pool whose runs can be stopped at once, with a work counter.

    The workers are started right away rather than at the first real task, so their
    start-up (a fresh interpreter importing NumPy) overlaps whatever the parent does
    next, such as loading the data.
    """

    def __init__(self, jobs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop_event = context.Event()
        self.work = context.Value("d", 0.0)
        super().__init__(
            max_workers=jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.stop_event, self.work, os.getpid()),
        )
        # A Ctrl-C reaches every process of the terminal's group, and a worker still
        # importing NumPy would die of it with a traceback. The workers start with SIGINT
        # blocked (the mask is inherited) and ignore it from their initializer on; here,
        # a Ctrl-C during the start waits until it is over.
        with _sigint_blocked():
            for _ in range(jobs):  # each submit with no idle worker starts one more
                self.submit(_ready)

    def drop_queued(self) -> None:
        """Stop the running runs after their current pass, and skip the queued ones."""
        self.stop_event.set()

    def work_done(self) -> float:
        """The work done so far by all the workers together, in units of ``spec.cost``."""
        return float(self.work.value)


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


#: ``on_progress(work, runs)``: work done (in units of ``NetworkSpec.cost``), runs finished
Progress = Callable[[float, int], None]


def collect_runs(
    futures: dict[cf.Future[NetworkRun | None], int],
    done: list[NetworkRun | None],
    pool: cf.Executor | None = None,
    on_progress: Progress | None = None,
    stop: StopRequest | None = None,
) -> Iterator[tuple[int, NetworkRun]]:
    """Yield ``(index, run)`` from :func:`submit_runs`' futures as they finish.

    ``done`` (one slot per spec) is filled in as well. ``on_progress(work, runs)`` is
    called a few times a second with the work done so far by an :class:`ExperimentPool`'s
    workers (in units of :attr:`NetworkSpec.cost`) and the number of runs finished.

    The first Ctrl-C (or ``stop``) stops the running runs after their current pass and
    drops the queued ones; what came back is collected and :class:`RunsInterrupted` is
    raised with ``done``. A run that comes back interrupted (its worker was stopped from
    outside) ends the collection the same way.
    """
    pending = set(futures)
    finished = 0
    with ctrl_c_stops(stop) as request:
        while pending and not request.requested():
            ready, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in sorted(ready, key=futures.__getitem__):
                run = future.result()
                if run is None:
                    continue
                done[futures[future]] = run
                finished += 1
                if run.interrupted:
                    request.set()
                else:
                    yield futures[future], run
            if on_progress is not None:
                work = pool.work_done() if isinstance(pool, ExperimentPool) else 0.0
                on_progress(work, finished)
        if not request.requested():
            return
        if isinstance(pool, ExperimentPool):
            pool.drop_queued()
        for future in pending:
            future.cancel()
        for future in pending:
            if not future.cancelled():
                run = future.result()
                if run is not None:
                    done[futures[future]] = run
    raise RunsInterrupted(done)


def iter_runs(
    specs: Sequence[NetworkSpec],
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    regions: bool = False,
    on_progress: Progress | None = None,
) -> Iterator[tuple[int, NetworkRun]]:
    """Train several networks and yield ``(index, run)`` as each one finishes.

    ``jobs=1`` (or a single spec) trains in this process, one after the other (the
    biggest first, like the pool); otherwise the runs go to ``executor`` or to a fresh
    :func:`worker_pool`. ``regions`` is passed on to
    :func:`~nnscratch.lab.network_runs.run_network`; ``on_progress(work, runs)`` hears
    how far training is (see :func:`collect_runs`).

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
        yield from _run_here(specs, data, regions, done, on_progress)
        return
    if executor is not None:
        futures = submit_runs(executor, specs, regions, data)
        yield from collect_runs(futures, done, executor, on_progress)
        return
    pool = worker_pool(min(jobs, len(specs)))
    try:
        yield from collect_runs(submit_runs(pool, specs, regions, data), done, pool, on_progress)
    finally:  # also when the caller stops early: stop what runs, drop what has not started
        pool.drop_queued()
        pool.shutdown(wait=True, cancel_futures=True)


def _run_here(
    specs: list[NetworkSpec],
    data: dict[str, Data],
    regions: bool,
    done: list[NetworkRun | None],
    on_progress: Progress | None,
) -> Iterator[tuple[int, NetworkRun]]:
    """The runs one after the other in this process, the biggest first."""
    state = {"work": 0.0, "finished": 0, "per_pass": 0.0}

    def count(passes: int) -> None:
        state["work"] += passes * state["per_pass"]
        if on_progress is not None:
            on_progress(state["work"], int(state["finished"]))

    with ctrl_c_stops() as request:
        for i in sorted(range(len(specs)), key=lambda i: -specs[i].cost):
            spec = specs[i]
            state["per_pass"] = spec.cost / spec.passes
            done[i] = run = run_network(
                spec, None, data[spec.dataset], regions, on_passes=count, stop=request
            )
            state["finished"] += 1
            count(0)
            if run.interrupted or request.requested():
                raise RunsInterrupted(done)
            yield i, run


def in_order(
    iterate: Callable[..., Iterator[tuple[int, NetworkRun]]],
    name: str = "in_order",
    doc: str | None = None,
) -> Callable[..., list[NetworkRun]]:
    """The list form of ``iterate``: its arguments, and the runs in the order of the specs.

    ``iterate`` (:func:`iter_runs`, :func:`~nnscratch.lab.runs_dask.iter_runs_dask`) takes
    ``specs`` and yields ``(index, run)`` as each run finishes; the function made here,
    called ``name`` and documented by ``doc``, waits for every run and returns them as a
    list (``None`` for a run that never came back). Its signature, which ``help()``
    shows, is ``iterate``'s: the parameters are written once, there.

    >>> from nnscratch.lab.network_runs import NetworkSpec
    >>> in_order(iter_runs)([NetworkSpec("moons", 1, 10)])[0].hidden
    1
    """
    signature = inspect.signature(iterate)

    def ordered(*args: Any, **kwargs: Any) -> list[NetworkRun]:
        call = signature.bind(*args, **kwargs)
        specs = call.arguments["specs"] = list(call.arguments["specs"])  # an iterable, once
        runs: list[NetworkRun | None] = [None] * len(specs)
        for i, run in iterate(*call.args, **call.kwargs):
            runs[i] = run
        return runs  # type: ignore[return-value]

    ordered.__name__ = ordered.__qualname__ = name
    ordered.__doc__ = doc
    ordered.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation="list[NetworkRun]"
    )
    return ordered


run_networks = in_order(
    iter_runs,
    "run_networks",
    """Train several networks (see :func:`iter_runs`); the runs in the order given.

    >>> from nnscratch.lab.network_runs import NetworkSpec
    >>> runs = run_networks([NetworkSpec("moons", 1, 100), NetworkSpec("circles", 2, 100)])
    >>> [(run.dataset, run.hidden) for run in runs]
    [('moons', 1), ('circles', 2)]
    """,
)

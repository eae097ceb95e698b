"""Training many networks on a Dask cluster: the same runs, on more machines.

A sweep grows quickly: eight hidden sizes times five learning rates times three seeds is
120 runs, and one laptop trains two or four at a time. ``dask.distributed`` spreads them
over the workers of a cluster, on this machine (``"local"``: a ``LocalCluster`` started
for the sweep and closed after it) or on many (the address of a running scheduler, such
as ``"tcp://10.0.0.5:8786"``). It is the optional ``[dask]`` extra
(``pip install "nnscratch[dask]"``); nothing here imports it until a sweep asks for it.

Each run is one Dask *future*: ``client.submit`` sends the very function a local worker
process runs, :func:`~nnscratch.lab.network_runs.run_network`, with the same
:class:`~nnscratch.lab.network_runs.NetworkSpec` (its seed included) and the data set's
arrays, so a worker needs no data-set generator and gives back the same
:class:`~nnscratch.lab.network_runs.NetworkRun`. Futures rather than joblib's Dask
backend, because a sweep needs three things joblib keeps inside: each result as soon as
it is ready (the progress bar, the finished runs kept on Ctrl-C), cancelling the runs not
started yet, and a priority per run (the most expensive first, as the local pool does).
``docs/dask.md`` shows how to start a cluster and run a sweep (or ``GridSearchCV``) on it.

The same numbers as a local run, to the last bit, need the same arithmetic. NumPy picks
its ``exp`` and ``tanh`` kernels from the CPU at import (the command line switches the
AVX-512 ones off, see :mod:`nnscratch.cli.portable`) and OpenBLAS picks its matrix
kernels the same way. Workers this module starts inherit this process's environment,
and so its choices; a worker started by hand on another machine has its own. So before
any run is sent, every worker trains a short probe run (:func:`check_workers`) and must
give back this process's loss curve bit for bit; one that does not is named, with its
NumPy version and kernels, instead of silently printing other numbers.

Ctrl-C works as in the local pool: the first one asks every run to stop after its
current pass (a Dask ``Event`` that the runs look at a few times a second), the runs not
started yet come back at once with nothing, the ones training come back marked
interrupted, and :class:`~nnscratch.lab.parallel.RunsInterrupted` carries everything that
came back. What did not come back within a few seconds is cancelled. A second Ctrl-C
stops at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .network_runs import NetworkRun, NetworkSpec, load_dataset, run_network
from .parallel import Progress, RunsInterrupted
from .stopping import StopRequest, ctrl_c_stops

__all__ = [
    "DASK_EXTRA",
    "DaskMissing",
    "RunsFailed",
    "SchedulerError",
    "WorkersDiffer",
    "check_scheduler",
    "check_workers",
    "describe_cluster",
    "iter_runs_dask",
    "numpy_kernels",
    "open_cluster",
]

Data = tuple[np.ndarray, np.ndarray]

#: how to install what this module needs
DASK_EXTRA = 'pip install "nnscratch[dask]"'

#: how long to wait for a scheduler to answer, and for it to have a worker (seconds)
CONNECT_TIMEOUT = 10.0
#: after Ctrl-C, how long the training runs get to come back with what they have
STOP_GRACE = 15.0


class DaskMissing(ImportError):
    """``dask.distributed`` is not installed; the message says how to install it."""


class SchedulerError(ConnectionError):
    """The scheduler cannot be reached, or has no workers; the message names it."""


class WorkersDiffer(RuntimeError):
    """Some workers compute other numbers than this process (other NumPy kernels)."""


class RunsFailed(RuntimeError):
    """A run raised on a worker; ``results`` holds what came back before (requested order,
    None for the rest), so finished runs are not lost with it."""

    def __init__(self, message: str, results: list[NetworkRun | None]) -> None:
        super().__init__(message)
        self.results = results


def require_distributed() -> Any:
    """``dask.distributed``, imported; or :class:`DaskMissing` naming the extra."""
    try:
        import distributed
    except ImportError:
        raise DaskMissing(
            f"a Dask scheduler needs dask.distributed, which is not installed: {DASK_EXTRA}"
        ) from None
    return distributed


#: ``host:port`` or ``protocol://anything`` (``tcp://10.0.0.5:8786``, ``tls://[::1]:8786``)
_ADDRESS = re.compile(r"^[^\s/:]+:\d+$|^[a-z][a-z0-9+]*://\S+$")


def check_scheduler(scheduler: str) -> str:
    """``scheduler`` checked: ``"local"`` or a scheduler's address (``tcp://host:8786``).

    >>> check_scheduler("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    """
    if not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be 'local' or an address string, got {scheduler!r}")
    if scheduler == "local" or _ADDRESS.match(scheduler):
        return scheduler
    raise ValueError(
        f"scheduler {scheduler!r} is neither 'local' nor a Dask scheduler address such as "
        "tcp://10.0.0.5:8786 or 10.0.0.5:8786"
    )


# -- on a worker ----------------------------------------------------------------------------
class _ClusterStop:
    """The sweep's Dask ``Event``, asked by a run at most every ``every`` seconds.

    :class:`~nnscratch.lab.stopping.StopRequest` calls :meth:`is_set` every 100 passes;
    asking the scheduler is a network round trip, so the clock decides whether to.
    """

    def __init__(self, name: str, every: float = 0.25) -> None:
        self.name, self.every = name, every
        self._asked = -math.inf
        self._event: Any = None
        self._set = False

    def is_set(self) -> bool:
        now = time.monotonic()
        if not self._set and now - self._asked >= self.every:
            if self._event is None:
                from distributed import Event

                self._event = Event(self.name)
            self._asked = now
            self._set = bool(self._event.is_set())
        return self._set


def _run_task(spec: NetworkSpec, data: Data, regions: bool, stop_name: str) -> NetworkRun | None:
    """One run on a worker, unless the sweep was stopped before it started (then None)."""
    stop = StopRequest(event=_ClusterStop(stop_name), poll_every=5)
    if stop.requested(now=True):
        return None
    return run_network(spec, None, data, regions, stop=stop)


#: the probe: short, but through every kernel a run uses (tanh, exp, the matrix products)
PROBE = NetworkSpec("moons", hidden=50, passes=200, print_every=200)


def _probe(data: Data) -> dict[str, Any]:
    """What this process computes for :data:`PROBE`, and with which kernels."""
    run = run_network(PROBE, None, data)
    digest = hashlib.sha256(run.loss_curve.tobytes())
    for weight in run.weights:
        digest.update(np.ascontiguousarray(weight).tobytes())
    return {"numbers": digest.hexdigest(), **numpy_kernels()}


def numpy_kernels() -> dict[str, str]:
    """NumPy's version, the SIMD targets its kernels use here, and its BLAS library.

    The kernels are what ``numpy.show_runtime()`` lists: NumPy's run-time dispatch
    targets that this CPU has and ``NPY_DISABLE_CPU_FEATURES`` did not switch off, and
    the BLAS library with the core type it chose (threadpoolctl's ``architecture``).
    """
    try:
        from numpy._core import _multiarray_umath as umath  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1.26
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    from threadpoolctl import threadpool_info

    targets = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
    libraries = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
    # NumPy's own copy (a wheel bundles it in numpy.libs); SciPy may have loaded another
    own = [lib for lib in libraries if "numpy" in lib.get("filepath", "")] or libraries
    blas = [
        f"{lib.get('internal_api')} {lib.get('version')} {lib.get('architecture') or ''}".strip()
        for lib in own
    ]
    return {
        "numpy": np.__version__,
        "kernels": " ".join(targets) or "baseline only",
        "blas": ", ".join(blas) or "unknown",
    }


def _quiet_ctrl_c() -> None:
    """In a worker process of a local cluster: leave Ctrl-C to the sweep (see below)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- in this process ---------------------------------------------------------------------
@contextlib.contextmanager
def open_cluster(scheduler: str, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``, closed on the way out.

    ``"local"`` starts a ``LocalCluster`` of ``workers`` worker processes (default: one
    per core), one thread each, on 127.0.0.1 with no dashboard, and closes it afterwards.
    The worker processes inherit this process's environment (and so its NumPy kernels);
    Ctrl-C in a terminal reaches them too, and they leave it to the sweep, as the local
    pool's workers do. An address connects to that scheduler (and leaves it running).

    Raises
    ------
    DaskMissing
        ``dask.distributed`` is not installed.
    SchedulerError
        The scheduler does not answer within :data:`CONNECT_TIMEOUT` seconds, or has no
        worker within that time.
    """
    check_scheduler(scheduler)
    distributed = require_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            count = workers or os.cpu_count() or 1
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",  # loopback, any free port
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
            client.run(_quiet_ctrl_c)
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout=CONNECT_TIMEOUT))
            except (OSError, TimeoutError) as exc:
                raise SchedulerError(
                    f"no Dask scheduler answers at {scheduler} ({_one_line(exc)}); start one "
                    "with 'dask scheduler' and give the address it prints"
                ) from None
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError):
                raise SchedulerError(
                    f"the Dask scheduler at {scheduler} has no workers; start one with "
                    f"'dask worker {scheduler}'"
                ) from None
        yield client


def describe_cluster(client: Any) -> str:
    """Where the runs go, in words: ``"a local Dask cluster of 2 worker processes"``."""
    info = client.scheduler_info()
    workers = info.get("workers", {})
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
    local = type(getattr(client, "cluster", None)).__name__ == "LocalCluster"
    if local:
        return f"a local Dask cluster of {len(workers)} worker processes"
    plural = "s" if len(workers) != 1 else ""
    size = f"{len(workers)} worker{plural}, {threads} threads"
    return f"the Dask cluster at {info.get('address')} ({size})"


def check_workers(client: Any, data: Data | None = None) -> None:
    """Every worker must compute this process's numbers: the :data:`PROBE` run, bit for bit.

    Raises
    ------
    WorkersDiffer
        Naming each worker that cannot run nnscratch or computes other numbers, with its
        NumPy version and kernels beside this process's.
    """
    data = load_dataset(PROBE.dataset) if data is None else data
    here = _probe(data)
    answers = client.run(_probe, data, on_error="return")
    problems = []
    for address, there in sorted(answers.items()):
        if isinstance(there, BaseException):
            problems.append(f"{address} cannot run nnscratch ({_one_line(there)})")
        elif there["numbers"] != here["numbers"]:
            differ = [
                f"{key} {there[key]} there, {here[key]} here"
                for key in ("numpy", "kernels", "blas")
                if there[key] != here[key]
            ]
            how = "; ".join(differ) or "with the same NumPy and kernels"
            problems.append(f"{address} computes other numbers ({how})")
    if problems:
        raise WorkersDiffer(
            "the Dask workers must compute the numbers this process does, bit for bit: "
            + "; ".join(problems)
            + ". Start them with this machine's NumPy settings (see docs/dask.md), or accept "
            "numbers that depend on each worker's CPU (NNSCRATCH_NATIVE_MATH=1 on the command "
            "line, same_numbers=False in Python)"
        )


def iter_runs_dask(
    specs: Sequence[NetworkSpec],
    client: Any,
    regions: bool = False,
    on_progress: Progress | None = None,
    stop: StopRequest | None = None,
    data: dict[str, Data] | None = None,
) -> Iterator[tuple[int, NetworkRun]]:
    """Train ``specs`` on ``client``'s cluster; yield ``(index, run)`` as each one finishes.

    The most expensive runs get the highest priority, so the scheduler starts them first.
    ``on_progress(work, runs)`` hears, a few times a second, the work of the finished runs
    (in units of :attr:`NetworkSpec.cost`) and how many finished.

    Raises
    ------
    RunsInterrupted
        On Ctrl-C (or ``stop``), with every run that came back (see the module's text).
    RunsFailed
        When a run raised on a worker, with the runs that came back before it.
    """
    distributed = require_distributed()
    specs = list(specs)
    data = dict(data or {})
    for name in sorted({spec.dataset for spec in specs} - set(data)):
        data[name] = load_dataset(name)
    token = uuid.uuid4().hex[:8]
    event = distributed.Event(f"nnscratch-stop-{token}", client=client)
    order = sorted(range(len(specs)), key=lambda i: -specs[i].cost)
    pending: dict[Any, int] = {}
    for rank, i in enumerate(order):
        spec = specs[i]
        future = client.submit(
            _run_task,
            spec,
            data[spec.dataset],
            regions,
            event.name,
            key=f"nnscratch-run-{_key(spec)}-{token}",
            priority=len(order) - rank,
        )
        pending[future] = i
    done: list[NetworkRun | None] = [None] * len(specs)
    try:
        yield from _collect(specs, pending, done, on_progress, stop, event)
    finally:  # the caller stopped early, or a second Ctrl-C: nothing keeps training
        event.set()
        client.cancel(list(pending))
        with contextlib.suppress(Exception):
            event.clear()


def _collect(
    specs: list[NetworkSpec],
    pending: dict[Any, int],
    done: list[NetworkRun | None],
    on_progress: Progress | None,
    stop: StopRequest | None,
    event: Any,
) -> Iterator[tuple[int, NetworkRun]]:
    """The loop of :func:`iter_runs_dask`; ``pending`` loses each future that came back."""
    work, finished = 0.0, 0
    with ctrl_c_stops(stop) as request:
        while pending and not request.requested():
            ready = sorted((f for f in pending if f.done()), key=pending.__getitem__)
            for future in ready:
                i = pending.pop(future)
                run = _outcome(future, specs[i], done)
                if run is None:
                    continue
                done[i] = run
                finished += 1
                work += specs[i].cost
                if run.interrupted:
                    request.set()
                else:
                    yield i, run
            if on_progress is not None and ready:
                on_progress(work, finished)
            if not ready:
                time.sleep(0.1)
        if not request.requested():
            return
        event.set()  # queued runs come back empty at once, training ones after this pass
        deadline = time.monotonic() + STOP_GRACE
        while pending and time.monotonic() < deadline:
            for future in [f for f in pending if f.done()]:
                i = pending.pop(future)
                done[i] = _outcome(future, specs[i], done, failed_ok=True)
            time.sleep(0.05)
    raise RunsInterrupted(done)


def _outcome(
    future: Any, spec: NetworkSpec, done: list[NetworkRun | None], failed_ok: bool = False
) -> NetworkRun | None:
    """A finished future's run; a run that raised ends the sweep (:class:`RunsFailed`)."""
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled" or failed_ok:
        return None
    raise RunsFailed(
        f"a run failed on the Dask cluster ({spec.describe()}): {_one_line(future.exception())}",
        done,
    )


def _key(spec: NetworkSpec) -> str:
    """A readable task name for the dashboard: ``moons-h3-lr0.01-reg0.01-seed0``."""
    return f"{spec.dataset}-h{spec.hidden}-lr{spec.learning_rate:g}-reg{spec.reg:g}-seed{spec.seed}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

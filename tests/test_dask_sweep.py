"""Sweeps on a Dask cluster: the local sweep's numbers, progress, Ctrl-C and clear errors.

Every cluster here listens on 127.0.0.1 only. One ``LocalCluster(processes=False)`` (its
workers are threads of this process) serves the in-process tests; one cluster of two
worker processes, and the ``--scheduler local`` command line in a fresh process, check
what crosses a process boundary. Runs are short (a few hundred passes).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")

from nnscratch.cli import main  # noqa: E402
from nnscratch.lab import experiments, parallel, runs_dask  # noqa: E402
from nnscratch.lab.network_runs import NetworkSpec  # noqa: E402
from nnscratch.lab.stopping import StopRequest  # noqa: E402

SHORT = {"passes": 300, "print_every": 100}
CLI_SHORT = ["--passes", "200", "--print-every", "100"]


def cluster(**kwargs):
    options = {
        "protocol": "tcp://",
        "n_workers": 2,
        "threads_per_worker": 1,
        "host": "127.0.0.1",
        "dashboard_address": "127.0.0.1:0",
        "silence_logs": 40,  # logging.ERROR
    }
    return distributed.LocalCluster(**{**options, **kwargs})


@pytest.fixture(scope="module")
def threads():
    """A cluster whose two workers are threads of this process."""
    with cluster(processes=False) as local:
        yield local


@pytest.fixture(scope="module")
def local_runs():
    """The reference: the same sweep in this process, with no Dask at all."""
    return experiments.sweep("moons", [1, 2, 3, 4], jobs=1, regions=True, **SHORT)


def assert_same_runs(runs, reference):
    assert [run.spec for run in runs] == [run.spec for run in reference]
    for run, ref in zip(runs, reference):
        assert run.loss_curve.tobytes() == ref.loss_curve.tobytes()
        assert run.lines == ref.lines
        assert run.final_loss == ref.final_loss and run.train_accuracy == ref.train_accuracy
        for w, w_ref in zip(run.weights, ref.weights):
            assert w.tobytes() == w_ref.tobytes()
        if ref.regions is not None:
            assert np.array_equal(run.regions.classes, ref.regions.classes)


# -- the same numbers ----------------------------------------------------------------------
def test_a_sweep_on_threads_equals_the_local_sweep(threads, local_runs):
    runs = experiments.sweep(
        "moons", [1, 2, 3, 4], scheduler=threads.scheduler_address, regions=True, **SHORT
    )
    assert_same_runs(runs, local_runs)


def test_a_sweep_on_two_worker_processes_equals_the_local_sweep(local_runs):
    runs = experiments.sweep(
        "moons", [1, 2, 3, 4], scheduler="local", jobs=2, regions=True, **SHORT
    )
    assert_same_runs(runs, local_runs)


def run_cli(*argv: str) -> subprocess.CompletedProcess:
    """The real command line in a fresh process (portable math and all)."""
    return subprocess.run(
        [sys.executable, "-m", "nnscratch", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_command_line_on_a_local_cluster_equals_the_local_run(tmp_path):
    # the command, with fewer passes: a grid of 4 hidden sizes x 2 learning rates
    args = ["sweep", "--hidden", "1", "2", "3", "4", "--learning-rate", "0.01", "0.005"]
    args += [*CLI_SHORT, "--json"]
    here = run_cli(*args, "--out", str(tmp_path / "here"))
    dask = run_cli(*args, "--scheduler", "local", "--jobs", "2", "--out", str(tmp_path / "dask"))
    assert here.returncode == 0, here.stderr
    assert dask.returncode == 0, dask.stderr
    assert "on a local Dask cluster of 2 worker processes" in dask.stderr
    mine, theirs = json.loads(here.stdout), json.loads(dask.stdout)
    assert len(mine["results"]) == 8
    for key in ("results", "table", "varied"):
        assert mine[key] == theirs[key]  # every printed number, to the last bit
    picture = (tmp_path / "here" / "sweep-moons-grid.png").read_bytes()
    assert (tmp_path / "dask" / "sweep-moons-grid.png").read_bytes() == picture


def test_a_grid_on_threads_equals_the_local_grid(threads):
    grid = {"learning_rate": [0.01, 0.005], "seed": [0, 1], **SHORT}
    local = experiments.sweep("moons", [1, 3], jobs=1, **grid)
    runs = experiments.sweep("moons", [1, 3], scheduler=threads.scheduler_address, **grid)
    assert len(runs) == 8
    assert_same_runs(runs, local)


# -- progress, Ctrl-C, failures ----------------------------------------------------------------
def test_progress_is_reported_as_runs_finish(threads):
    specs = [NetworkSpec("moons", h, **SHORT) for h in (1, 2, 3)]
    heard = []
    with distributed.Client(threads.scheduler_address) as client:
        runs = runs_dask.iter_runs_dask(specs, client, on_progress=lambda *a: heard.append(a))
        order = [i for i, _ in runs]
    assert sorted(order) == [0, 1, 2]
    assert [runs_done for _, runs_done in heard][-1] == 3
    assert heard == sorted(heard)  # work and runs only grow
    assert heard[-1][0] == pytest.approx(sum(spec.cost for spec in specs))


def test_stop_keeps_the_finished_runs_and_labels_the_interrupted_ones(threads):
    specs = [NetworkSpec("moons", 4, passes=200_000), NetworkSpec("moons", 1, passes=300)]
    stop = StopRequest()
    got = []
    with distributed.Client(threads.scheduler_address) as client:
        with pytest.raises(parallel.RunsInterrupted) as caught:
            for i, _ in runs_dask.iter_runs_dask(specs, client, stop=stop):
                got.append(i)
                stop.set()  # as the first Ctrl-C does
        deadline = time.monotonic() + 10
        while any(client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(client.processing().values()), "a run is still training"
    long, short = caught.value.results
    assert got == [1] and short.complete
    assert long.interrupted and 0 < long.passes_done < 200_000
    assert long.label == f"interrupted after {long.passes_done} of 200000 passes"


def test_a_run_failing_on_a_worker_keeps_the_others(threads, monkeypatch):
    real = runs_dask.run_network

    def fails_at_two(spec, *args, **kwargs):
        if spec.hidden == 2:
            raise MemoryError("no room for 2 units")
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(runs_dask, "run_network", fails_at_two)  # the workers are threads here
    specs = [NetworkSpec("moons", h, passes=100) for h in (3, 1, 2)]
    with distributed.Client(threads.scheduler_address) as client:
        with pytest.raises(runs_dask.RunsFailed, match=r"moons, 2 tanh units.*no room") as caught:
            for _ in runs_dask.iter_runs_dask(specs, client):
                pass
    assert caught.value.results[2] is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc (Linux)")
def test_ctrl_c_on_the_command_line_cancels_the_rest_and_keeps_what_finished(tmp_path):
    argv = ["sweep", "--scheduler", "local", "--jobs", "2", "--hidden", "1", "20", "50", "200"]
    argv += ["--passes", "1000000", "--out", str(tmp_path), "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        line = b""
        deadline = time.monotonic() + 120
        while b"training 4 networks" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert b"on a local Dask cluster" in line, line
        time.sleep(1.0)
        workers = [int(p) for p in _group(proc.pid) if int(p) != proc.pid]
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err
    err_lines = err.decode().strip().splitlines()
    assert "Traceback" not in err.decode()
    assert err_lines[-1].startswith("nnscratch sweep: interrupted by Ctrl-C; not finished: ")
    payload = json.loads(out)
    assert payload["complete"] is False
    # the two largest train first: they come back interrupted; the two queued never start
    assert [r["hidden"] for r in payload["results"]] == [50, 200]
    assert {r["status"] for r in payload["results"]} == {"interrupted"}
    assert all(r["label"].startswith("interrupted after ") for r in payload["results"])
    assert os.listdir(tmp_path) == ["sweep-moons-interrupted.png"]
    deadline = time.monotonic() + 15
    while any(os.path.exists(f"/proc/{w}") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers and not [w for w in workers if os.path.exists(f"/proc/{w}")]


def _group(pgid: int) -> list[str]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                found.append(name)
    return found


# -- checks before any run ------------------------------------------------------------------
def test_workers_computing_other_numbers_are_named(monkeypatch):
    # A worker takes its kernels from the environment it starts in: NumPy reads
    # NPY_DISABLE_CPU_FEATURES, OpenBLAS reads OPENBLAS_CORETYPE, each when it loads. This
    # worker gets other ones than this process has, and its probe run comes out different.
    from nnscratch.lab.runs_dask import numpy_kernels

    here = numpy_kernels()
    if here["kernels"] != "baseline only":
        monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", here["kernels"])
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Prescott")
    with cluster(n_workers=1, processes=True) as other, distributed.Client(other) as client:
        monkeypatch.delenv("OPENBLAS_CORETYPE")
        with pytest.raises(runs_dask.WorkersDiffer) as caught:
            runs_dask.check_workers(client)
        address = next(iter(client.scheduler_info()["workers"]))
    message = str(caught.value)
    assert f"{address} computes other numbers" in message
    # OpenBLAS names the Prescott kernels after an older core; this process has its own
    assert re.search(r"blas openblas \S+ \w+ there, openblas \S+ \w+ here", message), message
    if here["kernels"] != "baseline only":
        assert f"kernels baseline only there, {here['kernels']} here" in message
    assert "NNSCRATCH_NATIVE_MATH=1" in message


def test_workers_computing_the_same_numbers_pass(threads):
    with distributed.Client(threads.scheduler_address) as client:
        runs_dask.check_workers(client)


def test_without_the_extra_the_option_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # "import distributed" fails
    status = main(["sweep", "--scheduler", "local", "--hidden", "1", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err == [
        "nnscratch sweep: error: --scheduler: a Dask scheduler needs dask.distributed, which "
        'is not installed: pip install "nnscratch[dask]"'
    ]
    assert os.listdir(tmp_path) == []
    with pytest.raises(runs_dask.DaskMissing, match=r'pip install "nnscratch\[dask\]"'):
        experiments.sweep("moons", [1], passes=10, scheduler="local")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scheduler", "lokal"], "--scheduler scheduler 'lokal' is neither 'local' nor a Dask"),
        (
            ["--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"],
            "--jobs counts the worker processes of this machine",
        ),
        (["--scheduler", "tcp://127.0.0.1:9"], "no Dask scheduler answers at tcp://127.0.0.1:9"),
    ],
)
def test_a_scheduler_that_cannot_be_used_is_one_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runs_dask, "CONNECT_TIMEOUT", 2.0)
    status = main(["sweep", "--hidden", "1", "--passes", "10", *argv, "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and message in err[0], err


def test_a_scheduler_without_workers_says_how_to_start_one(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(runs_dask, "CONNECT_TIMEOUT", 1.0)
    with cluster(n_workers=0, processes=False) as empty:
        address = empty.scheduler_address
        status = main(["sweep", "--hidden", "1", "--scheduler", address, "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err == [
        f"nnscratch sweep: error: --scheduler {address}: the Dask scheduler at {address} has "
        f"no workers; start one with 'dask worker {address}'"
    ]


def test_help_imports_no_dask():
    code = (
        "import sys\nfrom nnscratch.cli import main\n"
        "try:\n    main(['sweep', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "--scheduler ADDRESS" in done.stdout


# -- scikit-learn's GridSearchCV on the cluster ----------------------------------------------
def test_grid_search_of_nnclassifier_on_dask_equals_the_default_backend(threads):
    import joblib
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from nnscratch.data import moons
    from nnscratch.sklearn import NNClassifier

    X, y = moons()
    grid = {"hidden_layer_sizes": [(2,), (5,)], "learning_rate_init": [0.01, 0.05]}

    def search():
        estimator = NNClassifier(activation="tanh", max_iter=10, random_state=0)
        return GridSearchCV(estimator, grid, cv=3)

    with pytest.warns(ConvergenceWarning):  # 10 epochs stop short of the stopping rule
        default = search().fit(X, y)
    with distributed.Client(threads.scheduler_address) as client:
        with distributed.get_task_stream(client) as tasks:
            with joblib.parallel_config(backend="dask"), pytest.warns(ConvergenceWarning):
                on_dask = search().fit(X, y)
    assert len(tasks.data) >= 1  # the fits went to the cluster
    assert on_dask.best_params_ == default.best_params_
    assert on_dask.best_score_ == default.best_score_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], default.cv_results_[key])
    assert (on_dask.predict(X) == default.predict(X)).all()

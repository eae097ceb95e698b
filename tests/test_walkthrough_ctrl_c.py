"""Ctrl-C early in ``nnscratch moons`` (its worker pool started, training not yet) is one
line and status 130, with nothing from multiprocessing after it.

The console script ends an interrupted command with ``os._exit`` (see
``nnscratch.cli._exit_interrupted``); the worker pool's semaphores must be finalized
first, or multiprocessing's resource tracker prints "There appear to be 6 leaked
semaphore objects" under the user's "interrupted" line.
"""

import os
import subprocess
import sys
import textwrap

# The console script's path through main (argv=None), with the Ctrl-C landing right after
# the comparison run's worker pool has started: loading the data set raises it.
SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.cpu_count = lambda: 2                    # the comparison run gets its worker pool
    from nnscratch.lab import experiments
    def load_dataset(name):
        raise KeyboardInterrupt
    experiments.load_dataset = load_dataset
    sys.argv = ["nnscratch", "moons", "--out", sys.argv[1]]
    from nnscratch.cli import main
    sys.exit(main())
    """
)


def test_ctrl_c_with_a_worker_pool_is_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "NNSCRATCH_NATIVE_MATH": "1", "MPLBACKEND": "Agg"},
        timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.splitlines() == ["nnscratch moons: interrupted"], proc.stderr


def _worker_view() -> tuple[bool, bool, bool]:
    """In a worker: (SIGINT ignored, SIGINT blocked, the worker thinks it is the command)."""
    import signal

    from nnscratch._startup import started_as_command

    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN, blocked, started_as_command()


def test_workers_start_deaf_to_ctrl_c_and_are_not_the_command(monkeypatch):
    """A Ctrl-C to the terminal's process group while the pool's workers are still
    importing must not kill them with a traceback: they start with SIGINT blocked and
    ignore it from their initializer on. The parent's mask is as it was, and a worker,
    which runs with the command's sys.argv, does not take itself for the command."""
    import signal

    from nnscratch.lab.parallel import worker_pool

    monkeypatch.setattr(sys, "argv", ["nnscratch", "moons"])
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    with worker_pool(1) as pool:
        assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
        assert pool.submit(_worker_view).result(timeout=120) == (True, False, False)

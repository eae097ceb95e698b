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

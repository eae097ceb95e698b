"""How fast the command line answers: ``nnscratch --help`` against ``import numpy``.

A command that only prints its help should cost little more than starting Python with
NumPy (nnscratch's engine needs NumPy, so that is the floor). This script measures the
CPU time (user + system) of child processes, the best of ``--repeats`` runs of each:

* ``python -c "import numpy"``, the baseline;
* ``nnscratch --help``, ``--version``, ``nnscratch moons --help`` and an option typo.

The target is at most 1.5x the baseline for ``--help``. Timings are taken with compiled
bytecode, as an installed package has it: the machine may set
``PYTHONDONTWRITEBYTECODE=1``, so the installed libraries are expected to be compiled
already (``uv sync --compile-bytecode``) and nnscratch's own sources are compiled here
first (into their ``__pycache__`` folders).

Usage::

    uv run python benchmarks/bench_startup.py
    uv run python benchmarks/bench_startup.py --repeats 20
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys
from pathlib import Path

TARGET = 1.5
SRC = Path(__file__).resolve().parents[1] / "src" / "nnscratch"


def child_cpu(command: list[str]) -> float:
    """CPU time (user + system) of one run of ``command`` in a child process, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_times(cases: list[tuple[str, list[str]]], repeats: int) -> dict[str, float]:
    """Best CPU time of each case over ``repeats`` rounds, the cases interleaved in each
    round so that background load on a shared machine hits them all alike."""
    best = {name: float("inf") for name, _ in cases}
    for _ in range(repeats):
        for name, command in cases:
            best[name] = min(best[name], child_cpu(command))
    return best


def nnscratch_command() -> list[str]:
    """The console script next to this Python (as users run it), else ``-m nnscratch``."""
    script = Path(sys.executable).with_name("nnscratch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nnscratch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="runs of each (default 10)")
    args = parser.parse_args()

    compileall.compile_dir(str(SRC), quiet=1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, load average at start: {load:.2f}")
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")

    cli = nnscratch_command()
    baseline = "python -c 'import numpy'"
    cases = [
        (baseline, [sys.executable, "-c", "import numpy"]),
        ("python -c 'import nnscratch' (the engine)", [sys.executable, "-c", "import nnscratch"]),
        ("nnscratch --help", [*cli, "--help"]),
        ("nnscratch --version", [*cli, "--version"]),
        ("nnscratch moons --help", [*cli, "moons", "--help"]),
        ("nnscratch moons --hiden 3 (a typo)", [*cli, "moons", "--hiden", "3"]),
    ]
    times = best_times(cases, args.repeats)
    base = times[baseline]
    rows = [(name, f"{cpu:.3f} s", f"{cpu / base:.2f}x") for name, cpu in times.items()]
    header = ("command", f"CPU time (best of {args.repeats})", "ratio to import numpy")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    print()
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    ratio = times["nnscratch --help"] / base
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"\nnnscratch --help: {ratio:.2f}x import numpy, {verdict} the {TARGET}x target")


if __name__ == "__main__":
    main()

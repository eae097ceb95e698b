"""Portable arithmetic, so the tutorials' printed numbers come out the same on every CPU.

NumPy picks its kernels for ``exp``, ``tanh`` and friends at run time from the CPU's
instruction sets. On processors with AVX-512 it uses vectorised kernels that round a few
results differently from the C library's ``exp`` (by one unit in the last place). That is
harmless almost always, but the WildML moons run is gradient descent at the edge of
stability (see the README, "Why the loss oscillates"): a single different rounding flips
which side of its 2-cycle every 1000th pass lands on, and the printed lines read
``0.070752 ...`` instead of the tutorial's ``0.071316 ...``.

So the experiment commands run with NumPy's AVX-512 kernels switched off through NumPy's
own switch, the ``NPY_DISABLE_CPU_FEATURES`` environment variable. It must be set before
NumPy is imported, so the command re-executes itself once with it set. Nothing changes on
CPUs without AVX-512. Set ``NNSCRATCH_NATIVE_MATH=1`` to keep NumPy's fastest kernels
(the numbers then depend on the CPU, as the tutorial's own script does).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

__all__ = ["ensure_portable_math", "wide_simd_features"]

#: set in the re-executed process, so it never re-executes again
_MARK = "NNSCRATCH_PORTABLE_MATH"
#: set by the user to opt out
OPT_OUT = "NNSCRATCH_NATIVE_MATH"


def wide_simd_features() -> list[str]:
    """NumPy's run-time dispatch targets on this CPU that use AVX-512 (possibly none)."""
    try:
        from numpy._core import _multiarray_umath as umath  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1.26
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    features = umath.__cpu_features__
    return [
        name
        for name in umath.__cpu_dispatch__
        if features.get(name) and (name.startswith("AVX512") or name == "X86_V4")
    ]


def ensure_portable_math(argv: Sequence[str]) -> None:
    """Re-run this command with AVX-512 kernels disabled, if they are active.

    Returns normally when nothing needs to change (no AVX-512, already re-executed, or
    the user opted out); otherwise does not return.
    """
    if os.environ.get(_MARK) == "1" or os.environ.get(OPT_OUT) == "1":
        return
    features = wide_simd_features()
    if not features:
        return
    env = dict(os.environ)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(
        filter(None, [env.get("NPY_DISABLE_CPU_FEATURES", ""), *features])
    )
    env[_MARK] = "1"
    command = [sys.executable, "-m", "nnscratch", *argv]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(sys.executable, command, env)
    sys.exit(subprocess.call(command, env=env))  # pragma: no cover - Windows

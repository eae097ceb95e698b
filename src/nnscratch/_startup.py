"""Ctrl-C while the ``nnscratch`` command is still starting: one line and status 130.

The command line turns Ctrl-C into ``nnscratch COMMAND: interrupted`` (exit status 130)
from the moment :func:`nnscratch.cli.main` runs. Before that, Python is importing NumPy
and the engine (a few tenths of a second, more on a busy machine), and a Ctrl-C there
would end in a ``KeyboardInterrupt`` traceback. The package's ``__init__`` and
``__main__`` call :func:`exit_if_command` when that happens: for the command line it
prints the line and exits; inside someone else's program it does nothing and the
``KeyboardInterrupt`` goes on as usual.
"""

from __future__ import annotations

import os
import sys


def started_as_command() -> bool:
    """True in the ``nnscratch`` console script and in ``python -m nnscratch``; False in
    the command's worker processes (they are started with its ``sys.argv``)."""
    multiprocessing = sys.modules.get("multiprocessing")  # imported in every worker
    if multiprocessing is not None and multiprocessing.parent_process() is not None:
        return False
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if "-m" in argv:
        after = argv[argv.index("-m") + 1 : argv.index("-m") + 2]
        return after == ["nnscratch"]
    return os.path.basename(sys.argv[0]) in ("nnscratch", "nnscratch.exe")


def interrupted(exc: BaseException) -> bool:
    """True for a ``KeyboardInterrupt``, also one that a library's import turned into an
    ``ImportError`` (NumPy does: "PyCapsule_Import could not import ...")."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def exit_if_command() -> None:
    """In the command line: say "interrupted" and exit with status 130."""
    if started_as_command():
        try:
            print("nnscratch: interrupted", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass
        raise SystemExit(130)

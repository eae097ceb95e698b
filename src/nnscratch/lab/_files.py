"""Writing files so that a crash or Ctrl-C never leaves a half-written one behind."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import IO, Any


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[Any]], None], text: bool) -> str:
    """Call ``write(handle)`` on a temporary file next to ``path``, then rename it.

    The rename is atomic: readers see the old file or the new one, never a partial
    one. The file gets the usual permissions (``0o666`` less the umask).
    """
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    mode = "x" if text else "xb"
    try:
        with open(tmp, mode, **({"encoding": "utf-8"} if text else {})) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path

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


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 100) -> str:
    """Write the matplotlib figure ``fig`` at ``path`` atomically; return the path.

    The format follows the extension (``.png``, ``.svg``, ``.pdf``; PNG when there is
    none). Missing folders are made. The image goes to a temporary file that is renamed
    over ``path``, so a crash or Ctrl-C while saving never leaves half an image behind.
    """
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    return atomic_write(path, lambda handle: fig.savefig(handle, format=fmt, dpi=dpi), text=False)

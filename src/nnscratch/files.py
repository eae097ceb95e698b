"""Writing files so that a crash, Ctrl-C or a full disk never leaves a half-written one.

Everything nnscratch writes (saved models, the MNIST cache, Nielsen's JSON networks,
figures, pages) goes through :func:`atomic_write`:

1. the bytes go to a temporary file in the target's folder, with a short name of its
   own (so a 250-character target name still fits the file system's 255);
2. the temporary file is flushed to disk (``fsync``) and renamed over the target
   (``os.replace``, atomic on POSIX and Windows), and the folder is flushed too;
3. on any error the temporary file is removed and the error names the *target*.

Readers therefore see the old file or the new one, never a mix. The new file gets the
permissions a plain ``open(path, "w")`` would give it (``0o666`` less the umask), or the
old file's permissions when it replaces one. A temporary file left behind by a process
killed with SIGKILL is recognised by its name and removed by the next write in that
folder.

:func:`writable_folder` checks an output location *before* long work starts, so that a
read-only disk or a typo in ``--out`` is reported in a second, not after an hour.
"""

from __future__ import annotations

import contextlib
import errno as errno_module
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "writable_folder"]

_TEMP_PREFIX = ".nnscratch-tmp-"


def _temp_name(directory: Path) -> Path:
    return directory / f"{_TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"


def _remove_stale_temps(directory: Path) -> None:
    """Remove temporary files of processes that no longer run (killed mid-write)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if not entry.name.startswith(_TEMP_PREFIX):
                continue
            pid_text = entry.name[len(_TEMP_PREFIX) :].split("-", 1)[0]
            if pid_text.isdigit() and not _process_alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its files alone
    return True


def _fsync_folder(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[IO[Any]], Any],
    *,
    text: bool = False,
    make_folders: bool = False,
) -> Path:
    """Call ``write(handle)`` on a temporary file next to ``path``, then rename it there.

    Parameters
    ----------
    path : str or path
        The file to create or replace.
    write : callable
        Receives an open file (binary, or UTF-8 text with ``text=True``) and writes the
        whole content.
    text : bool, default False
    make_folders : bool, default False
        Create missing parent folders first.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        Naming ``path`` (not the temporary file): a missing folder, no permission, a
        full disk. Nothing is left behind and an existing file is unchanged.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "note.txt")
    >>> atomic_write(target, lambda f: f.write("hello"), text=True).read_text()
    'hello'
    """
    target = Path(path)
    directory = target.parent
    try:
        if make_folders:
            directory.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(directory)
        mode = 0o666
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(target.stat().st_mode)  # keep a replaced file's mode
        tmp = _temp_name(directory)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # umask applies
    except OSError as exc:
        raise _about(target, exc) from None
    try:
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp), os.fspath(tmp)):
            raise _about(target, exc) from None
        raise
    _fsync_folder(directory)
    return target


def _about(target: Path, exc: OSError) -> OSError:
    """The same kind of error (PermissionError, ...), naming the target file."""
    code = exc.errno if exc.errno is not None else errno_module.EIO
    return OSError(code, exc.strerror or str(exc), str(target))


def writable_folder(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """Make sure ``path`` is a folder we can write into (creating it if needed).

    Long commands call this before they start, so that a read-only disk, a file in the
    way or a missing permission is reported at once.

    Raises
    ------
    NotADirectoryError, PermissionError, OSError
        With a message that names ``path`` and ``what`` it was meant to be.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            errno_module.ENOTDIR, f"the {what} is a file, not a folder", str(folder)
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = _temp_name(folder)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        code = exc.errno if exc.errno is not None else errno_module.EIO
        raise OSError(code, f"cannot write into the {what} ({exc.strerror})", str(folder)) from None
    return folder

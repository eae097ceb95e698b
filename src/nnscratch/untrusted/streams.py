"""Regular files only, read within a cap; gzip inflated within a cap."""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Sequence
from typing import IO, Any, BinaryIO

from .base import UntrustedFileError, format_bytes, limit, named

__all__ = ["Capped", "gunzip", "open_gunzip", "open_regular", "read_bytes"]

_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO (named pipe)"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


def _check_regular(mode: int, name: str) -> None:
    if stat.S_ISREG(mode):
        return
    problem = next((text for test, text in _KINDS if test(mode)), "is not a regular file")
    raise UntrustedFileError(name, problem, "expected a regular file")


class Capped(io.RawIOBase):
    """A read-only stream that yields at most ``limit`` bytes of ``inner``.

    One byte more than the cap raises :class:`UntrustedFileError` with ``problem``, and
    the errors listed in ``errors`` (a truncated gzip stream, a bad CRC ...) become
    :class:`UntrustedFileError` with ``broken`` as the problem.
    """

    def __init__(
        self,
        inner: IO[bytes],
        *,
        limit: int,
        name: str,
        problem: str,
        accepted: str = "",
        broken: str = "",
        errors: tuple[type[BaseException], ...] = (),
        owned: Sequence[IO[bytes]] = (),
    ) -> None:
        super().__init__()
        self._inner, self._limit, self._name = inner, limit, name
        self._problem, self._broken, self._errors = problem, broken, errors
        self._accepted = accepted or f"at most {format_bytes(limit)}"
        self._owned = (inner, *owned)
        self._pos = 0

    @property
    def name(self) -> str:
        return self._name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def fileno(self) -> int:
        return self._inner.fileno()

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._pos = self._call(self._inner.seek, offset, whence)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        room = max(self._limit - self._pos, 0)
        if len(view) > room + 1:
            view = view[: room + 1]  # one byte past the cap is enough to notice it
        n = self._call(self._inner.readinto, view) or 0  # type: ignore[attr-defined]
        if self._pos + n > self._limit:
            raise UntrustedFileError(self._name, self._problem, self._accepted)
        self._pos += n
        return n

    def readall(self) -> bytes:
        parts = bytearray()
        chunk = bytearray(1 << 20)
        while n := self.readinto(chunk):
            parts += memoryview(chunk)[:n]
        return bytes(parts)

    def close(self) -> None:
        if not self.closed:
            try:
                for stream in self._owned:
                    stream.close()
            finally:
                super().close()

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except self._errors as exc:
            raise UntrustedFileError(self._name, f"{self._broken} ({exc})") from exc


def open_regular(path: str | os.PathLike[str], *, what: str, max_bytes: int) -> BinaryIO:
    """Open a regular file of at most ``max_bytes`` for reading, refusing anything else.

    A FIFO, a character or block device (``/dev/zero``), a directory or a socket is refused
    at once, without opening it where ``stat`` already tells, and never blocking: the file
    is opened with ``O_NONBLOCK`` (an open FIFO with no writer would otherwise wait forever)
    and checked again with ``fstat`` (in case the path changed in between). The stream
    stops at ``max_bytes`` even when the file grows while it is read.

    Parameters
    ----------
    path : path-like
    what : str
        What the file is, for messages (``"MNIST file"``); the path is added.
    max_bytes : int
        The largest file accepted.

    Returns
    -------
    A buffered binary stream (seekable); close it, or use it in a ``with`` block.

    Raises
    ------
    UntrustedFileError
        Not a regular file, or larger than ``max_bytes``.
    OSError
        The file does not exist or cannot be read (``FileNotFoundError`` ...).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"1,2,0\\n")
    >>> with open_regular(f.name, what="CSV file", max_bytes=100) as stream:
    ...     stream.read()
    b'1,2,0\\n'
    >>> open_regular("/dev/zero", what="model file", max_bytes=100)
    Traceback (most recent call last):
    ...
    nnscratch.untrusted.UntrustedFileError: model file /dev/zero: is a character device; ...
    """
    max_bytes = limit("max_bytes", max_bytes)
    name = named(what, path)
    _check_regular(os.stat(path).st_mode, name)
    flags = os.O_RDONLY
    for extra in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        _check_regular(st.st_mode, name)
        if st.st_size > max_bytes:
            raise UntrustedFileError(
                name, f"is {format_bytes(st.st_size)}", f"at most {format_bytes(max_bytes)}"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        raw = io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    capped = Capped(raw, limit=max_bytes, name=name, problem="grew while being read")
    return io.BufferedReader(capped, buffer_size=1 << 16)  # type: ignore[return-value]


def read_bytes(path: str | os.PathLike[str], *, what: str, max_bytes: int) -> bytes:
    """The whole content of a regular file of at most ``max_bytes`` (see :func:`open_regular`).

    Bounded even if the file grows while it is read.
    """
    with open_regular(path, what=what, max_bytes=max_bytes) as stream:
        return stream.read()


_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def open_gunzip(stream: IO[bytes], *, what: str, max_bytes: int) -> BinaryIO:
    """A stream of the decompressed content of the gzip data in ``stream``, capped.

    Reading past ``max_bytes`` of *output* raises :class:`UntrustedFileError`, so a gzip
    bomb costs at most ``max_bytes`` of memory, whatever it claims. Corrupt or truncated
    data also raise it (with zlib's reason). Closing the result closes ``stream`` too.

    Examples
    --------
    >>> bomb = gzip.compress(bytes(10_000_000))
    >>> len(bomb) < 20_000
    True
    >>> open_gunzip(io.BytesIO(bomb), what="upload", max_bytes=1000).read()
    Traceback (most recent call last):
    ...
    nnscratch.untrusted.UntrustedFileError: upload: decompresses past the limit; ...
    """
    max_bytes = limit("max_bytes", max_bytes)
    inner = gzip.GzipFile(fileobj=stream, mode="rb")
    capped = Capped(
        inner,  # type: ignore[arg-type]
        limit=max_bytes,
        name=what,
        problem="decompresses past the limit",
        accepted=f"at most {format_bytes(max_bytes)} once decompressed",
        broken="is corrupt or truncated gzip data",
        errors=_GZIP_ERRORS,
        owned=(stream,),
    )
    return io.BufferedReader(capped, buffer_size=1 << 16)  # type: ignore[return-value]


def gunzip(data: bytes | bytearray | memoryview | IO[bytes], *, what: str, max_bytes: int) -> bytes:
    """Decompress gzip ``data`` (bytes or a binary stream), refusing more than ``max_bytes``.

    See :func:`open_gunzip`; memory stays bounded by ``max_bytes`` (plus the input).

    >>> gunzip(gzip.compress(b"hello"), what="greeting", max_bytes=10)
    b'hello'
    """
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    with open_gunzip(stream, what=what, max_bytes=max_bytes) as reader:
        return reader.read()

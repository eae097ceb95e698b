"""Zip archives and ``.npy`` / ``.npz`` arrays: declared sizes checked before reading."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Collection
from math import prod
from typing import IO, Any, BinaryIO

import numpy as np

from ..engine.checks import integer
from .base import UntrustedFileError, format_bytes, limit, named
from .streams import Capped, open_regular

__all__ = [
    "NPY_MAX_HEADER",
    "check_array_size",
    "check_zip",
    "load_npz",
    "npy_header",
    "open_member",
    "read_npy",
]

#: The largest ``.npy`` header read (NumPy's own default is 10,000 bytes; a real header
#: is about 128).
NPY_MAX_HEADER = 4096

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


def check_zip(
    archive: zipfile.ZipFile,
    *,
    what: str,
    max_member_bytes: int,
    max_total_bytes: int,
    names: Collection[str] | None = None,
    max_members: int = 1000,
) -> list[zipfile.ZipInfo]:
    """Check what a zip archive declares, before anything in it is inflated.

    The uncompressed size that each member declares is capped, and so is their sum;
    Python's ``zipfile`` never yields more than a member declares (and checks its CRC), so
    these caps bound what reading the members can cost.

    Parameters
    ----------
    archive : zipfile.ZipFile
        Open for reading.
    what : str
        The archive, for messages (``"model file m.nnscratch"``).
    max_member_bytes, max_total_bytes : int
        Caps on one member's declared size and on the sum over all members.
    names : collection of str, optional
        The only member names allowed; any other member is refused.
    max_members : int, default 1000

    Returns
    -------
    list of zipfile.ZipInfo
        The members, in archive order.

    Raises
    ------
    UntrustedFileError
        Too many members, a duplicate, an encrypted or unexpected member, a member or a
        total over its cap.
    """
    max_member_bytes = limit("max_member_bytes", max_member_bytes)
    max_total_bytes = limit("max_total_bytes", max_total_bytes)
    infos = archive.infolist()
    if len(infos) > integer("max_members", max_members, low=0):
        raise UntrustedFileError(
            what, f"has {len(infos):,} members", f"at most {max_members:,} are accepted"
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        member = f"member {info.filename[:80]!r}"
        if names is not None and info.filename not in names:
            listed = ", ".join(sorted(names)) or "none"
            raise UntrustedFileError(what, f"has an unexpected {member}", f"expected {listed}")
        if info.filename in seen:
            raise UntrustedFileError(what, f"has the {member} twice")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UntrustedFileError(what, f"has an encrypted {member}")
        if info.file_size > max_member_bytes:
            raise UntrustedFileError(
                what,
                f"{member} declares {format_bytes(info.file_size)}",
                f"at most {format_bytes(max_member_bytes)} per member",
            )
        total += info.file_size
        if total > max_total_bytes:
            raise UntrustedFileError(
                what,
                f"declares more than {format_bytes(max_total_bytes)} in all",
                f"at most {format_bytes(max_total_bytes)} in all",
            )
    return infos


def open_member(archive: zipfile.ZipFile, name: str, *, what: str, max_bytes: int) -> BinaryIO:
    """Open one member of a zip archive, yielding at most ``max_bytes`` (and its size).

    A missing member, a member declaring more than ``max_bytes``, a bad CRC or corrupt
    compressed data raise :class:`UntrustedFileError`. The stream is seekable.
    """
    max_bytes = limit("max_bytes", max_bytes)
    member = f"{what}, member {name!r}"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise UntrustedFileError(what, f"has no member {name!r}") from None
    if info.file_size > max_bytes:
        raise UntrustedFileError(
            member, f"declares {format_bytes(info.file_size)}", f"at most {format_bytes(max_bytes)}"
        )
    try:
        inner = archive.open(info)
    except _ZIP_ERRORS as exc:
        raise UntrustedFileError(member, f"cannot be read ({exc})") from exc
    capped = Capped(
        inner,
        limit=min(max_bytes, info.file_size),
        name=member,
        problem="holds more than it declares",
        broken="is corrupt",
        errors=_ZIP_ERRORS,
    )
    return io.BufferedReader(capped, buffer_size=1 << 16)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------
# .npy arrays, sized before they are read
# ---------------------------------------------------------------------------------------


def check_array_size(shape: Any, dtype: Any, *, what: str, max_bytes: int) -> int:
    """The bytes an array of ``shape`` and ``dtype`` takes, refusing more than ``max_bytes``.

    Computed with Python integers (no overflow), so a header declaring 256 TiB gives this
    clear error instead of a ``MemoryError``.

    >>> check_array_size((60000, 784), "uint8", what="x", max_bytes=2**26)
    47040000
    >>> check_array_size((2**24, 2**24), "float64", what="weights.npz", max_bytes=2**30)
    Traceback (most recent call last):
    ...
    nnscratch.untrusted.UntrustedFileError: weights.npz: declares an array of shape ...
    """
    max_bytes = limit("max_bytes", max_bytes)
    try:
        dims = tuple(shape)
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        raise UntrustedFileError(what, f"declares the shape {shape!r}") from None
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims) or any(
        d < 0 for d in dims
    ):
        raise UntrustedFileError(what, f"declares the shape {dims!r}", "expected sizes >= 0")
    nbytes = prod(int(d) for d in dims) * itemsize
    if nbytes > max_bytes:
        raise UntrustedFileError(
            what,
            f"declares an array of shape {dims} {np.dtype(dtype)}: {format_bytes(nbytes)}",
            f"at most {format_bytes(max_bytes)}",
        )
    return nbytes


def npy_header(stream: IO[bytes], *, what: str) -> tuple[tuple[int, ...], np.dtype, bool]:
    """Read only the header of an ``.npy`` array: ``(shape, dtype, fortran_order)``.

    The stream is left at the first byte of the data. Headers over
    :data:`NPY_MAX_HEADER` bytes, versions other than 1.0 and 2.0, and dtypes holding
    Python objects (which would need pickle) are refused.
    """
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(stream, NPY_MAX_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(stream, NPY_MAX_HEADER)
        else:
            raise ValueError(f"unsupported .npy version {version[0]}.{version[1]}")
    except (ValueError, SyntaxError, EOFError) as exc:
        raise UntrustedFileError(what, f"has no valid .npy header ({exc})") from None
    if dtype.hasobject:
        raise UntrustedFileError(
            what, f"holds Python objects (dtype {dtype})", "expected numbers only"
        )
    return tuple(shape), dtype, bool(fortran)


def read_npy(stream: IO[bytes], *, what: str, max_bytes: int) -> np.ndarray:
    """Read one ``.npy`` array whose declared size is at most ``max_bytes``.

    The header is checked with :func:`npy_header` and :func:`check_array_size` before any
    memory is taken; then exactly the declared bytes are read into a new, writable array.
    A short file and bytes after the array are refused.
    """
    shape, dtype, fortran = npy_header(stream, what=what)
    nbytes = check_array_size(shape, dtype, what=what, max_bytes=max_bytes)
    flat = np.empty(prod(shape), dtype=dtype)
    view = memoryview(flat).cast("B")
    filled = 0
    while filled < nbytes:
        n = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not n:
            raise UntrustedFileError(
                what, f"is truncated: {filled:,} of {nbytes:,} bytes of the array"
            )
        filled += n
    if stream.read(1):
        raise UntrustedFileError(what, "has bytes after the array")
    return flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)


def load_npz(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    what: str,
    max_array_bytes: int,
    max_total_bytes: int,
    names: Collection[str] | None = None,
    max_file_bytes: int | None = None,
) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` archive, with every size checked before reading.

    Parameters
    ----------
    source : path-like or binary stream
        A path is opened with :func:`open_regular` (and added to ``what``); a stream (such
        as a member of another archive from :func:`open_member`) must be seekable.
    what : str
    max_array_bytes, max_total_bytes : int
        Caps on one array's declared size and on the sum over all.
    names : collection of str, optional
        The only array names allowed (without ``.npy``).
    max_file_bytes : int, optional
        The largest file accepted; default ``max_total_bytes`` plus 1 MiB for headers.

    Returns
    -------
    dict of str to numpy.ndarray
        In archive order.

    Raises
    ------
    UntrustedFileError
        Not a zip archive, an unexpected member, any size over its cap, a corrupt member.
    """
    if max_file_bytes is None:
        max_file_bytes = limit("max_total_bytes", max_total_bytes) + (1 << 20)
    if isinstance(source, (str, os.PathLike)):
        with open_regular(source, what=what, max_bytes=max_file_bytes) as stream:
            return load_npz(
                stream,
                what=named(what, source),
                max_array_bytes=max_array_bytes,
                max_total_bytes=max_total_bytes,
                names=names,
                max_file_bytes=max_file_bytes,
            )
    try:
        archive = zipfile.ZipFile(source)
    except (*_ZIP_ERRORS, ValueError) as exc:
        raise UntrustedFileError(what, f"is not an .npz (zip) archive ({exc})") from None
    header_room = NPY_MAX_HEADER + 16  # magic, version, length and the header itself
    with archive:
        infos = check_zip(
            archive,
            what=what,
            max_member_bytes=max_array_bytes + header_room,
            max_total_bytes=max_total_bytes + header_room * len(archive.infolist()),
            names=None if names is None else {f"{n}.npy" for n in names},
        )
        arrays = {}
        for info in infos:
            key = info.filename.removesuffix(".npy")
            member = f"{what}, array {key!r}"
            with open_member(archive, info.filename, what=what, max_bytes=info.file_size) as m:
                arrays[key] = read_npy(m, what=member, max_bytes=max_array_bytes)
    return arrays

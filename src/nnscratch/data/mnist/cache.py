"""The ``.npz`` cache: MNIST read back in a tenth of a second instead of two.

Reading the book's gzip pickle takes about two seconds; the first load therefore writes
the same arrays to ``mnist.npz`` in the cache folder, and later loads read that. The file
records

* a format marker (:data:`CACHE_FORMAT`), so a foreign ``.npz`` is never taken for one;
* the *fingerprint* of the source (path, size and modification time of each source file),
  so replacing the source rebuilds the cache;
* the pixels as bytes (``X * 256``, exact for the book's file and the IDX files: four
  times smaller and faster to read), or as float32 when they are not multiples of 1/256.

It is written with :func:`nnscratch.files.atomic_write` (a crash leaves the old cache or
the new one) and validated like any source when read: a cache that fails to open or to
validate raises :class:`~nnscratch.data.mnist.MNISTFormatError`, and the loader deletes
it and rebuilds it from the source.

:func:`read_cache` also reads Keras' own ``mnist.npz`` (``x_train``, ``y_train``,
``x_test``, ``y_test``: the official 60,000 + 10,000 images as bytes), split the book's
way, so a file Keras downloaded once can be given as ``path``.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import numpy as np

from ...files import atomic_write
from ...untrusted import UntrustedFileError, check_zip, open_member, open_regular, read_npy
from .base import (
    MNIST,
    MNISTFormatError,
    Split,
    book_split,
    from_bytes,
    to_bytes,
    validated,
    validated_bytes,
)
from .formats import MAX_DATA_BYTES, MAX_FILE_BYTES

__all__ = ["CACHE_FORMAT", "fingerprint", "read_cache", "write_cache"]

CACHE_FORMAT = "nnscratch-mnist-cache-1"


def fingerprint(files: Iterable[Path]) -> str:
    """Path, size and modification time of each source file, as one string.

    Cheap to compute, and it changes when the source is replaced, so a stale cache is
    rebuilt.
    """
    parts = []
    for p in files:
        st = p.stat()
        parts.append(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}")
    return ";".join(parts)


def write_cache(path: Path, data: MNIST, source: str) -> None:
    """Write ``data`` to ``path`` atomically, recording ``source`` (a :func:`fingerprint`)."""
    arrays: dict[str, np.ndarray] = {
        "format": np.array(CACHE_FORMAT),
        "source": np.array(source),
    }
    for name, (X, y) in zip(MNIST._fields, data):
        # Pixels that are exact multiples of 1/256 (the book's file and the IDX files) are
        # stored as bytes: 4x smaller and faster to read back. Anything else stays float32.
        scaled = X * np.float32(256)
        as_bytes = scaled.astype(np.uint8)
        if np.array_equal(as_bytes, scaled):
            arrays[f"{name}_X_u8"] = as_bytes
        else:
            arrays[f"{name}_X"] = X
        arrays[f"{name}_y"] = y.astype(np.uint8)
    atomic_write(path, lambda f: np.savez(f, **arrays), make_folders=True)


_ARRAY_NAMES = frozenset(
    {"format", "source"}
    | {f"{part}_{suffix}" for part in MNIST._fields for suffix in ("X_u8", "X", "y")}
)

#: The arrays of Keras' ``mnist.npz``.
KERAS_NAMES = frozenset({"x_train", "y_train", "x_test", "y_test"})


def read_cache(path: Path, *, as_bytes: bool = False) -> tuple[MNIST, str]:
    """Read a cache file: ``(data, source fingerprint)``.

    The file is read as untrusted (it sits in a folder anyone with the account can write
    to): it must be a regular file, the zip members it declares are capped before
    anything is inflated, and each array's ``.npy`` header is checked against
    :data:`~nnscratch.data.mnist.formats.MAX_DATA_BYTES` before it is read.

    With ``as_bytes=True`` the pixels come back as the stored bytes (uint8, 0..255),
    without the round trip through float32.

    Raises
    ------
    MNISTFormatError
        The file is not a complete, valid nnscratch MNIST cache (nor Keras' file).
    """
    name = f"MNIST cache {path}"
    try:
        with open_regular(path, what="MNIST cache", max_bytes=MAX_FILE_BYTES) as fh:
            arrays = _read_members(fh, name)
    except UntrustedFileError as exc:
        raise MNISTFormatError(str(exc)) from exc
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise MNISTFormatError(f"{path} is not a readable .npz file ({exc})") from exc
    if set(arrays) == KERAS_NAMES:
        return _from_keras(arrays, str(path), as_bytes), ""
    source = str(arrays["source"]) if "source" in arrays else ""
    splits = []
    for part in MNIST._fields:
        if f"{part}_X_u8" in arrays:
            X = arrays[f"{part}_X_u8"]
        elif f"{part}_X" in arrays:
            X = arrays[f"{part}_X"]
        else:
            raise MNISTFormatError(f"{path} has no images for the {part} part")
        if f"{part}_y" not in arrays:
            raise MNISTFormatError(f"{path} has no labels for the {part} part")
        if X.dtype == np.uint8 and not as_bytes:
            X = from_bytes(X)
        elif X.dtype != np.uint8 and as_bytes:
            X = to_bytes(X, str(path))
        splits.append(Split(X, arrays[f"{part}_y"]))
    check = validated_bytes if as_bytes else validated
    return check(MNIST(*splits), str(path)), source


def _from_keras(arrays: dict[str, np.ndarray], where: str, as_bytes: bool) -> MNIST:
    parts = {}
    for key in ("train", "test"):
        images, labels = arrays[f"x_{key}"], arrays[f"y_{key}"]
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise MNISTFormatError(
                f"{where}: x_{key} must be uint8 images of shape (n, 28, 28), "
                f"got {images.dtype} {images.shape}"
            )
        parts[key] = (images.reshape(len(images), 784), labels)
    train, validation = book_split(*parts["train"])
    data = MNIST(train, validation, Split(*parts["test"]))
    if as_bytes:
        return validated_bytes(data, where)
    return validated(MNIST(*(Split(from_bytes(X), y) for X, y in data)), where)


def _read_members(fh: IO[bytes], name: str) -> dict[str, np.ndarray]:
    """The arrays of the cache archive, the format marker checked first."""
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise MNISTFormatError(f"{name} is not an .npz archive ({exc})") from None
    with archive:
        infos = check_zip(
            archive,
            what=name,
            max_member_bytes=MAX_DATA_BYTES,
            max_total_bytes=2 * MAX_DATA_BYTES,
            max_members=len(_ARRAY_NAMES),
        )
        members = {info.filename.removesuffix(".npy") for info in infos}
        if members == KERAS_NAMES:
            return {key: _read_array(archive, key, name) for key in sorted(members)}
        marker = None
        if "format" in members:
            marker = str(_read_array(archive, "format", name))
        if marker != CACHE_FORMAT:
            raise MNISTFormatError(
                f"{name} is not an nnscratch MNIST cache (format marker missing or not "
                f"{CACHE_FORMAT!r}) nor Keras' mnist.npz (x_train, y_train, x_test, y_test)"
            )
        unexpected = sorted(members - _ARRAY_NAMES)
        if unexpected:
            raise MNISTFormatError(f"{name} holds unexpected arrays: {', '.join(unexpected)}")
        return {key: _read_array(archive, key, name) for key in members}


def _read_array(archive: zipfile.ZipFile, key: str, name: str) -> np.ndarray:
    member = f"{key}.npy"
    with open_member(archive, member, what=name, max_bytes=MAX_DATA_BYTES + 2**16) as stream:
        return read_npy(stream, what=f"{name}, array {key!r}", max_bytes=MAX_DATA_BYTES)

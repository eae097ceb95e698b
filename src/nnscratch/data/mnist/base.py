"""What every part of the MNIST loader shares: the result types, the errors, the checks.

:class:`MNIST` holds the book's three splits, each a :class:`Split` ``(X, y)``.
Whatever file the data came from (the book's pickle, the IDX files, the ``.npz`` cache),
:func:`validated` checks it the same way before anyone sees it: shapes, dtypes, pixel
range, labels 0..9.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "MNIST",
    "MNISTDownloadError",
    "MNISTFormatError",
    "Split",
    "TrainTest",
    "UnsafePickleError",
    "as_pixels",
    "book_split",
    "from_bytes",
    "to_bytes",
    "validated",
    "validated_bytes",
]


#: ``(x_train, y_train), (x_test, y_test)``: what Keras' ``load_data()`` functions return
TrainTest = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class Split(NamedTuple):
    """One part of the data: ``X`` (n, 784) float32 in [0, 1], ``y`` (n,) int64 in 0..9."""

    X: np.ndarray
    y: np.ndarray


class MNIST(NamedTuple):
    """The book's three splits; unpacks like the book's ``load_data()``.

    >>> # train, validation, test = load_mnist()
    >>> # X, y = train
    """

    train: Split
    validation: Split
    test: Split


class MNISTFormatError(ValueError):
    """A data file exists but is not valid MNIST (corrupt, truncated, wrong shapes, too
    large, not a regular file ...). The message names the file and what was wrong."""


class UnsafePickleError(MNISTFormatError, pickle.UnpicklingError):
    """A pickle asked for something other than NumPy arrays; nothing from it was run."""


class MNISTDownloadError(ConnectionError):
    """Every download source failed.

    Attributes
    ----------
    attempts : list of (str, str)
        Each URL tried and why it failed.
    """

    def __init__(self, message: str, attempts: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.attempts = list(attempts)


def book_split(images: np.ndarray, labels: np.ndarray) -> tuple[Split, Split]:
    """Split the official training images the book's way: the last sixth is validation.

    The book's validation set is the last 10,000 of the 60,000 official training images.
    Files of another size (such as small test files) are split in the same ratio.
    """
    n_valid = len(images) // 6
    n_train = len(images) - n_valid
    return (
        Split(images[:n_train], labels[:n_train]),
        Split(images[n_train:], labels[n_train:]),
    )


def _check_split(name: str, X: np.ndarray, y: np.ndarray, where: str, pixel_kind: str) -> None:
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
        raise MNISTFormatError(f"{where}: the {name} part must hold NumPy arrays")
    if X.ndim != 2 or X.shape[1] != 784:
        raise MNISTFormatError(f"{where}: {name} images must have shape (n, 784), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise MNISTFormatError(
            f"{where}: {name} labels must have shape ({X.shape[0]},), got {y.shape}"
        )
    if X.dtype.kind not in pixel_kind:
        wanted = "floats" if pixel_kind == "f" else "floats or bytes"
        raise MNISTFormatError(f"{where}: {name} images must be {wanted}, got {X.dtype}")
    if y.dtype.kind not in "iu":
        raise MNISTFormatError(f"{where}: {name} labels must be integers, got {y.dtype}")
    if X.shape[0] == 0:
        raise MNISTFormatError(f"{where}: the {name} part is empty")
    ylo, yhi = int(y.min()), int(y.max())
    if ylo < 0 or yhi > 9:
        raise MNISTFormatError(f"{where}: {name} labels must be digits 0..9, found [{ylo}, {yhi}]")


def validated(data: MNIST, where: str) -> MNIST:
    """Check shapes, dtypes and ranges; return the data as float32 / int64, C-contiguous.

    ``where`` names the source in the messages (a file or folder).
    """
    out = []
    for name, (X, y) in zip(MNIST._fields, data):
        _check_split(name, X, y, where, "f")
        lo, hi = float(X.min()), float(X.max())
        if not (np.isfinite(lo) and np.isfinite(hi) and lo >= 0.0 and hi <= 1.0):
            raise MNISTFormatError(
                f"{where}: {name} pixels must be finite and in [0, 1], found [{lo}, {hi}]"
            )
        out.append(
            Split(
                np.ascontiguousarray(X, dtype=np.float32),
                np.ascontiguousarray(y, dtype=np.int64),
            )
        )
    return MNIST(*out)


def validated_bytes(data: MNIST, where: str) -> MNIST:
    """Like :func:`validated` for pixel bytes: ``X`` uint8 (0..255), ``y`` int64."""
    out = []
    for name, (X, y) in zip(MNIST._fields, data):
        _check_split(name, X, y, where, "u")
        if X.dtype != np.uint8:
            raise MNISTFormatError(f"{where}: {name} images must be uint8, got {X.dtype}")
        out.append(Split(np.ascontiguousarray(X), np.ascontiguousarray(y, dtype=np.int64)))
    return MNIST(*out)


def to_bytes(X: np.ndarray, where: str) -> np.ndarray:
    """Pixels ``byte / 256`` back to their bytes, refusing anything that does not round-trip.

    The book's file and the IDX files hold exact multiples of 1/256, so ``X * 256`` is a
    whole number in 0..255 for every pixel; any other value cannot be a byte.
    """
    scaled = X * np.float32(256)
    as_bytes = scaled.astype(np.uint8)
    if not np.array_equal(as_bytes, scaled):
        raise MNISTFormatError(
            f"{where}: the pixels are not multiples of 1/256, so they have no exact byte form"
        )
    return as_bytes


def from_bytes(X: np.ndarray) -> np.ndarray:
    """Pixel bytes to the book's float32 scaling, ``byte / 256`` (exact in float32)."""
    return np.multiply(X, np.float32(1 / 256), dtype=np.float32)


def as_pixels(data: MNIST, where: str, *, as_bytes: bool) -> MNIST:
    """``data`` (float32 pixels) as it was asked for: unchanged, or as exact bytes."""
    if not as_bytes:
        return data
    return MNIST(*(Split(to_bytes(X, where), y) for X, y in data))

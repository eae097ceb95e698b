"""The book's ``expand_mnist``: 250,000 training images from one-pixel shifts, cached.

Chapter 6 of Nielsen's book gains accuracy by training on more data made from the data it
has: every training image moved by one pixel up, down, left and right. The book's
``src/expand_mnist.py`` does, for each of the 50,000 training images in order:

1. keep the image itself;
2. ``np.roll(image, 1, axis=0)`` and zero the first row: the digit moves **down**;
3. ``np.roll(image, -1, axis=0)`` and zero the last row: **up**;
4. ``np.roll(image, 1, axis=1)`` and zero the first column: **right**;
5. ``np.roll(image, -1, axis=1)`` and zero the last column: **left**;

so the list is ``[x0, x0 down, x0 up, x0 right, x0 left, x1, ...]`` (250,000 images, each
with its label), and then ``random.shuffle`` mixes the whole list. The shuffle matters:
the book's ``network3`` does not shuffle between epochs, so without it every mini-batch
would hold five copies of two digits.

:func:`one_pixel_shifts` does the same with whole arrays (one slice assignment per
direction instead of a loop over images) and shuffles with ``random.Random(seed)``: the
permutation the book's code makes after ``random.seed(seed)`` under Python 3. The book
itself never seeds, so its order cannot be repeated; ``seed=0`` is ours, and
``shuffle=False`` keeps the order before the shuffle.

:func:`expanded_training_set` expands the training split of
:func:`~nnscratch.data.mnist.load_mnist` and caches the result as
``mnist_expanded.npz`` (pixels as bytes, 196 MB) next to the MNIST cache, written
atomically with the SHA-256 of the result, of the source split and the seed. A later call
reloads it only when all three still match (the SHA-256 is recomputed from what was read),
and rebuilds it otherwise.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from ...engine.checks import flag, integer
from ...files import atomic_write
from ...untrusted import UntrustedFileError, load_npz
from .base import Split, from_bytes
from .load import load_mnist
from .sources import default_cache_dir

__all__ = ["EXPANDED_NAME", "expanded_training_set", "one_pixel_shifts"]

#: The cache file of the expanded set, in the cache directory.
EXPANDED_NAME = "mnist_expanded.npz"

_FORMAT = "nnscratch-mnist-expanded-1"
_NAMES = ("format", "source", "order", "digest", "X_u8", "y")


def _order_name(seed: int, shuffle: bool) -> str:
    return f"random.Random({seed}).shuffle" if shuffle else "unshuffled"


def one_pixel_shifts(X: np.ndarray, y: np.ndarray, *, seed: int = 0, shuffle: bool = True) -> Split:
    """Each image followed by its one-pixel shifts down, up, right and left; shuffled.

    The book's ``expand_mnist`` on arrays: see the module documentation for the exact
    order and directions. Pixels shifted in are zero; the image's own row or column that
    is shifted out is dropped.

    Parameters
    ----------
    X : array of shape (n, 784)
        Images, one per row (any dtype: the book's float32 or the bytes).
    y : array of shape (n,)
        Their labels.
    seed : int, default 0
        The shuffle is ``random.Random(seed).shuffle``, as the book's ``random.shuffle``
        after ``random.seed(seed)``.
    shuffle : bool, default True
        ``False`` keeps the order ``[x0, x0 down, x0 up, x0 right, x0 left, x1, ...]``.

    Returns
    -------
    Split
        ``(X, y)`` with ``5 n`` rows, of the dtypes given.

    Examples
    --------
    >>> X = np.arange(784).reshape(1, 784) % 7
    >>> big = one_pixel_shifts(X, np.array([3]), shuffle=False)
    >>> big.X.shape, big.y.tolist()
    ((5, 784), [3, 3, 3, 3, 3])
    >>> down = big.X[1].reshape(28, 28)
    >>> bool((down[0] == 0).all() and (down[1:] == X.reshape(28, 28)[:-1]).all())
    True
    """
    seed = integer("seed", seed)
    shuffle = flag("shuffle", shuffle)
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 784:
        raise ValueError(f"X must have shape (n, 784), got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
    n = len(X)
    # Where each of the 5 n expanded images goes: position[5 i + k] for image i, shift k.
    position = np.arange(5 * n)
    if shuffle:
        order = list(range(5 * n))
        random.Random(seed).shuffle(order)  # the book's permutation, under Python 3
        position[np.asarray(order, dtype=np.int64)] = np.arange(5 * n)
    images = X.reshape(n, 28, 28)
    out = np.zeros((5 * n, 28, 28), dtype=X.dtype)
    out[position[0::5]] = images
    out[position[1::5], 1:, :] = images[:, :-1, :]  # down: row r moves to r + 1
    out[position[2::5], :-1, :] = images[:, 1:, :]  # up
    out[position[3::5], :, 1:] = images[:, :, :-1]  # right: column c moves to c + 1
    out[position[4::5], :, :-1] = images[:, :, 1:]  # left
    labels = np.empty(5 * n, dtype=y.dtype)
    for k in range(5):
        labels[position[k::5]] = y
    return Split(out.reshape(5 * n, 784), labels)


def _digest(arrays: Iterable[np.ndarray]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).data)
    return h.hexdigest()


def _read(path: Path, source: str, order: str) -> Split | None:
    """The cached set if it is complete, sound and made from ``source`` in ``order``."""
    try:
        arrays = load_npz(
            path,
            what="expanded MNIST cache",
            max_array_bytes=2**28,
            max_total_bytes=2**28 + 2**22,
            names=_NAMES,
        )
    except (UntrustedFileError, OSError):
        return None
    if set(arrays) != set(_NAMES) or str(arrays["format"]) != _FORMAT:
        return None
    if str(arrays["source"]) != source or str(arrays["order"]) != order:
        return None
    X, y = arrays["X_u8"], arrays["y"]
    if X.dtype != np.uint8 or X.ndim != 2 or X.shape[1] != 784 or y.shape != (len(X),):
        return None
    if _digest((X, y)) != str(arrays["digest"]):
        return None  # damaged on disk: rebuild
    return Split(X, y.astype(np.int64))


def _write(path: Path, result: Split, source: str, order: str) -> None:
    X, y = result.X, result.y.astype(np.uint8)
    arrays = {
        "format": np.array(_FORMAT),
        "source": np.array(source),
        "order": np.array(order),
        "digest": np.array(_digest((X, y))),
        "X_u8": X,
        "y": y,
    }
    atomic_write(path, lambda f: np.savez(f, **arrays), make_folders=True)


def expanded_training_set(
    path: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    shuffle: bool = True,
    as_bytes: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    cache: bool = True,
    **options: Any,
) -> Split:
    """The book's expanded training set: 250,000 images, built once, then reloaded.

    The 50,000 training images of :func:`~nnscratch.data.mnist.load_mnist`, each followed
    by its four one-pixel shifts and shuffled (:func:`one_pixel_shifts`), as the book's
    ``expand_mnist.py`` makes ``mnist_expanded.pkl.gz``. The validation and test sets are
    not expanded; take them from ``load_mnist()``.

    Parameters
    ----------
    path : path-like, optional
        Where MNIST comes from, as for :func:`~nnscratch.data.mnist.load_mnist`.
    seed : int, default 0
        The shuffle's seed (``random.Random(seed).shuffle``).
    shuffle : bool, default True
        ``False``: each image followed by its shifts, in the book's order before its
        shuffle.
    as_bytes : bool, default False
        Pixels as bytes (uint8, 0..255, 196 MB) instead of float32 ``byte / 256``
        (784 MB).
    cache_dir : path-like, optional
        Where ``mnist_expanded.npz`` is kept; default
        :func:`~nnscratch.data.mnist.default_cache_dir`.
    cache : bool, default True
        Read and write ``mnist_expanded.npz`` (and the MNIST cache).
    **options
        Passed to :func:`~nnscratch.data.mnist.load_mnist`: ``download``, ``progress``,
        ``sources``, ``timeout``.

    Returns
    -------
    Split
        ``(X, y)``: ``X`` of shape ``(250000, 784)`` for the real data, ``y`` int64.

    Examples
    --------
    >>> X, y = expanded_training_set()          # doctest: +SKIP
    >>> X.shape, X.dtype                         # doctest: +SKIP
    ((250000, 784), dtype('float32'))
    """
    seed = integer("seed", seed)
    shuffle = flag("shuffle", shuffle)
    flag("as_bytes", as_bytes)
    train = load_mnist(path, cache_dir=cache_dir, cache=cache, as_bytes=True, **options).train
    source, order = _digest((train.X, train.y)), _order_name(seed, shuffle)
    cache_root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_file = cache_root / EXPANDED_NAME
    result = _read(cache_file, source, order) if cache and cache_file.is_file() else None
    if result is None:
        result = one_pixel_shifts(train.X, train.y, seed=seed, shuffle=shuffle)
        if cache:
            with suppress(OSError):  # the cache only saves time: a full disk must not stop us
                _write(cache_file, result, source, order)
    if as_bytes:
        return result
    return Split(from_bytes(result.X), result.y)

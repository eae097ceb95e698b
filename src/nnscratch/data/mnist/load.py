"""``load_mnist``: find MNIST (or download it), read it, keep a fast cache of it."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from ...engine.checks import flag
from .base import MNIST, MNISTFormatError, as_pixels
from .cache import fingerprint, read_cache, write_cache
from .formats import read_idx_set, read_mnist_pickle
from .sources import (
    BOOK_LAYOUT,
    CACHE_NAME,
    ENV_VAR,
    PICKLE_NAME,
    Found,
    MNISTSources,
    ProgressArg,
    default_cache_dir,
    download_mnist,
    find_in_folder,
    locate,
)

__all__ = ["load_mnist"]


def _read_found(found: Found, as_bytes: bool) -> MNIST:
    if found.kind == "npz":
        return read_cache(found.files[0], as_bytes=as_bytes)[0]
    if found.kind == "pickle":
        data = read_mnist_pickle(found.files[0])
    else:
        data = read_idx_set(found.paths())
    return as_pixels(data, str(found.files[0]), as_bytes=as_bytes)


def _load_with_cache(found: Found, cache_file: Path | None, as_bytes: bool) -> MNIST:
    if found.kind == "npz" or cache_file is None:
        return _read_found(found, as_bytes)
    source = fingerprint(found.files)
    if cache_file.is_file():
        try:
            data, recorded = read_cache(cache_file, as_bytes=as_bytes)
        except MNISTFormatError:
            # Corrupt or foreign: remove it and rebuild from the source below.
            with suppress(OSError):
                cache_file.unlink()
        else:
            if recorded == source:
                return data
    data = _read_found(found, as_bytes=False)
    # The cache only saves time; a read-only or full disk must not stop the load.
    with suppress(OSError):
        write_cache(cache_file, data, source)
    return as_pixels(data, str(found.files[0]), as_bytes=as_bytes)


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    progress: ProgressArg = True,
    cache: bool = True,
    sources: MNISTSources | None = None,
    timeout: float = 30.0,
    as_bytes: bool = False,
) -> MNIST:
    """Load MNIST with the book's 50,000 / 10,000 / 10,000 split.

    Parameters
    ----------
    path : path-like, optional
        The book's ``mnist.pkl.gz``, a ``.npz`` cache written by this function (or Keras'
        ``mnist.npz``), or a folder holding the pickle or the four IDX ``*-ubyte.gz``
        files. Default: the environment variable ``NNSCRATCH_DATA``, then the book's
        ``../data/mnist.pkl.gz`` and ``./mnist.pkl.gz``, then the cache directory, then a
        download (see the package documentation).
    cache_dir : path-like, optional
        Where downloads and the fast-reload ``mnist.npz`` go; default
        :func:`default_cache_dir` (``~/.cache/nnscratch`` on Linux).
    download : bool, default True
        Download when the data is nowhere on disk. With ``False``, raise
        ``FileNotFoundError`` instead.
    progress : bool or callable, default True
        Download progress: see :func:`download_mnist`. Loading from disk shows nothing.
    cache : bool, default True
        Keep a ``mnist.npz`` copy in ``cache_dir``, read back in a fraction of the time
        the gzip pickle takes. It is rebuilt when the source file changes or the copy is
        found corrupt.
    sources, timeout
        Passed to :func:`download_mnist`.
    as_bytes : bool, default False
        Give the pixels as the files store them, bytes 0..255 (uint8), instead of the
        book's float32 ``byte / 256``: four times less memory, and exactly what Keras'
        ``mnist.load_data()`` returns. Read straight from the cache when it holds bytes.

    Returns
    -------
    MNIST
        ``(train, validation, test)``; each an ``(X, y)`` pair with ``X`` float32
        ``(n, 784)`` in ``[0, 1]`` (uint8 in ``0..255`` with ``as_bytes``) and ``y`` int64
        labels ``0..9``.

    Raises
    ------
    FileNotFoundError
        ``path`` or ``NNSCRATCH_DATA`` names nothing usable, or the data is not on disk and
        ``download=False``.
    MNISTFormatError
        A file is corrupt, truncated, too large, not a regular file (a FIFO, a device) or
        has the wrong shapes (a ``ValueError``).
    UnsafePickleError
        The pickle names something other than NumPy arrays; nothing was run.
    MNISTDownloadError
        The download failed from every source (a ``ConnectionError``).

    Examples
    --------
    >>> train, validation, test = load_mnist()          # doctest: +SKIP
    >>> X, y = train                                     # doctest: +SKIP
    >>> X.shape, X.dtype, y[:5]                          # doctest: +SKIP
    ((50000, 784), dtype('float32'), array([5, 0, 4, 1, 9]))
    """
    flag("as_bytes", as_bytes)
    cache_root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_file = cache_root / CACHE_NAME if cache else None

    def load(found: Found) -> MNIST:
        return _load_with_cache(found, cache_file, as_bytes)

    if path is not None:
        return load(locate(Path(path), f"path {path}"))
    env = os.environ.get(ENV_VAR, "")
    if env:
        return load(locate(Path(env), f"{ENV_VAR}={env}"))
    for candidate in BOOK_LAYOUT:
        if candidate.exists():
            return load(locate(candidate, f"the book's layout: {candidate}"))

    found = find_in_folder(cache_root) if cache_root.is_dir() else None
    if found is None and cache_file is not None and cache_file.is_file():
        # Only the fast copy is left (the download was deleted): use it if it is sound.
        try:
            return read_cache(cache_file, as_bytes=as_bytes)[0]
        except MNISTFormatError:
            with suppress(OSError):
                cache_file.unlink()
    if found is None:
        if not download:
            raise FileNotFoundError(
                f"MNIST is not on disk and download=False: put {PICKLE_NAME} in {cache_root} "
                f"or set {ENV_VAR} to its path"
            )
        downloaded = download_mnist(cache_root, sources=sources, progress=progress, timeout=timeout)
        found = locate(downloaded, f"the download {downloaded}")
    return load(found)

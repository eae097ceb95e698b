"""MNIST, the way Nielsen's book uses it: found, downloaded, verified, parsed and cached.

The data
--------
MNIST has 60,000 training images and 10,000 test images of handwritten digits, 28x28
grey pixels each. Nielsen's "Neural Networks and Deep Learning" does not train on all
60,000: it keeps the **first 50,000 for training** and the **last 10,000 as a validation
set** (used in chapter 3 to choose hyper-parameters without peeking at the test set).
:func:`load_mnist` returns exactly that split::

    train       first 50,000 of the official training images   (50000, 784)
    validation  last 10,000 of the official training images    (10000, 784)
    test        the official 10,000 test images                 (10000, 784)

Each split is an ``(X, y)`` pair: ``X`` is float32 of shape ``(n, 784)`` (one image per
row, rows of the picture one after another), ``y`` holds int64 labels 0..9. Pixels are
``byte / 256``, the scaling of the book's ``mnist.pkl.gz``, so a value lies in
``[0, 255/256]`` and the two file formats give identical arrays.

Where the data comes from, in order
-----------------------------------
1. the ``path`` argument, else the environment variable ``NNSCRATCH_DATA``: the book's
   ``mnist.pkl.gz``, a ``.npz`` written by this module (or Keras' ``mnist.npz``), or a
   directory holding either the pickle or the four IDX files
   (``train-images-idx3-ubyte.gz`` ...);
2. the book's own layout, relative to the current folder: ``../data/mnist.pkl.gz`` (the
   book's programs run from its ``src/`` folder), then ``./mnist.pkl.gz``;
3. the user cache directory (:func:`default_cache_dir`, or ``cache_dir=``);
4. a download into that cache directory: Nielsen's ``mnist.pkl.gz`` first, then the IDX
   files from three mirrors, each file checked against its SHA-256.

Whatever the source, the first load writes a ``mnist.npz`` copy into the cache directory
(``cache=False`` turns that off) and later loads read the copy while the source is
unchanged.

Safety
------
* **No plain pickle.** The book ships its data as a Python 2 pickle, and unpickling can run
  any function the file names (``os.system``, ``eval`` ...). :class:`RestrictedUnpickler`
  admits only the three NumPy names an array needs, so a crafted file raises
  :class:`UnsafePickleError` before anything runs.
* **Atomic writes.** Downloads and the ``.npz`` cache are written with
  :func:`nnscratch.files.atomic_write`: into a temporary file in the destination folder,
  renamed onto the final name only when complete (and, for a download, only after its
  SHA-256 matches). A crash, a dropped connection or Ctrl-C leaves either the old state or
  the complete new file, never half a file under the real name.
* **Verified cache.** The ``.npz`` records a format marker and the source it came from;
  a cache that fails to open or to validate is deleted and rebuilt from the source.

This package never prints. Download progress goes through the ``progress`` argument: the
default is :func:`nnscratch.progress.progress_bar` on stderr; pass ``False`` for silence
or your own factory.

The parts
---------
``sources``  where files are looked for; the URLs, checksums and the download
``formats``  the book's pickle (restricted unpickler) and the IDX files
``cache``    the ``.npz`` cache
``expand``   the book's ``expand_mnist``: 250,000 images from one-pixel shifts, cached
``base``     the :class:`MNIST` and :class:`Split` types, the errors, the checks
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from ...engine.checks import flag
from .base import (
    MNIST,
    MNISTDownloadError,
    MNISTFormatError,
    Split,
    UnsafePickleError,
    as_pixels,
)
from .cache import fingerprint, read_cache, write_cache
from .expand import EXPANDED_NAME, expanded_training_set, one_pixel_shifts
from .formats import RestrictedUnpickler, read_idx, read_idx_set, read_mnist_pickle
from .sources import (
    BOOK_LAYOUT,
    CACHE_NAME,
    DEFAULT_SOURCES,
    ENV_VAR,
    IDX_FILES,
    IDX_SHA256,
    PICKLE_NAME,
    PICKLE_SHA256,
    Found,
    MNISTSources,
    ProgressArg,
    default_cache_dir,
    download_mnist,
    find_in_folder,
    locate,
)

__all__ = [
    "BOOK_LAYOUT",
    "CACHE_NAME",
    "DEFAULT_SOURCES",
    "ENV_VAR",
    "EXPANDED_NAME",
    "IDX_FILES",
    "IDX_SHA256",
    "MNIST",
    "PICKLE_NAME",
    "PICKLE_SHA256",
    "MNISTDownloadError",
    "MNISTFormatError",
    "MNISTSources",
    "RestrictedUnpickler",
    "Split",
    "UnsafePickleError",
    "default_cache_dir",
    "download_mnist",
    "expanded_training_set",
    "load_mnist",
    "one_pixel_shifts",
    "read_idx",
    "read_mnist_pickle",
]

# The public types say they live here, where users import them from.
_PUBLIC_TYPES = (
    MNIST,
    Split,
    MNISTFormatError,
    UnsafePickleError,
    MNISTDownloadError,
    MNISTSources,
    RestrictedUnpickler,
)
for _public in _PUBLIC_TYPES:
    _public.__module__ = __name__


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

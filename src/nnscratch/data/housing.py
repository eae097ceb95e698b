"""Two small regression data sets, as Keras' ``boston_housing`` and ``california_housing``.

Each is one ``.npz`` file of two arrays, ``x`` (the houses' features) and ``y`` (their
prices), which Keras downloads from TensorFlow's storage and splits into training and
test rows after a shuffle with ``np.random.RandomState(seed)``. The functions here fetch
the same file into the user cache (``~/.cache/nnscratch/keras-datasets`` on Linux), check
its SHA-256 (the one Keras checks) before it takes its name, read it without unpickling
anything, and split it the same way, so ``seed=113`` gives Keras' rows in Keras' order.

* **Boston housing** (Harrison and Rubinfeld, 1978): 506 areas of Boston, 13 features,
  the median value of the homes in k$. Chollet's *Deep Learning with Python* regresses on
  it. Keras warns, and so do we: one feature ("B") encodes the share of Black residents
  in a way that assumes racial self-segregation affects prices; scikit-learn removed the
  set for that reason. Prefer California housing unless the point is that problem.
* **California housing** (Pace and Barry, 1997): 20,640 block groups of the 1990 census,
  8 features, the median house value in dollars; ``version="small"`` keeps the first 600.

>>> (x_train, y_train), (x_test, y_test) = load_california_housing()   # doctest: +SKIP
>>> x_train.shape, x_test.shape                                        # doctest: +SKIP
((16512, 8), (4128, 8))
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.checks import integer, number, one_of
from ..untrusted import UntrustedFileError, load_npz
from .mnist.base import MNISTDownloadError, MNISTFormatError, TrainTest
from .mnist.sources import default_cache_dir, ensure_file, progress_factory, tried

__all__ = ["DOWNLOAD", "HOUSING", "load_boston_housing", "load_california_housing"]

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

#: each set's file, its SHA-256 (as Keras checks it) and its number of features
HOUSING = {
    "boston_housing": (
        "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
        13,
    ),
    "california_housing": (
        "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
        8,
    ),
}

#: the files are 57 kB and 1.5 MB; anything far larger is refused before it is read
MAX_BYTES = 8 * 2**20


def load_boston_housing(
    path: str | os.PathLike[str] | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    **download: Any,
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)`` of Boston housing, as Keras'
    ``boston_housing.load_data(test_split=0.2, seed=113)``: ``x`` ``(n, 13)``, ``y`` ``(n,)``.

    Read the module's warning about this data set first. ``path`` is a file of your own
    (``boston_housing.npz``); ``download`` is as for :func:`load_california_housing`.
    """
    return _load("boston_housing", path, test_split, seed, None, download)


def load_california_housing(
    version: str = "large",
    path: str | os.PathLike[str] | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    **download: Any,
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)`` of California housing, as Keras'
    ``california_housing.load_data(version="large", test_split=0.2, seed=113)``.

    Parameters
    ----------
    version : {"large", "small"}
        All 20,640 rows, or the first 600 (Keras' small version).
    path : path-like, optional
        A ``california_housing.npz`` of your own, read as it is. Without it, the file in
        the user cache is used, downloaded there if missing.
    test_split : float, default 0.2
        The share of the rows kept for testing, in ``[0, 1)``: the last ones after the
        shuffle, as in Keras.
    seed : int, default 113
        The shuffle's seed (``np.random.RandomState(seed).shuffle``, Keras' way).
    **download
        How to fetch the file (:data:`DOWNLOAD` has the defaults): ``cache_dir`` (default
        ``<user cache>/keras-datasets``), ``progress`` (the download's bar, as for MNIST),
        ``timeout`` (seconds to wait for the server), ``urls`` and ``sha256`` (where the
        file comes from and its checksum; the tests serve their own).

    Raises
    ------
    MNISTDownloadError
        The file could not be downloaded intact; the message lists each URL and why.
    MNISTFormatError
        The file is not this data set's ``x`` and ``y`` arrays.
    """
    rows = 600 if one_of("version", version, ("large", "small")) == "small" else None
    return _load("california_housing", path, test_split, seed, rows, download)


def _load(
    name: str,
    path: str | os.PathLike[str] | None,
    test_split: float,
    seed: int,
    rows: int | None,
    download: Mapping[str, Any],
) -> TrainTest:
    """The set ``name`` from ``path`` or the cache (``download``: how to fetch it),
    its first ``rows`` only if given, shuffled and split as Keras does."""
    features = HOUSING[name][2]
    unknown = sorted(set(download) - set(DOWNLOAD))
    if unknown:
        raise TypeError(f"unexpected argument {unknown[0]!r}; the download takes {list(DOWNLOAD)}")
    split = number("test_split", test_split, 0, 1, high_open=True)
    rng = np.random.RandomState(integer("seed", seed, low=0, high=2**32 - 1))  # before downloading
    x, y = _read(Path(path) if path is not None else _cached(name, download), features)
    x, y = (x[:rows], y[:rows]) if rows is not None else (x, y)
    order = np.arange(len(x))
    rng.shuffle(order)  # Keras' shuffle, so the same seed gives its rows in its order
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def _read(path: Path, features: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(n, features)`` and ``y`` ``(n,)``, finite numbers, from a bounded read."""
    try:
        arrays = load_npz(
            path,
            what="housing data",
            max_array_bytes=MAX_BYTES,
            max_total_bytes=MAX_BYTES,
            names={"x", "y"},
        )
    except UntrustedFileError as error:
        raise MNISTFormatError(str(error)) from None
    x, y = arrays.get("x"), arrays.get("y")
    ok = x is not None and y is not None and x.ndim == 2 and x.shape[1] == features
    if not ok or y.shape != (len(x),) or x.dtype.kind not in "iuf" or y.dtype.kind not in "iuf":
        shapes = {key: (a.shape, str(a.dtype)) for key, a in arrays.items()}
        raise MNISTFormatError(
            f"{path}: expected arrays x (n, {features}) and y (n,) of numbers, got {shapes}"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise MNISTFormatError(f"{path}: x or y holds NaN or infinite values")
    return x, y


#: the download settings ``load_boston_housing(**download)`` takes, and their defaults
DOWNLOAD = {"cache_dir": None, "progress": True, "timeout": 30.0, "urls": None, "sha256": None}


def _cached(name: str, download: Mapping[str, Any]) -> Path:
    """The set's file in the cache folder, downloaded there unless it is intact."""
    got = {**DOWNLOAD, **download}
    file_name, digest, _ = HOUSING[name]
    cache_dir = got["cache_dir"]
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "keras-datasets"
    dest, factory = folder / file_name, progress_factory(got["progress"])
    timeout = number("timeout", got["timeout"], low=0, low_open=True)
    urls = [BASE_URL + file_name] if got["urls"] is None else got["urls"]
    digest = digest if got["sha256"] is None else got["sha256"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempts: list[tuple[str, str]] = []
    if not ensure_file(urls, dest, digest, factory, timeout, MAX_BYTES, attempts):
        raise MNISTDownloadError(
            f"could not download {dest.name}: tried {tried(attempts)}. Offline, put the file "
            f"in {dest.parent}, or pass path= a copy of it",
            attempts,
        )
    return dest

"""Fashion-MNIST: 70,000 grayscale 28x28 pictures of ten kinds of clothing, in MNIST's format.

Zalando Research made it (Xiao, Rasul and Vollgraf, 2017) as a harder drop-in for MNIST:
the same four IDX files, the same 60,000 training and 10,000 test images, labels 0..9
(:data:`CLASS_NAMES`). TensorFlow's first tutorial, "Basic classification", trains on it.

:func:`load_fashion_mnist` reads the four files from a folder you give, or from the user
cache (``~/.cache/nnscratch/fashion-mnist`` on Linux), downloading what is missing there:
each file goes to a temporary file, its MD5 is checked against the one Zalando publishes
(the checksum torchvision verifies too), and only then is it renamed into place. The
files are parsed with the bounded IDX reader of :mod:`nnscratch.data.mnist`.

>>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()    # doctest: +SKIP
>>> x_train.shape, x_train.dtype, CLASS_NAMES[y_train[0]]          # doctest: +SKIP
((60000, 28, 28), dtype('uint8'), 'Ankle boot')
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..engine.checks import number
from .mnist.base import MNISTDownloadError, MNISTFormatError, TrainTest
from .mnist.formats import check_idx_pair, read_idx
from .mnist.sources import (
    IDX_FILES,
    ProgressArg,
    default_cache_dir,
    ensure_file,
    idx_file,
    progress_factory,
    tried,
)

__all__ = ["CLASS_NAMES", "MD5", "MIRRORS", "load_fashion_mnist"]

#: what the labels 0..9 stand for
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: the MD5 of each file, as Zalando publishes them (and torchvision checks)
MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

#: where the files are downloaded from, tried in order for each file
MIRRORS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

#: the largest file is 26 MB; a download beyond this is abandoned
MAX_BYTES = 64 * 2**20


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] = MIRRORS,
    checksums: Mapping[str, str] = MD5,
    progress: ProgressArg = True,
    timeout: float = 30.0,
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)``, as Keras' ``fashion_mnist.load_data()``.

    Parameters
    ----------
    path : path-like, optional
        A folder holding the four files (``train-images-idx3-ubyte.gz`` ..., gzipped or
        not), read as they are. Without it, the user cache is used and completed by a
        download.
    cache_dir : path-like, optional
        The folder to download into instead of ``<user cache>/fashion-mnist``.
    mirrors, checksums : optional
        Base URLs (ending in ``/``) and each file's MD5 (the tests serve their own).
    progress : bool or callable, default True
        A progress bar on stderr while downloading, as for MNIST.
    timeout : float, default 30.0
        Seconds to wait for a server before trying the next mirror.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` uint8 ``(n, 28, 28)``, values 0..255; ``y`` uint8 labels 0..9.

    Raises
    ------
    FileNotFoundError
        ``path`` lacks one of the files.
    MNISTDownloadError
        A file could not be downloaded intact; the message lists each URL and why.
    MNISTFormatError
        A file is not the IDX data it should be.
    """
    timeout = number("timeout", timeout, low=0, low_open=True)
    if path is not None:
        folder = Path(path)
        files = {key: _present(folder, name) for key, name in IDX_FILES.items()}
    else:
        folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "fashion-mnist"
        files = _download(folder, mirrors, checksums, progress, timeout)
    arrays = {key: read_idx(file) for key, file in files.items()}
    return _checked(arrays, "train", files), _checked(arrays, "test", files)


def _present(folder: Path, name: str) -> Path:
    found = idx_file(folder, name)
    if found is not None:
        return found
    raise FileNotFoundError(
        f"{folder} has no {name}: Fashion-MNIST is the four files "
        f"{', '.join(IDX_FILES.values())} (from {MIRRORS[0]})"
    )


def _download(
    folder: Path,
    mirrors: Sequence[str],
    checksums: Mapping[str, str],
    progress: ProgressArg,
    timeout: float,
) -> dict[str, Path]:
    """The four files in ``folder``, each fetched unless it is there with its MD5."""
    factory = progress_factory(progress)
    folder.mkdir(parents=True, exist_ok=True)
    files, attempts = {}, []
    for key, name in IDX_FILES.items():
        dest, urls = folder / name, [base.rstrip("/") + "/" + name for base in mirrors]
        if not ensure_file(
            urls, dest, checksums[name], factory, timeout, MAX_BYTES, attempts, "md5"
        ):
            raise MNISTDownloadError(
                f"could not download Fashion-MNIST's {name}: tried {tried(attempts)}. Offline, put "
                f"the four files in {folder}, or pass load_fashion_mnist(path=folder)",
                attempts,
            )
        files[key] = dest
    return files


def _checked(arrays: Mapping[str, np.ndarray], split: str, files: Mapping[str, Path]) -> tuple:
    """``(images, labels)`` of ``split``, refused unless they have MNIST's layout
    (:func:`~nnscratch.data.mnist.formats.check_idx_pair`) and the labels are 0..9."""
    check_idx_pair(arrays, files, split)
    images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
    if labels.max(initial=0) > 9:
        raise MNISTFormatError(
            f"{files[f'{split}_labels']}: expected labels 0..9, found {int(labels.max())}"
        )
    return images, labels

"""CIFAR-10: 60,000 colour 32x32 pictures of ten kinds of things, as Keras loads them.

Alex Krizhevsky collected them (2009) from the "80 million tiny images": 50,000 for
training in five batches of 10,000 and 10,000 for testing, 6,000 of each class
(:data:`CLASS_NAMES`). TensorFlow's tutorial "Convolutional Neural Network (CNN)" and
many Keras examples start with ``keras.datasets.cifar10.load_data()``.

Keras reads the "python version" of the data set, which is pickled. nnscratch never
unpickles a downloaded file, so it reads the "binary version" the authors publish beside
it (``cifar-10-binary.tar.gz``): the same images in the same six batches, each file a run
of 3,073-byte records, one label byte then the image's 1,024 red, 1,024 green and 1,024
blue bytes, row by row. :func:`read_records` turns those into Keras' arrays: ``uint8``
images ``(n, 32, 32, 3)``, channels last, and labels ``(n, 1)``.

:func:`load_cifar10` reads the archive (or the six ``.bin`` files unpacked) from a path
you give, or from the user cache (``~/.cache/nnscratch/cifar-10`` on Linux), downloading
the archive there once: 170 MB, its MD5 checked against the one on the authors' page
before it is renamed into place. Reading is bounded: the archive and what it inflates to
are capped, only the six expected members are read, and each must be whole records.

>>> (x_train, y_train), (x_test, y_test) = load_cifar10()       # doctest: +SKIP
>>> x_train.shape, y_train.shape, CLASS_NAMES[y_train[0, 0]]    # doctest: +SKIP
((50000, 32, 32, 3), (50000, 1), 'frog')
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..engine.checks import number
from ..untrusted import UntrustedFileError, open_gunzip, open_regular, read_bytes
from .mnist.base import MNISTDownloadError, TrainTest
from .mnist.sources import ProgressArg, default_cache_dir, ensure_file, progress_factory, tried

__all__ = [
    "ARCHIVE",
    "CLASS_NAMES",
    "MD5",
    "URLS",
    "CIFARDownloadError",
    "CIFARFormatError",
    "load_cifar10",
    "read_records",
]

#: what the labels 0..9 stand for (the archive's ``batches.meta.txt``)
CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

ARCHIVE = "cifar-10-binary.tar.gz"
#: the archive's MD5, as its authors publish it (170,052,171 bytes)
MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
#: where the archive is downloaded from, tried in order
URLS = (
    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    "https://cave.cs.toronto.edu/kriz/cifar-10-binary.tar.gz",
)

#: the folder inside the archive, and the files read from it (train batches, then test)
FOLDER = "cifar-10-batches-bin"
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"

#: one record: a label byte, then 32 * 32 pixels of each of the 3 colours
RECORD_BYTES = 1 + 3 * 32 * 32
#: a batch file holds 10,000 records; a larger one is refused before it is read
MAX_FILE_BYTES = 10_000 * RECORD_BYTES
#: the archive is 170 MB and inflates to 184 MB; beyond these it is refused
MAX_ARCHIVE_BYTES = 200 * 2**20
MAX_INFLATED_BYTES = 200 * 2**20
#: the archive holds 8 members; one of thousands of tiny members is refused
MAX_MEMBERS = 64

T = TypeVar("T")


class CIFARFormatError(ValueError):
    """A CIFAR-10 file exists but is not the binary version's data; the message names the
    file and what was wrong."""


class CIFARDownloadError(MNISTDownloadError):
    """No URL delivered the archive intact; ``attempts`` holds each URL and why."""


def load_cifar10(
    path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: ProgressArg = True,
    timeout: float = 30.0,
    urls: Sequence[str] | None = None,
    md5: str | None = None,
) -> TrainTest:
    """``(x_train, y_train), (x_test, y_test)``, as Keras' ``cifar10.load_data()``.

    Parameters
    ----------
    path : path-like, optional
        ``cifar-10-binary.tar.gz``, or a folder holding its six ``.bin`` files
        (``data_batch_1.bin`` ... ``data_batch_5.bin``, ``test_batch.bin``: the
        archive's ``cifar-10-batches-bin`` unpacked). Read as it is, with no checksum.
        Without it, the archive in the user cache is used, downloaded if missing.
    cache_dir : path-like, optional
        The folder to download into instead of ``<user cache>/cifar-10``.
    progress, timeout : optional
        The download's progress bar (``True``, ``False`` or your own callable) and the
        seconds to wait for a server before the next URL, as for MNIST.
    urls, md5 : optional
        Where the archive comes from and its MD5; by default :data:`URLS` and
        :data:`MD5` (the tests serve their own).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` uint8 ``(n, 32, 32, 3)``, values 0..255; ``y`` uint8 ``(n, 1)``, 0..9.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist, or its folder lacks one of the six files.
    CIFARDownloadError
        The archive could not be downloaded intact; the message lists each URL and why.
    CIFARFormatError
        A file is not CIFAR-10's binary data (or not a regular file, or too large).
    """
    timeout = number("timeout", timeout, low=0, low_open=True)
    if path is None:
        folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "cifar-10"
        urls, md5 = URLS if urls is None else urls, MD5 if md5 is None else md5.lower()
        files = _from_archive(_download(folder, urls, md5, progress, timeout))
    elif Path(path).is_dir():
        files = {name: _from_folder(Path(path), name) for name in (*TRAIN_FILES, TEST_FILE)}
    elif Path(path).exists():
        files = _from_archive(Path(path))
    else:
        raise FileNotFoundError(f"{path} does not exist: give {ARCHIVE} or its unpacked folder")
    train = [read_records(files.pop(name), name) for name in TRAIN_FILES]  # (freed as read)
    x_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return (x_train, y_train), read_records(files[TEST_FILE], TEST_FILE)


def read_records(data: bytes, name: str = "CIFAR-10 data") -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` from one batch file's bytes: images ``(n, 32, 32, 3)`` uint8,
    labels ``(n, 1)`` uint8.

    >>> record = bytes([7]) + bytes(range(256)) * 12
    >>> images, labels = read_records(record * 2)
    >>> images.shape, labels.tolist(), images[0, 0, 1].tolist()    # pixel (0, 1): R, G, B
    ((2, 32, 32, 3), [[7], [7]], [1, 1, 1])
    """
    if not data or len(data) % RECORD_BYTES:
        raise CIFARFormatError(
            f"{name}: {len(data):,} bytes is not a whole number of {RECORD_BYTES:,}-byte "
            "records (a label byte and 3,072 pixel bytes each)"
        )
    rows = np.frombuffer(data, np.uint8).reshape(-1, RECORD_BYTES)
    labels = rows[:, :1].copy()
    if labels.max() > 9:
        raise CIFARFormatError(f"{name}: labels must be 0..9, found {int(labels.max())}")
    # each record's pixels are the red plane, then green, then blue: (3, 32, 32) -> (32, 32, 3)
    images = np.ascontiguousarray(rows[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels


def _from_folder(folder: Path, name: str) -> bytes:
    """One batch file of an unpacked archive, bounded in size (``folder`` itself, or its
    ``cifar-10-batches-bin``)."""
    for candidate in (folder / name, folder / FOLDER / name):
        if candidate.exists():
            read = partial(read_bytes, candidate, what="CIFAR-10 file", max_bytes=MAX_FILE_BYTES)
            return _refused_as_format_error(read)
    raise FileNotFoundError(
        f"{folder} has no {name}: the unpacked {ARCHIVE} is the folder {FOLDER} with "
        f"{', '.join(TRAIN_FILES)} and {TEST_FILE}"
    )


def _from_archive(archive: Path) -> dict[str, bytes]:
    """The six batch files' bytes from the ``.tar.gz``, read in one pass. The archive and
    what it inflates to are capped; other members are skipped, unread."""
    wanted = {f"{FOLDER}/{name}": name for name in (*TRAIN_FILES, TEST_FILE)}
    found: dict[str, bytes] = {}

    def read() -> None:
        with open_regular(archive, what="CIFAR-10 archive", max_bytes=MAX_ARCHIVE_BYTES) as raw:
            inflated = open_gunzip(
                raw, what=f"CIFAR-10 archive {archive}", max_bytes=MAX_INFLATED_BYTES
            )
            with inflated, tarfile.open(fileobj=inflated, mode="r|") as tar:
                for count, member in enumerate(tar, 1):
                    if count > MAX_MEMBERS:
                        raise CIFARFormatError(
                            f"{archive}: more than {MAX_MEMBERS} members; CIFAR-10's has 8"
                        )
                    name = wanted.get(member.name.removeprefix("./"))
                    if name is None:
                        continue
                    if name in found or not member.isreg() or member.size > MAX_FILE_BYTES:
                        raise CIFARFormatError(
                            f"{archive}: {member.name} is repeated, not a regular file, or "
                            f"over {MAX_FILE_BYTES:,} bytes (10,000 records)"
                        )
                    stream = tar.extractfile(member)
                    found[name] = stream.read(member.size) if stream is not None else b""
                    if len(found) == len(wanted):
                        break

    try:
        _refused_as_format_error(read)
    except tarfile.TarError as error:
        raise CIFARFormatError(f"{archive}: not a tar archive of CIFAR-10 ({error})") from None
    missing = [f"{FOLDER}/{name}" for name in wanted.values() if name not in found]
    if missing:
        raise CIFARFormatError(f"{archive}: has no {', '.join(missing)}; is it {ARCHIVE}?")
    return found


def _refused_as_format_error(read: Callable[[], T]) -> T:
    """``read()``, with a refusal of the file (a FIFO, too large, bad gzip) as a
    :class:`CIFARFormatError`."""
    try:
        return read()
    except UntrustedFileError as error:
        raise CIFARFormatError(str(error)) from None


def _download(
    folder: Path, urls: Sequence[str], md5: str, progress: ProgressArg, timeout: float
) -> Path:
    """The archive in ``folder``, fetched unless it is there with its MD5."""
    factory, dest = progress_factory(progress), folder / ARCHIVE
    folder.mkdir(parents=True, exist_ok=True)
    attempts: list[tuple[str, str]] = []
    if not ensure_file(urls, dest, md5, factory, timeout, MAX_ARCHIVE_BYTES, attempts, "md5"):
        raise CIFARDownloadError(
            f"could not download CIFAR-10's {ARCHIVE}: tried {tried(attempts)}. Offline, put the "
            f"archive in {folder}, or pass load_cifar10(path=...) the archive or its "
            "unpacked folder",
            attempts,
        )
    return dest

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
   ``mnist.pkl.gz``, a ``.npz`` written by this module, or a directory holding either
   the pickle or the four IDX files (``train-images-idx3-ubyte.gz`` ...);
2. the user cache directory (:func:`default_cache_dir`, or ``cache_dir=``);
3. a download into that cache directory: Nielsen's ``mnist.pkl.gz`` first, then the IDX
   files from three mirrors, each file checked against its SHA-256.

Safety
------
* **No plain pickle.** The book ships its data as a Python 2 pickle, and unpickling can run
  any function the file names (``os.system``, ``eval`` ...). :class:`RestrictedUnpickler`
  admits only the three NumPy names an array needs, so a crafted file raises
  :class:`UnsafePickleError` before anything runs.
* **Atomic writes.** Downloads stream into a temporary file in the destination folder; only
  after the SHA-256 matches is it renamed onto its final name with :func:`os.replace`,
  which is atomic on POSIX and Windows. A crash, a dropped connection or Ctrl-C leaves
  either the old state or the complete new file, never half a file under the real name.
  The ``.npz`` cache is written the same way.
* **Verified cache.** The ``.npz`` records a format marker and the source it came from;
  a cache that fails to open or to validate is deleted and rebuilt from the source.

This module never prints. Download progress goes through the ``progress`` argument: the
default draws a ``tqdm`` bar on stderr; pass ``False`` for silence or your own factory.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import pickle
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, NamedTuple, Protocol

import numpy as np

__all__ = [
    "DEFAULT_SOURCES",
    "IDX_FILES",
    "MNIST",
    "MNISTDownloadError",
    "MNISTFormatError",
    "MNISTSources",
    "RestrictedUnpickler",
    "Split",
    "UnsafePickleError",
    "default_cache_dir",
    "download_mnist",
    "load_mnist",
    "read_idx",
    "read_mnist_pickle",
]

# ---------------------------------------------------------------------------------------
# Where the files live and what they must hash to
# ---------------------------------------------------------------------------------------

#: Environment variable naming a file or folder to load MNIST from.
ENV_VAR = "NNSCRATCH_DATA"

#: File names used in a data folder and in the cache directory.
PICKLE_NAME = "mnist.pkl.gz"
CACHE_NAME = "mnist.npz"

#: The four IDX files, as published by LeCun, Cortes and Burges.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: SHA-256 of Nielsen's ``data/mnist.pkl.gz`` (17,051,982 bytes).
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

#: SHA-256 of the IDX files (the values TensorFlow Datasets and torchvision check).
IDX_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


@dataclass(frozen=True)
class MNISTSources:
    """Where :func:`download_mnist` looks, and the checksums the files must have.

    Parameters
    ----------
    pickle_urls : sequence of str
        Full URLs of the book's ``mnist.pkl.gz``, tried in order.
    pickle_sha256 : str
        Expected SHA-256 (hex) of the pickle.
    idx_mirrors : sequence of str
        Base URLs (ending in ``/``) holding the four IDX files, tried in order per file.
    idx_sha256 : mapping of str to str
        Expected SHA-256 (hex) of each IDX file, by file name.
    max_bytes : int, default 64 MiB
        A download larger than this is abandoned (the largest real file is 17 MB), so a
        broken or hostile server cannot fill the disk.

    Examples
    --------
    Point the loader at your own mirror (the tests use a server on 127.0.0.1):

    >>> mirror = MNISTSources(pickle_urls=("https://example.org/mnist.pkl.gz",))
    >>> mirror.idx_mirrors == DEFAULT_SOURCES.idx_mirrors
    True
    """

    pickle_urls: Sequence[str] = (
        "https://github.com/mnielsen/neural-networks-and-deep-learning/raw/master/data/mnist.pkl.gz",
    )
    pickle_sha256: str = PICKLE_SHA256
    idx_mirrors: Sequence[str] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    idx_sha256: Mapping[str, str] = field(default_factory=lambda: dict(IDX_SHA256))
    max_bytes: int = 64 * 2**20


#: The canonical public locations.
DEFAULT_SOURCES = MNISTSources()

# ---------------------------------------------------------------------------------------
# Results and errors
# ---------------------------------------------------------------------------------------


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
    """A data file exists but is not valid MNIST (corrupt, truncated, wrong shapes ...)."""


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


# ---------------------------------------------------------------------------------------
# Cache directory
# ---------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """The per-user cache folder for nnscratch, following each platform's convention.

    * Linux and other Unix: ``$XDG_CACHE_HOME/nnscratch``, else ``~/.cache/nnscratch``;
    * macOS: ``~/Library/Caches/nnscratch``;
    * Windows: ``%LOCALAPPDATA%\\nnscratch\\Cache``.

    The folder is not created here; it is created when something is written to it.

    >>> default_cache_dir().name in {"nnscratch", "Cache"}
    True
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "nnscratch" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "nnscratch"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "nnscratch"


# ---------------------------------------------------------------------------------------
# Reading the book's pickle, safely
# ---------------------------------------------------------------------------------------


def _reconstruct_function() -> Callable[..., Any]:
    # NumPy 2 moved ``numpy.core`` to ``numpy._core``; the old name still works but warns.
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # NumPy 1.x
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class _NdarrayName:
    """What the name ``numpy.ndarray`` means inside a pickle: a token, not the class.

    Pickled arrays mention ``ndarray`` only as the first argument of ``_reconstruct``;
    handing out a token (no attributes, not callable) instead of the class itself means
    the pickle cannot call ``ndarray(...)`` or touch it in any other way.
    """

    __slots__ = ()

    def __call__(self, *args: Any) -> Any:
        raise UnsafePickleError("pickle tried to call numpy.ndarray directly")

    def __repr__(self) -> str:
        return "numpy.ndarray"


_NDARRAY = _NdarrayName()


def _safe_reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    # ``_reconstruct(cls, shape, dtype)`` makes an empty array that the next opcode fills.
    if subtype is not _NDARRAY:
        raise UnsafePickleError(f"pickle asked for an array of type {subtype!r}; only ndarray")
    return _reconstruct_function()(np.ndarray, shape, _safe_dtype(dtype))


def _safe_dtype(spec: Any, align: Any = False, copy: Any = False) -> np.dtype:
    # An object dtype would make NumPy store arbitrary Python objects from the stream.
    if isinstance(spec, np.dtype):
        dt = spec
    elif isinstance(spec, (str, bytes)):
        if isinstance(spec, bytes):
            spec = spec.decode("latin1")
        dt = np.dtype(spec, align=bool(align), copy=bool(copy))
    else:
        raise UnsafePickleError(f"pickle asked for a dtype built from {spec!r}; only strings")
    if dt.hasobject:
        raise UnsafePickleError(f"pickle asked for dtype {dt}, which holds Python objects")
    return dt


def _safe_frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    # Pickle protocol 5 writes an array as ``_frombuffer(bytes, dtype, shape, order)``.
    if not isinstance(buf, (bytes, bytearray)) or order not in ("C", "F"):
        raise UnsafePickleError("pickle asked for _frombuffer with unexpected arguments")
    array = np.frombuffer(buf, dtype=_safe_dtype(dtype)).reshape(shape, order=order)
    return array if array.flags.writeable else array.copy()


def _latin1_bytes(text: Any, encoding: Any = "latin1") -> bytes:
    # Python 3 writes ``bytes`` in protocol 2 as ``_codecs.encode(text, "latin1")``; only
    # that exact use is allowed (any other codec or argument type is refused).
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(
            f"pickle asked for _codecs.encode with {type(text).__name__}, {encoding!r}; "
            "only (str, 'latin1') is allowed"
        )
    return text.encode("latin1")


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can build NumPy arrays, tuples and lists, and nothing else.

    Why: a pickle is a small program. Its ``GLOBAL`` opcode names any importable callable
    (``os.system``, ``builtins.eval``, ``subprocess.Popen``) and ``REDUCE`` calls it, so
    ``pickle.load`` on a file from the internet runs whatever the file says. Every name a
    pickle uses goes through :meth:`find_class`; here it answers only for the three names
    that ``numpy.ndarray.__reduce__`` writes (``_reconstruct``, ``ndarray``, ``dtype``),
    plus ``_codecs.encode(text, "latin1")`` (how Python 3 writes ``bytes`` in protocol 2)
    and ``_frombuffer`` (how NumPy writes arrays in protocol 5), so a copy re-saved by
    Python 3 loads too. Those are wrapped: an array
    subclass or an object dtype (which would unpickle arbitrary Python objects) is refused.
    Tuples, lists, numbers and strings are opcodes of their own and need no name.
    Anything else raises :class:`UnsafePickleError` before it is called.

    The book's file was written by Python 2, so open it with ``encoding="latin1"``
    (which turns Python 2 ``str`` byte strings into what NumPy expects).

    Examples
    --------
    >>> import io, pickle
    >>> data = pickle.dumps((np.arange(3), [np.zeros(2)]), protocol=2)
    >>> RestrictedUnpickler(io.BytesIO(data)).load()[0]
    array([0, 1, 2])
    >>> evil = pickle.dumps(eval)
    >>> RestrictedUnpickler(io.BytesIO(evil)).load()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.data.mnist.UnsafePickleError: refusing to load builtins.eval from a pickle; ...
    """

    _ALLOWED: ClassVar[dict[tuple[str, str], Any]] = {
        ("numpy.core.multiarray", "_reconstruct"): _safe_reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _safe_reconstruct,
        ("numpy", "ndarray"): _NDARRAY,
        ("numpy", "dtype"): _safe_dtype,
        ("numpy.core.numeric", "_frombuffer"): _safe_frombuffer,
        ("numpy._core.numeric", "_frombuffer"): _safe_frombuffer,
        ("_codecs", "encode"): _latin1_bytes,
    }

    def __init__(self, file: IO[bytes], *, encoding: str = "latin1") -> None:
        super().__init__(file, encoding=encoding)

    def find_class(self, module: str, name: str) -> Any:
        try:
            target = self._ALLOWED[(module, name)]
        except KeyError:
            allowed = ", ".join(f"{m}.{n}" for m, n in self._ALLOWED)
            raise UnsafePickleError(
                f"refusing to load {module}.{name} from a pickle; a data file may only "
                f"contain NumPy arrays, tuples and lists (allowed names: {allowed})"
            ) from None
        if target is _NDARRAY:
            return target
        # A fresh wrapper per use: the pickle's BUILD opcode can set attributes on what it
        # is given, and must not be able to alter our module's functions for later loads.
        return lambda *args: target(*args)

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("refusing a pickle that uses persistent ids")


def _open_maybe_gzip(path: Path) -> IO[bytes]:
    """Open ``path`` for reading, decompressing on the fly if it starts with gzip's magic."""
    f: IO[bytes] = path.open("rb")
    try:
        if f.read(2) != b"\x1f\x8b":
            f.seek(0)
            return f
        f.close()
        g = gzip.open(path, "rb")
        try:
            g.peek(1)  # a broken gzip header fails here, with a clear message below
        except BaseException:
            g.close()
            raise
        return g  # type: ignore[return-value]
    except (OSError, EOFError, zlib.error) as exc:
        f.close()
        raise MNISTFormatError(f"{path} is not a readable gzip file ({exc})") from exc


def read_mnist_pickle(path: str | os.PathLike[str]) -> MNIST:
    """Read the book's ``mnist.pkl.gz`` with :class:`RestrictedUnpickler`.

    The file holds a tuple ``(training, validation, test)``, each ``(X, y)`` with ``X``
    float32 ``(n, 784)`` and ``y`` int64 ``(n,)``.

    Parameters
    ----------
    path : path-like
        A pickle in the book's layout, gzip-compressed (as published) or not.

    Returns
    -------
    MNIST

    Raises
    ------
    UnsafePickleError
        The pickle names anything but NumPy's array machinery (nothing is run).
    MNISTFormatError
        Not gzip, truncated, or not three ``(X, y)`` pairs of the right shapes.

    Examples
    --------
    >>> # train, validation, test = read_mnist_pickle("mnist.pkl.gz")
    """
    path = Path(path)
    with _open_maybe_gzip(path) as f:
        try:
            obj = RestrictedUnpickler(f).load()
        except UnsafePickleError as exc:
            raise UnsafePickleError(f"{path}: {exc}") from None
        except (
            pickle.UnpicklingError,
            EOFError,
            OSError,
            zlib.error,
            ValueError,
            TypeError,
            IndexError,
            KeyError,
            AttributeError,
            struct.error,
            MemoryError,
        ) as exc:
            raise MNISTFormatError(f"{path} is corrupt or truncated ({exc})") from exc
    if not (isinstance(obj, (tuple, list)) and len(obj) == 3):
        raise MNISTFormatError(
            f"{path}: expected a tuple (training, validation, test), got {type(obj).__name__}"
            + (f" of length {len(obj)}" if isinstance(obj, (tuple, list)) else "")
        )
    splits = []
    for name, part in zip(MNIST._fields, obj):
        if not (isinstance(part, (tuple, list)) and len(part) == 2):
            raise MNISTFormatError(f"{path}: the {name} part must be a pair (X, y)")
        splits.append(Split(*part))
    return _validated(MNIST(*splits), str(path))


# ---------------------------------------------------------------------------------------
# Reading IDX files
# ---------------------------------------------------------------------------------------

# IDX type byte -> NumPy dtype (big-endian, as the format stores numbers).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (gzip-compressed or plain) into an array.

    The format is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian 32-bit sizes, then the values, row-major. MNIST's images are type ``0x08``
    (unsigned byte) with 3 dimensions ``(n, 28, 28)``; its labels have 1 dimension ``(n,)``.

    Parameters
    ----------
    path : path-like
        A ``*-ubyte.gz`` file, or its uncompressed form.

    Returns
    -------
    numpy.ndarray
        In native byte order, with the shape the header gives.

    Raises
    ------
    MNISTFormatError
        Bad magic number, unknown type, or a size that disagrees with the header
        (a truncated file, or trailing bytes).

    Examples
    --------
    >>> # images = read_idx("train-images-idx3-ubyte.gz")   # (60000, 28, 28) uint8
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        if compressed:
            with gzip.open(path, "rb") as g:
                data = g.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise MNISTFormatError(f"{path} is corrupt or truncated ({exc})") from exc
    if len(data) < 4:
        raise MNISTFormatError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero1, zero2, type_code, ndim = data[:4]
    if zero1 or zero2 or type_code not in _IDX_DTYPES or ndim == 0:
        raise MNISTFormatError(
            f"{path}: bad IDX magic number 0x{data[:4].hex()} (expected 0x0000TTNN with type "
            f"TT one of {', '.join(f'{t:02x}' for t in _IDX_DTYPES)} and NN dimensions)"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MNISTFormatError(f"{path}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _IDX_DTYPES[type_code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise MNISTFormatError(
            f"{path}: {what}: the header promises {'x'.join(map(str, dims))} values "
            f"({expected} bytes) but the file holds {found} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=False)


def _book_split(images: np.ndarray, labels: np.ndarray) -> tuple[Split, Split]:
    # The book's validation set is the last 10,000 of the 60,000 training images: the last
    # sixth. Files of another size (such as small test files) are split in the same ratio.
    n_valid = len(images) // 6
    n_train = len(images) - n_valid
    return (
        Split(images[:n_train], labels[:n_train]),
        Split(images[n_train:], labels[n_train:]),
    )


def _read_idx_set(paths: Mapping[str, Path]) -> MNIST:
    arrays = {key: read_idx(paths[key]) for key in IDX_FILES}
    for key in ("train", "test"):
        images, labels = arrays[f"{key}_images"], arrays[f"{key}_labels"]
        ipath, lpath = paths[f"{key}_images"], paths[f"{key}_labels"]
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise MNISTFormatError(
                f"{ipath}: expected unsigned-byte images of shape (n, 28, 28), "
                f"got {images.dtype} {images.shape}"
            )
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise MNISTFormatError(
                f"{lpath}: expected unsigned-byte labels of shape (n,), "
                f"got {labels.dtype} {labels.shape}"
            )
        if len(images) != len(labels):
            raise MNISTFormatError(
                f"{ipath} has {len(images)} images but {lpath} has {len(labels)} labels"
            )

    # byte / 256: the scaling of the book's pickle, so both formats give the same arrays.
    def pixels(a: np.ndarray) -> np.ndarray:
        return np.multiply(a.reshape(len(a), 784), np.float32(1 / 256), dtype=np.float32)

    def labels_of(a: np.ndarray) -> np.ndarray:
        return a.astype(np.int64)

    train, validation = _book_split(
        pixels(arrays["train_images"]), labels_of(arrays["train_labels"])
    )
    test = Split(pixels(arrays["test_images"]), labels_of(arrays["test_labels"]))
    where = str(paths["train_images"].parent)
    return _validated(MNIST(train, validation, test), where)


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


def _validated(data: MNIST, where: str) -> MNIST:
    """Check shapes, dtypes and ranges; return the data as float32 / int64, C-contiguous."""
    out = []
    for name, (X, y) in zip(MNIST._fields, data):
        if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
            raise MNISTFormatError(f"{where}: the {name} part must hold NumPy arrays")
        if X.ndim != 2 or X.shape[1] != 784:
            raise MNISTFormatError(
                f"{where}: {name} images must have shape (n, 784), got {X.shape}"
            )
        if y.shape != (X.shape[0],):
            raise MNISTFormatError(
                f"{where}: {name} labels must have shape ({X.shape[0]},), got {y.shape}"
            )
        if X.dtype.kind != "f":
            raise MNISTFormatError(f"{where}: {name} images must be floats, got {X.dtype}")
        if y.dtype.kind not in "iu":
            raise MNISTFormatError(f"{where}: {name} labels must be integers, got {y.dtype}")
        if X.shape[0] == 0:
            raise MNISTFormatError(f"{where}: the {name} part is empty")
        lo, hi = float(X.min()), float(X.max())
        if not (np.isfinite(lo) and np.isfinite(hi) and lo >= 0.0 and hi <= 1.0):
            raise MNISTFormatError(
                f"{where}: {name} pixels must be finite and in [0, 1], found [{lo}, {hi}]"
            )
        ylo, yhi = int(y.min()), int(y.max())
        if ylo < 0 or yhi > 9:
            raise MNISTFormatError(
                f"{where}: {name} labels must be digits 0..9, found [{ylo}, {yhi}]"
            )
        out.append(
            Split(
                np.ascontiguousarray(X, dtype=np.float32),
                np.ascontiguousarray(y, dtype=np.int64),
            )
        )
    return MNIST(*out)


# ---------------------------------------------------------------------------------------
# The .npz cache
# ---------------------------------------------------------------------------------------

_CACHE_FORMAT = "nnscratch-mnist-cache-1"


def _fingerprint(files: Iterable[Path]) -> str:
    # Path, size and modification time of each source file: cheap, and it changes when the
    # source is replaced, so a stale cache is rebuilt.
    parts = []
    for p in files:
        st = p.stat()
        parts.append(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}")
    return ";".join(parts)


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through ``write(file)`` into a temporary sibling, then rename onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _write_cache(path: Path, data: MNIST, source: str) -> None:
    arrays: dict[str, np.ndarray] = {
        "format": np.array(_CACHE_FORMAT),
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
    _atomic_write(path, lambda f: np.savez(f, **arrays))


def _read_cache(path: Path) -> tuple[MNIST, str]:
    """Read a cache file; raise MNISTFormatError if it is not a complete, valid one."""
    try:
        # Open the file ourselves: np.load leaks its handle when the zip is corrupt.
        with path.open("rb") as fh:
            z = np.load(fh, allow_pickle=False)
            if not hasattr(z, "files"):  # a lone .npy array, not an archive
                raise MNISTFormatError(f"{path} is a single array, not an .npz archive")
            if "format" not in z.files or str(z["format"]) != _CACHE_FORMAT:
                raise MNISTFormatError(
                    f"{path} is not an nnscratch MNIST cache (format marker missing or not "
                    f"{_CACHE_FORMAT!r})"
                )
            source = str(z["source"]) if "source" in z.files else ""
            splits = []
            for name in MNIST._fields:
                if f"{name}_X_u8" in z.files:
                    X = np.multiply(z[f"{name}_X_u8"], np.float32(1 / 256), dtype=np.float32)
                elif f"{name}_X" in z.files:
                    X = z[f"{name}_X"]
                else:
                    raise MNISTFormatError(f"{path} has no images for the {name} part")
                if f"{name}_y" not in z.files:
                    raise MNISTFormatError(f"{path} has no labels for the {name} part")
                splits.append(Split(X, z[f"{name}_y"].astype(np.int64)))
    except MNISTFormatError:
        raise
    except (
        OSError,
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        zipfile.BadZipFile,
        zlib.error,
    ) as exc:
        raise MNISTFormatError(f"{path} is not a readable .npz file ({exc})") from exc
    return _validated(MNIST(*splits), str(path)), source


# ---------------------------------------------------------------------------------------
# Finding local files
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    kind: str  # "pickle" | "idx" | "npz"
    files: tuple[Path, ...]

    def paths(self) -> dict[str, Path]:
        return dict(zip(IDX_FILES, self.files))


def _idx_in(folder: Path) -> _Found | None:
    files = []
    for name in IDX_FILES.values():
        for candidate in (folder / name, folder / name.removesuffix(".gz")):
            if candidate.is_file():
                files.append(candidate)
                break
        else:
            return None
    return _Found("idx", tuple(files))


def _find_in_folder(folder: Path) -> _Found | None:
    if (folder / PICKLE_NAME).is_file():
        return _Found("pickle", (folder / PICKLE_NAME,))
    return _idx_in(folder)


def _locate(source: Path, origin: str) -> _Found:
    # ``origin`` says where the path came from, e.g. "path x" or "NNSCRATCH_DATA=x".
    if source.is_dir():
        found = _find_in_folder(source)
        if found is None and (source / CACHE_NAME).is_file():
            found = _Found("npz", (source / CACHE_NAME,))
        if found is None:
            raise FileNotFoundError(
                f"{origin} is a folder without MNIST in it: expected {PICKLE_NAME}, "
                f"{CACHE_NAME}, or the four files {', '.join(IDX_FILES.values())}"
            )
        return found
    if source.is_file():
        if source.suffix == ".npz":
            return _Found("npz", (source,))
        if source.name.removesuffix(".gz").endswith("-ubyte"):
            raise ValueError(
                f"{origin} is one IDX file; give the folder holding all four: "
                f"{', '.join(IDX_FILES.values())}"
            )
        return _Found("pickle", (source,))
    raise FileNotFoundError(
        f"{origin} does not exist; give the book's {PICKLE_NAME}, a {CACHE_NAME} "
        f"cache, or a folder holding either or the four IDX files"
    )


# ---------------------------------------------------------------------------------------
# Downloading
# ---------------------------------------------------------------------------------------


class DownloadBar(Protocol):
    """What a progress factory returns: ``update(n_bytes)`` and ``close()`` (tqdm fits)."""

    def update(self, n: int) -> Any: ...

    def close(self) -> Any: ...


ProgressFactory = Callable[..., DownloadBar]
ProgressArg = bool | None | ProgressFactory


def _tqdm_bar(*, total: int | None, desc: str) -> DownloadBar:
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )


def _progress_factory(progress: ProgressArg) -> ProgressFactory | None:
    if progress is True:
        return _tqdm_bar
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise TypeError(
        f"progress must be True, False or a callable progress(total=, desc=), got {progress!r}"
    )


class _BadDownload(Exception):
    pass


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch(
    url: str,
    dest: Path,
    sha256: str,
    factory: ProgressFactory | None,
    timeout: float,
    max_bytes: int,
) -> None:
    """Download ``url`` to ``dest``: temp file, SHA-256 check, then atomic rename."""
    request = urllib.request.Request(url, headers={"User-Agent": "nnscratch"})

    def write(out: IO[bytes]) -> None:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise _BadDownload(f"the server offers {total} bytes, more than {max_bytes}")
            bar = factory(total=total, desc=dest.name) if factory is not None else None
            h = hashlib.sha256()
            received = 0
            try:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    h.update(chunk)
                    received += len(chunk)
                    if received > max_bytes:
                        raise _BadDownload(f"more than {max_bytes} bytes; abandoned")
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        if total is not None and received != total:
            raise _BadDownload(f"connection closed after {received} of {total} bytes")
        digest = h.hexdigest()
        if digest != sha256.lower():
            raise _BadDownload(f"SHA-256 mismatch: expected {sha256}, got {digest}")

    _atomic_write(dest, write)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _try_urls(
    urls: Sequence[str],
    dest: Path,
    sha256: str,
    factory: ProgressFactory | None,
    timeout: float,
    max_bytes: int,
    attempts: list[tuple[str, str]],
) -> bool:
    for url in urls:
        try:
            _fetch(url, dest, sha256, factory, timeout, max_bytes)
        except (_BadDownload, OSError, http.client.HTTPException, ValueError) as exc:
            # OSError covers HTTP errors, refused connections and timeouts; HTTPException
            # a malformed or cut-off response; ValueError a URL urllib cannot handle.
            attempts.append((url, _reason(exc)))
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()  # it holds the open response
            continue
        return True
    return False


def download_mnist(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    sources: MNISTSources | None = None,
    progress: ProgressArg = True,
    timeout: float = 30.0,
) -> Path:
    """Download MNIST into ``cache_dir``, verifying every file's SHA-256.

    Nielsen's ``mnist.pkl.gz`` is tried first (one file, the book's exact data); if no URL
    delivers it intact, the four IDX files are fetched, each from the first mirror that
    works. A file is renamed onto its final name only after its checksum matches; a file
    already in ``cache_dir`` with the right checksum is not fetched again.

    Parameters
    ----------
    cache_dir : path-like, optional
        Destination folder; default :func:`default_cache_dir`.
    sources : MNISTSources, optional
        URLs and checksums; default :data:`DEFAULT_SOURCES`.
    progress : bool or callable, default True
        ``True`` shows a tqdm bar on stderr; ``False`` shows nothing; a callable is called
        as ``progress(total=n_bytes_or_None, desc=file_name)`` and must return an object
        with ``update(n)`` and ``close()`` (``tqdm.tqdm`` itself works).
    timeout : float, default 30.0
        Seconds to wait for a connection or for data before giving up on a URL.

    Returns
    -------
    pathlib.Path
        The downloaded pickle, or the folder holding the four IDX files.

    Raises
    ------
    MNISTDownloadError
        Nothing could be downloaded; the message (one line) lists each URL and why it
        failed, and says where to put the file by hand. ``.attempts`` holds the same list.
    """
    sources = DEFAULT_SOURCES if sources is None else sources
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    factory = _progress_factory(progress)
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    folder.mkdir(parents=True, exist_ok=True)
    attempts: list[tuple[str, str]] = []

    pickle_path = folder / PICKLE_NAME
    if pickle_path.is_file() and _sha256_of(pickle_path) == sources.pickle_sha256.lower():
        return pickle_path  # already here and intact
    if _try_urls(
        sources.pickle_urls,
        pickle_path,
        sources.pickle_sha256,
        factory,
        timeout,
        sources.max_bytes,
        attempts,
    ):
        return pickle_path

    missing = False
    for name in IDX_FILES.values():
        dest = folder / name
        expected = sources.idx_sha256.get(name)
        if expected is None:
            raise ValueError(f"sources.idx_sha256 has no checksum for {name}")
        if dest.is_file() and _sha256_of(dest) == expected.lower():
            continue  # fetched intact by an earlier run
        urls = [base.rstrip("/") + "/" + name for base in sources.idx_mirrors]
        if not _try_urls(urls, dest, expected, factory, timeout, sources.max_bytes, attempts):
            missing = True
            break
    if not missing:
        return folder

    # One line, so a command-line front end can show it as it is.
    tried = "; ".join(f"{url} ({why})" for url, why in attempts) or "no sources given"
    raise MNISTDownloadError(
        f"could not download MNIST: tried {tried}. "
        f"To use MNIST offline, download {PICKLE_NAME} (from "
        f"{DEFAULT_SOURCES.pickle_urls[0]}) on a connected machine, then either put it in "
        f"{folder} or set the environment variable {ENV_VAR} to its path (a folder with the "
        f"four IDX files {', '.join(IDX_FILES.values())} works too).",
        attempts,
    )


# ---------------------------------------------------------------------------------------
# The front door
# ---------------------------------------------------------------------------------------


def _read_found(found: _Found) -> MNIST:
    if found.kind == "pickle":
        return read_mnist_pickle(found.files[0])
    if found.kind == "idx":
        return _read_idx_set(found.paths())
    return _read_cache(found.files[0])[0]


def _load_with_cache(found: _Found, cache_file: Path | None) -> MNIST:
    if found.kind == "npz":
        return _read_cache(found.files[0])[0]
    if cache_file is None:
        return _read_found(found)
    fingerprint = _fingerprint(found.files)
    if cache_file.is_file():
        try:
            data, source = _read_cache(cache_file)
        except MNISTFormatError:
            # Corrupt or foreign: remove it and rebuild from the source below.
            with suppress(OSError):
                cache_file.unlink()
        else:
            if source == fingerprint:
                return data
    data = _read_found(found)
    # The cache only saves time; a read-only or full disk must not stop the load.
    with suppress(OSError):
        _write_cache(cache_file, data, fingerprint)
    return data


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    progress: ProgressArg = True,
    cache: bool = True,
    sources: MNISTSources | None = None,
    timeout: float = 30.0,
) -> MNIST:
    """Load MNIST with the book's 50,000 / 10,000 / 10,000 split.

    Parameters
    ----------
    path : path-like, optional
        The book's ``mnist.pkl.gz``, a ``.npz`` cache written by this function, or a folder
        holding the pickle or the four IDX ``*-ubyte.gz`` files. Default: the environment
        variable ``NNSCRATCH_DATA``, then the cache directory, then a download.
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

    Returns
    -------
    MNIST
        ``(train, validation, test)``; each an ``(X, y)`` pair with ``X`` float32
        ``(n, 784)`` in ``[0, 1]`` and ``y`` int64 labels ``0..9``.

    Raises
    ------
    FileNotFoundError
        ``path`` or ``NNSCRATCH_DATA`` names nothing usable, or the data is not on disk and
        ``download=False``.
    MNISTFormatError
        A file is corrupt, truncated or has the wrong shapes (a ``ValueError``).
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
    cache_root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_file = cache_root / CACHE_NAME if cache else None

    if path is not None:
        return _load_with_cache(_locate(Path(path), f"path {path}"), cache_file)
    env = os.environ.get(ENV_VAR, "")
    if env:
        return _load_with_cache(_locate(Path(env), f"{ENV_VAR}={env}"), cache_file)

    found = _find_in_folder(cache_root) if cache_root.is_dir() else None
    if found is None and cache_file is not None and cache_file.is_file():
        # Only the fast copy is left (the download was deleted): use it if it is sound.
        try:
            return _read_cache(cache_file)[0]
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
        found = _locate(downloaded, f"the download {downloaded}")
    return _load_with_cache(found, cache_file)

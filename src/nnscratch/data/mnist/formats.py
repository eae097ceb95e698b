"""The three file formats MNIST comes in: the book's pickle, IDX, and (in ``cache``) npz.

* The book's ``mnist.pkl.gz`` is a gzip-compressed Python 2 pickle of three ``(X, y)``
  pairs. Unpickling can run any function a file names, so it is read with
  :class:`RestrictedUnpickler`, which admits only what a NumPy array needs.
* The IDX files of LeCun, Cortes and Burges (``train-images-idx3-ubyte.gz`` ...) are a
  small header of sizes followed by the raw bytes; :func:`read_idx` reads one,
  :func:`read_idx_set` the four and splits them the book's way.

Every file is opened with :func:`nnscratch.untrusted.open_regular` (a FIFO or a device
such as ``/dev/zero`` is refused at once) and decompressed with
:func:`nnscratch.untrusted.open_gunzip`, and nothing is allocated beyond
:data:`MAX_DATA_BYTES`: all of MNIST in float64 (70,000 x 784 x 8 bytes) fits, a gzip
bomb or a header declaring terabytes does not. Such a file raises
:class:`~nnscratch.data.mnist.MNISTFormatError` naming it.
"""

from __future__ import annotations

import math
import os
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, ClassVar

import numpy as np

from ...untrusted import UntrustedFileError, check_array_size, open_gunzip, open_regular
from .base import MNIST, MNISTFormatError, Split, UnsafePickleError, book_split, validated
from .sources import IDX_FILES

__all__ = [
    "MAX_DATA_BYTES",
    "MAX_FILE_BYTES",
    "RestrictedUnpickler",
    "open_mnist_file",
    "read_idx",
    "read_idx_set",
    "read_mnist_pickle",
]

#: The most bytes any MNIST array, or the decompressed content of any MNIST file, may
#: take: the book's expanded set (its ``expand_mnist.py`` writes 250,000 training images
#: beside the 20,000 others) in float32, each image with room for the framing of one
#: pickled array (that script saves a list of single images), plus room for labels. All
#: 70,000 images as float64 fit too.
MAX_DATA_BYTES = 270_000 * (784 * 4 + 256) + 2**21

#: The largest MNIST file read (compressed or not).
MAX_FILE_BYTES = MAX_DATA_BYTES


@contextmanager
def _refusals_as_format_errors(path: Path) -> Iterator[None]:
    """Turn :class:`UntrustedFileError` into :class:`MNISTFormatError` naming ``path``."""
    try:
        yield
    except UntrustedFileError as exc:
        message = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
        raise MNISTFormatError(message) from exc


@contextmanager
def open_mnist_file(path: Path, what: str) -> Iterator[IO[bytes]]:
    """Open an MNIST file for reading, decompressing it if it starts with gzip's magic.

    Both the file and its decompressed content are capped (:data:`MAX_FILE_BYTES`,
    :data:`MAX_DATA_BYTES`); a FIFO, a device or a directory is refused at once. Any
    refusal raises :class:`MNISTFormatError`.
    """
    with _refusals_as_format_errors(path), open_regular(
        path, what=what, max_bytes=MAX_FILE_BYTES
    ) as raw:  # fmt: skip
        if raw.peek(2)[:2] != b"\x1f\x8b":  # type: ignore[attr-defined]
            yield raw
            return
        name = f"{what} {path}"
        with open_gunzip(raw, what=name, max_bytes=MAX_DATA_BYTES) as unpacked:
            yield unpacked


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
    # ``_reconstruct(cls, shape, dtype)`` makes an empty array that the next opcode fills;
    # its size is checked first, so a pickle cannot ask for terabytes.
    if subtype is not _NDARRAY:
        raise UnsafePickleError(f"pickle asked for an array of type {subtype!r}; only ndarray")
    dt = _safe_dtype(dtype)
    dims = (shape,) if isinstance(shape, int) else shape
    check_array_size(dims, dt, what="an array in the pickle", max_bytes=MAX_DATA_BYTES)
    return _reconstruct_function()(np.ndarray, shape, dt)


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


def _safe_scalar(dtype: Any, data: Any = None) -> np.generic:
    # A NumPy number such as ``np.int64(7)`` is pickled as ``scalar(dtype, its bytes)``:
    # the book's expand_mnist.py saves its labels so. Exactly one item of a plain dtype.
    dt = _safe_dtype(dtype)
    if isinstance(data, str):  # a Python 2 byte string, read with encoding="latin1"
        data = data.encode("latin1")
    if not isinstance(data, (bytes, bytearray)) or len(data) != dt.itemsize:
        raise UnsafePickleError(
            f"pickle asked for a {dt} scalar from {type(data).__name__} "
            f"{len(data) if isinstance(data, (bytes, bytearray)) else ''}; expected "
            f"{dt.itemsize} bytes"
        )
    return np.frombuffer(data, dtype=dt)[0]


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
    plus ``_codecs.encode(text, "latin1")`` (how Python 3 writes ``bytes`` in protocol 2),
    ``_frombuffer`` (how NumPy writes arrays in protocol 5), so a copy re-saved by
    Python 3 loads too, and ``scalar`` (one NumPy number, as the book's expand_mnist.py
    saves labels). Those are wrapped: an array subclass or an object dtype (which would
    unpickle arbitrary Python objects) is refused.
    Tuples, lists, numbers and strings are opcodes of their own and need no name.
    Anything else raises :class:`UnsafePickleError` before it is called.

    The book's file was written by Python 2, so open it with ``encoding="latin1"``
    (which turns Python 2 ``str`` byte strings into what NumPy expects).

    Examples
    --------
    >>> import io, pickle
    >>> import numpy as np
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
        ("numpy.core.multiarray", "scalar"): _safe_scalar,
        ("numpy._core.multiarray", "scalar"): _safe_scalar,
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


def read_mnist_pickle(path: str | os.PathLike[str]) -> MNIST:
    """Read the book's ``mnist.pkl.gz`` with :class:`RestrictedUnpickler`.

    The file holds a tuple ``(training, validation, test)``, each ``(X, y)`` with ``X``
    float32 ``(n, 784)`` and ``y`` int64 ``(n,)``. The file the book's expand_mnist.py
    writes (``mnist_expanded.pkl.gz``: the training part as two lists, 250,000 images
    and their labels) reads the same way.

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
    with open_mnist_file(path, "MNIST file") as f, _refusals_as_format_errors(path):
        try:
            obj = RestrictedUnpickler(f).load()
        except UnsafePickleError as exc:
            raise UnsafePickleError(f"{path}: {exc}") from None
        except UntrustedFileError:
            raise
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
        splits.append(Split(*(_stacked(value, path, name) for value in part)))
    return validated(MNIST(*splits), str(path))


def _stacked(value: Any, path: Path, name: str) -> Any:
    """An array as it is; a list, one image or label per item (how the book's
    expand_mnist.py saves its training set), as one array."""
    if not isinstance(value, list):
        return value
    if not value:
        raise MNISTFormatError(f"{path}: the {name} part is empty")
    try:
        return np.stack(value) if isinstance(value[0], np.ndarray) else np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise MNISTFormatError(
            f"{path}: the {name} part is a list whose items are not one shape ({exc})"
        ) from None


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
    with open_mnist_file(path, "IDX file") as f, _refusals_as_format_errors(path):
        try:
            return _parse_idx(f, path)
        except (OSError, EOFError, zlib.error) as exc:
            raise MNISTFormatError(f"{path} is corrupt or truncated ({exc})") from exc


def _read_into(stream: IO[bytes], buffer: bytearray) -> int:
    """Fill ``buffer`` from ``stream`` as far as it goes; the number of bytes read."""
    view = memoryview(buffer)
    filled = 0
    while filled < len(buffer):
        n = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not n:
            break
        filled += n
    return filled


def _count_rest(stream: IO[bytes]) -> int:
    """How many bytes are left in ``stream``, read in pieces (never all at once)."""
    count = 0
    while piece := stream.read(1 << 20):
        count += len(piece)
    return count


def _parse_idx(f: IO[bytes], path: Path) -> np.ndarray:
    magic = f.read(4)
    if len(magic) < 4:
        raise MNISTFormatError(f"{path}: too short for an IDX header ({len(magic)} bytes)")
    zero1, zero2, type_code, ndim = magic
    if zero1 or zero2 or type_code not in _IDX_DTYPES or ndim == 0:
        raise MNISTFormatError(
            f"{path}: bad IDX magic number 0x{magic.hex()} (expected 0x0000TTNN with type "
            f"TT one of {', '.join(f'{t:02x}' for t in _IDX_DTYPES)} and NN dimensions)"
        )
    header = 4 + 4 * ndim
    sizes = f.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise MNISTFormatError(f"{path}: truncated IDX header ({4 + len(sizes)} of {header} bytes)")
    dims = struct.unpack(f">{ndim}I", sizes)
    dtype = _IDX_DTYPES[type_code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow

    def mismatch(found: int) -> MNISTFormatError:
        what = "truncated" if found < expected else "has trailing bytes"
        return MNISTFormatError(
            f"{path}: {what}: the header promises {'x'.join(map(str, dims))} values "
            f"({expected} bytes) but the file holds {found} bytes"
        )

    if expected > MAX_DATA_BYTES:
        # More than any MNIST file: say whether the file even holds it (counting the rest
        # in pieces, within the caps), without allocating what the header declares.
        found = _count_rest(f)
        if found < expected:
            raise mismatch(found)
        check_array_size(dims, dtype, what=f"IDX file {path}", max_bytes=MAX_DATA_BYTES)
    data = bytearray(expected)
    found = _read_into(f, data)
    if found < expected:
        raise mismatch(found)
    if f.read(1):
        raise mismatch(expected + 1 + _count_rest(f))
    array = np.frombuffer(data, dtype=dtype).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=False)


def check_idx_pair(arrays: Mapping[str, np.ndarray], paths: Mapping[str, Path], key: str) -> None:
    """Refuse the images and labels of ``key`` (``"train"`` or ``"test"``, as read from
    the IDX files of :data:`IDX_FILES`) unless they are unsigned-byte images
    ``(n, 28, 28)`` and as many unsigned-byte labels ``(n,)``: MNIST's layout, and
    Fashion-MNIST's."""
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


def read_idx_set(paths: Mapping[str, Path]) -> MNIST:
    """Read the four IDX files (``paths`` by role, as :data:`IDX_FILES` names them) and
    split them the book's way: 50,000 train, 10,000 validation, 10,000 test.

    Pixels become ``byte / 256`` (float32), the scaling of the book's pickle, so both
    sources give identical arrays.
    """
    arrays = {key: read_idx(paths[key]) for key in IDX_FILES}
    for key in ("train", "test"):
        check_idx_pair(arrays, paths, key)

    # byte / 256: the scaling of the book's pickle, so both formats give the same arrays.
    def pixels(a: np.ndarray) -> np.ndarray:
        return np.multiply(a.reshape(len(a), 784), np.float32(1 / 256), dtype=np.float32)

    def labels_of(a: np.ndarray) -> np.ndarray:
        return a.astype(np.int64)

    train, validation = book_split(
        pixels(arrays["train_images"]), labels_of(arrays["train_labels"])
    )
    test = Split(pixels(arrays["test_images"]), labels_of(arrays["test_labels"]))
    where = str(paths["train_images"].parent)
    return validated(MNIST(train, validation, test), where)

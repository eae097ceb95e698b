"""Reading files nobody vouched for: every check in bounded memory and time, before parsing.

Every file nnscratch reads that a person or a server handed it goes through this package
first: MNIST files, CSV points, saved models, Nielsen's JSON networks, playground uploads,
images. Such a file may be a FIFO that never ends, ``/dev/zero``, a 9 kB zip that inflates
to 1.5 GiB, JSON nested 200,000 levels deep, an ``.npy`` header declaring 256 TiB, or a PNG
declaring ten billion pixels. Each function here checks one such thing *before* the
expensive work starts, and refuses with :class:`UntrustedFileError`, whose one-line
message names the file, the problem and what is accepted::

    MNIST file /tmp/x.pkl.gz: is a FIFO (named pipe); expected a regular file

The pieces, from the file system up
-----------------------------------
:func:`open_regular` ``(path, *, what, max_bytes)``
    Opens a regular file and nothing else: a FIFO, a character or block device (such as
    ``/dev/zero``), a directory or a socket is refused at once, without blocking (the
    path is checked with ``stat``, opened with ``O_NONBLOCK`` and checked again with
    ``fstat``). A file over ``max_bytes`` is refused before reading, and the stream it
    returns stops at ``max_bytes`` even if the file grows while being read.
:func:`read_bytes` ``(path, *, what, max_bytes)``
    The whole file as ``bytes``, through :func:`open_regular`.
:func:`open_gunzip` / :func:`gunzip` ``(stream or bytes, *, what, max_bytes)``
    Decompress gzip (also several members one after another) and stop with an error as
    soon as the output passes ``max_bytes``: a gzip bomb costs ``max_bytes`` of memory and
    the time to inflate that much, never more.
:func:`load_json` ``(text or bytes, *, what, max_bytes, max_depth, max_int_digits)``
    ``json.loads`` made safe: the nesting depth is measured by a linear scan *before*
    parsing (so no ``RecursionError`` ever), ``NaN`` and ``Infinity`` are refused, numbers
    that overflow a float are refused, and integers have a digit limit.
:func:`check_zip` ``(zipfile, *, what, max_member_bytes, max_total_bytes, names, ...)``
    Checks the sizes a zip archive *declares* for its members (one by one and in total)
    before anything is inflated, refuses unexpected, duplicate and encrypted members.
    :func:`open_member` opens one member with the same cap on what it yields.
:func:`npy_header` ``(stream, *, what)`` and :func:`check_array_size`
    Read only the header of an ``.npy`` array (shape, dtype, order; the header itself is
    limited to a few kB) so that a caller can compare the declared array with what its
    configuration allows *before* reading it; :func:`check_array_size` turns "256 TiB"
    into a clear error instead of a ``MemoryError``. :func:`read_npy` does both and then
    reads the data; :func:`load_npz` reads a whole ``.npz`` that way.
:func:`open_image` / :func:`check_image_pixels` ``(path, *, what, max_pixels, max_bytes)``
    Read only an image's header (Pillow, imported when first needed, does not decode in
    ``Image.open``) and refuse huge images with a one-line error, instead of Pillow's
    ``DecompressionBombError`` or an out-of-memory decode.

The argument ``what`` says what the input is, for the messages. Functions that take a
path add it: ``what="MNIST file"`` gives ``"MNIST file /data/mnist.pkl.gz: ..."``.
Functions that take bytes or a stream use ``what`` as it is, so give them the whole name
(``what="config.json in /models/net.nnscratch"``).

The parts: ``base`` (the error, byte counts), ``streams`` (regular files, gzip),
``jsontext``, ``archives`` (zip, ``.npy``, ``.npz``) and ``images``; import everything
from :mod:`nnscratch.untrusted` itself.

This package belongs to the support layer: it imports only the standard library, NumPy
and :mod:`nnscratch.engine` (and Pillow, lazily, for images).
"""

from __future__ import annotations

from .archives import (
    NPY_MAX_HEADER,
    check_array_size,
    check_zip,
    load_npz,
    npy_header,
    open_member,
    read_npy,
)
from .base import UntrustedFileError, format_bytes
from .images import check_image_pixels, open_image
from .jsontext import JSON_DEPTH_CEILING, json_depth, load_json
from .streams import gunzip, open_gunzip, open_regular, read_bytes

__all__ = [
    "JSON_DEPTH_CEILING",
    "NPY_MAX_HEADER",
    "UntrustedFileError",
    "check_array_size",
    "check_image_pixels",
    "check_zip",
    "format_bytes",
    "gunzip",
    "json_depth",
    "load_json",
    "load_npz",
    "npy_header",
    "open_gunzip",
    "open_image",
    "open_member",
    "open_regular",
    "read_bytes",
    "read_npy",
]

UntrustedFileError.__module__ = __name__  # where users import it from

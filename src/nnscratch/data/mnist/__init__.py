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

from .base import (
    MNIST,
    MNISTDownloadError,
    MNISTFormatError,
    Split,
    UnsafePickleError,
)
from .expand import EXPANDED_NAME, expanded_training_set, one_pixel_shifts
from .formats import RestrictedUnpickler, read_idx, read_mnist_pickle
from .load import load_mnist
from .sources import (
    BOOK_LAYOUT,
    CACHE_NAME,
    DEFAULT_SOURCES,
    ENV_VAR,
    IDX_FILES,
    IDX_SHA256,
    PICKLE_NAME,
    PICKLE_SHA256,
    MNISTSources,
    default_cache_dir,
    download_mnist,
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

"""Data sets: the tutorials' toy 2-D data, MNIST (download, verify, cache), CSV files."""

from .csvdata import load_csv
from .mnist import (
    MNIST,
    MNISTDownloadError,
    MNISTFormatError,
    UnsafePickleError,
    default_cache_dir,
    download_mnist,
    load_mnist,
)
from .toy import TOY_DATASETS, circles, load_toy, moons

__all__ = [
    "MNIST",
    "TOY_DATASETS",
    "MNISTDownloadError",
    "MNISTFormatError",
    "UnsafePickleError",
    "circles",
    "default_cache_dir",
    "download_mnist",
    "load_csv",
    "load_mnist",
    "load_toy",
    "moons",
]

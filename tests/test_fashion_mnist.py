"""Fashion-MNIST: read from a folder, or downloaded into the cache with each file's MD5
checked, falling back from mirror to mirror; bad files refused; Keras' ``load_data``.

The files here are tiny ones made by the test and served from 127.0.0.1, with their own
checksums; the real download is not run (the tests must pass offline)."""

from __future__ import annotations

import gzip
import hashlib
import struct

import numpy as np
import pytest

from local_server import Server, running
from nnscratch import keras
from nnscratch.data import fashion_mnist
from nnscratch.data.fashion_mnist import load_fashion_mnist
from nnscratch.data.mnist import MNISTDownloadError, MNISTFormatError

rng = np.random.default_rng(5)
TRAIN = rng.integers(0, 256, (60, 28, 28), dtype=np.uint8)
TEST = rng.integers(0, 256, (10, 28, 28), dtype=np.uint8)
TRAIN_LABELS = rng.integers(0, 10, 60).astype(np.uint8)
TEST_LABELS = rng.integers(0, 10, 10).astype(np.uint8)


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


FILES = {
    "train-images-idx3-ubyte.gz": idx(TRAIN),
    "train-labels-idx1-ubyte.gz": idx(TRAIN_LABELS),
    "t10k-images-idx3-ubyte.gz": idx(TEST),
    "t10k-labels-idx1-ubyte.gz": idx(TEST_LABELS),
}
MD5 = {name: hashlib.md5(data).hexdigest() for name, data in FILES.items()}


@pytest.fixture
def srv():
    with running() as server:
        yield server


def serve(srv: Server, prefix: str, files: dict[str, bytes] = FILES) -> str:
    for name, data in files.items():
        srv.routes[f"{prefix}{name}"] = data
    return srv.url(prefix)


def assert_tiny(data) -> None:
    (x_train, y_train), (x_test, y_test) = data
    for got, want in (
        (x_train, TRAIN),
        (y_train, TRAIN_LABELS),
        (x_test, TEST),
        (y_test, TEST_LABELS),
    ):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def test_downloads_verifies_and_then_reads_the_cache(srv, tmp_path):
    base = serve(srv, "/fm/")
    data = load_fashion_mnist(cache_dir=tmp_path, mirrors=[base], checksums=MD5, progress=False)
    assert_tiny(data)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    srv.requests.clear()
    assert_tiny(load_fashion_mnist(cache_dir=tmp_path, mirrors=[base], checksums=MD5))
    assert srv.requests == []  # all four intact: nothing fetched again


def test_a_bad_file_falls_back_to_the_next_mirror(srv, tmp_path):
    broken = dict(FILES, **{"t10k-images-idx3-ubyte.gz": b"not the right bytes"})
    first, second = serve(srv, "/a/", broken), serve(srv, "/b/")
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"a half file from before")
    data = load_fashion_mnist(
        cache_dir=tmp_path, mirrors=[first, second], checksums=MD5, progress=False
    )
    assert_tiny(data)
    assert "/b/t10k-images-idx3-ubyte.gz" in srv.requests
    assert "/a/train-labels-idx1-ubyte.gz" in srv.requests  # the bad cached copy: fetched again


def test_nothing_intact_anywhere_is_an_error_naming_each_url(srv, tmp_path):
    base = serve(srv, "/x/", dict(FILES, **{"train-images-idx3-ubyte.gz": b"garbage"}))
    with pytest.raises(
        MNISTDownloadError, match=r"train-images-idx3-ubyte.gz: tried .*MD5 mismatch"
    ):
        load_fashion_mnist(cache_dir=tmp_path, mirrors=[base], checksums=MD5, progress=False)
    assert not (tmp_path / "train-images-idx3-ubyte.gz").exists()  # never a bad file in place
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nor a temp file


def test_a_folder_of_the_four_files(tmp_path):
    for name, data in FILES.items():
        plain = name != "t10k-labels-idx1-ubyte.gz"
        target = tmp_path / (name if plain else name.removesuffix(".gz"))
        target.write_bytes(data if plain else gzip.decompress(data))  # unzipped works too
    assert_tiny(load_fashion_mnist(tmp_path))
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"has no t10k-labels-idx1-ubyte\.gz"):
        load_fashion_mnist(tmp_path)


@pytest.mark.parametrize(
    ("name", "array", "says"),
    [
        ("train-labels-idx1-ubyte.gz", np.full(60, 10, np.uint8), "labels 0..9"),
        ("t10k-labels-idx1-ubyte.gz", np.zeros(9, np.uint8), "has 10 images but .* has 9 labels"),
        ("train-images-idx3-ubyte.gz", np.zeros((60, 28, 27), np.uint8), r"\(n, 28, 28\)"),
    ],
)
def test_files_that_are_not_fashion_mnist_are_refused(tmp_path, name, array, says):
    for file, data in dict(FILES, **{name: idx(array)}).items():
        (tmp_path / file).write_bytes(data)
    with pytest.raises(MNISTFormatError, match=says):
        load_fashion_mnist(tmp_path)


def test_keras_load_data_reads_the_user_cache(tmp_path, monkeypatch):
    folder = tmp_path / "nnscratch" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
        monkeypatch.setitem(fashion_mnist.MD5, name, MD5[name])  # the tiny files' own
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert_tiny(keras.datasets.fashion_mnist.load_data())
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"

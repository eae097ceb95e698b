"""nnscratch.keras.datasets.mnist.load_data(): Keras' arrays, from the verified loader."""

from __future__ import annotations

import gzip
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from nnscratch.keras.datasets import mnist

REAL_DATA = os.environ.get("NNSCRATCH_DATA", "")


def tiny_official(seed: int = 5):
    """The official layout in small: 36 training images, 12 test images, as bytes."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (36, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 36).astype(np.uint8),
        rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 12).astype(np.uint8),
    )


def write_idx(folder: Path, arrays) -> Path:
    names = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(names, arrays):
        header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        (folder / name).write_bytes(gzip.compress(header + array.tobytes(), mtime=0))
    return folder


def write_book_pickle(path: Path, arrays) -> Path:
    """The book's layout: the first 30 training images, the last 6 as validation, / 256."""
    x, y, xt, yt = arrays

    def pixels(a):
        return a.reshape(len(a), 784).astype(np.float32) / 256

    parts = ((pixels(x[:30]), y[:30].astype(np.int64)), (pixels(x[30:]), y[30:].astype(np.int64)),
             (pixels(xt), yt.astype(np.int64)))  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(pickle.dumps(parts, protocol=2), mtime=0))
    return path


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # the user cache
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")


def check_round_trip(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    x, y, xt, yt = arrays
    for got, want in ((x_train, x), (y_train, y), (x_test, xt), (y_test, yt)):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)  # exactly the files' bytes, in order
    assert x_train.shape == (36, 28, 28) and x_test.shape == (12, 28, 28)


def test_load_data_round_trips_the_files_bytes_exactly(tmp_path, monkeypatch):
    arrays = tiny_official()
    monkeypatch.setenv("NNSCRATCH_DATA", str(write_idx(tmp_path / "idx", arrays)))
    check_round_trip(mnist.load_data(), arrays)  # from the IDX files, writing the cache
    check_round_trip(mnist.load_data(), arrays)  # from the cache's bytes
    cache = tmp_path / "xdg-cache" / "nnscratch" / "mnist.npz"
    with np.load(cache) as z:
        assert z["train_X_u8"].dtype == np.uint8  # the cache holds the bytes themselves

    book = write_book_pickle(tmp_path / "book" / "mnist.pkl.gz", arrays)
    monkeypatch.setenv("NNSCRATCH_DATA", str(book))
    check_round_trip(mnist.load_data(), arrays)  # byte / 256 and back, exactly


def test_path_names_a_file_or_folder_and_keras_own_file_works(tmp_path):
    arrays = tiny_official(seed=9)
    check_round_trip(mnist.load_data(path=write_idx(tmp_path / "idx", arrays)), arrays)
    keras_file = tmp_path / "keras" / "mnist.npz"
    keras_file.parent.mkdir()
    x, y, xt, yt = arrays
    np.savez(keras_file, x_train=x, y_train=y, x_test=xt, y_test=yt)
    check_round_trip(mnist.load_data(keras_file), arrays)
    with pytest.raises(FileNotFoundError, match=r"path .*nowhere\.npz does not exist"):
        mnist.load_data(tmp_path / "nowhere.npz")


def test_the_default_path_uses_the_books_layout(tmp_path):
    arrays = tiny_official(seed=11)
    write_book_pickle(tmp_path / "cwd" / "mnist.pkl.gz", arrays)  # ./mnist.pkl.gz
    check_round_trip(mnist.load_data(), arrays)


def real_pickle() -> Path | None:
    if not REAL_DATA:
        return None
    path = Path(REAL_DATA)
    path = path / "mnist.pkl.gz" if path.is_dir() else path
    return path if path.is_file() else None


def test_the_real_data_as_keras_has_it(tmp_path):
    path = real_pickle()
    if path is None:
        pytest.skip("set NNSCRATCH_DATA to the folder holding mnist.pkl.gz to run this test")
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert y_train.shape == (60_000,) and y_test.shape == (10_000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.min() == 0 and x_train.max() == 255
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9] and y_test[:5].tolist() == [7, 2, 1, 0, 4]
    # The round trip, checked against the book's floats: byte / 256 exactly.
    from nnscratch.data.mnist import load_mnist

    book = load_mnist(path)  # from the cache load_data wrote
    np.testing.assert_array_equal(
        x_train.reshape(-1, 784)[50_000:].astype(np.float32) / 256, book.validation.X
    )
    np.testing.assert_array_equal(x_test.reshape(-1, 784).astype(np.float32) / 256, book.test.X)

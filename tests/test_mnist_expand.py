"""The book's expand_mnist: one-pixel shifts in the book's order, shuffled as the book does,
cached with a checksum and reloaded."""

from __future__ import annotations

import gzip
import os
import pickle
import random
import time
from pathlib import Path

import numpy as np
import pytest

from nnscratch.data.mnist import expand, expanded_training_set, load_mnist, one_pixel_shifts


def book_expand(X, y, seed):
    """The book's src/expand_mnist.py, written out: image by image, then random.shuffle."""
    pairs = []
    for x, label in zip(X, y):
        pairs.append((x, label))
        image = np.reshape(x, (-1, 28))
        for d, axis, index_position, index in [
            (1, 0, "first", 0),
            (-1, 0, "first", 27),
            (1, 1, "last", 0),
            (-1, 1, "last", 27),
        ]:
            new_img = np.roll(image, d, axis)
            if index_position == "first":
                new_img[index, :] = np.zeros(28)
            else:
                new_img[:, index] = np.zeros(28)
            pairs.append((np.reshape(new_img, 784), label))
    random.seed(seed)
    random.shuffle(pairs)
    images, labels = zip(*pairs)
    return np.array(images), np.array(labels)


def digits(n, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, 784)).astype(dtype)
    if dtype != np.uint8:
        X = X / 256
    return X.astype(dtype), rng.integers(0, 10, n)


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_equals_the_books_algorithm_image_for_image(seed):
    X, y = digits(7, seed)
    state = random.getstate()
    try:
        want_X, want_y = book_expand(X, y, seed)
    finally:
        random.setstate(state)
    got = one_pixel_shifts(X, y, seed=seed)
    assert got.X.shape == (35, 784) and got.X.dtype == np.float32
    np.testing.assert_array_equal(got.X, want_X)
    np.testing.assert_array_equal(got.y, want_y)


def test_directions_order_and_the_pixels_shifted_in():
    image = np.zeros((28, 28), np.uint8)
    image[5, 7] = 200  # one ink pixel
    image[27, 0] = 100  # one on the bottom-left border
    X = np.stack([image.reshape(784), np.full(784, 9, np.uint8)])
    out = one_pixel_shifts(X, np.array([4, 2]), shuffle=False)
    assert out.X.shape == (10, 784) and out.y.tolist() == [4] * 5 + [2] * 5
    original, down, up, right, left = (a.reshape(28, 28) for a in out.X[:5])
    np.testing.assert_array_equal(original, image)
    ink = {name: set(zip(*np.nonzero(a))) for name, a in
           [("down", down), ("up", up), ("right", right), ("left", left)]}  # fmt: skip
    assert ink["down"] == {(6, 7)}  # the border pixel fell off the bottom
    assert ink["up"] == {(4, 7), (26, 0)}
    assert ink["right"] == {(5, 8), (27, 1)}
    assert ink["left"] == {(5, 6)}  # the border pixel fell off the left
    # The constant image: the rows and columns shifted in are zero, nothing else is.
    full_down, full_up, full_right, full_left = (a.reshape(28, 28) for a in out.X[6:])
    assert (full_down[0] == 0).all() and (full_down[1:] == 9).all()
    assert (full_up[27] == 0).all() and (full_up[:27] == 9).all()
    assert (full_right[:, 0] == 0).all() and (full_right[:, 1:] == 9).all()
    assert (full_left[:, 27] == 0).all() and (full_left[:, :27] == 9).all()


def test_shuffled_is_a_permutation_of_the_unshuffled():
    X, y = digits(20, 3, np.uint8)
    plain = one_pixel_shifts(X, y, shuffle=False)
    mixed = one_pixel_shifts(X, y, seed=0)
    assert len(mixed.X) == 5 * len(X)
    assert not np.array_equal(plain.X, mixed.X)
    key = lambda s: sorted(map(bytes, np.column_stack([s.X, s.y.astype(np.uint8)])))  # noqa: E731
    assert key(plain) == key(mixed)
    assert (
        np.bincount(mixed.y, minlength=10).tolist() == (5 * np.bincount(y, minlength=10)).tolist()
    )
    np.testing.assert_array_equal(one_pixel_shifts(X, y, seed=0).X, mixed.X)  # seeded


def test_bad_arguments():
    X, y = digits(2)
    with pytest.raises(TypeError, match="seed must be an integer"):
        one_pixel_shifts(X, y, seed="0")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 784\), got \(2, 28, 28\)"):
        one_pixel_shifts(X.reshape(2, 28, 28), y)
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        one_pixel_shifts(X, y[:1])


# ---------------------------------------------------------------------------------------
# The cached set
# ---------------------------------------------------------------------------------------


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(8)

    def part(n):
        X = rng.integers(0, 256, (n, 784)).astype(np.float32) / 256
        return X, rng.integers(0, 10, n).astype(np.int64)

    path = tmp_path / "data" / "mnist.pkl.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(pickle.dumps((part(30), part(6), part(12)), protocol=2)))
    return path, tmp_path / "cache"


def test_built_once_then_reloaded_with_its_checksum(tiny_mnist, monkeypatch):
    path, cache_dir = tiny_mnist
    train = load_mnist(path, cache=False).train
    built = expanded_training_set(path, cache_dir=cache_dir)
    assert built.X.shape == (150, 784) and built.X.dtype == np.float32
    assert built.y.dtype == np.int64
    want = one_pixel_shifts(train.X, train.y, seed=0)
    np.testing.assert_array_equal(built.X, want.X)
    np.testing.assert_array_equal(built.y, want.y)
    cache_file = cache_dir / "mnist_expanded.npz"
    with np.load(cache_file) as z:
        assert z["X_u8"].dtype == np.uint8 and str(z["order"]) == "random.Random(0).shuffle"

    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt although the cache is sound")

    monkeypatch.setattr(expand, "one_pixel_shifts", refuse)
    again = expanded_training_set(path, cache_dir=cache_dir)
    np.testing.assert_array_equal(again.X, built.X)
    np.testing.assert_array_equal(again.y, built.y)
    as_bytes = expanded_training_set(path, cache_dir=cache_dir, as_bytes=True)
    assert as_bytes.X.dtype == np.uint8
    np.testing.assert_array_equal(as_bytes.X.astype(np.float32) / 256, built.X)


def damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(b"X_u8.npy") + 200  # inside the stored pixels
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_stale_or_foreign_cache_is_rebuilt(tiny_mnist, monkeypatch):
    path, cache_dir = tiny_mnist
    built = expanded_training_set(path, cache_dir=cache_dir)
    cache_file = cache_dir / "mnist_expanded.npz"
    calls = []
    real = expand.one_pixel_shifts
    monkeypatch.setattr(
        expand, "one_pixel_shifts", lambda *a, **k: calls.append(1) or real(*a, **k)
    )

    damage(cache_file)  # a flipped byte: the zip CRC or the recorded SHA-256 catches it
    np.testing.assert_array_equal(expanded_training_set(path, cache_dir=cache_dir).X, built.X)
    assert len(calls) == 1
    other = expanded_training_set(path, cache_dir=cache_dir, seed=1)  # another order
    assert len(calls) == 2 and not np.array_equal(other.X, built.X)
    plain = expanded_training_set(path, cache_dir=cache_dir, shuffle=False)
    assert len(calls) == 3
    np.testing.assert_array_equal(plain.y[:5], [plain.y[0]] * 5)
    cache_file.write_bytes(b"PK\x03\x04 not a zip")
    expanded_training_set(path, cache_dir=cache_dir, shuffle=False)
    assert len(calls) == 4
    np.savez(cache_file, X_u8=np.zeros((5, 784), np.uint8))  # someone else's file
    expanded_training_set(path, cache_dir=cache_dir, shuffle=False)
    assert len(calls) == 5
    expanded_training_set(path, cache_dir=cache_dir, shuffle=False)
    assert len(calls) == 5  # and sound again

    # A new source (other training images): the recorded source checksum differs.
    parts = list(load_mnist(path, cache=False))
    parts[0] = (parts[0].X[::-1].copy(), parts[0].y[::-1].copy())
    path.write_bytes(gzip.compress(pickle.dumps(tuple(map(tuple, parts)), protocol=2)))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # a newer file, surely
    new = expanded_training_set(path, cache_dir=cache_dir, shuffle=False)
    assert len(calls) == 6
    np.testing.assert_array_equal(new.X[:1], parts[0][0][:1])


def test_without_the_cache_nothing_is_written(tiny_mnist):
    path, cache_dir = tiny_mnist
    expanded_training_set(path, cache_dir=cache_dir, cache=False)
    assert not cache_dir.exists()

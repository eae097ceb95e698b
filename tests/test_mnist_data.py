"""MNIST loading: local files, a local HTTP server (never the internet), safety, the cache."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import socket
import struct
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from local_server import running
from nnscratch.data import mnist as M
from nnscratch.data.mnist import (
    IDX_FILES,
    MNISTDownloadError,
    MNISTFormatError,
    MNISTSources,
    RestrictedUnpickler,
    UnsafePickleError,
    default_cache_dir,
    download_mnist,
    formats,
    load_mnist,
    read_idx,
    read_mnist_pickle,
    sources,
)
from nnscratch.data.mnist import load as mnist_load

# ---------------------------------------------------------------------------------------
# Tiny MNIST-like files, generated here
# ---------------------------------------------------------------------------------------

N_TRAIN_OFFICIAL, N_TEST = 36, 12  # 36 "official" training images -> 30 train, 6 validation


def _tiny_images():
    rng = np.random.default_rng(3)
    train = rng.integers(0, 256, (N_TRAIN_OFFICIAL, 28, 28), dtype=np.uint8)
    test = rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8)
    train_labels = rng.integers(0, 10, N_TRAIN_OFFICIAL).astype(np.uint8)
    test_labels = rng.integers(0, 10, N_TEST).astype(np.uint8)
    return train, train_labels, test, test_labels


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_splits():
    """The tiny data set as load_mnist must return it: the book's split, byte / 256."""
    train, train_labels, test, test_labels = _tiny_images()
    X = train.reshape(-1, 784).astype(np.float32) / 256
    Xt = test.reshape(-1, 784).astype(np.float32) / 256
    y, yt = train_labels.astype(np.int64), test_labels.astype(np.int64)
    return ((X[:30], y[:30]), (X[30:], y[30:]), (Xt, yt))


def book_pickle(splits=None) -> bytes:
    """A gzip pickle shaped like the book's mnist.pkl.gz (protocol 2 tuples of arrays)."""
    splits = expected_splits() if splits is None else splits
    return gz(pickle.dumps(tuple(tuple(part) for part in splits), protocol=2))


def idx_files() -> dict[str, bytes]:
    train, train_labels, test, test_labels = _tiny_images()
    arrays = {
        "train_images": train,
        "train_labels": train_labels,
        "test_images": test,
        "test_labels": test_labels,
    }
    return {IDX_FILES[k]: gz(idx_bytes(a)) for k, a in arrays.items()}


GOOD_PICKLE = book_pickle()
GOOD_IDX = idx_files()
IDX_SHA = {name: sha(data) for name, data in GOOD_IDX.items()}


def assert_tiny(data):
    for got, want in zip(data, expected_splits()):
        X, y = got
        assert X.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(X, want[0])
        np.testing.assert_array_equal(y, want[1])
    assert [len(part.y) for part in data] == [30, 6, 12]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------
# A local HTTP server on 127.0.0.1 (local_server.Server)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with running() as s:
        yield s


@pytest.fixture
def srv(server):
    server.routes.clear()
    server.requests.clear()
    return server


def refused_url(path: str = "/mnist.pkl.gz") -> str:
    """A URL on a local port nobody listens on: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class RecordingBar:
    def __init__(self, log, total, desc):
        self.log, self.total, self.desc, self.n, self.closed = log, total, desc, 0, False
        log.append(self)

    def update(self, n):
        self.n += n

    def close(self):
        self.closed = True


def recorder():
    bars: list[RecordingBar] = []
    return bars, lambda *, total, desc: RecordingBar(bars, total, desc)


@pytest.fixture(autouse=True)
def no_env(monkeypatch, tmp_path_factory):
    # No NNSCRATCH_DATA, and a current folder whose ../data and ./ hold no MNIST (the
    # book's layout is searched relative to it).
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------


def test_download_verifies_caches_and_falls_back_past_a_404(srv, tmp_path):
    srv.routes["/good/mnist.pkl.gz"] = GOOD_PICKLE
    sources = MNISTSources(
        pickle_urls=(srv.url("/gone/mnist.pkl.gz"), srv.url("/good/mnist.pkl.gz")),
        pickle_sha256=sha(GOOD_PICKLE),
        idx_mirrors=(),
    )
    bars, factory = recorder()
    data = load_mnist(cache_dir=tmp_path, sources=sources, progress=factory)
    assert_tiny(data)
    assert srv.requests == ["/gone/mnist.pkl.gz", "/good/mnist.pkl.gz"]
    assert (tmp_path / "mnist.pkl.gz").read_bytes() == GOOD_PICKLE
    assert leftovers(tmp_path) == ["mnist.npz", "mnist.pkl.gz"]
    # the progress factory saw the whole file and was closed
    assert len(bars) == 1
    assert bars[0].total == bars[0].n == len(GOOD_PICKLE)
    assert bars[0].desc == "mnist.pkl.gz" and bars[0].closed

    # download_mnist keeps an intact file; a second load finds everything on disk.
    srv.requests.clear()
    assert download_mnist(tmp_path, sources=sources, progress=False) == tmp_path / "mnist.pkl.gz"
    assert srv.requests == []
    srv.requests.clear()
    assert_tiny(load_mnist(cache_dir=tmp_path, sources=sources, progress=factory))
    assert srv.requests == []


@pytest.mark.parametrize("route", ["/bad/mnist.pkl.gz", "/cut/mnist.pkl.gz"])
def test_wrong_checksum_or_cut_download_leaves_no_file(srv, tmp_path, route):
    srv.routes["/bad/mnist.pkl.gz"] = GOOD_PICKLE[:-10] + b"0123456789"  # wrong bytes
    srv.routes["/cut/mnist.pkl.gz"] = GOOD_PICKLE  # sent only halfway
    sources = MNISTSources(
        pickle_urls=(srv.url(route),), pickle_sha256=sha(GOOD_PICKLE), idx_mirrors=()
    )
    with pytest.raises(MNISTDownloadError) as info:
        download_mnist(tmp_path, sources=sources, progress=False)
    message = str(info.value)
    assert srv.url(route) in message
    if route.startswith("/bad"):
        assert "SHA-256 mismatch" in message and sha(GOOD_PICKLE) in message
    # Nothing under the final name, no temporary file left behind.
    assert leftovers(tmp_path) == []


def test_falls_back_to_idx_mirrors_file_by_file(srv, tmp_path):
    # The first mirror lacks one file and has a corrupted copy of another.
    for name, data in GOOD_IDX.items():
        srv.routes["/m2/" + name] = data
        srv.routes["/m1/" + name] = data
    del srv.routes["/m1/train-labels-idx1-ubyte.gz"]
    srv.routes["/m1/t10k-images-idx3-ubyte.gz"] = gz(b"not the right bytes")
    sources = MNISTSources(
        pickle_urls=(srv.url("/none/mnist.pkl.gz"),),
        pickle_sha256=sha(GOOD_PICKLE),
        idx_mirrors=(srv.url("/m1/"), srv.url("/m2")),  # with and without the slash
        idx_sha256=IDX_SHA,
    )
    data = load_mnist(cache_dir=tmp_path, sources=sources, progress=False)
    assert_tiny(data)  # IDX gives exactly what the pickle gives
    assert "/m2/train-labels-idx1-ubyte.gz" in srv.requests
    assert "/m2/t10k-images-idx3-ubyte.gz" in srv.requests
    assert "/m2/train-images-idx3-ubyte.gz" not in srv.requests  # the first mirror served it
    assert leftovers(tmp_path) == sorted([*IDX_FILES.values(), "mnist.npz"])
    for name, payload in GOOD_IDX.items():
        assert (tmp_path / name).read_bytes() == payload


def test_offline_gives_a_clear_connection_error(tmp_path):
    sources = MNISTSources(
        pickle_urls=(refused_url(),),
        pickle_sha256=sha(GOOD_PICKLE),
        idx_mirrors=(refused_url("/mnist/"),),
        idx_sha256=IDX_SHA,
    )
    with pytest.raises(MNISTDownloadError) as info:
        load_mnist(cache_dir=tmp_path, sources=sources, progress=False, timeout=5)
    err = info.value
    assert isinstance(err, ConnectionError) and isinstance(err, OSError)
    message = str(err)
    assert message.startswith("could not download MNIST: tried ") and "\n" not in message
    assert sources.pickle_urls[0] in message
    assert sources.idx_mirrors[0] + "train-images-idx3-ubyte.gz" in message
    assert "cannot connect" in message
    assert "NNSCRATCH_DATA" in message and str(tmp_path) in message
    assert [url for url, _ in err.attempts] == [
        sources.pickle_urls[0],
        sources.idx_mirrors[0] + "train-images-idx3-ubyte.gz",
    ]
    assert leftovers(tmp_path) == []


def test_download_false_does_not_touch_the_network(tmp_path):
    sources = MNISTSources(pickle_urls=(refused_url(),), idx_mirrors=())
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_mnist(cache_dir=tmp_path, download=False, sources=sources)


def test_ctrl_c_during_download_leaves_no_partial_file(srv, tmp_path):
    srv.routes["/good/mnist.pkl.gz"] = GOOD_PICKLE

    class Interrupting:
        def __init__(self, **kwargs):
            pass

        def update(self, n):
            raise KeyboardInterrupt

        def close(self):
            pass

    sources = MNISTSources(
        pickle_urls=(srv.url("/good/mnist.pkl.gz"),), pickle_sha256=sha(GOOD_PICKLE)
    )
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path, sources=sources, progress=Interrupting)
    assert leftovers(tmp_path) == []


def test_idx_files_from_an_earlier_run_are_reverified_not_refetched(srv, tmp_path):
    for name, data in GOOD_IDX.items():
        srv.routes["/m/" + name] = data
    write(tmp_path / "train-images-idx3-ubyte.gz", GOOD_IDX["train-images-idx3-ubyte.gz"])
    write(tmp_path / "train-labels-idx1-ubyte.gz", b"damaged")
    sources = MNISTSources(pickle_urls=(), idx_mirrors=(srv.url("/m/"),), idx_sha256=IDX_SHA)
    assert download_mnist(tmp_path, sources=sources, progress=False) == tmp_path
    assert "/m/train-images-idx3-ubyte.gz" not in srv.requests
    assert "/m/train-labels-idx1-ubyte.gz" in srv.requests
    assert_tiny(load_mnist(tmp_path, cache=False))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_default_progress_is_the_progress_bar_on_stderr(srv, tmp_path, capsys, monkeypatch):
    srv.routes["/good/mnist.pkl.gz"] = GOOD_PICKLE
    sources = MNISTSources(
        pickle_urls=(srv.url("/good/mnist.pkl.gz"),), pickle_sha256=sha(GOOD_PICKLE)
    )
    # In a log (not a terminal): a plain line counting bytes, named by the file.
    download_mnist(tmp_path, sources=sources)
    out, err = capsys.readouterr()
    assert out == ""
    assert f"mnist.pkl.gz: {len(GOOD_PICKLE)}/{len(GOOD_PICKLE)} B (100%)" in err
    # On a terminal: a live bar with a byte rate.
    (tmp_path / "mnist.pkl.gz").unlink()
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    download_mnist(tmp_path, sources=sources)
    assert "mnist.pkl.gz:" in terminal.getvalue() and "B/s" in terminal.getvalue()


def test_oversized_download_is_abandoned(srv, tmp_path):
    srv.routes["/good/mnist.pkl.gz"] = GOOD_PICKLE
    sources = MNISTSources(
        pickle_urls=(srv.url("/good/mnist.pkl.gz"),),
        pickle_sha256=sha(GOOD_PICKLE),
        idx_mirrors=(),
        max_bytes=1000,
    )
    with pytest.raises(MNISTDownloadError, match="more than 1000"):
        download_mnist(tmp_path, sources=sources, progress=False)
    assert leftovers(tmp_path) == []


def test_bad_progress_and_timeout_arguments(tmp_path):
    with pytest.raises(TypeError, match="progress must be"):
        download_mnist(tmp_path, progress="yes")
    with pytest.raises(ValueError, match="timeout"):
        download_mnist(tmp_path, timeout=0)


# ---------------------------------------------------------------------------------------
# The restricted unpickler
# ---------------------------------------------------------------------------------------


class _SystemCall:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch "{self.marker}"',))


class _EvalCall:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


@pytest.mark.parametrize("payload", [_SystemCall, _EvalCall], ids=["os.system", "eval"])
def test_malicious_pickle_raises_and_runs_nothing(tmp_path, payload):
    if payload is _SystemCall and os.name != "posix":
        pytest.skip("the os.system payload uses the POSIX 'touch' command")
    marker = tmp_path / "pwned"
    X, y = expected_splits()[0]
    evil = gz(pickle.dumps(((X, y), (X, payload(marker)), (X, y)), protocol=2))

    # The payload is real: a plain pickle.load would run it.
    pickle.loads(gzip.decompress(evil))
    assert marker.exists()
    marker.unlink()

    path = write(tmp_path / "evil" / "mnist.pkl.gz", evil)
    with pytest.raises(UnsafePickleError, match="refusing to load") as info:
        load_mnist(path, cache_dir=tmp_path / "cache")
    assert isinstance(info.value, ValueError)
    assert not marker.exists()
    assert leftovers(tmp_path / "cache") == []


class _DirectNdarray:
    def __reduce__(self):
        return (np.ndarray, ((3,), "O"))


def _unicode(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def test_pickle_cannot_call_ndarray_or_alter_the_allowed_functions():
    direct = pickle.dumps(((_DirectNdarray(),),), protocol=2)
    with pytest.raises(UnsafePickleError, match=r"call numpy\.ndarray directly"):
        RestrictedUnpickler(io.BytesIO(direct)).load()

    # GLOBAL numpy.dtype, then BUILD with slot state {"__doc__": "altered"}: BUILD sets
    # attributes on what find_class returned, which must not be our own function.
    before = formats._safe_dtype.__doc__
    altering = b"\x80\x02cnumpy\ndtype\nN}" + _unicode("__doc__") + _unicode("altered") + b"s\x86b."
    RestrictedUnpickler(io.BytesIO(altering)).load()
    assert formats._safe_dtype.__doc__ == before
    assert M.RestrictedUnpickler._ALLOWED[("numpy", "dtype")] is formats._safe_dtype


def test_restricted_unpickler_refuses_object_arrays_and_subclasses():
    objects = pickle.dumps(np.array([1, "x"], dtype=object), protocol=2)
    with pytest.raises(UnsafePickleError, match="Python objects"):
        RestrictedUnpickler(io.BytesIO(objects)).load()
    masked = pickle.dumps(np.ma.masked_array([1.0, 2.0]), protocol=2)
    with pytest.raises(UnsafePickleError):
        RestrictedUnpickler(io.BytesIO(masked)).load()
    # ...while plain numeric arrays, tuples and lists come through intact.
    data = (np.arange(6, dtype=np.int64).reshape(2, 3), [np.float32(0.5) * np.ones(2)])
    back = RestrictedUnpickler(io.BytesIO(pickle.dumps(data, protocol=2))).load()
    np.testing.assert_array_equal(back[0], data[0])
    assert back[1][0].dtype == np.float64


@pytest.mark.parametrize("protocol", [2, 4, pickle.HIGHEST_PROTOCOL])
def test_pickles_written_by_python3_load_too(tmp_path, protocol):
    raw = pickle.dumps(tuple(tuple(p) for p in expected_splits()), protocol=protocol)
    assert_tiny(read_mnist_pickle(write(tmp_path / "m.pkl", raw)))  # uncompressed works too


@pytest.mark.parametrize("protocol", [0, 2, 4, pickle.HIGHEST_PROTOCOL])
def test_the_file_of_the_books_expand_mnist_loads(tmp_path, protocol):
    """expand_mnist.py saves its training set as two lists (one image, one NumPy int64
    label per item): ``[list(d) for d in zip(*pairs)]``; it reads as arrays."""
    (X, y), validation, test = expected_splits()
    pairs = [(x, label) for x, label in zip(X, y)]
    expanded = [list(d) for d in zip(*pairs)]
    assert type(expanded[1][0]) is np.int64
    raw = pickle.dumps((expanded, validation, test), protocol=protocol)
    if protocol == 2:  # the names NumPy 1 writes
        raw = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    data = read_mnist_pickle(write(tmp_path / "mnist_expanded.pkl.gz", gz(raw)))
    assert_tiny(data)


def test_a_pickled_numpy_scalar_must_be_one_plain_number():
    assert RestrictedUnpickler(io.BytesIO(pickle.dumps(np.int64(7)))).load() == 7
    assert formats._safe_scalar(np.dtype("int64"), (7).to_bytes(8, "little")) == 7
    with pytest.raises(UnsafePickleError, match="expected 8 bytes"):
        formats._safe_scalar(np.dtype("int64"), b"\x07")
    with pytest.raises(UnsafePickleError, match="Python objects"):
        formats._safe_scalar(np.dtype(object), b"\x00" * 8)


def test_a_list_part_whose_items_differ_is_a_format_error(tmp_path):
    (X, y), validation, test = expected_splits()
    ragged = [[X[0], X[1][:10]], list(y[:2])]
    raw = pickle.dumps((ragged, validation, test), protocol=2)
    with pytest.raises(MNISTFormatError, match="train part is a list whose items"):
        read_mnist_pickle(write(tmp_path / "ragged.pkl", raw))


def test_python2_style_pickle_with_numpy_core_names_loads(tmp_path):
    # The book's file names numpy.core.multiarray._reconstruct (NumPy 1 / Python 2).
    X, y = expected_splits()[0]
    raw = pickle.dumps(((X, y), (X, y), (X, y)), protocol=2)
    raw = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray" in raw
    data = read_mnist_pickle(write(tmp_path / "p.pkl.gz", gz(raw)))
    np.testing.assert_array_equal(data.test.X, X)


# ---------------------------------------------------------------------------------------
# Corrupt and wrong files
# ---------------------------------------------------------------------------------------


def test_corrupt_and_truncated_pickles_raise_format_errors(tmp_path):
    not_gzip = write(tmp_path / "a.pkl.gz", b"\x1f\x8b\x08garbage that is not deflate")
    with pytest.raises(MNISTFormatError, match=r"a\.pkl\.gz"):
        load_mnist(not_gzip, cache=False)
    truncated = write(tmp_path / "b.pkl.gz", GOOD_PICKLE[: len(GOOD_PICKLE) // 2])
    with pytest.raises(MNISTFormatError, match="corrupt or truncated"):
        load_mnist(truncated, cache=False)


@pytest.mark.parametrize(
    ("splits", "match"),
    [
        ("two parts", "expected a tuple"),
        ("bad shape", "must have shape"),
        ("bad label", "labels must be digits 0..9"),
        ("bad pixel", r"pixels must be finite and in \[0, 1\]"),
        ("length", r"labels must have shape \(30,\)"),
    ],
)
def test_wrong_contents_are_named(tmp_path, splits, match):
    good = [list(p) for p in expected_splits()]
    if splits == "two parts":
        good = good[:2]
    elif splits == "bad shape":
        good[1][0] = good[1][0].reshape(-1, 28, 28)
    elif splits == "bad label":
        good[2][1] = good[2][1] + 10
    elif splits == "bad pixel":
        good[0][0] = good[0][0] * 255
    elif splits == "length":
        good[0][1] = good[0][1][:-1]
    path = write(tmp_path / "m.pkl.gz", book_pickle(good))
    with pytest.raises(MNISTFormatError, match=match):
        load_mnist(path, cache=False)


def test_read_idx_checks_magic_and_size(tmp_path):
    images = _tiny_images()[0]
    good = write(tmp_path / "plain-idx3-ubyte", idx_bytes(images))  # uncompressed works too
    np.testing.assert_array_equal(read_idx(good), images)
    cut = write(tmp_path / "cut.gz", gz(idx_bytes(images)[:-100]))
    with pytest.raises(MNISTFormatError, match="truncated"):
        read_idx(cut)
    extra = write(tmp_path / "extra", idx_bytes(images) + b"\0")
    with pytest.raises(MNISTFormatError, match="trailing bytes"):
        read_idx(extra)
    magic = write(tmp_path / "magic", b"\x12\x34\x08\x03" + idx_bytes(images)[4:])
    with pytest.raises(MNISTFormatError, match="bad IDX magic number 0x12340803"):
        read_idx(magic)
    huge = write(tmp_path / "huge", b"\0\0\x08\x03" + b"\xff" * 12 + b"\0" * 64)
    with pytest.raises(MNISTFormatError, match="truncated: the header promises"):
        read_idx(huge)
    short = write(tmp_path / "short", b"\0\0\x08\x03\0\0")
    with pytest.raises(MNISTFormatError, match="truncated IDX header"):
        read_idx(short)
    broken = write(tmp_path / "broken.gz", gz(idx_bytes(images))[:50])
    with pytest.raises(MNISTFormatError, match="corrupt or truncated"):
        read_idx(broken)


def test_idx_folder_with_mismatched_counts(tmp_path):
    for name, data in GOOD_IDX.items():
        write(tmp_path / name, data)
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", gz(idx_bytes(np.zeros(5, np.uint8))))
    with pytest.raises(MNISTFormatError, match=r"has 12 images but .* has 5 labels"):
        load_mnist(tmp_path, cache=False)


# ---------------------------------------------------------------------------------------
# Files that are not what they seem: FIFOs, devices, bombs, huge declarations
# ---------------------------------------------------------------------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")


def refused_quickly(call, match):
    start = time.monotonic()
    with pytest.raises(MNISTFormatError, match=match) as info:
        call()
    assert time.monotonic() - start < 1.0
    return info.value


@posix_only
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path, monkeypatch):
    fifo = tmp_path / "mnist.pkl.gz"
    os.mkfifo(fifo)
    refused_quickly(lambda: load_mnist(fifo, cache=False), r"mnist\.pkl\.gz: is a FIFO")
    # In a folder found by NNSCRATCH_DATA, a FIFO is named, not skipped.
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path))
    refused_quickly(lambda: load_mnist(cache=False), "is a FIFO")
    monkeypatch.delenv("NNSCRATCH_DATA")
    if Path("/dev/zero").exists():
        monkeypatch.setenv("NNSCRATCH_DATA", "/dev/zero")
        err = refused_quickly(
            lambda: load_mnist(cache=False), r"MNIST file /dev/zero: is a character device"
        )
        assert "expected a regular file" in str(err)
    idx = tmp_path / "idx"
    for name, data in GOOD_IDX.items():
        write(idx / name, data)
    (idx / "t10k-labels-idx1-ubyte.gz").unlink()
    os.mkfifo(idx / "t10k-labels-idx1-ubyte.gz")
    refused_quickly(lambda: load_mnist(idx, cache=False), r"t10k-labels.*: is a FIFO")
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / "mnist.npz")
    refused_quickly(lambda: load_mnist(cache / "mnist.npz"), "MNIST cache .*: is a FIFO")


def test_a_gzip_bomb_stops_at_the_cap(tmp_path, monkeypatch):
    # A pickle of 8 MiB of bytes: the unpickler keeps reading, so only the cap stops it.
    monkeypatch.setattr(formats, "MAX_DATA_BYTES", 2**20)
    bomb = write(tmp_path / "mnist.pkl.gz", gz(pickle.dumps(bytes(8 * 2**20), protocol=2)))
    assert bomb.stat().st_size < 20_000
    refused_quickly(
        lambda: load_mnist(bomb, cache=False),
        r"MNIST file .*mnist\.pkl\.gz: decompresses past the limit; at most 1 MiB",
    )
    idx = tmp_path / "idx"
    for name, data in GOOD_IDX.items():
        write(idx / name, data)
    header = b"\0\0\x08\x03" + struct.pack(">3I", 10_000, 28, 28)
    write(idx / "train-images-idx3-ubyte.gz", gz(header + bytes(8 * 2**20)))
    refused_quickly(lambda: load_mnist(idx, cache=False), "decompresses past the limit")


class _HugeArray:
    def __reduce__(self):
        return (formats._reconstruct_function(), (np.ndarray, (2**40,), b"f8"))


def test_huge_declared_sizes_are_refused_before_allocating(tmp_path):
    huge = write(tmp_path / "huge.pkl", pickle.dumps(((_HugeArray(),),), protocol=2))
    refused_quickly(
        lambda: read_mnist_pickle(huge),
        r"huge\.pkl: an array in the pickle: declares an array of shape \(1099511627776,\) "
        r"float64: 8 TiB; at most",
    )
    images = write(
        tmp_path / "idx.gz", gz(b"\0\0\x08\x03" + struct.pack(">3I", 2**20, 2**10, 2**10))
    )
    refused_quickly(lambda: read_idx(images), r"truncated: the header promises 1048576x1024x1024")
    # An .npz cache whose .npy header declares 256 TiB.
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**45,)}
    )
    cache = tmp_path / "mnist.npz"
    with zipfile.ZipFile(cache, "w") as archive:
        archive.writestr("format.npy", _npy(np.array("nnscratch-mnist-cache-1")))
        archive.writestr("train_X_u8.npy", header.getvalue())
    refused_quickly(
        lambda: load_mnist(cache, cache=False),
        r"array 'train_X_u8': declares an array of shape \(35184372088832,\) float64: 256 TiB",
    )


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# The .npz cache
# ---------------------------------------------------------------------------------------


def test_cache_is_used_then_a_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    source = write(tmp_path / "data" / "mnist.pkl.gz", GOOD_PICKLE)
    cache_dir = tmp_path / "cache"
    assert_tiny(load_mnist(source, cache_dir=cache_dir))
    cache_file = cache_dir / "mnist.npz"
    with np.load(cache_file, allow_pickle=False) as z:
        assert str(z["format"]) == "nnscratch-mnist-cache-1"

    # The second load reads the cache, not the pickle.
    real_reader = mnist_load.read_mnist_pickle

    def refuse(path):
        raise AssertionError("the source was read although the cache is valid")

    monkeypatch.setattr(mnist_load, "read_mnist_pickle", refuse)
    assert_tiny(load_mnist(source, cache_dir=cache_dir))
    monkeypatch.setattr(mnist_load, "read_mnist_pickle", real_reader)

    lone_array = io.BytesIO()
    np.save(lone_array, np.zeros(3))
    needs_pickle = io.BytesIO()
    np.savez(needs_pickle, format=np.array(["a", 1], dtype=object))
    damages = [
        b"PK\x03\x04 broken zip",
        cache_file.read_bytes()[:-200],
        b"",
        lone_array.getvalue(),
        needs_pickle.getvalue(),
    ]
    for damage in damages:
        cache_file.write_bytes(damage)
        assert_tiny(load_mnist(source, cache_dir=cache_dir))
        with np.load(cache_file, allow_pickle=False) as z:  # rebuilt, complete again
            assert z["train_X_u8"].shape == (30, 784)
    assert leftovers(cache_dir) == ["mnist.npz"]


def test_cache_with_wrong_contents_or_stale_source_is_rebuilt(tmp_path):
    source = write(tmp_path / "mnist.pkl.gz", GOOD_PICKLE)
    cache_dir = tmp_path / "cache"
    load_mnist(source, cache_dir=cache_dir)
    cache_file = cache_dir / "mnist.npz"
    np.savez(cache_file, format=np.array("nnscratch-mnist-cache-1"), train_y=np.arange(3))
    assert_tiny(load_mnist(source, cache_dir=cache_dir))

    # Replace the source: the cache notices and follows it.
    splits = [list(p) for p in expected_splits()]
    splits[2][1] = (splits[2][1] + 1) % 10
    write(source, book_pickle(splits))
    os.utime(source, ns=(time.time_ns(), time.time_ns() + 10**9))
    data = load_mnist(source, cache_dir=cache_dir)
    np.testing.assert_array_equal(data.test.y, splits[2][1])


def test_a_foreign_npz_given_by_the_user_is_refused_not_deleted(tmp_path):
    mine = tmp_path / "mine.npz"
    np.savez(mine, weights=np.zeros(3))
    with pytest.raises(MNISTFormatError, match="not an nnscratch MNIST cache"):
        load_mnist(mine, cache_dir=tmp_path / "cache")
    assert mine.exists()


def test_the_cache_npz_can_be_given_as_the_path(tmp_path):
    load_mnist(write(tmp_path / "mnist.pkl.gz", GOOD_PICKLE), cache_dir=tmp_path / "c")
    assert_tiny(load_mnist(tmp_path / "c" / "mnist.npz", cache=False))


def test_unwritable_cache_does_not_stop_loading(tmp_path):
    source = write(tmp_path / "mnist.pkl.gz", GOOD_PICKLE)
    blocker = write(tmp_path / "file-not-folder", b"x")  # the cache dir cannot be created
    assert_tiny(load_mnist(source, cache_dir=blocker / "cache"))


# ---------------------------------------------------------------------------------------
# Where the data is found
# ---------------------------------------------------------------------------------------


def test_nnscratch_data_file_folder_and_idx_folder(tmp_path, monkeypatch):
    offline = MNISTSources(pickle_urls=(refused_url(),), idx_mirrors=())
    pickle_file = write(tmp_path / "book" / "mnist.pkl.gz", GOOD_PICKLE)
    for name, data in GOOD_IDX.items():
        write(tmp_path / "idx" / name, data)
    for target in (pickle_file, pickle_file.parent, tmp_path / "idx"):
        monkeypatch.setenv("NNSCRATCH_DATA", str(target))
        assert_tiny(load_mnist(cache_dir=tmp_path / "cache", sources=offline, download=True))

    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "nowhere.pkl.gz"))
    with pytest.raises(FileNotFoundError, match=r"NNSCRATCH_DATA=.*nowhere\.pkl\.gz does not"):
        load_mnist(cache_dir=tmp_path / "cache", sources=offline)
    # An explicit path wins over the environment.
    assert_tiny(load_mnist(pickle_file, cache_dir=tmp_path / "cache"))

    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "book" / "nothing-here"))
    (tmp_path / "book" / "nothing-here").mkdir()
    with pytest.raises(FileNotFoundError, match="a folder without MNIST"):
        load_mnist(cache=False)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path .*missing\.pkl\.gz does not exist"):
        load_mnist(tmp_path / "missing.pkl.gz")
    one = write(tmp_path / "train-images-idx3-ubyte.gz", GOOD_IDX["train-images-idx3-ubyte.gz"])
    with pytest.raises(ValueError, match="one IDX file; give the folder holding all four"):
        load_mnist(one, cache=False)


def test_data_placed_in_the_cache_dir_by_hand_is_found(tmp_path):
    write(tmp_path / "mnist.pkl.gz", GOOD_PICKLE)
    offline = MNISTSources(pickle_urls=(refused_url(),), idx_mirrors=())
    assert_tiny(load_mnist(cache_dir=tmp_path, sources=offline))
    # Without the pickle the verified .npz copy alone is enough.
    (tmp_path / "mnist.pkl.gz").unlink()
    assert_tiny(load_mnist(cache_dir=tmp_path, sources=offline, download=False))


def test_the_books_layout_is_found_before_the_cache(tmp_path, monkeypatch):
    offline = MNISTSources(pickle_urls=(refused_url(),), idx_mirrors=())
    book = tmp_path / "book"
    (book / "src").mkdir(parents=True)
    write(book / "data" / "mnist.pkl.gz", GOOD_PICKLE)
    # Something else in the cache dir, to see which one wins.
    other = [list(p) for p in expected_splits()]
    other[2][1] = (other[2][1] + 1) % 10
    cache_dir = tmp_path / "cache"
    write(cache_dir / "mnist.pkl.gz", book_pickle(other))

    monkeypatch.chdir(book / "src")  # where the book's programs run
    data = load_mnist(cache_dir=cache_dir, sources=offline, download=False)
    assert_tiny(data)  # ../data/mnist.pkl.gz, not the cache dir's file
    # ./mnist.pkl.gz comes after ../data/mnist.pkl.gz, and before the cache.
    write(book / "src" / "mnist.pkl.gz", book_pickle(other))
    assert_tiny(load_mnist(cache_dir=cache_dir, sources=offline, download=False))
    (book / "data" / "mnist.pkl.gz").unlink()
    data = load_mnist(cache_dir=cache_dir, sources=offline, download=False)
    np.testing.assert_array_equal(data.test.y, other[2][1])
    # NNSCRATCH_DATA comes first of all.
    monkeypatch.setenv("NNSCRATCH_DATA", str(write(tmp_path / "env" / "m.pkl.gz", GOOD_PICKLE)))
    assert_tiny(load_mnist(cache_dir=cache_dir, sources=offline, download=False))
    # A broken file in the book's layout is reported, not skipped.
    monkeypatch.delenv("NNSCRATCH_DATA")
    write(book / "src" / "mnist.pkl.gz", b"not a pickle")
    with pytest.raises(MNISTFormatError, match=r"mnist\.pkl\.gz"):
        load_mnist(cache_dir=cache_dir, sources=offline, download=False)


def test_as_bytes_gives_the_files_bytes_from_every_source(tmp_path):
    train, train_labels, test, test_labels = _tiny_images()
    for name, data in GOOD_IDX.items():
        write(tmp_path / "idx" / name, data)
    sources = [
        tmp_path / "idx",
        write(tmp_path / "mnist.pkl.gz", GOOD_PICKLE),
    ]
    for source in sources:
        for cache in (False, True, True):  # no cache; writing it; reading it
            data = load_mnist(source, cache_dir=tmp_path / f"cache-{source.name}", cache=cache,
                              as_bytes=True)  # fmt: skip
            X = np.concatenate([data.train.X, data.validation.X])
            assert X.dtype == np.uint8 and data.test.X.dtype == np.uint8
            np.testing.assert_array_equal(X, train.reshape(-1, 784))
            np.testing.assert_array_equal(data.test.X, test.reshape(-1, 784))
            y = np.concatenate([data.train.y, data.validation.y])
            np.testing.assert_array_equal(y, train_labels)
            np.testing.assert_array_equal(data.test.y, test_labels)
            assert data.train.y.dtype == np.int64
    # Pixels that are not multiples of 1/256 have no byte form.
    splits = [list(p) for p in expected_splits()]
    splits[0][0] = splits[0][0] + np.float32(0.001)
    odd = write(tmp_path / "odd.pkl.gz", book_pickle(splits))
    with pytest.raises(MNISTFormatError, match="not multiples of 1/256"):
        load_mnist(odd, cache=False, as_bytes=True)
    with pytest.raises(TypeError, match="as_bytes must be True or False"):
        load_mnist(odd, as_bytes="yes")


def test_keras_own_mnist_npz_is_read_with_the_books_split(tmp_path):
    train, train_labels, test, test_labels = _tiny_images()
    path = tmp_path / "keras" / "mnist.npz"
    path.parent.mkdir()
    np.savez(path, x_train=train, y_train=train_labels, x_test=test, y_test=test_labels)
    assert_tiny(load_mnist(path, cache=False))
    data = load_mnist(path, cache=False, as_bytes=True)
    np.testing.assert_array_equal(data.validation.X, train[30:].reshape(-1, 784))
    np.savez(path, x_train=train.astype(np.float32), y_train=train_labels, x_test=test,
             y_test=test_labels)  # fmt: skip
    with pytest.raises(MNISTFormatError, match=r"x_train must be uint8 images"):
        load_mnist(path, cache=False)


def test_default_cache_dir_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "nnscratch"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "nnscratch"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_dir() == tmp_path / "home" / "Library" / "Caches" / "nnscratch"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert default_cache_dir() == tmp_path / "local" / "nnscratch" / "Cache"


# ---------------------------------------------------------------------------------------
# The real file
# ---------------------------------------------------------------------------------------

# NNSCRATCH_DATA is read once, here: the autouse fixture above clears it for each test.
REAL_DATA = os.environ.get("NNSCRATCH_DATA", "")


def real_pickle() -> Path | None:
    """The book's mnist.pkl.gz named by NNSCRATCH_DATA (the file, or a folder holding it)."""
    if not REAL_DATA:
        return None
    path = Path(REAL_DATA)
    path = path / "mnist.pkl.gz" if path.is_dir() else path
    return path if path.is_file() and path.name.endswith(".pkl.gz") else None


@pytest.fixture(scope="module")
def real_mnist(tmp_path_factory):
    path = real_pickle()
    if path is None:
        pytest.skip(
            "set NNSCRATCH_DATA to the folder holding mnist.pkl.gz (the book's file) to run "
            "the real-data tests"
        )
    cache_dir = tmp_path_factory.mktemp("mnist-cache")
    return path, cache_dir, load_mnist(path, cache_dir=cache_dir)


def test_real_file_has_the_books_split(real_mnist):
    path, _, data = real_mnist
    assert M.PICKLE_SHA256 == sources.sha256_of(path)
    sizes = {"train": 50_000, "validation": 10_000, "test": 10_000}
    for name, (X, y) in zip(data._fields, data):
        assert X.shape == (sizes[name], 784) and X.dtype == np.float32
        assert y.shape == (sizes[name],) and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == np.float32(255 / 256)
        assert set(np.unique(y)) == set(range(10))
    assert data.train.y[:5].tolist() == [5, 0, 4, 1, 9]  # the first digits of MNIST
    assert data.test.y[:5].tolist() == [7, 2, 1, 0, 4]


def test_real_file_cache_round_trip(real_mnist):
    path, cache_dir, data = real_mnist
    again = load_mnist(path, cache_dir=cache_dir)
    for a, b in zip(data, again):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)


def test_real_data_as_idx_files_gives_the_same_arrays(real_mnist, tmp_path):
    # Rebuild the official 60,000 + 10,000 IDX layout from the book's file (uncompressed,
    # to keep this fast): the IDX reader must split it back exactly as the book did.
    _, _, data = real_mnist

    def as_bytes(X):
        return np.rint(X * 256).astype(np.uint8).reshape(-1, 28, 28)

    train_images = np.concatenate([as_bytes(data.train.X), as_bytes(data.validation.X)])
    train_labels = np.concatenate([data.train.y, data.validation.y]).astype(np.uint8)
    arrays = {
        "train_images": train_images,
        "train_labels": train_labels,
        "test_images": as_bytes(data.test.X),
        "test_labels": data.test.y.astype(np.uint8),
    }
    for key, array in arrays.items():
        write(tmp_path / IDX_FILES[key].removesuffix(".gz"), idx_bytes(array))
    from_idx = load_mnist(tmp_path, cache=False)
    for a, b in zip(data, from_idx):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)

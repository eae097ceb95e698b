"""CIFAR-10: the binary archive downloaded into the cache with its MD5 checked, or read
from a path (the archive, or its files unpacked); the records' colour planes become Keras'
channels-last images; files that are not CIFAR-10 are refused; Keras' ``load_data``.

The archives here are tiny ones made by the test (a few records a batch) and served from
127.0.0.1 with their own checksum; the real 170 MB download is not run (the tests must
pass offline)."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile

import numpy as np
import pytest

from local_server import Server, running
from nnscratch import keras
from nnscratch.data import cifar10
from nnscratch.data.cifar10 import CIFARDownloadError, CIFARFormatError, load_cifar10

rng = np.random.default_rng(7)
TRAIN = rng.integers(0, 256, (15, 32, 32, 3), dtype=np.uint8)  # 3 images in each of 5 batches
TRAIN_LABELS = rng.integers(0, 10, (15, 1)).astype(np.uint8)
TEST = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
TEST_LABELS = rng.integers(0, 10, (4, 1)).astype(np.uint8)


def records(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The binary version's records: a label byte, then the red, green and blue planes."""
    planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # (n, 3 * 32 * 32)
    return np.hstack([labels.reshape(-1, 1), planes]).astype(np.uint8).tobytes()


def batch_files(**replaced: bytes) -> dict[str, bytes]:
    files = {
        f"data_batch_{i + 1}.bin": records(
            TRAIN[3 * i : 3 * i + 3], TRAIN_LABELS[3 * i : 3 * i + 3]
        )
        for i in range(5)
    }
    files["test_batch.bin"] = records(TEST, TEST_LABELS)
    return {**files, **replaced}


def archive(files: dict[str, bytes] | None = None) -> bytes:
    """A ``.tar.gz`` laid out as the authors' (the folder, the meta file, the batches)."""
    members = {"batches.meta.txt": b"\n".join(n.encode() for n in cifar10.CLASS_NAMES)}
    members.update(batch_files() if files is None else files)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(out.getvalue(), mtime=0)


ARCHIVE = archive()
MD5 = hashlib.md5(ARCHIVE).hexdigest()


@pytest.fixture
def srv():
    with running() as server:
        yield server


def serve(srv: Server, path: str, data: bytes = ARCHIVE) -> str:
    srv.routes[path] = data
    return srv.url(path)


def assert_tiny(data) -> None:
    arrays = [*data[0], *data[1]]  # x_train, y_train, x_test, y_test
    for got, want in zip(arrays, (TRAIN, TRAIN_LABELS, TEST, TEST_LABELS)):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_records_are_read_as_channels_last_images():
    red = np.zeros((1, 32, 32, 3), np.uint8)
    red[0, 0, 1, 0] = 200  # row 0, column 1, red
    images, labels = cifar10.read_records(records(red, np.array([[3]])))
    assert images.shape == (1, 32, 32, 3) and labels.tolist() == [[3]]
    assert images[0, 0, 1].tolist() == [200, 0, 0]
    record = bytearray(3073)
    record[1 + 1024 + 32 * 2 + 5] = 99  # the green plane's row 2, column 5
    images, _ = cifar10.read_records(bytes(record))
    assert images[0, 2, 5].tolist() == [0, 99, 0]


def test_downloads_verifies_and_then_reads_the_cache(srv, tmp_path):
    url = serve(srv, "/c/cifar-10-binary.tar.gz")
    assert_tiny(load_cifar10(cache_dir=tmp_path, urls=[url], md5=MD5, progress=False))
    assert [p.name for p in tmp_path.iterdir()] == ["cifar-10-binary.tar.gz"]
    srv.requests.clear()
    assert_tiny(load_cifar10(cache_dir=tmp_path, urls=[url], md5=MD5, progress=False))
    assert srv.requests == []  # intact in the cache: not fetched again


def test_a_bad_download_falls_back_to_the_next_url(srv, tmp_path):
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(b"half an archive from before")
    bad, good = serve(srv, "/a/x.tar.gz", b"not the archive"), serve(srv, "/b/x.tar.gz")
    assert_tiny(load_cifar10(cache_dir=tmp_path, urls=[bad, good], md5=MD5, progress=False))
    assert srv.requests == ["/a/x.tar.gz", "/b/x.tar.gz"]


def test_nothing_intact_is_an_error_naming_each_url(srv, tmp_path):
    bad = serve(srv, "/x/cifar.tar.gz", b"garbage")
    missing = srv.url("/nowhere.tar.gz")
    with pytest.raises(CIFARDownloadError, match=r"tried .*cifar.tar.gz \(.*MD5.*nowhere.tar.gz"):
        load_cifar10(cache_dir=tmp_path, urls=[bad, missing], md5=MD5, progress=False)
    assert list(tmp_path.iterdir()) == []  # no bad archive in place, no temporary file left


def test_the_archive_or_its_unpacked_folder_given_as_path(tmp_path):
    path = tmp_path / "cifar-10-binary.tar.gz"
    path.write_bytes(ARCHIVE)
    assert_tiny(load_cifar10(path))
    with tarfile.open(path) as tar:
        tar.extractall(tmp_path, filter="data")
    assert_tiny(load_cifar10(tmp_path))  # the folder holding cifar-10-batches-bin
    assert_tiny(load_cifar10(tmp_path / "cifar-10-batches-bin"))  # or that folder itself
    (tmp_path / "cifar-10-batches-bin" / "test_batch.bin").unlink()
    with pytest.raises(FileNotFoundError, match=r"has no test_batch\.bin"):
        load_cifar10(tmp_path / "cifar-10-batches-bin")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nothing.tar.gz")


@pytest.mark.parametrize(
    ("files", "says"),
    [
        (batch_files(**{"test_batch.bin": b"\x01" * 3074}), "3,074 bytes is not a whole number"),
        (batch_files(**{"data_batch_2.bin": b"\x0a" * 3073}), "labels must be 0..9, found 10"),
        ({k: v for k, v in batch_files().items() if k != "data_batch_5.bin"}, "has no .*batch_5"),
    ],
)
def test_archives_that_are_not_cifar10_are_refused(tmp_path, files, says):
    path = tmp_path / "c.tar.gz"
    path.write_bytes(archive(files))
    with pytest.raises(CIFARFormatError, match=says):
        load_cifar10(path)


def test_files_that_are_not_archives_are_refused_without_hanging(tmp_path, monkeypatch):
    path = tmp_path / "c.tar.gz"
    path.write_bytes(b"plain bytes")
    with pytest.raises(CIFARFormatError, match="corrupt or truncated gzip"):
        load_cifar10(path)
    path.write_bytes(gzip.compress(b"not a tar"))
    with pytest.raises(CIFARFormatError, match="not a tar archive"):
        load_cifar10(path)
    fifo = tmp_path / "fifo.tar.gz"
    os.mkfifo(fifo)
    with pytest.raises(CIFARFormatError, match="FIFO"):
        load_cifar10(fifo)
    monkeypatch.setattr(cifar10, "MAX_FILE_BYTES", 2 * 3073)  # a batch over the cap
    path.write_bytes(ARCHIVE)
    with pytest.raises(CIFARFormatError, match="over 6,146 bytes"):
        load_cifar10(path)
    many = {f"x{i}": b"" for i in range(70)}  # thousands of tiny members: refused early
    path.write_bytes(archive({**many, **batch_files()}))
    with pytest.raises(CIFARFormatError, match="more than 64 members"):
        load_cifar10(path)
    monkeypatch.setattr(cifar10, "MAX_FILE_BYTES", 10_000 * 3073)
    monkeypatch.setattr(cifar10, "MAX_INFLATED_BYTES", 100_000)  # inflating stops at the cap
    path.write_bytes(archive(batch_files(**{"data_batch_1.bin": bytes(3073 * 40)})))
    with pytest.raises(CIFARFormatError, match="decompresses past the limit"):
        load_cifar10(path)


def test_keras_load_data_reads_the_user_cache(tmp_path, monkeypatch):
    folder = tmp_path / "nnscratch" / "cifar-10"
    folder.mkdir(parents=True)
    (folder / "cifar-10-binary.tar.gz").write_bytes(ARCHIVE)
    monkeypatch.setattr(cifar10, "MD5", MD5)  # the tiny archive's own
    monkeypatch.setattr(cifar10, "URLS", ())  # nothing to fetch: it must come from the cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert_tiny(keras.datasets.cifar10.load_data())
    assert cifar10.CLASS_NAMES[6] == "frog"


def test_keras_data_sets_that_are_not_here_say_why():
    with pytest.raises(AttributeError, match=r"imdb'.*never does"):
        keras.datasets.imdb  # noqa: B018
    with pytest.raises(AttributeError, match=r"cifar100'.*cifar10, boston_housing and"):
        keras.datasets.cifar100  # noqa: B018


def test_tensorflows_cnn_tutorial_runs_on_it(tmp_path, monkeypatch, capsys):
    """TensorFlow's "Convolutional Neural Network (CNN)" tutorial, its code as written
    (fewer epochs), on a tiny archive in the user cache."""
    folder = tmp_path / "nnscratch" / "cifar-10"
    folder.mkdir(parents=True)
    (folder / "cifar-10-binary.tar.gz").write_bytes(ARCHIVE)
    monkeypatch.setattr(cifar10, "MD5", MD5)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from nnscratch.keras import datasets, layers, models

    (train_images, train_labels), (test_images, test_labels) = datasets.cifar10.load_data()
    train_images, test_images = train_images / 255.0, test_images / 255.0
    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(32, 32, 3)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10))
    model.summary()
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(
        train_images, train_labels, epochs=2, validation_data=(test_images, test_labels)
    )
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
    assert "Total params: 122,570" in capsys.readouterr().out  # the tutorial's count
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["val_loss"][-1] == pytest.approx(test_loss)
    assert test_acc == history.history["val_accuracy"][-1]

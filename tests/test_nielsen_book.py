"""The book's chapter 1-3 sessions, typed as the book types them (``import network``).

``install_book_modules()`` maps the book's module names to nnscratch's; the sessions run
from a folder laid out like the book's repository (``src/`` and ``data/mnist.pkl.gz``).
``backprop`` is checked against the book's equations written out here, one example at a
time, independently of the engine.
"""
# The book seeds the global np.random; mimicking it is the point of these tests.
# ruff: noqa: NPY002

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import nnscratch.nielsen as nielsen
from nnscratch.nielsen import _net, _threads


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def book_backprop(weights, biases, x, y, cross_entropy):
    """Equations BP1-BP4 for one example, as the book's ``backprop`` writes them."""
    activation, activations, zs = x, [x], []
    for b, w in zip(biases, weights):
        z = w @ activation + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    a = activations[-1]
    delta = (a - y) if cross_entropy else (a - y) * a * (1 - a)
    nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
    for layer in range(2, len(weights) + 1):
        s = sigmoid(zs[-layer])
        delta = (weights[-layer + 1].T @ delta) * s * (1 - s)
        nabla_b.insert(0, delta)
        nabla_w.insert(0, delta @ activations[-layer - 1].T)
    return nabla_b, nabla_w


def book_sgd(weights, biases, data, epochs, m, eta, cross_entropy=False, lmbda=0.0):
    """The book's SGD with per-example backprop (the reference for whole sessions)."""
    data = list(data)
    n = len(data)
    for _ in range(epochs):
        random.shuffle(data)
        for k in range(0, n, m):
            batch = data[k : k + m]
            nb = [np.zeros(b.shape) for b in biases]
            nw = [np.zeros(w.shape) for w in weights]
            for x, y in batch:
                db, dw = book_backprop(weights, biases, x, y, cross_entropy)
                nb = [a + d for a, d in zip(nb, db)]
                nw = [a + d for a, d in zip(nw, dw)]
            decay, step = 1 - eta * lmbda / n, eta / len(batch)
            weights = [decay * w - step * g for w, g in zip(weights, nw)]
            biases = [b - step * g for b, g in zip(biases, nb)]
    return weights, biases


def write_fake_mnist(path, n=(200, 40, 40), seed=0):
    """A small file in the format of the book's mnist.pkl.gz (digits as bright blocks)."""
    rng = np.random.RandomState(seed)
    parts = []
    for count in n:
        y = rng.randint(0, 10, size=count).astype(np.int64)
        X = (rng.randint(0, 64, size=(count, 784)) / 256).astype(np.float32)
        for i, label in enumerate(y):
            X[i, 70 * label : 70 * label + 60] = 250 / 256
        parts.append((X, y))
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as f:
        pickle.dump(tuple(parts), f, protocol=2)
    return parts


@pytest.fixture
def book_folder(tmp_path, monkeypatch):
    """The book's layout, ``data/mnist.pkl.gz`` beside ``src/``, with ``src/`` current;
    no NNSCRATCH_DATA and an empty cache, so the loader must find the book's file."""
    parts = write_fake_mnist(tmp_path / "book" / "data" / "mnist.pkl.gz")
    (tmp_path / "book" / "src").mkdir()
    monkeypatch.chdir(tmp_path / "book" / "src")
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return parts


@pytest.fixture
def book_modules(monkeypatch):
    """``install_book_modules()``, undone afterwards."""
    for name in nielsen.BOOK_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    installed = nielsen.install_book_modules()
    yield installed
    for name in installed:
        sys.modules.pop(name, None)


# -- the sessions --------------------------------------------------------------------------
def test_install_book_modules_maps_the_books_names(book_modules):
    import mnist_loader
    import network
    import network2
    import network3
    from network3 import ConvPoolLayer, FullyConnectedLayer, Network, SoftmaxLayer

    assert network is nielsen.network and network2 is nielsen.network2
    assert network3 is nielsen.network3 and Network is nielsen.network3.Network
    assert ConvPoolLayer.__module__.startswith("nnscratch.nielsen")
    assert (FullyConnectedLayer, SoftmaxLayer) == (
        network3.FullyConnectedLayer,
        network3.SoftmaxLayer,
    )
    assert mnist_loader is nielsen.mnist_loader
    assert set(book_modules) == set(nielsen.BOOK_MODULES)


def test_chapter1_session(book_folder, book_modules, capsys):
    import mnist_loader
    import network

    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    assert (len(training_data), len(validation_data), len(test_data)) == (200, 40, 40)
    np.random.seed(0)
    random.seed(0)
    net = network.Network([784, 30, 10])
    start = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    net.SGD(training_data, 2, 10, 3.0, test_data=test_data)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 0", "Epoch 1"]
    assert all(line.endswith(" / 40") for line in lines)

    random.seed(0)
    weights, biases = book_sgd(*start, training_data, 2, 10, 3.0)
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-11)
    correct = sum(
        int(np.argmax(net.feedforward(x)) == y) for x, y in test_data
    )  # the book's evaluate, one example at a time
    assert net.evaluate(test_data) == correct == int(lines[-1].split()[2])
    # without test data: "Epoch j complete"
    net.SGD(training_data, 1, 10, 3.0)
    assert capsys.readouterr().out == "Epoch 0 complete\n"


def test_chapter1_defaults_are_network_py(book_modules):
    import network

    np.random.seed(5)
    b = [np.random.randn(y, 1) for y in (4, 2)]
    w = [np.random.randn(y, x) for x, y in ((3, 4), (4, 2))]
    np.random.seed(5)
    net = network.Network([3, 4, 2])
    assert net.cost is nielsen.QuadraticCost and net.num_layers == 3
    for ours, theirs in zip(net.weights + net.biases, w + b):
        np.testing.assert_array_equal(ours, theirs)
    a = np.array([[0.2], [0.5], [0.9]])
    y = np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(net.cost_derivative(a[:2], y), a[:2] - y)


def test_chapter3_session(book_folder, book_modules, capsys, tmp_path):
    import mnist_loader
    import network2

    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    np.random.seed(1)
    random.seed(1)
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    net.large_weight_initializer()
    start = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    ec, ea, tc, ta = net.SGD(
        training_data,
        2,
        10,
        0.5,
        lmbda=5.0,
        evaluation_data=validation_data,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
        monitor_training_accuracy=True,
    )
    lines = capsys.readouterr().out.split("\n")
    assert lines[:7] == [
        "Epoch 0 training complete",
        f"Cost on training data: {tc[0]}",
        f"Accuracy on training data: {ta[0]} / 200",
        f"Cost on evaluation data: {ec[0]}",
        f"Accuracy on evaluation data: {ea[0]} / 40",
        "",  # network2 prints an empty line after each epoch
        "Epoch 1 training complete",
    ]
    random.seed(1)
    weights, biases = book_sgd(*start, training_data, 2, 10, 0.5, cross_entropy=True, lmbda=5.0)
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-11)
    # the book's accuracy, with its convert flag
    assert net.accuracy(training_data, convert=True) == ta[-1]
    assert net.accuracy(validation_data) == ea[-1]
    assert net.total_cost(validation_data, 5.0, convert=True) == pytest.approx(ec[-1], rel=1e-12)

    path = tmp_path / "net.json"
    net.save(path)
    back = network2.load(path)
    assert isinstance(back, network2.Network) and back.cost is network2.CrossEntropyCost
    assert back.accuracy(test_data) == net.accuracy(test_data)


def test_network2_defaults_are_the_books(book_modules):
    import network2

    np.random.seed(3)
    b = [np.random.randn(y, 1) for y in (5, 2)]
    w = [np.random.randn(y, x) / np.sqrt(x) for x, y in ((4, 5), (5, 2))]
    np.random.seed(3)
    net = network2.Network([4, 5, 2])
    assert net.cost is network2.CrossEntropyCost
    for ours, theirs in zip(net.weights + net.biases, w + b):
        np.testing.assert_array_equal(ours, theirs)
    assert network2.Network([4, 2], cost=network2.QuadraticCost).cost is network2.QuadraticCost


def test_loader_finds_mnist_pkl_gz_in_the_current_folder(tmp_path, monkeypatch):
    parts = write_fake_mnist(tmp_path / "here" / "mnist.pkl.gz", n=(30, 10, 10))
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tr_x, _), _, (_, te_y) = nielsen.mnist_loader.load_data()
    np.testing.assert_array_equal(tr_x, parts[0][0])
    np.testing.assert_array_equal(te_y, parts[2][1])
    training_data, _, test_data = nielsen.mnist_loader.load_data_wrapper()
    assert isinstance(training_data, list) and training_data[0][0].shape == (784, 1)
    assert training_data[0][1].shape == (10, 1) and isinstance(test_data[0][1], int)


# -- chapter 2: backprop -------------------------------------------------------------------
@pytest.mark.parametrize("chapter", [1, 3])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_backprop_is_the_books_gradient_of_one_example(chapter, dtype):
    rng = np.random.RandomState(11)
    np.random.seed(2)
    sizes = [6, 5, 4, 3]
    if chapter == 1:
        net = nielsen.network.Network(sizes, dtype=dtype, print_fn=None)
    else:
        net = nielsen.network2.Network(sizes, dtype=dtype, print_fn=None)
        net.compile(0.5, lmbda=3.0, n=10)  # the L2 term must not enter backprop
    x, y = rng.rand(6, 1), np.eye(3)[:, [1]]
    nabla_b, nabla_w = net.backprop(x, y)
    w64 = [w.astype(float) for w in net.weights]
    b64 = [b.astype(float) for b in net.biases]
    ref_b, ref_w = book_backprop(w64, b64, x, y, cross_entropy=chapter == 3)
    tol = 1e-13 if dtype == "float64" else 1e-5
    assert [g.shape for g in nabla_w] == [w.shape for w in net.weights]
    assert [g.shape for g in nabla_b] == [b.shape for b in net.biases]
    for ours, theirs in zip(nabla_b + nabla_w, ref_b + ref_w):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=tol)
    # a digit as the label gives the same gradient as its one-hot column
    same_b, _ = net.backprop(x.ravel(), 1)
    np.testing.assert_array_equal(same_b[0], nabla_b[0])
    # and the regularizer is still there for training
    if chapter == 3:
        assert all("kernel" in layer.regularizers for layer in net.model.layers)


def test_update_mini_batch_is_the_books_step():
    rng = np.random.RandomState(4)
    batch = [(rng.rand(6, 1), np.eye(3)[:, [k % 3]]) for k in range(7)]
    np.random.seed(8)
    net = nielsen.network.Network([6, 4, 3], print_fn=None)
    nb = [np.zeros(x.shape) for x in net.biases]
    nw = [np.zeros(x.shape) for x in net.weights]
    for x, y in batch:
        db, dw = net.backprop(x, y)
        nb = [a + d for a, d in zip(nb, db)]
        nw = [a + d for a, d in zip(nw, dw)]
    w = [x - 2.0 / 7 * g for x, g in zip(net.weights, nw)]
    b = [x - 2.0 / 7 * g for x, g in zip(net.biases, nb)]
    net.update_mini_batch(batch, 2.0)
    for ours, theirs in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)


def test_backprop_checks_its_example():
    np.random.seed(0)
    net = nielsen.network.Network([4, 3], print_fn=None)
    with pytest.raises(ValueError, match=r"input column of shape \(4, 1\)"):
        net.backprop(np.zeros((5, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"output column of shape \(3, 1\)"):
        net.backprop(np.zeros((4, 1)), np.zeros((2, 1)))


# -- BLAS threads -----------------------------------------------------------------------------
def test_training_runs_on_one_blas_thread_for_the_books_sizes(monkeypatch):
    seen = []
    real = _net.blas_threads

    def recording(flops):
        seen.append((flops, _threads.threads_for(flops)))
        return real(flops)

    monkeypatch.setattr(_net, "blas_threads", recording)
    np.random.seed(0)
    net = nielsen.Network([784, 30, 10], print_fn=None)
    data = [(np.zeros((784, 1)), np.eye(10)[:, [k % 10]]) for k in range(20)]
    net.SGD(data, 1, 10, 3.0)
    assert seen == [(6.0 * 10 * (784 * 30 + 30 * 10), 1)]
    assert _threads.threads_for(_threads.SMALL_STEP_FLOPS) is None


# -- the book's JSON files, read as untrusted input -------------------------------------------
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    result = {}

    def load():
        try:
            nielsen.load(fifo)
        except ValueError as exc:
            result["error"] = str(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "load() blocked on a FIFO"
    assert "FIFO" in result["error"] and str(fifo) in result["error"]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "levels deep"),
        (b'{"sizes": [2, 1], "weights": [[[1e999, 2]]], "biases": [[[0]]], "cost": "X"}', "large"),
        (
            json.dumps(
                {"sizes": [100_000, 100_000], "weights": [], "biases": [], "cost": "QuadraticCost"}
            ).encode(),
            "declare 10,000,100,000 weights",
        ),
        (b'{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": 7}', "cost 7"),
    ],
)
def test_hostile_files_get_one_line_errors_naming_the_file(tmp_path, content, match):
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        nielsen.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_an_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    from nnscratch.nielsen import _files

    monkeypatch.setattr(_files, "MAX_NETWORK_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2000)
    with pytest.raises(ValueError, match=r"big\.json"):
        nielsen.load(path)


def test_save_names_the_file_when_it_cannot_write(tmp_path):
    np.random.seed(0)
    net = nielsen.network2.Network([3, 2], print_fn=None)
    target = tmp_path / "missing-folder" / "net.json"
    with pytest.raises(OSError, match="missing-folder"):
        net.save(target)
    net.save(Path(tmp_path / "net.json"))
    assert json.loads((tmp_path / "net.json").read_text())["sizes"] == [3, 2]

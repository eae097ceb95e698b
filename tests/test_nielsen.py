"""The Nielsen facade reproduces network.py / network2.py, on matrices, to rounding."""
# The book seeds the global np.random; mimicking it is the point of these tests.
# ruff: noqa: NPY002

from __future__ import annotations

import gzip
import itertools
import json
import os
import pickle
import random
from pathlib import Path

import numpy as np
import pytest

from nnscratch import SGD, Sequential, l2
from nnscratch.layers import Dense
from nnscratch.nielsen import (
    CrossEntropyCost,
    Network,
    QuadraticCost,
    load,
    mnist_loader,
    sigmoid,
    sigmoid_prime,
    vectorized_result,
)


def _real_mnist() -> Path | None:
    """The book's mnist.pkl.gz named by NNSCRATCH_DATA (the file or its folder), if any."""
    value = os.environ.get("NNSCRATCH_DATA")
    path = Path(value) if value else None
    if path is not None and path.is_dir():
        path = path / "mnist.pkl.gz"
    return path if path is not None and path.is_file() else None


MNIST_FILE = _real_mnist()


# -- the book's algorithm, one example at a time (the reference) ---------------------------
class BookNetwork:
    """network.py / network2.py as the book writes them: column vectors, per-example
    backprop summed over the mini-batch, ``random.shuffle`` of the training list."""

    def __init__(self, sizes, cost=None):
        self.sizes = sizes
        self.cost = cost or QuadraticCost
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        scale = (lambda x: np.sqrt(x)) if cost is not None else (lambda x: 1.0)
        self.weights = [np.random.randn(y, x) / scale(x) for x, y in itertools.pairwise(sizes)]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0, test_data=None):
        training_data = list(training_data)
        n = len(training_data)
        scores = []
        for _ in range(epochs):
            random.shuffle(training_data)
            mini_batches = [
                training_data[k : k + mini_batch_size] for k in range(0, n, mini_batch_size)
            ]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta, lmbda, n)
            if test_data:
                scores.append(sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data))
        return scores

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [
            (1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw
            for w, nw in zip(self.weights, nabla_w)
        ]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for layer in range(2, len(self.sizes)):
            z = zs[-layer]
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * sigmoid_prime(z)
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return nabla_b, nabla_w


def synthetic(n=300, n_in=12, n_out=4, seed=1, one_hot=True):
    """Separable-ish data in the book's format: ``[(x (n_in, 1), y), ...]``."""
    rng = np.random.RandomState(seed)
    centers = rng.rand(n_out, n_in)
    labels = rng.randint(0, n_out, size=n)
    X = np.clip(centers[labels] + 0.25 * rng.randn(n, n_in), 0, 1)
    eye = np.eye(n_out)
    if one_hot:
        return [(x.reshape(-1, 1), eye[:, [k]]) for x, k in zip(X, labels)]
    return [(x.reshape(-1, 1), int(k)) for x, k in zip(X, labels)]


def quiet(*args, **kwargs):
    return Network(*args, print_fn=None, **kwargs)


# -- fidelity -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cost", "eta", "lmbda", "batch"),
    [(None, 3.0, 0.0, 10), (CrossEntropyCost, 0.5, 5.0, 7), (QuadraticCost, 0.5, 2.0, 16)],
)
def test_one_epoch_equals_the_books_per_example_algorithm(cost, eta, lmbda, batch):
    sizes = [12, 9, 5, 4]
    data = synthetic()
    np.random.seed(3)
    random.seed(3)
    book = BookNetwork(sizes, cost)
    initial = [w.copy() for w in book.weights], [b.copy() for b in book.biases]
    book.SGD(list(data), 1, batch, eta, lmbda=lmbda)

    np.random.seed(3)
    random.seed(3)
    net = quiet(sizes, cost=cost) if cost is not None else quiet(sizes)
    # the initial draws are exactly the book's: biases first, then weights
    for ours, theirs in zip(net.weights + net.biases, initial[0] + initial[1]):
        np.testing.assert_array_equal(ours, theirs)
    net.SGD(list(data), 1, batch, eta, lmbda=lmbda)
    # the batch size does not divide 300 for batch 7 and 16: the short last batch counts
    for ours, theirs in zip(net.weights + net.biases, book.weights + book.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    # and the shuffling consumed the same random numbers
    assert random.random() == pytest.approx(_after_one_shuffle(3, len(data)))


def _after_one_shuffle(seed, n):
    random.seed(seed)
    random.shuffle(list(range(n)))
    return random.random()


def test_three_epochs_and_test_scores_match_the_book():
    sizes = [12, 8, 4]
    data, test = synthetic(seed=2), synthetic(n=100, seed=5, one_hot=False)
    np.random.seed(0)
    random.seed(0)
    book = BookNetwork(sizes)
    book_scores = book.SGD(data, 3, 10, 3.0, test_data=test)
    lines = []
    np.random.seed(0)
    random.seed(0)
    net = Network(sizes, print_fn=lines.append)
    net.SGD(data, 3, 10, 3.0, test_data=test)
    assert lines == [f"Epoch {j}: {s} / 100" for j, s in enumerate(book_scores)]
    for ours, theirs in zip(net.weights, book.weights):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-11)


def test_feedforward_matches_the_books_formula():
    np.random.seed(4)
    net = quiet([5, 3, 2])
    x = np.random.rand(5, 1)
    a = x
    for w, b in zip(net.weights, net.biases):
        a = sigmoid(w @ a + b)
    np.testing.assert_allclose(net.feedforward(x), a, rtol=1e-14)
    assert net.feedforward(x.ravel()).shape == (2, 1)
    with pytest.raises(ValueError, match=r"shape \(5, 1\)"):
        net.feedforward(np.zeros((4, 1)))


# -- the equivalences the facade rests on, one mini-batch at a time --------------------------
def _batch(m=6, n_in=5, n_out=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(m, n_in)
    Y = np.eye(n_out)[rng.randint(0, n_out, m)]
    return X, Y


def _engine(w, b, loss, eta, reg=None):
    model = Sequential(
        [Dense(w.shape[0], activation="sigmoid", kernel_regularizer=reg)], dtype="float64"
    )
    model.compile(optimizer=SGD(eta), loss=loss)
    model.build(w.shape[1])
    model.set_weights([w.T, b.ravel()])
    return model


@pytest.mark.parametrize(
    ("cost", "loss"),
    [(QuadraticCost, "quadratic"), (CrossEntropyCost, "binary_crossentropy")],
)
def test_books_update_is_engine_sgd_on_the_mean_loss(cost, loss):
    X, Y = _batch()
    rng = np.random.RandomState(1)
    w, b = rng.randn(3, 5), rng.randn(3, 1)
    eta, lmbda, n = 0.7, 3.0, 50
    # the book: per-example gradients, summed; w <- (1 - eta lmbda/n) w - eta/m sum
    nw, nb = np.zeros_like(w), np.zeros_like(b)
    for x, y in zip(X, Y):
        x, y = x.reshape(-1, 1), y.reshape(-1, 1)
        z = w @ x + b
        delta = cost.delta(z, sigmoid(z), y)
        nw += delta @ x.T
        nb += delta
    m = len(X)
    book_w = (1 - eta * lmbda / n) * w - eta / m * nw
    book_b = b - eta / m * nb
    model = _engine(w, b, loss, eta, reg=l2(lmbda / (2 * n)))
    model.train_on_batch(X, Y)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.T, book_w, rtol=0, atol=1e-14)
    np.testing.assert_allclose(bias.reshape(-1, 1), book_b, rtol=0, atol=1e-14)


def test_cross_entropy_is_fused_with_the_sigmoid():
    # delta = a - y even where the sigmoid saturates (its slope would be ~0)
    X, Y = _batch(m=4)
    w = np.full((3, 5), 8.0)
    b = np.zeros((3, 1))
    model = _engine(w, b, "binary_crossentropy", 1.0)
    grads = model.gradients(X, Y)
    a = sigmoid(X @ w.T)
    np.testing.assert_allclose(grads["0.bias"], (a - Y).mean(axis=0), atol=1e-14)


# -- data in every shape the readers pass -----------------------------------------------------
def test_zip_and_generator_inputs_and_repeated_calls():
    data = synthetic(n=120, seed=3)
    test = synthetic(n=40, seed=4, one_hot=False)
    xs, ys = zip(*data)
    tx, ty = zip(*test)
    lines = []
    np.random.seed(1)
    net = Network([12, 6, 4], print_fn=lines.append)
    training_zip, test_zip = zip(xs, ys), zip(tx, ty)
    net.SGD(training_zip, 1, 10, 3.0, test_data=test_zip)
    # the same (now exhausted) zip objects again: they were remembered
    net.SGD(training_zip, 1, 10, 3.0, test_data=test_zip)
    assert len(lines) == 2
    assert all(line.endswith(" / 40") for line in lines), lines
    # a generator, a tuple
    net.SGD((pair for pair in data), 1, 10, 3.0, test_data=tuple(test))
    assert lines[-1].endswith(" / 40")
    assert net.evaluate(iter(test)) == net.evaluate(test)


def test_a_fresh_empty_iterator_is_an_error_not_zero_over_zero():
    net = quiet([12, 4])
    with pytest.raises(ValueError, match="empty"):
        net.SGD(iter([]), 1, 10, 3.0)
    with pytest.raises(ValueError, match="test_data is empty"):
        net.SGD(synthetic(n=20), 1, 10, 3.0, test_data=zip([], []))


def test_integer_training_labels_and_one_hot_test_labels():
    np.random.seed(2)
    random.seed(2)
    a = quiet([12, 4])
    a.SGD(synthetic(n=60, one_hot=False), 1, 10, 1.0)
    np.random.seed(2)
    random.seed(2)
    b = quiet([12, 4])
    b.SGD(synthetic(n=60, one_hot=True), 1, 10, 1.0)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert a.evaluate(synthetic(n=50)) == a.evaluate(synthetic(n=50, one_hot=False))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([(np.zeros((11, 1)), 0)], r"shape \(12, 1\)"),
        ([(np.zeros((12, 1)), 7)], r"labels \[7\]"),
        ([(np.full((12, 1), np.nan), 1)], "NaN"),
        ([(np.zeros((12, 1)), 1.5)], "integer label"),
        ([np.zeros(12)], "pair"),
    ],
)
def test_bad_examples_are_named(data, match):
    net = quiet([12, 4])
    with pytest.raises((ValueError, TypeError), match=match):
        net.evaluate(data)


def test_bad_arguments():
    net = quiet([12, 4])
    data = synthetic(n=20)
    with pytest.raises(TypeError, match="test_data=test_data"):
        net.SGD(data, 1, 10, 3.0, synthetic(n=5, one_hot=False))
    with pytest.raises(ValueError, match="eta"):
        net.SGD(data, 1, 10, -1.0)
    with pytest.raises(ValueError, match="mini_batch_size"):
        net.SGD(data, 1, 0, 1.0)
    with pytest.raises(ValueError, match="evaluation_data"):
        net.SGD(data, 1, 10, 1.0, monitor_evaluation_accuracy=True)
    with pytest.raises(ValueError, match="monitor_evaluation_accuracy"):
        net.SGD(data, 1, 10, 1.0, early_stopping_n=2)
    with pytest.raises(ValueError, match="sizes"):
        Network([784])
    with pytest.raises(ValueError, match="positive integers"):
        Network([784, 0, 10])
    with pytest.raises(ValueError, match="CrossEntropyCost"):
        Network([2, 2], cost="LogCost")
    with pytest.raises(TypeError, match="NumPy array"):
        net.evaluate(np.zeros((3, 12)))


# -- network2 ------------------------------------------------------------------------------------
def test_monitor_lists_and_lines():
    lines = []
    np.random.seed(0)
    random.seed(0)
    net = Network([12, 8, 4], cost=CrossEntropyCost, print_fn=lines.append)
    train, evaluation = synthetic(n=200), synthetic(n=50, seed=9, one_hot=False)
    ec, ea, tc, ta = net.SGD(
        train,
        3,
        10,
        0.5,
        lmbda=1.0,
        evaluation_data=evaluation,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
        monitor_training_accuracy=True,
    )
    assert len(ec) == len(ea) == len(tc) == len(ta) == 3
    assert lines[0] == "Epoch 0 training complete"
    assert lines[1] == f"Cost on training data: {tc[0]}"
    assert lines[2] == f"Accuracy on training data: {ta[0]} / 200"
    assert lines[3] == f"Cost on evaluation data: {ec[0]}"
    assert lines[4] == f"Accuracy on evaluation data: {ea[0]} / 50"
    # the numbers are network2's total_cost and accuracy, computed one example at a time
    ref_cost = sum(CrossEntropyCost.fn(net.feedforward(x), y) for x, y in train) / 200
    ref_cost += 0.5 * (1.0 / 200) * sum(np.linalg.norm(w) ** 2 for w in net.weights)
    assert tc[-1] == pytest.approx(ref_cost, rel=1e-10)
    assert net.total_cost(train, 1.0) == pytest.approx(ref_cost, rel=1e-10)
    ref_acc = sum(int(np.argmax(net.feedforward(x)) == y) for x, y in evaluation)
    assert ea[-1] == ref_acc == net.accuracy(evaluation)
    assert tc[-1] < tc[0]


def test_early_stopping_stops_when_accuracy_stalls():
    lines = []
    np.random.seed(0)
    random.seed(0)
    net = Network([12, 4], cost=CrossEntropyCost, print_fn=lines.append)
    # a learning rate so small that the accuracy cannot move: stop after 2 stalled epochs
    _, ea, _, _ = net.SGD(
        synthetic(n=50),
        50,
        10,
        1e-12,
        evaluation_data=synthetic(n=30, one_hot=False),
        monitor_evaluation_accuracy=True,
        early_stopping_n=2,
    )
    assert len(ea) == 3
    assert ea[0] == ea[1] == ea[2]


def test_default_and_large_weight_initializers_follow_the_book():
    np.random.seed(7)
    b = [np.random.randn(y, 1) for y in (6, 4)]
    w = [np.random.randn(y, x) for x, y in ((10, 6), (6, 4))]
    np.random.seed(7)
    net = quiet([10, 6, 4], cost=CrossEntropyCost)
    for ours, theirs in zip(net.weights, w):
        np.testing.assert_array_equal(ours, theirs / np.sqrt(theirs.shape[1]))
    np.random.seed(7)
    net.large_weight_initializer()
    for ours, theirs in zip(net.weights + net.biases, w + b):
        np.testing.assert_array_equal(ours, theirs)


def test_weights_are_views_of_the_engine_model_and_write_through():
    np.random.seed(0)
    net = quiet([4, 3, 2])
    kernel = net.model.layers[0].params["kernel"]
    net.weights[0][1, 2] = 5.0
    assert kernel[2, 1] == 5.0
    net.weights[1] = np.ones((2, 3))
    np.testing.assert_array_equal(net.model.layers[1].params["kernel"], np.ones((3, 2)))
    net.biases = [np.zeros((3, 1)), np.full((2, 1), 2.0)]
    np.testing.assert_array_equal(net.model.layers[1].params["bias"], [2.0, 2.0])
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\)"):
        net.weights[1] = np.ones((3, 2))
    with pytest.raises(ValueError, match="NaN"):
        net.biases = [np.zeros((3, 1)), np.full((2, 1), np.nan)]


# -- files -------------------------------------------------------------------------------------
def test_save_load_round_trip_in_the_books_format(tmp_path):
    np.random.seed(0)
    random.seed(0)
    net = quiet([12, 5, 4], cost=CrossEntropyCost)
    net.SGD(synthetic(n=40), 1, 10, 0.5)
    path = tmp_path / "net.json"
    net.save(path)
    data = json.loads(path.read_text())
    assert set(data) == {"sizes", "weights", "biases", "cost"}
    assert data["cost"] == "CrossEntropyCost" and data["sizes"] == [12, 5, 4]
    state = np.random.get_state()[1].copy()
    back = load(path)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched
    assert back.cost is CrossEntropyCost and back.sizes == [12, 5, 4]
    for a, b in zip(back.weights + back.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)
    test = synthetic(n=30, one_hot=False)
    assert back.evaluate(test) == net.evaluate(test)
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary file left


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    np.random.seed(0)
    quiet([3, 2]).save(path)
    before = path.read_text()
    np.random.seed(1)
    net = quiet([3, 2])

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr("nnscratch.files.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        net.save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b'{"sizes": [2, 1], "weights": [], "biases": []}', "missing cost"),
        (b'{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": "X"}', "cost"),
        (b'{"sizes": [2, -1], "weights": [], "biases": [], "cost": "QuadraticCost"}', "sizes"),
        (
            b'{"sizes": [2, 1], "weights": [[[1, 2, 3]]], "biases": [[[0]]], '
            b'"cost": "QuadraticCost"}',
            r"weights\[0\] has shape \(1, 3\)",
        ),
        (
            b'{"sizes": [2, 1], "weights": [[["a", 2]]], "biases": [[[0]]], '
            b'"cost": "QuadraticCost"}',
            "numbers",
        ),
        (
            b'{"sizes": [2, 1], "weights": [[[NaN, 2]]], "biases": [[[0]]], '
            b'"cost": "QuadraticCost"}',
            "NaN",
        ),
    ],
)
def test_corrupt_files_raise_clear_errors(tmp_path, content, match):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.json")


# -- the loader ------------------------------------------------------------------------------------
def write_fake_mnist(path, n=(60, 20, 20), seed=0):
    """A small file in the format of the book's mnist.pkl.gz."""
    rng = np.random.RandomState(seed)
    parts = []
    for count in n:
        X = rng.randint(0, 256, size=(count, 784)).astype(np.float32) / 256
        y = rng.randint(0, 10, size=count).astype(np.int64)
        parts.append((X, y))
    with gzip.open(path, "wb") as f:
        pickle.dump(tuple(parts), f, protocol=2)
    return parts


def test_loader_returns_lists_in_the_books_shapes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    parts = write_fake_mnist(tmp_path / "mnist.pkl.gz")
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "mnist.pkl.gz"))
    (tr_x, _), _, te = mnist_loader.load_data()
    np.testing.assert_array_equal(tr_x, parts[0][0])
    np.testing.assert_array_equal(te[1], parts[2][1])
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    assert isinstance(training_data, list) and len(training_data) == 60
    assert len(validation_data) == 20 and len(test_data) == 20
    x, y = training_data[3]
    assert x.shape == (784, 1) and y.shape == (10, 1)
    np.testing.assert_array_equal(y, vectorized_result(int(parts[0][1][3])))
    x, y = test_data[5]
    assert x.shape == (784, 1) and isinstance(y, int) and y == parts[2][1][5]
    # the lists can be used twice
    np.random.seed(0)
    net = Network([784, 10, 10], print_fn=None)
    net.SGD(training_data, 1, 10, 3.0, test_data=test_data)
    net.SGD(training_data, 1, 10, 3.0, test_data=test_data)
    assert 0 <= net.evaluate(test_data) <= 20


def test_vectorized_result():
    e = vectorized_result(3)
    assert e.shape == (10, 1) and e[3, 0] == 1.0 and e.sum() == 1.0
    with pytest.raises(ValueError, match=r"0\.\.9"):
        vectorized_result(10)


@pytest.mark.slow
def test_real_mnist_short_run_reaches_an_accuracy_floor():
    if MNIST_FILE is None:
        pytest.skip("set NNSCRATCH_DATA to the book's mnist.pkl.gz to run this test")
    training_data, _, test_data = mnist_loader.load_data_wrapper(MNIST_FILE, cache=False)
    assert len(training_data) == 50_000 and len(test_data) == 10_000
    np.random.seed(0)
    random.seed(0)
    lines = []
    net = Network([784, 30, 10], dtype="float32", print_fn=lines.append)
    net.SGD(training_data, 1, 10, 3.0, test_data=test_data)
    correct = int(lines[0].split()[2])
    assert correct >= 8800, lines  # the book: about 9,100 after the first epoch


def test_examples_that_are_rows_of_one_array_become_its_rows_without_stacking():
    from nnscratch.nielsen._examples import to_matrices

    rng = np.random.default_rng(0)
    images = rng.random((6, 4), dtype=np.float32)
    eye = np.eye(3)
    data = [(x.reshape(4, 1), eye[:, [k % 3]]) for k, x in enumerate(images)]
    X, Y, vector = to_matrices(data, "training_data", 4, 3, np.dtype(np.float64))
    assert vector and np.shares_memory(X, images)  # in the array's order: no copy
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(Y, eye[[k % 3 for k in range(6)]])

    shuffled = [data[k] for k in (3, 0, 5, 1, 4, 2)]
    X, _, _ = to_matrices(shuffled, "training_data", 4, 3, np.dtype(np.float64))
    np.testing.assert_array_equal(X, images[[3, 0, 5, 1, 4, 2]])

    others = [*data[:5], (images[5].copy().reshape(4, 1), eye[:, [2]])]  # one from elsewhere
    stacked = np.array([x.ravel() for x, _ in others], dtype=np.float64)
    X, _, _ = to_matrices(others, "training_data", 4, 3, np.dtype(np.float64))
    np.testing.assert_array_equal(X, stacked)
    assert not np.shares_memory(X, images)

    columns = [(images[:4, j].reshape(4, 1), eye[:, [0]]) for j in range(4)]  # strided views
    X, _, _ = to_matrices(columns, "training_data", 4, 3, np.dtype(np.float64))
    np.testing.assert_array_equal(X, images[:4].T)

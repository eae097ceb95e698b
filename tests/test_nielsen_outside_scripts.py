"""The book's chapter 1-3 scripts, as readers run them on Python 3, through ``import network2``.

Each test types what one of the book's programs types (``fig/overfitting.py``,
``fig/more_data.py``, the chapter 2 and 3 exercises that change ``update_mini_batch`` or
``backprop``) and checks that it runs unchanged and gives the book's numbers, against the
book's algorithm written out here one example at a time.
"""
# The book seeds the global np.random; mimicking it is the point of these tests.
# ruff: noqa: NPY002

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from test_nielsen_book import book_folder, book_modules, book_sgd

__all__ = ["book_folder", "book_modules"]  # fixtures, used by name


def test_overfitting_py_passes_an_instance_of_the_cost(book_folder, book_modules, tmp_path):
    # fig/overfitting.py and fig/more_data.py: cost=network2.CrossEntropyCost() (an instance)
    import mnist_loader
    import network2

    random.seed(12345678)
    np.random.seed(12345678)
    training_data, _, test_data = mnist_loader.load_data_wrapper()
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost(), print_fn=None)
    net.large_weight_initializer()
    start = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    test_cost, test_accuracy, training_cost, training_accuracy = net.SGD(
        training_data[:100],
        2,
        10,
        0.5,
        evaluation_data=test_data,
        lmbda=0.1,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
        monitor_training_accuracy=True,
    )
    json.dumps([test_cost, test_accuracy, training_cost, training_accuracy])
    assert [len(r) for r in (test_cost, test_accuracy, training_cost, training_accuracy)] == [2] * 4
    random.seed(12345678)
    weights, biases = book_sgd(
        *start, training_data[:100], 2, 10, 0.5, cross_entropy=True, lmbda=0.1
    )
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-11)
    # the instance's own methods still answer as the book's (static methods)
    a, y = np.full((10, 1), 0.25), network2.vectorized_result(3)
    assert network2.CrossEntropyCost().delta(None, a, y).shape == (10, 1)
    net.save(tmp_path / "net.json")
    assert network2.load(tmp_path / "net.json").cost is network2.CrossEntropyCost
    # an instance of the quadratic cost, too; anything else is still refused by name
    assert network2.Network([4, 2], cost=network2.QuadraticCost()).cost is network2.QuadraticCost
    with pytest.raises(ValueError, match="QuadraticCost, CrossEntropyCost or a class"):
        network2.Network([4, 2], cost=object())


def test_feedforward_takes_several_columns_at_once(book_modules):
    # np.dot(w, a) + b broadcasts b over the columns of a: the book's feedforward maps an
    # (n_in, k) matrix of k inputs to the (n_out, k) matrix of their outputs
    import network

    np.random.seed(2)
    net = network.Network([6, 5, 3])
    X = np.random.rand(6, 4)
    out = net.feedforward(X)
    assert out.shape == (3, 4)
    for k in range(4):
        np.testing.assert_allclose(out[:, [k]], net.feedforward(X[:, [k]]), rtol=0, atol=1e-15)
    a = X
    for b, w in zip(net.biases, net.weights):
        a = 1 / (1 + np.exp(-(w @ a + b)))
    np.testing.assert_allclose(out, a, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match=r"\(6, 1\) or \(6, k\)"):
        net.feedforward(np.zeros((5, 4)))


def _pairs(n, seed):
    rng = np.random.RandomState(seed)
    return [(rng.rand(6, 1), np.eye(3)[:, [k % 3]]) for k in range(n)]


def test_an_update_mini_batch_of_ones_own_is_what_sgd_calls(book_modules, capsys):
    # Chapter 3's exercise: momentum-based SGD, by changing update_mini_batch
    import network2

    calls = []

    class MomentumNetwork(network2.Network):
        def update_mini_batch(self, mini_batch, eta, lmbda, n, mu=0.5):
            calls.append((len(mini_batch), eta, lmbda, n))
            if not hasattr(self, "velocities"):
                self.velocities = [np.zeros(w.shape) for w in self.weights]
            nabla_b = [np.zeros(b.shape) for b in self.biases]
            nabla_w = [np.zeros(w.shape) for w in self.weights]
            for x, y in mini_batch:
                delta_nabla_b, delta_nabla_w = self.backprop(x, y)
                nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
                nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
            self.velocities = [
                mu * v - (eta / len(mini_batch)) * nw for v, nw in zip(self.velocities, nabla_w)
            ]
            self.weights = [
                (1 - eta * (lmbda / n)) * w + v for w, v in zip(self.weights, self.velocities)
            ]
            self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    data = _pairs(25, 0)
    np.random.seed(4)
    net = MomentumNetwork([6, 4, 3])
    plain = network2.Network([6, 4, 3], print_fn=None)
    np.random.seed(4)
    plain.default_weight_initializer()
    random.seed(7)
    _, accuracy, _, _ = net.SGD(
        data, 2, 10, 0.5, lmbda=1.0, evaluation_data=data, monitor_evaluation_accuracy=True
    )
    assert calls == [(10, 0.5, 1.0, 25), (10, 0.5, 1.0, 25), (5, 0.5, 1.0, 25)] * 2
    assert len(accuracy) == 2 and "Epoch 1 training complete" in capsys.readouterr().out
    # the momentum changed the result: the plain step on the same order is another network
    random.seed(7)
    plain.SGD(data, 2, 10, 0.5, lmbda=1.0)
    assert not np.allclose(net.weights[0], plain.weights[0])


def test_a_backprop_of_ones_own_is_what_update_mini_batch_sums(book_modules):
    # Chapter 2: readers rewrite backprop (here: the book's, with the gradient halved)
    import network

    class HalfNetwork(network.Network):
        def backprop(self, x, y):
            nabla_b, nabla_w = super().backprop(x, y)
            return [0.5 * g for g in nabla_b], [0.5 * g for g in nabla_w]

    data = _pairs(20, 1)
    np.random.seed(5)
    half = HalfNetwork([6, 4, 3], print_fn=None)
    np.random.seed(5)
    full = network.Network([6, 4, 3], print_fn=None)
    start = [w.copy() for w in full.weights], [b.copy() for b in full.biases]
    random.seed(3)
    half.SGD(data, 2, 5, 2.0)
    random.seed(3)
    full.SGD(data, 2, 5, 1.0)  # half the gradient at eta 2 is the whole one at eta 1
    for ours, theirs in zip(half.weights + half.biases, full.weights + full.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    random.seed(3)
    weights, biases = book_sgd(*start, data, 2, 5, 1.0)
    for ours, theirs in zip(half.weights + half.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    # update_mini_batch on its own sums the rewritten backprop too
    full.weights = [w.copy() for w in half.weights]
    full.biases = [b.copy() for b in half.biases]
    half.update_mini_batch(data[:4], 2.0)
    full.update_mini_batch(data[:4], 1.0)
    for ours, theirs in zip(half.weights + half.biases, full.weights + full.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_an_evaluate_of_ones_own_prints_in_sgds_lines(book_modules, capsys):
    import network

    class Counting(network.Network):
        def evaluate(self, test_data):
            return 7

    np.random.seed(0)
    net = Counting([6, 3])
    data = _pairs(10, 2)
    net.SGD(data, 1, 5, 1.0, test_data=[(x, int(np.argmax(y))) for x, y in data])
    assert capsys.readouterr().out == "Epoch 0: 7 / 10\n"


class TimesTwoCrossEntropy:
    """A reader's own cost class, the book's interface: twice the cross-entropy."""

    @staticmethod
    def fn(a, y):
        return 2 * np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return 2 * (a - y)


def test_a_cost_class_of_ones_own_trains_through_its_delta_and_fn(book_modules):
    # chapter 3 invites new costs: any class with the book's fn(a, y) and delta(z, a, y)
    import network2

    data = _pairs(30, 4)
    evaluation = [(x, int(np.argmax(y))) for x, y in _pairs(12, 5)]
    np.random.seed(6)
    mine = network2.Network([6, 4, 3], cost=TimesTwoCrossEntropy, print_fn=None)
    np.random.seed(6)
    book = network2.Network([6, 4, 3], cost=network2.CrossEntropyCost, print_fn=None)
    assert mine.cost is TimesTwoCrossEntropy
    random.seed(2)
    ec, ea, tc, _ = mine.SGD(
        data,
        2,
        10,
        0.25,
        lmbda=1.0,
        evaluation_data=evaluation,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
    )
    random.seed(2)
    _, ea2, tc2, _ = book.SGD(
        data,
        2,
        10,
        0.5,  # twice the gradient at eta / 2 is the book's step at eta, but for the L2 term
        lmbda=0.5,
        evaluation_data=evaluation,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
    )
    for ours, theirs in zip(mine.weights + mine.biases, book.weights + book.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert ea == ea2
    # the costs are the reader's fn: twice the data term, and the L2 term of lmbda = 1
    squares = sum(float(np.sum(w**2)) for w in mine.weights)
    data_term = tc2[-1] - 0.5 * 0.5 / 30 * squares
    assert tc[-1] == pytest.approx(2 * data_term + 0.5 * 1.0 / 30 * squares, rel=1e-10)
    assert mine.total_cost(evaluation, 1.0, convert=True) == pytest.approx(ec[-1], rel=1e-12)
    nabla_b, nabla_w = mine.backprop(*data[0])
    twice_b, twice_w = book.backprop(*data[0])
    for ours, theirs in zip(nabla_b + nabla_w, twice_b + twice_w):
        np.testing.assert_allclose(ours, 2 * theirs, rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match=r"fn\(a, y\) and delta\(z, a, y\)"):
        network2.Network([4, 2], cost=int)


def test_a_cost_derivative_of_ones_own_is_what_network_py_backprop_uses(book_modules):
    import network

    class Doubled(network.Network):
        def cost_derivative(self, output_activations, y):
            return 2 * (output_activations - y)

    data = _pairs(20, 6)
    np.random.seed(9)
    mine = Doubled([6, 5, 3], print_fn=None)
    np.random.seed(9)
    book = network.Network([6, 5, 3], print_fn=None)
    random.seed(1)
    mine.SGD(data, 2, 4, 1.5)
    random.seed(1)
    book.SGD(data, 2, 4, 3.0)
    for ours, theirs in zip(mine.weights + mine.biases, book.weights + book.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_chapter3s_bad_hyper_parameters_train_on_as_in_the_book(book_folder, book_modules, capsys):
    # Chapter 3, "How to choose a neural network's hyper-parameters": eta = 10 and
    # lmbda = 1000 make the weights overflow; the book's run goes on and prints chance
    import mnist_loader
    import network2

    training_data, validation_data, _ = mnist_loader.load_data_wrapper()
    np.random.seed(0)
    random.seed(0)
    net = network2.Network([784, 10])
    start = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    _, accuracy, _, _ = net.SGD(
        training_data,  # 200 examples: the weights grow 49-fold a step and overflow
        10,
        10,
        10.0,
        lmbda=1000.0,
        evaluation_data=validation_data[:40],
        monitor_evaluation_accuracy=True,
    )
    lines = capsys.readouterr().out.split("\n")
    assert lines[:3] == [
        "Epoch 0 training complete",
        f"Accuracy on evaluation data: {accuracy[0]} / 40",
        "",
    ]
    assert len(accuracy) == 10
    random.seed(0)
    with np.errstate(all="ignore"):
        weights, biases = book_sgd(
            *start, training_data, 10, 10, 10.0, cross_entropy=True, lmbda=1000.0
        )
        book_outputs = [
            1 / (1 + np.exp(-(weights[0] @ x + biases[0]))) for x, _ in validation_data[:40]
        ]
    assert not np.all(np.isfinite(weights[0]))  # the book's weights overflowed too
    np.testing.assert_allclose(net.weights[0], weights[0], rtol=1e-9)  # inf and nan alike
    book_correct = sum(
        int(np.argmax(a) == y) for a, (_, y) in zip(book_outputs, validation_data[:40])
    )
    assert accuracy[-1] == book_correct


def test_the_books_loop_trains_on_past_an_overflow_too(book_modules):
    # a cost of one's own runs the per-example loop; eta = 10, lmbda = 1000 overflow it
    import network2

    data = _pairs(20, 7)
    np.random.seed(1)
    net = network2.Network([6, 3], cost=TimesTwoCrossEntropy, print_fn=None)
    with np.errstate(all="ignore"):
        _, accuracy, _, _ = net.SGD(
            data, 40, 2, 10.0, lmbda=1000.0, evaluation_data=data, monitor_evaluation_accuracy=True
        )
    assert len(accuracy) == 40 and not np.all(np.isfinite(net.weights[0]))

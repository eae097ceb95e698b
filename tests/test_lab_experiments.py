"""The article's steps as functions: data, logistic regression, network, sweep."""

import json
import os
import signal
import warnings

import numpy as np
import pytest

from nnscratch.lab import experiments as ex
from nnscratch.lab import parallel


def reference_lines(X, y, hidden, passes, every, epsilon=0.01, reg_lambda=0.01):
    """The tutorial's own loop (the reference the engine must agree with)."""
    n = len(X)
    rng = np.random.RandomState(0)
    W1 = rng.randn(2, hidden) / np.sqrt(2)
    b1 = np.zeros((1, hidden))
    W2 = rng.randn(hidden, 2) / np.sqrt(hidden)
    b2 = np.zeros((1, 2))

    def loss():
        a1 = np.tanh(X.dot(W1) + b1)
        e = np.exp(a1.dot(W2) + b2)
        p = e / np.sum(e, axis=1, keepdims=True)
        data_loss = np.sum(-np.log(p[range(n), y]))
        data_loss += reg_lambda / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
        return data_loss / n

    lines = []
    for i in range(passes):
        a1 = np.tanh(X.dot(W1) + b1)
        e = np.exp(a1.dot(W2) + b2)
        delta3 = e / np.sum(e, axis=1, keepdims=True)
        delta3[range(n), y] -= 1
        dW2 = a1.T.dot(delta3) + reg_lambda * W2
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = X.T.dot(delta2) + reg_lambda * W1
        db1 = np.sum(delta2, axis=0)
        W1 += -epsilon * dW1
        b1 += -epsilon * db1
        W2 += -epsilon * dW2
        b2 += -epsilon * db2
        if i % every == 0:
            lines.append("Loss after iteration %i: %f" % (i, loss()))
    return lines


# -- data and logistic regression ---------------------------------------------------------
def test_load_dataset_gives_the_articles_data():
    X, y = ex.load_dataset("moons")
    assert X.shape == (200, 2) and y.shape == (200,)
    assert np.bincount(y).tolist() == [100, 100]
    Xc, yc = ex.load_dataset("circles")
    assert Xc.shape == (100, 2) and set(yc.tolist()) == {0, 1}


def test_unknown_dataset_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown data set 'spiralz'; valid: moons, circles"):
        ex.load_dataset("spiralz")


def test_logistic_regression_is_the_straight_line_baseline():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        moons = ex.logistic_regression("moons")
        circles = ex.logistic_regression("circles")
    assert caught == []  # scikit-learn's FutureWarnings stay inside
    assert moons.train_accuracy == pytest.approx(0.85)
    assert circles.train_accuracy < 0.7  # a line cannot separate two rings
    X, y = ex.load_dataset("moons")
    assert np.mean(moons.predict(X) == y) == moons.train_accuracy
    record = moons.to_json()
    assert record["model"] == "LogisticRegressionCV" and record["C"] > 0
    json.dumps(record)


def test_decision_regions_cover_the_data_with_the_articles_grid():
    X, _ = ex.load_dataset("moons")
    regions = ex.decision_regions(lambda p: (p[:, 1] > 0).astype(int), X)
    assert regions.classes.shape == (regions.ys.size, regions.xs.size)
    assert regions.xs[0] == pytest.approx(X[:, 0].min() - 0.5)
    assert regions.ys[-1] <= X[:, 1].max() + 0.5
    assert np.diff(regions.xs) == pytest.approx(0.01)
    # the class flips where the rule says it does
    assert set(np.unique(regions.classes[regions.ys > 0.01])) == {1}
    assert set(np.unique(regions.classes[regions.ys < -0.01])) == {0}


# -- the network ---------------------------------------------------------------------------
def test_first_lines_are_the_articles():
    run = ex.train_network("moons", 3, passes=1001)
    assert run.lines == ["Loss after iteration 0: 0.432387", "Loss after iteration 1000: 0.068947"]


@pytest.mark.parametrize(("dataset", "hidden"), [("moons", 3), ("circles", 5), ("moons", 1)])
def test_network_agrees_with_the_articles_algorithm(dataset, hidden):
    X, y = ex.load_dataset(dataset)
    run = ex.train_network(dataset, hidden, passes=401, print_every=100)
    assert run.lines == reference_lines(X, y, hidden, passes=401, every=100)


def test_train_network_returns_the_whole_run():
    seen = []
    run = ex.train_network("moons", 4, passes=301, print_every=100, on_line=seen.append)
    assert seen == run.lines and len(seen) == 4
    assert run.iterations == [0, 100, 200, 300]
    assert run.loss_curve.shape == (301,) and np.all(np.isfinite(run.loss_curve))
    assert run.loss_curve[0] > run.loss_curve[-1]
    assert [w.shape for w in run.weights] == [(2, 4), (4,), (4, 2), (2,)]
    assert run.stopped is None and not run.diverged and run.n_samples == 200
    X, y = ex.load_dataset("moons")
    model = run.model()
    assert run.final_loss == model.evaluate(X, y)
    assert run.train_accuracy == np.mean(run.predict(X) == y)
    # the last printed loss is the loss after the last pass here (pass 300)
    assert run.losses[-1] == run.final_loss


def test_reg_is_the_articles_lambda():
    # reg_lambda 0.03 means l2(0.015): the same lines as the article's loop with 0.03
    X, y = ex.load_dataset("moons")
    run = ex.train_network("moons", 3, passes=201, print_every=100, reg=0.03, learning_rate=0.02)
    assert run.lines == reference_lines(X, y, 3, 201, 100, epsilon=0.02, reg_lambda=0.03)


def test_to_json_records_what_was_printed():
    run = ex.train_network("circles", 2, passes=201, print_every=100)
    record = json.loads(json.dumps(run.to_json(), allow_nan=False))
    assert record["hidden"] == 2 and record["dataset"] == "circles"
    assert ["%f" % v for v in record["losses"]] == [line.split(": ")[1] for line in run.lines]
    assert record["final_loss"] == run.final_loss
    assert record["settings"]["passes"] == 201
    assert "stopped" not in record


def test_a_diverging_run_returns_its_partial_results():
    run = ex.train_network("moons", 3, passes=200, learning_rate=1e8, print_every=10)
    assert run.diverged and not run.interrupted
    assert "learning rate" in run.stopped
    assert 0 < run.loss_curve.size < 200 and np.all(np.isfinite(run.loss_curve))
    assert run.lines[0].startswith("Loss after iteration 0: ")
    record = run.to_json()
    json.dumps(record, allow_nan=False)  # non-finite numbers become null
    assert record["stopped"] == run.stopped


@pytest.mark.parametrize(
    ("field", "value", "error", "message"),
    [
        ("hidden", 0, ValueError, "hidden must be a positive integer, got 0"),
        ("hidden", 2.5, TypeError, "hidden must be a positive integer"),
        ("passes", -1, ValueError, "passes must be a positive integer"),
        ("learning_rate", float("nan"), ValueError, "learning_rate must be a finite number > 0"),
        ("learning_rate", 0, ValueError, "learning_rate must be a finite number > 0"),
        ("reg", -0.1, ValueError, "reg must be a finite number >= 0"),
        ("seed", -1, ValueError, "seed must be an integer in 0..4294967295"),
        ("print_every", 0, ValueError, "print_every must be a positive integer"),
        ("dataset", "xor", ValueError, "valid: moons, circles"),
    ],
)
def test_bad_settings_are_named(field, value, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        ex.NetworkSpec(**{field: value})


def test_two_cycle_detects_the_edge_of_stability():
    descent_then_cycle = np.r_[np.linspace(0.9, 0.3, 10), [0.2, 0.1] * 10]
    assert ex.two_cycle(descent_then_cycle) == (0.2, 0.1)
    assert ex.two_cycle(descent_then_cycle, window=30) is None  # the window sees the descent
    assert ex.two_cycle(np.array([0.5, 0.3, 0.2, 0.15, 0.12])) is None
    assert ex.two_cycle(np.array([0.1, 0.1, 0.1, 0.1])) is None
    assert ex.two_cycle(np.array([0.2, 0.1])) is None
    assert ex.two_cycle(np.array([0.2, 0.1, 0.2, np.nan])) is None


def test_the_articles_run_ends_in_a_two_cycle_and_half_the_rate_settles():
    # 3000 passes are enough for the cycle to lock in
    edge = ex.train_network("moons", 3, passes=3000)
    high, low = ex.two_cycle(edge.loss_curve)
    assert high == pytest.approx(0.07131, abs=2e-4) and low == pytest.approx(0.07076, abs=2e-4)
    assert not ex.settles_smoothly(edge.loss_curve)
    calm = ex.train_network("moons", 3, passes=3000, learning_rate=0.005)
    assert ex.two_cycle(calm.loss_curve) is None
    assert ex.settles_smoothly(calm.loss_curve)


def test_settles_smoothly():
    assert ex.settles_smoothly(np.linspace(1.0, 0.1, 40))
    assert not ex.settles_smoothly(np.r_[np.linspace(1.0, 0.1, 40), 0.2])
    assert not ex.settles_smoothly(np.array([1.0]))


# -- several runs --------------------------------------------------------------------------
def test_sweep_in_parallel_gives_the_sequential_numbers():
    sizes = [20, 1, 3]
    parallel = ex.sweep("moons", sizes, passes=300, print_every=100, jobs=2, regions=True)
    sequential = ex.sweep("moons", sizes, passes=300, print_every=100, jobs=1, regions=True)
    assert [r.hidden for r in parallel] == sizes  # the order asked for
    for p, s in zip(parallel, sequential):
        assert p.lines == s.lines
        np.testing.assert_array_equal(p.loss_curve, s.loss_curve)
        for wp, ws in zip(p.weights, s.weights):
            np.testing.assert_array_equal(wp, ws)
        assert p.final_loss == s.final_loss
        np.testing.assert_array_equal(p.regions.classes, s.regions.classes)


def test_sweep_checks_its_arguments():
    with pytest.raises(ValueError, match="hidden_sizes is empty"):
        ex.sweep("moons", [])
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        ex.sweep("moons", [1], jobs=0)
    with pytest.raises(TypeError, match="expected NetworkSpec"):
        parallel.run_networks([("moons", 3)])


def test_biggest_runs_are_queued_first():
    specs = [
        ex.NetworkSpec("circles", 200),
        ex.NetworkSpec("moons", 1),
        ex.NetworkSpec("moons", 200),
    ]
    costs = [s.cost for s in specs]
    assert costs[2] > costs[0] > costs[1]


def test_ctrl_c_stops_after_the_current_pass_and_keeps_the_run():
    def press_ctrl_c(line):
        if line.startswith("Loss after iteration 100:"):
            os.kill(os.getpid(), signal.SIGINT)

    run = ex.train_network("moons", 3, passes=5000, print_every=50, on_line=press_ctrl_c)
    assert run.interrupted and not run.diverged
    assert run.stopped == "interrupted by Ctrl-C after 101 of 5000 passes"
    assert run.loss_curve.size == 101 and run.iterations == [0, 50, 100]
    assert run.to_json()["stopped"] == run.stopped

"""The engine reproduces the WildML tutorial's full-batch run bit for bit."""

import numpy as np
import pytest

from nnscratch import SGD, Sequential, l2
from nnscratch.data import circles, moons
from nnscratch.layers import Dense
from nnscratch.progress import LossPrinter


def article_build_model(X, y, hidden, passes, every):
    """The tutorial's algorithm, written out as the article has it (the reference)."""
    n = len(X)
    reg, eps = 0.01, 0.01
    rng = np.random.RandomState(0)
    W1 = rng.randn(2, hidden) / np.sqrt(2)
    b1 = np.zeros((1, hidden))
    W2 = rng.randn(hidden, 2) / np.sqrt(hidden)
    b2 = np.zeros((1, 2))
    lines = []
    for i in range(passes):
        a1 = np.tanh(X.dot(W1) + b1)
        exp_scores = np.exp(a1.dot(W2) + b2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        delta3 = probs
        delta3[range(n), y] -= 1
        dW2 = (a1.T).dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = np.dot(X.T, delta2)
        db1 = np.sum(delta2, axis=0)
        dW2 += reg * W2
        dW1 += reg * W1
        W1 += -eps * dW1
        b1 += -eps * db1
        W2 += -eps * dW2
        b2 += -eps * db2
        if i % every == 0:
            a1 = np.tanh(X.dot(W1) + b1)
            e = np.exp(a1.dot(W2) + b2)
            p = e / np.sum(e, axis=1, keepdims=True)
            loss = np.sum(-np.log(p[range(n), y]))
            loss += reg / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
            lines.append("Loss after iteration %i: %f" % (i, loss / n))
    return lines, [W1, b1.ravel(), W2, b2.ravel()]


def engine_model(hidden):
    model = Sequential(
        [
            Dense(
                hidden,
                "tanh",
                kernel_initializer="scaled_normal",
                kernel_regularizer=l2(0.005),
                input_dim=2,
            ),
            Dense(2, "softmax", kernel_initializer="scaled_normal", kernel_regularizer=l2(0.005)),
        ],
        seed=0,
    )
    model.compile(SGD(0.01), "categorical_crossentropy", reduction="sum")
    return model


@pytest.mark.parametrize("dataset", [moons, circles], ids=["moons", "circles"])
@pytest.mark.parametrize("hidden", [1, 2, 3, 4, 10, 20, 50, 200])
def test_engine_matches_article_bit_for_bit(dataset, hidden):
    # Every size of the article's sweep, on both data sets: the same arithmetic, the same
    # numbers (weights equal to the last bit, printed lines equal).
    X, y = dataset()
    ref_lines, ref_weights = article_build_model(X, y, hidden, passes=400, every=50)
    model = engine_model(hidden)
    lines = []
    model.fit(  # the article's full-batch gradient descent
        X,
        y,
        batch_size=len(X),
        epochs=400,
        verbose=0,
        callbacks=[LossPrinter(X, y, every=50, write=lines.append)],
    )
    assert lines == ref_lines
    for ours, ref in zip(model.get_weights(), ref_weights):
        np.testing.assert_array_equal(ours, ref)

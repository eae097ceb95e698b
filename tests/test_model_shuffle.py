"""Shuffled mini-batches are gathered batch by batch: the same steps as shuffling x whole."""

import copy

import numpy as np
import pytest

from nnscratch import SGD, Sequential
from nnscratch.layers import Dense


def make_model(dtype):
    model = Sequential(
        [Dense(5, activation="sigmoid", input_dim=4), Dense(3, activation="softmax")],
        seed=3,
        dtype=dtype,
    )
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_shuffled_epoch_equals_training_on_the_permuted_copy(dtype):
    rng = np.random.RandomState(0)
    x = rng.rand(53, 4)
    y = rng.randint(0, 3, 53)
    x_before = x.copy()

    a = make_model(dtype)
    b = make_model(dtype)
    orders = copy.deepcopy(b.rng)  # the generator fit() will draw its permutations from
    a.fit(x, y, epochs=3, batch_size=7, shuffle=True, verbose=0)
    for _ in range(3):
        order = orders.permutation(53)
        b.fit(x[order], y[order], epochs=1, batch_size=7, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(x, x_before)  # the caller's data is left alone


def test_a_changed_batch_size_or_width_gets_fresh_buffers():
    model = make_model("float64")
    rng = np.random.RandomState(1)
    model.fit(rng.rand(20, 4), rng.randint(0, 3, 20), batch_size=4, verbose=0)
    model.fit(rng.rand(30, 4), rng.randint(0, 3, 30), batch_size=16, verbose=0)
    history = model.fit(rng.rand(9, 4), rng.randint(0, 3, 9), batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][-1])

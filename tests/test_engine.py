"""The engine's behaviour: numerics, losses, regularizers, seeds, the training loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nnscratch
from nnscratch import (
    SGD,
    Activation,
    Callback,
    Dense,
    History,
    LambdaCallback,
    Sequential,
    TrainingDiverged,
    l1,
    l1_l2,
    l2,
)
from nnscratch.data import moons
from nnscratch.engine import initializers, losses
from nnscratch.engine.activations import Sigmoid, Softmax, softmax

F64 = np.dtype(np.float64)


def plain_softmax(z):
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def small_problem(n=40, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.standard_normal((n, 3))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    return x, y


def classifier(seed=0, hidden=4, dtype="float64", **dense):
    return Sequential(
        [Dense(hidden, activation="tanh", **dense), Dense(2, activation="softmax")],
        seed=seed,
        dtype=dtype,
    )


# -- softmax and sigmoid -------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (7, 3), (200, 2), (33, 10)])
@pytest.mark.parametrize("seed", range(5))
def test_softmax_is_the_plain_formula_bit_for_bit(shape, seed):
    z = np.random.RandomState(seed).uniform(-30, 30, shape)
    expected = plain_softmax(z)
    assert np.array_equal(softmax(z), expected)
    assert np.array_equal(Softmax().forward(z.copy()), expected)
    out = np.empty_like(z)
    assert softmax(z, out=out) is out and np.array_equal(out, expected)


def test_softmax_in_a_model_is_the_plain_formula_bit_for_bit():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0)
    w = model.parameters()
    z = np.tanh(x @ w["0.kernel"] + w["0.bias"]) @ w["1.kernel"] + w["1.bias"]
    assert np.array_equal(model.predict(x), plain_softmax(z))


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        ([[1e3, 0.0]], [[1.0, 0.0]]),
        ([[1e3, 1e3]], [[0.5, 0.5]]),
        ([[1e308, 0.0, -1e3]], [[1.0, 0.0, 0.0]]),
        ([[-1e308, 0.0, 1.0]], [[0.0, 1 / (1 + math.e), 1 / (1 + 1 / math.e)]]),
        ([[-1e308, -1e308]], [[0.5, 0.5]]),
        ([[1e308, 1e308]], [[0.5, 0.5]]),
        ([[-1e3, -1e3 - math.log(3.0)]], [[0.75, 0.25]]),
        ([[710.0, 709.0, 0.0]], [[1 / (1 + math.exp(-1)), 1 / (1 + math.e), 0.0]]),
    ],
)
def test_softmax_never_overflows_or_returns_nan(z, expected):
    z = np.array(z, dtype=np.float64)
    p = softmax(z)  # warnings are errors: an overflow warning would fail here
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_mixed_rows_keep_the_plain_formula_on_finite_rows():
    rng = np.random.RandomState(1)
    z = rng.uniform(-30, 30, (6, 4))
    z[1] = [1e308, -1e3, 0.0, 5.0]
    z[3] = [1e3, 999.0, 998.0, -1e3]
    z[4] = [-1e308, -1e308, -1e308, -1e308]
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    finite_rows = [0, 2, 5]
    assert np.array_equal(p[finite_rows], plain_softmax(z[finite_rows]))
    assert p[1].tolist() == [1.0, 0.0, 0.0, 0.0]
    shifted = np.exp(z[3] - 1e3)
    np.testing.assert_allclose(p[3], shifted / shifted.sum(), rtol=1e-15)
    np.testing.assert_allclose(p[4], 0.25, rtol=1e-15)


FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None)


@FAST
@given(n=st.integers(1, 8), c=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_softmax_bit_for_bit_over_random_shapes(n, c, seed):
    z = np.random.RandomState(seed).uniform(-30, 30, (n, c))
    assert np.array_equal(softmax(z), plain_softmax(z))


@FAST
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.floats(-8e307, 8e307, allow_nan=False),
    )
)
def test_softmax_of_large_finite_logits_is_a_distribution(z):
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    # the largest score of a row gets the largest probability
    rows = np.arange(z.shape[0])
    assert np.array_equal(p[rows, z.argmax(axis=1)], p.max(axis=1))


@FAST
@given(
    arrays(
        np.float64, st.integers(1, 20), elements=st.floats(allow_nan=False, allow_infinity=False)
    )
)
def test_sigmoid_of_any_finite_input_is_in_0_1(z):
    a = Sigmoid().forward(z[None, :])
    assert np.all((a >= 0) & (a <= 1))
    assert np.all(np.diff(a[0][np.argsort(z)]) >= 0)  # monotone


def test_sigmoid_never_overflows():
    z = np.array([[-1e308, -1e3, -745.0, -30.0, -1.0, 0.0, 1.0, 30.0, 745.0, 1e3, 1e308]])
    a = Sigmoid().forward(z)
    assert np.all(np.isfinite(a)) and np.all((a >= 0) & (a <= 1))
    assert a[0, 5] == 0.5
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0
    moderate = z[:, 3:8]
    np.testing.assert_allclose(a[:, 3:8], 1 / (1 + np.exp(-moderate)), rtol=1e-15)
    np.testing.assert_allclose(Sigmoid().forward(-z), 1 - a, atol=1e-16)


# -- losses --------------------------------------------------------------------------------
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
LABELS = np.array([0, 1])


def test_categorical_crossentropy_by_hand():
    loss = losses.get("categorical_crossentropy")
    t = loss.encode_targets(LABELS, 3, F64)
    assert t.tolist() == [[1, 0, 0], [0, 1, 0]]
    assert np.array_equal(loss.encode_targets(np.eye(3)[LABELS], 3, F64), t)
    per = [-math.log(0.7), -math.log(0.8)]
    np.testing.assert_allclose(loss.per_example(t, P), per, rtol=1e-15)
    assert loss.value(t, P) == pytest.approx(sum(per) / 2, rel=1e-15)
    loss_sum = losses.get("categorical_crossentropy", reduction="sum")
    assert loss_sum.value(t, P) == pytest.approx(sum(per), rel=1e-15)
    # p - y, averaged for "mean"
    assert np.array_equal(loss_sum.fused_gradient(t, P), P - t)
    np.testing.assert_allclose(loss.fused_gradient(t, P), (P - t) / 2, rtol=1e-15)


def test_crossentropy_of_a_zero_probability_is_large_but_finite():
    loss = losses.get("categorical_crossentropy")
    t = np.array([[0.0, 1.0]])
    value = loss.value(t, np.array([[1.0, 0.0]]))
    assert math.isfinite(value) and value > 30


def test_binary_crossentropy_by_hand():
    loss = losses.get("binary_crossentropy", reduction="sum")
    t = loss.encode_targets(np.array([1, 0]), 1, F64)
    p = np.array([[0.9], [0.2]])
    assert loss.value(t, p) == pytest.approx(-math.log(0.9) - math.log(0.8), rel=1e-14)
    np.testing.assert_allclose(loss.fused_gradient(t, p), p - t)


def test_quadratic_and_mse_by_hand():
    a = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]])
    y = np.array([[0.0, 2.0], [1.0, 1.0], [3.0, 0.0]])
    squares = [1.0, 1.0 + 4.0, 9.0]
    quad = losses.get("quadratic", reduction="sum")
    assert quad.value(y, a) == pytest.approx(0.5 * sum(squares))
    assert np.array_equal(quad.gradient(y, a), a - y)
    mse = losses.get("mse")
    assert type(mse) is losses.MeanSquaredError and mse.reduction == "mean"
    np.testing.assert_allclose(mse.per_example(y, a), np.array(squares) / 2)
    assert mse.value(y, a) == pytest.approx(sum(squares) / 2 / 3)
    np.testing.assert_allclose(mse.gradient(y, a), 2 * (a - y) / 2 / 3)


def test_quadratic_encodes_integer_labels_as_one_hot():
    quad = losses.get("quadratic")
    assert quad.encode_targets(np.array([2, 0]), 3, F64).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize("name", ["categorical_crossentropy", "binary_crossentropy", "quadratic"])
def test_reductions_differ_by_exactly_n(name):
    rng = np.random.RandomState(0)
    p = rng.uniform(0.1, 0.9, (5, 3))
    t = np.eye(3)[rng.randint(0, 3, 5)]
    mean, total = losses.get(name, reduction="mean"), losses.get(name, reduction="sum")
    assert mean.value(t, p) == pytest.approx(total.value(t, p) / 5, rel=1e-15)
    np.testing.assert_allclose(mean.gradient(t, p), total.gradient(t, p) / 5, rtol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reported_loss_is_per_example_with_the_penalty(reduction):
    x, y = small_problem(n=10)
    model = classifier(kernel_regularizer=l2(0.1))
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy", reduction=reduction)
    model.build(3)
    p = model.predict(x)
    data = -np.log(p[np.arange(10), y]).sum()
    penalty = 0.1 * np.sum(model.parameters()["0.kernel"] ** 2)
    expected = (data + penalty) / 10 if reduction == "sum" else data / 10 + penalty
    assert model.evaluate(x, y) == pytest.approx(expected, rel=1e-12)


# -- regularizers --------------------------------------------------------------------------
W = np.array([[1.0, -2.0], [0.5, 0.0]])


def test_regularizers_have_keras_semantics():
    assert l2(0.01).penalty(W) == pytest.approx(0.01 * (1 + 4 + 0.25))
    assert l1(0.01).penalty(W) == pytest.approx(0.01 * 3.5)
    assert l1_l2(0.1, 0.2).penalty(W) == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    np.testing.assert_allclose(l2(0.01).gradient(W), 2 * 0.01 * W)
    np.testing.assert_allclose(l1(0.01).gradient(W), 0.01 * np.sign(W))
    np.testing.assert_allclose(l1_l2(0.1, 0.2).gradient(W), 0.1 * np.sign(W) + 0.4 * W)
    assert (l1().l1, l2().l2) == (0.01, 0.01)  # Keras' default strengths
    assert (l1_l2().l1, l1_l2().l2) == (0.01, 0.01)


def test_model_penalty_sums_the_kernels_and_ignores_biases():
    model = Sequential(
        [
            Dense(3, activation="tanh", kernel_regularizer=l2(0.5), input_dim=2),
            Dense(4, activation="relu"),
            Dense(2, kernel_regularizer=l1(0.25)),
        ],
        seed=0,
    )
    model.build(2)
    for p in model.parameters().values():
        p[...] = 1.0
    assert model.penalty() == pytest.approx(0.5 * 6 + 0.25 * 8)


# -- initializers and seeds ----------------------------------------------------------------
def wildml_model(seed):
    model = Sequential(
        [
            Dense(3, activation="tanh", kernel_initializer="scaled_normal", input_dim=2),
            Dense(2, activation="softmax", kernel_initializer="wildml"),
        ],
        seed=seed,
    )
    model.build(2)
    return model


def test_int_seed_draws_what_np_random_seed_draws():
    # the tutorial's global-RNG calls, with the global state restored afterwards
    state = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(0)  # noqa: NPY002
        w1 = np.random.randn(2, 3) / np.sqrt(2)  # noqa: NPY002
        w2 = np.random.randn(3, 2) / np.sqrt(3)  # noqa: NPY002
    finally:
        np.random.set_state(state)  # noqa: NPY002
    params = wildml_model(0).parameters()
    assert np.array_equal(params["0.kernel"], w1)
    assert np.array_equal(params["1.kernel"], w2)
    assert not params["0.bias"].any() and not params["1.bias"].any()


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = (wildml_model(s).get_weights() for s in (7, 7, 8))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "make", [lambda: np.random.default_rng(5), lambda: np.random.RandomState(5)]
)
def test_generators_are_accepted_as_seeds(make):
    a, b = wildml_model(make()).get_weights(), wildml_model(make()).get_weights()
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_layer_seed_overrides_the_model_seed():
    def build(model_seed):
        m = Sequential([Dense(3, input_dim=2, seed=11), Dense(2)], seed=model_seed)
        m.build(2)
        return m.parameters()

    p1, p2 = build(1), build(2)
    assert np.array_equal(p1["0.kernel"], p2["0.kernel"])
    assert not np.array_equal(p1["1.kernel"], p2["1.kernel"])


@pytest.mark.parametrize(
    ("name", "std"),
    [
        ("scaled_normal", math.sqrt(1 / 200)),
        ("standard_normal", 1.0),
        ("glorot_normal", math.sqrt(2 / 500)),
        ("glorot_uniform", math.sqrt(6 / 500) / math.sqrt(3)),
        ("he_normal", math.sqrt(2 / 200)),
        ("he_uniform", math.sqrt(6 / 200) / math.sqrt(3)),
    ],
)
def test_initializer_scales(name, std):
    w = initializers.get(name)((200, 300), np.random.RandomState(0))
    assert w.shape == (200, 300)
    assert abs(w.mean()) < 0.05 * std
    assert w.std() == pytest.approx(std, rel=0.02)
    if "uniform" in name:
        assert np.abs(w).max() <= std * math.sqrt(3)


def test_zeros_initializer():
    assert not initializers.get("zeros")((3, 2), np.random.RandomState(0)).any()


# -- training loop -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("batch_size", "steps"), [(None, 2), (40, 1), (1000, 1), (16, 3), (40 // 4, 4)]
)
def test_steps_per_epoch(batch_size, steps):
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    model.fit(x, y, epochs=5, batch_size=batch_size, verbose=0)
    assert model.optimizer.iterations == 5 * steps


def test_none_is_keras_batch_of_32_and_sizes_past_n_are_the_full_batch():
    x, y = small_problem()  # 40 examples
    results = []
    for batch_size in (None, 32):
        model = classifier(seed=3)
        model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
        model.fit(x, y, epochs=4, batch_size=batch_size, verbose=0)
        results.append(model.get_weights())
    assert all(np.array_equal(u, v) for u, v in zip(*results))
    results = []
    for batch_size in (40, 500):
        model = classifier(seed=3)
        model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
        model.fit(x, y, epochs=4, batch_size=batch_size, verbose=0)
        results.append(model.get_weights())
    for other in results[1:]:
        assert all(np.array_equal(u, v) for u, v in zip(results[0], other))


def trained_weights(seed, shuffle):
    x, y = small_problem()
    model = classifier(seed=seed)
    model.compile(optimizer=SGD(0.3), loss="categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=8, shuffle=shuffle, verbose=0)
    return model.get_weights()


def test_shuffling_is_reproducible_with_a_seed():
    a, b = trained_weights(4, True), trained_weights(4, True)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    unshuffled = trained_weights(4, False)
    assert not all(np.array_equal(u, v) for u, v in zip(a, unshuffled))


def test_float32_option():
    x, y = small_problem()
    model = classifier(dtype="float32")
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert all(g.dtype == np.float32 for g in model.gradients(x, y).values())
    assert model.predict(x).dtype == np.float32
    assert all(math.isfinite(v) for v in history.history["loss"])
    model64 = classifier()
    assert model64.dtype == np.float64
    model64.build(3)
    assert all(w.dtype == np.float64 for w in model64.get_weights())


def test_history_records_every_epoch():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy", metrics=["accuracy"])
    model.build(3)
    before = model.evaluate(x, y)
    history = model.fit(
        x, y, epochs=6, batch_size=len(x), verbose=0, validation_data=(x[:10], y[:10])
    )
    assert isinstance(history, History) and model.history is history
    assert history.epoch == list(range(6))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 6 for v in history.history.values())
    # full batch: the loss of epoch 0 is measured before its step
    assert history.history["loss"][0] == pytest.approx(before[0], rel=1e-12)
    assert history.history["accuracy"][0] == pytest.approx(before[1])
    assert history.history["loss"][-1] < history.history["loss"][0]
    val_loss, val_acc = model.evaluate(x[:10], y[:10])
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-12)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc)


def test_history_without_metrics_or_validation():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss"}


def test_evaluate_returns_loss_and_accuracy():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=20, verbose=0)
    result = model.evaluate(x, y)
    assert isinstance(result, list) and len(result) == 2
    p = model.predict(x)
    assert result[1] == pytest.approx(np.mean(p.argmax(axis=1) == y))
    assert result[0] == pytest.approx(-np.mean(np.log(p[np.arange(len(y)), y])), rel=1e-12)
    as_dict = model.evaluate(x, y, return_dict=True)
    assert as_dict == {"loss": pytest.approx(result[0]), "accuracy": pytest.approx(result[1])}
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    assert isinstance(model.evaluate(x, y), float)


def test_validation_split_holds_out_the_end():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[30:], y[30:]), rel=1e-12
    )


def test_validation_data_wins_over_validation_split():
    """As in Keras: with both, every example trains and validation_data is evaluated."""
    x, y = small_problem()
    both, only_data = classifier(), classifier()
    for model in (both, only_data):
        model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    history = both.fit(x, y, epochs=2, validation_split=0.25, validation_data=(x[:5], y[:5]))
    only_data.fit(x, y, epochs=2, validation_data=(x[:5], y[:5]))
    assert history.params["samples"] == len(x)
    assert history.history == only_data.history.history
    assert history.history["val_loss"][-1] == pytest.approx(both.evaluate(x[:5], y[:5]))


def test_history_records_each_epoch_after_the_callbacks_as_keras_does():
    x, y = small_problem()
    seen = []

    class Peek(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, list(self.model.history.epoch), self.model.history.params))
            logs["peeked"] = epoch  # recorded: History comes after the callbacks

    model = classifier()
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    history = model.fit(x, y, batch_size=10, epochs=2, callbacks=[Peek()])
    assert [(e, epochs) for e, epochs, _ in seen] == [(0, []), (1, [0])]
    assert history.epoch == [0, 1] and history.history["peeked"] == [0, 1]
    assert seen[0][2] is history.params and history.params["steps"] == -(-len(x) // 10)
    assert history.diverged is False and history.interrupted is False


def test_predict_in_batches_matches_one_pass():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    p = model.predict(x)
    np.testing.assert_allclose(model.predict(x, batch_size=7), p, rtol=1e-14)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)


class Recorder(Callback):
    def __init__(self, events):
        super().__init__()
        self.events = events

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch))


def test_callback_hooks_order():
    x, y = small_problem(n=20)
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin",)),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append(("train_end",)),
    )
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[Recorder(events), cb])
    epoch = [("batch_begin", 0), ("batch_end", 0), ("batch_begin", 1), ("batch_end", 1)]
    assert events == [
        ("train_begin",),
        ("epoch_begin", 0),
        *epoch,
        ("epoch_end", 0, ["loss"]),
        ("epoch_begin", 1),
        *epoch,
        ("epoch_end", 1, ["loss"]),
        ("train_end",),
    ]
    assert cb.model is model


def test_a_callback_can_stop_training():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")

    def stop_at_2(epoch, logs):
        if epoch == 2:
            model.stop_training = True

    history = model.fit(
        x,
        y,
        epochs=50,
        batch_size=len(x),
        verbose=0,
        callbacks=[LambdaCallback(on_epoch_end=stop_at_2)],
    )
    assert history.epoch == [0, 1, 2]
    assert model.optimizer.iterations == 3


def test_a_batch_callback_can_stop_in_the_middle_of_an_epoch():
    x, y = small_problem()
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")

    def stop(batch, logs):
        if batch == 1:
            model.stop_training = True

    model.fit(
        x,
        y,
        epochs=5,
        batch_size=10,
        verbose=0,
        callbacks=[LambdaCallback(on_train_batch_end=stop)],
    )
    assert model.optimizer.iterations == 2
    assert len(model.history.epoch) == 1


def test_train_on_batch_is_one_sgd_step():
    x, y = small_problem(n=12)
    model = classifier()
    model.compile(optimizer=SGD(0.2), loss="categorical_crossentropy")
    model.build(3)
    before = model.get_weights()
    expected_loss = model.evaluate(x, y)
    grads = list(model.gradients(x, y).values())
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for w0, g, w1 in zip(before, grads, model.get_weights()):
        np.testing.assert_allclose(w1, w0 - 0.2 * g, rtol=1e-14, atol=1e-17)
    assert model.optimizer.iterations == 1


def test_sgd_momentum_follows_the_keras_formula():
    x, y = small_problem(n=12)
    model = classifier()
    model.compile(optimizer=SGD(0.1, momentum=0.9), loss="categorical_crossentropy")
    model.build(3)
    w = model.get_weights()
    v = [np.zeros_like(p) for p in w]
    for _ in range(3):
        g = list(model.gradients(x, y).values())
        model.train_on_batch(x, y)
        v = [0.9 * vi - 0.1 * gi for vi, gi in zip(v, g)]
        w = [wi + vi for wi, vi in zip(w, v)]
        for expected, actual in zip(w, model.get_weights()):
            np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


def test_get_and_set_weights_round_trip():
    x, y = small_problem()
    trained = classifier(seed=1)
    trained.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
    trained.fit(x, y, epochs=5, verbose=0)
    weights = trained.get_weights()
    weights[0][...] = 123.0  # get_weights returns copies
    assert not np.any(trained.get_weights()[0] == 123.0)
    fresh = classifier(seed=2)
    fresh.build(3)
    fresh.set_weights(trained.get_weights())
    assert np.array_equal(fresh.predict(x), trained.predict(x))
    assert all(np.array_equal(u, v) for u, v in zip(fresh.get_weights(), trained.get_weights()))


def test_parameters_have_dotted_names():
    model = Sequential(
        [
            Dense(4, activation="relu", input_dim=3),
            Activation("tanh"),
            Dense(3, use_bias=False),
            Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    model.build(3)
    params = model.parameters()
    assert list(params) == ["0.kernel", "0.bias", "2.kernel", "3.kernel", "3.bias"]
    assert params["0.kernel"].shape == (3, 4) and params["0.bias"].shape == (4,)
    assert params["2.kernel"].shape == (4, 3) and params["3.kernel"].shape == (3, 2)
    assert params["0.kernel"] is model.layers[0].params["kernel"]  # live arrays
    x = np.random.default_rng(0).normal(size=(4, 3))
    model.compile("sgd", "categorical_crossentropy")
    assert list(model.gradients(x, [0, 1, 0, 1])) == list(params)
    assert model.count_params() == 12 + 4 + 12 + 6 + 2


def test_training_and_inference_forward_agree():
    x, _ = small_problem()
    for act in ("tanh", "sigmoid", "relu", "linear", "softmax"):
        layer = Dense(5, activation=act)
        layer.setup((3,), np.random.RandomState(0), F64)
        layer.params["bias"][...] = 0.3
        inference = layer.forward(x, training=False).copy()
        assert np.array_equal(layer.forward(x, training=True), inference), act


# -- divergence ----------------------------------------------------------------------------
def diverging_run():
    x, y = moons()
    model = Sequential([Dense(10, activation="relu"), Dense(2)], seed=0)
    model.compile(optimizer=SGD(10.0), loss="quadratic")
    return model, x, y


# The run overflows on its way to inf; what is tested here is how training stops.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_run_stops_with_a_clear_message_and_finite_weights():
    model, x, y = diverging_run()
    with pytest.raises(TrainingDiverged, match=r"at epoch \d+.*lower learning rate") as info:
        model.fit(x, y, epochs=1000, batch_size=len(x), verbose=0)
    assert isinstance(info.value, FloatingPointError)
    assert f"at epoch {info.value.epoch}" in str(info.value)
    assert 0 < info.value.epoch < 1000
    assert info.value.history is model.history and model.history.interrupted
    assert len(model.history.history["loss"]) == info.value.epoch
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
    assert nnscratch.TrainingDiverged is TrainingDiverged

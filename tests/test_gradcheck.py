"""Gradient checks: every activation, loss, regularizer, Dense and a whole model.

The analytic gradients of the engine are compared with central differences over random
shapes and seeds (hypothesis). A correct gradient agrees to about 1e-9 relative; the
tolerance of 1e-6 is far below the error of any real bug (a missing factor 2 gives 1/3,
a missing 1/n in a mean over n >= 2 at least 1/3), as the planted-bug tests at the end
show.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnscratch.engine import activations, losses, regularizers
from nnscratch.engine.gradcheck import (
    check_activation,
    check_fused_gradient,
    check_layer,
    check_loss,
    check_model,
    check_regularizer,
    numerical_gradient,
    relative_error,
)
from nnscratch.engine.layers import Activation, BatchNormalization, Dense, Dropout
from nnscratch.engine.model import Sequential
from nnscratch.engine.optimizers import SGD

TOL = 1e-6
FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None)

batch = st.integers(1, 8)
features = st.integers(1, 6)
units = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)
reductions = st.sampled_from(["mean", "sum"])
ACTIVATION_NAMES = ["tanh", "sigmoid", "relu", "linear", "softmax"]
F64 = np.dtype(np.float64)


def away_from_zero(rng: np.random.RandomState, shape: tuple[int, ...]) -> np.ndarray:
    """Random values with |v| >= 0.1: no kink of relu or |w| within reach of eps."""
    return rng.choice([-1.0, 1.0], size=shape) * (0.1 + np.abs(rng.standard_normal(shape)))


def probabilities(rng: np.random.RandomState, shape: tuple[int, ...]) -> np.ndarray:
    """Predictions inside (0.05, 0.95): away from the losses' clipping bounds."""
    return rng.uniform(0.05, 0.95, shape)


def labels(rng: np.random.RandomState, n: int, n_classes: int) -> np.ndarray:
    return rng.randint(0, n_classes, size=n)


# -- the tools themselves ------------------------------------------------------------------
def test_numerical_gradient_of_a_known_function_and_x_restored():
    x = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v**2)), x)
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    np.testing.assert_allclose(grad, exact, rtol=1e-8, atol=1e-9)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v: np.ndarray) -> float:
        raise ArithmeticError("boom")

    with pytest.raises(ArithmeticError):
        numerical_gradient(f, x)
    assert x.tolist() == [1.0, 2.0]


def test_numerical_gradient_refuses_float32():
    with pytest.raises(ValueError, match=r"float64.*float32"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32))


def test_relative_error():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(2 * a, a) == pytest.approx(1 / 3)
    assert relative_error(a, -a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


# -- activations ---------------------------------------------------------------------------
@FAST
@given(n=batch, d=features, seed=seeds, name=st.sampled_from(ACTIVATION_NAMES))
def test_activation_backward(n, d, seed, name):
    rng = np.random.RandomState(seed)
    z = away_from_zero(rng, (n, d)) if name == "relu" else 2.0 * rng.standard_normal((n, d))
    assert check_activation(activations.get(name), z, seed=seed) < TOL


# -- losses --------------------------------------------------------------------------------
@FAST
@given(n=batch, c=st.integers(2, 6), seed=seeds, reduction=reductions, one_hot=st.booleans())
def test_categorical_crossentropy_gradient(n, c, seed, reduction, one_hot):
    rng = np.random.RandomState(seed)
    loss = losses.get("categorical_crossentropy", reduction=reduction)
    y = labels(rng, n, c)
    targets = loss.encode_targets(np.eye(c)[y] if one_hot else y, c, F64)
    assert check_loss(loss, targets, probabilities(rng, (n, c))) < TOL


@FAST
@given(n=batch, k=units, seed=seeds, reduction=reductions, soft=st.booleans(), logits=st.booleans())
def test_binary_crossentropy_gradient(n, k, seed, reduction, soft, logits):
    """On probabilities, or on logits (any real numbers) with ``from_logits``."""
    rng = np.random.RandomState(seed)
    name = "binary_crossentropy_from_logits" if logits else "binary_crossentropy"
    loss = losses.get(name, reduction=reduction)
    y = rng.uniform(0, 1, (n, k)) if soft else rng.randint(0, 2, (n, k))
    targets = loss.encode_targets(y, k, F64)
    outputs = 3.0 * rng.standard_normal((n, k)) if logits else probabilities(rng, (n, k))
    assert check_loss(loss, targets, outputs) < TOL


@FAST
@given(n=batch, c=st.integers(2, 6), seed=seeds, reduction=reductions, soft=st.booleans())
def test_crossentropy_from_logits_gradient(n, c, seed, reduction, soft):
    """On logits (any real numbers), with one-hot rows or soft rows that need not sum to 1."""
    rng = np.random.RandomState(seed)
    loss = losses.get("categorical_crossentropy_from_logits", reduction=reduction)
    y = rng.uniform(0, 1, (n, c)) if soft else np.eye(c)[labels(rng, n, c)]
    targets = loss.encode_targets(y, c, F64)
    assert check_loss(loss, targets, 3.0 * rng.standard_normal((n, c))) < TOL


@FAST
@given(
    n=batch, k=units, seed=seeds, reduction=reductions, name=st.sampled_from(["quadratic", "mse"])
)
def test_regression_loss_gradient(n, k, seed, reduction, name):
    rng = np.random.RandomState(seed)
    loss = losses.get(name, reduction=reduction)
    targets = loss.encode_targets(rng.standard_normal((n, k)), k, F64)
    assert check_loss(loss, targets, rng.standard_normal((n, k))) < TOL


@FAST
@given(n=batch, c=st.integers(2, 6), seed=seeds, reduction=reductions)
def test_quadratic_gradient_with_integer_labels(n, c, seed, reduction):
    rng = np.random.RandomState(seed)
    loss = losses.get("quadratic", reduction=reduction)
    targets = loss.encode_targets(labels(rng, n, c), c, F64)
    assert np.array_equal(targets.sum(axis=1), np.ones(n))
    assert check_loss(loss, targets, rng.uniform(0, 1, (n, c))) < TOL


@FAST
@given(n=batch, c=st.integers(2, 6), seed=seeds, reduction=reductions, one_hot=st.booleans())
def test_fused_softmax_crossentropy(n, c, seed, reduction, one_hot):
    rng = np.random.RandomState(seed)
    loss = losses.get("categorical_crossentropy", reduction=reduction)
    y = labels(rng, n, c)
    targets = loss.encode_targets(np.eye(c)[y] if one_hot else y, c, F64)
    z = 3.0 * rng.standard_normal((n, c))
    assert check_fused_gradient(loss, activations.get("softmax"), targets, z) < TOL


@FAST
@given(n=batch, k=units, seed=seeds, reduction=reductions)
def test_fused_sigmoid_binary_crossentropy(n, k, seed, reduction):
    rng = np.random.RandomState(seed)
    loss = losses.get("binary_crossentropy", reduction=reduction)
    targets = loss.encode_targets(rng.randint(0, 2, (n, k)), k, F64)
    z = 3.0 * rng.standard_normal((n, k))
    assert check_fused_gradient(loss, activations.get("sigmoid"), targets, z) < TOL


def test_fused_check_refuses_a_mismatched_activation():
    loss = losses.get("categorical_crossentropy")
    with pytest.raises(ValueError, match="fuses with 'softmax', not with 'sigmoid'"):
        check_fused_gradient(loss, activations.get("sigmoid"), np.eye(2), np.zeros((2, 2)))


# -- regularizers --------------------------------------------------------------------------
@FAST
@given(
    shape=st.tuples(features, units),
    seed=seeds,
    kind=st.sampled_from(["l1", "l2", "l1_l2"]),
    strength=st.floats(1e-4, 1.0),
)
def test_regularizer_gradient(shape, seed, kind, strength):
    rng = np.random.RandomState(seed)
    reg = {
        "l1": regularizers.l1(strength),
        "l2": regularizers.l2(strength),
        "l1_l2": regularizers.l1_l2(strength, 2 * strength),
    }[kind]
    w = away_from_zero(rng, shape)  # |w| has a kink at 0
    assert check_regularizer(reg, w) < TOL


# -- Dense ---------------------------------------------------------------------------------
REGULARIZERS = {
    "none": None,
    "l1": regularizers.l1(0.05),
    "l2": regularizers.l2(0.05),
    "l1_l2": regularizers.l1_l2(0.03, 0.07),
}


@FAST
@given(
    n=batch,
    d=features,
    u=units,
    seed=seeds,
    activation=st.sampled_from(ACTIVATION_NAMES),
    use_bias=st.booleans(),
    reg=st.sampled_from(sorted(REGULARIZERS)),
)
def test_dense_gradients(n, d, u, seed, activation, use_bias, reg):
    rng = np.random.RandomState(seed)
    layer = Dense(
        u,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer="glorot_normal",
        kernel_regularizer=REGULARIZERS[reg],
    )
    layer.setup((d,), rng, F64)
    if use_bias:
        layer.params["bias"][...] = rng.standard_normal(u)
    x = rng.standard_normal((n, d))
    kernel = layer.params["kernel"]
    if reg in ("l1", "l1_l2"):
        assume(np.min(np.abs(kernel)) > 1e-3)
    if activation == "relu":
        z = x @ kernel + (layer.params["bias"] if use_bias else 0.0)
        assume(np.min(np.abs(z)) > 1e-3)
    errors = check_layer(layer, x, seed=seed)
    assert set(errors) == ({"kernel", "bias", "input"} if use_bias else {"kernel", "input"})
    assert max(errors.values()) < TOL, errors


@FAST
@given(n=batch, d=features, seed=seeds, activation=st.sampled_from(ACTIVATION_NAMES))
def test_activation_layer_gradient(n, d, seed, activation):
    rng = np.random.RandomState(seed)
    layer = Activation(activation)
    layer.setup((d,), rng, F64)
    x = away_from_zero(rng, (n, d))
    errors = check_layer(layer, x, seed=seed)
    assert set(errors) == {"input"}
    assert errors["input"] < TOL


# -- whole models --------------------------------------------------------------------------
HEADS = {
    # output activation, loss, labels are integers?
    "softmax+cce": ("softmax", "categorical_crossentropy", True),
    "sigmoid+bce": ("sigmoid", "binary_crossentropy", True),
    "linear+mse": ("linear", "mse", False),
    "sigmoid+quadratic": ("sigmoid", "quadratic", False),
    "softmax+quadratic": ("softmax", "quadratic", True),  # softmax without fusion
    "linear+softmax layer+cce": ("activation-layer", "categorical_crossentropy", True),
}


def two_hidden_layer_model(d, h1, h2, out, head, reg, seed):
    act_out = HEADS[head][0]
    layers = [
        Dense(h1, activation="tanh", kernel_regularizer=reg, input_dim=d),
        Dense(h2, activation="sigmoid", kernel_regularizer=reg),
    ]
    if act_out == "activation-layer":
        layers += [Dense(out), Activation("softmax")]
    else:
        layers.append(Dense(out, activation=act_out, kernel_regularizer=reg))
    return Sequential(layers, seed=seed)


def targets_for(head, rng, n, out):
    _, loss, integer = HEADS[head]
    if loss == "binary_crossentropy":
        return rng.randint(0, 2, (n, out))
    if integer:
        return rng.randint(0, out, n)
    return rng.standard_normal((n, out))


@FAST
@given(
    n=batch,
    d=features,
    h1=units,
    h2=units,
    out=st.integers(2, 4),
    seed=seeds,
    head=st.sampled_from(sorted(HEADS)),
    reduction=reductions,
    reg=st.sampled_from(["none", "l2"]),
)
def test_two_hidden_layer_model(n, d, h1, h2, out, seed, head, reduction, reg):
    rng = np.random.RandomState(seed)
    model = two_hidden_layer_model(d, h1, h2, out, head, REGULARIZERS[reg], seed)
    model.compile(optimizer=SGD(0.1), loss=HEADS[head][1], reduction=reduction)
    for layer in model.layers:
        if "bias" in layer.params:
            layer.params["bias"][...] = 0.5 * rng.standard_normal(layer.params["bias"].shape)
    x = rng.standard_normal((n, d))
    y = targets_for(head, rng, n, out)
    before = model.get_weights()
    errors = check_model(model, x, y)
    expected = {f"{i}.{k}" for i, layer in enumerate(model.layers) for k in layer.params}
    assert set(errors) == expected
    assert max(errors.values()) < TOL, errors
    for w0, w1 in zip(before, model.get_weights()):
        assert np.array_equal(w0, w1)  # a check never moves the weights


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_train_on_batch_uses_the_true_gradient(reduction, batch_size):
    """The gradients fit() steps along are those of the objective, at the old weights."""
    rng = np.random.RandomState(3)
    x = rng.standard_normal((8, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    model = Sequential(
        [
            Dense(5, activation="tanh", kernel_regularizer=regularizers.l2(0.01)),
            Dense(4, activation="relu"),
            Dense(2, activation="softmax", kernel_regularizer=regularizers.l1_l2(0.01, 0.02)),
        ],
        seed=1,
    )
    lr = 0.05
    model.compile(optimizer=SGD(lr), loss="categorical_crossentropy", reduction=reduction)
    if batch_size is None:
        model.train_on_batch(x, y)  # build, and move off the initial weights
    else:
        model.fit(x, y, epochs=2, batch_size=batch_size, shuffle=False, verbose=0)
    before = {k: v.copy() for k, v in model.parameters().items()}
    grads = {k: v.copy() for k, v in model.gradients(x, y).items()}
    model.train_on_batch(x, y)
    after = model.get_weights()
    for (key, w0), w1 in zip(before.items(), after):
        np.testing.assert_allclose(w1, w0 - lr * grads[key], rtol=1e-12, atol=1e-15)
    model.set_weights(list(before.values()))
    targets = model.loss.encode_targets(y, 2, F64)

    def objective(_):
        return model.loss.value(targets, model.predict(x)) + model.penalty()

    for key, p in model.parameters().items():
        assert relative_error(grads[key], numerical_gradient(objective, p)) < TOL, key


# -- the checks catch real bugs ------------------------------------------------------------
class L2WithoutFactorTwo(regularizers.L1L2):
    """l2 * sum(W**2) with the gradient l2 * W: the factor 2 forgotten."""

    def gradient(self, w):
        return self.l2 * w

    def add_to(self, w, grad):
        return grad + self.gradient(w)


class QuadraticWithoutMean(losses.Quadratic):
    def gradient(self, y_true, y_pred):
        return y_pred - y_true


class TanhWithWrongSlope(activations.Tanh):
    def backward(self, grad, a):
        return grad * (1.0 - a)


def test_checks_catch_planted_bugs():
    rng = np.random.RandomState(0)
    w = rng.standard_normal((3, 4))
    assert check_regularizer(L2WithoutFactorTwo(l2=0.1), w) > 0.3
    y, p = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    assert check_loss(QuadraticWithoutMean("mean"), y, p) > 0.5
    assert check_loss(QuadraticWithoutMean("sum"), y, p) < TOL
    assert check_activation(TanhWithWrongSlope(), rng.standard_normal((4, 3))) > 0.1

    layer = Dense(3, activation="tanh", kernel_regularizer=L2WithoutFactorTwo(l2=0.5))
    layer.setup((2,), rng, F64)
    errors = check_layer(layer, rng.standard_normal((4, 2)))
    assert errors["kernel"] > 1e-3 and errors["input"] < TOL

    model = Sequential([Dense(3, activation="tanh", input_dim=2), Dense(2)], seed=0)
    model.compile(loss=QuadraticWithoutMean("mean"))
    errors = check_model(model, rng.standard_normal((6, 2)), rng.standard_normal((6, 2)))
    assert min(errors.values()) > 0.5


# -- training-mode layers: batch normalization and dropout -----------------------------------
class BatchNormWithoutMeanTerm(BatchNormalization):
    """The input gradient without ``- mean(d)``: right only if the batch mean were fixed."""

    def backward(self, grad):
        dx = super().backward(grad)
        axes = tuple(range(grad.ndim - 1))
        return dx + self.inv * (grad * self.gamma).mean(axis=axes)


@pytest.mark.parametrize("shape", [(3,), (4, 4, 2)])
def test_batch_normalization_is_checked_with_its_batch_statistics(shape):
    rng = np.random.RandomState(0)
    layer = BatchNormalization(momentum=0.5)
    layer.setup(shape, rng, F64)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, shape[-1])
    layer.params["beta"][...] = rng.standard_normal(shape[-1])
    moving = {k: layer.params[k].copy() for k in ("moving_mean", "moving_variance")}
    x = 3.0 + 2.0 * rng.standard_normal((6, *shape))
    errors = check_layer(layer, x, seed=1)
    assert set(errors) == {"gamma", "beta", "input"}
    assert max(errors.values()) < TOL, errors
    for key, value in moving.items():  # the training passes of the check left no trace
        np.testing.assert_array_equal(layer.params[key], value)

    wrong = BatchNormWithoutMeanTerm(momentum=0.5)
    wrong.setup(shape, np.random.RandomState(0), F64)
    assert check_layer(wrong, x, seed=1)["input"] > 1e-2


def test_dropout_and_batch_normalization_in_a_model_are_checked_in_training_mode():
    rng = np.random.RandomState(0)
    x, y = rng.standard_normal((8, 3)), rng.randint(0, 2, 8)

    def model():
        m = Sequential(
            [
                Dense(5, activation="tanh", input_dim=3),
                BatchNormalization(),
                Dropout(0.5),
                Dense(2, activation="softmax"),
            ],
            seed=0,
        )
        m.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
        return m

    checked, untouched = model(), model()
    errors = check_model(checked, x, y)
    assert max(errors.values()) < TOL, errors
    # the check left the generator and the statistics as they were: training goes on alike
    checked.fit(x, y, batch_size=4, epochs=2, verbose=0)
    untouched.fit(x, y, batch_size=4, epochs=2, verbose=0)
    for a, b in zip(checked.get_weights(), untouched.get_weights()):
        np.testing.assert_array_equal(a, b)

"""Dropout: inverted scaling, training-only, explicit randomness, gradient check."""

import numpy as np
import pytest

from nnscratch import Sequential
from nnscratch.engine.layers import Dense, Dropout


def _built(rate, seed=0, dim=6):
    layer = Dropout(rate, seed=seed)
    layer.setup((dim,), np.random.RandomState(99), np.dtype("float64"))
    return layer


def test_inactive_outside_training():
    x = np.random.default_rng(0).normal(size=(5, 6))
    layer = _built(0.5)
    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_inverted_scaling_and_rate():
    x = np.ones((2000, 50))
    out = _built(0.2).forward(x, training=True)
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.8)
    assert abs(kept.mean() - 0.8) < 0.01  # 100,000 draws: the std of the mean is 0.0013
    assert abs(out.mean() - 1.0) < 0.02  # the expectation is preserved


def test_rate_zero_is_identity_even_when_training():
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(_built(0.0, dim=3).forward(x, training=True), x)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan")])
def test_rate_validated(rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        Dropout(rate)


def test_rate_type_checked():
    with pytest.raises(TypeError, match="rate"):
        Dropout("0.5")


def test_same_seed_same_masks():
    x = np.ones((10, 6))
    a = _built(0.5, seed=3).forward(x, training=True)
    b = _built(0.5, seed=3).forward(x, training=True)
    c = _built(0.5, seed=4).forward(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gradient_check_with_fixed_mask():
    """Central differences of L = sum(G * dropout(x)) with the mask held fixed."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    g = rng.normal(size=(4, 6))

    def loss(xv):
        layer = _built(0.4, seed=7)  # rebuilt with the same seed: the same mask every call
        return float(np.sum(g * layer.forward(xv, training=True)))

    layer = _built(0.4, seed=7)
    layer.forward(x, training=True)
    analytic = layer.backward(g)
    numeric = np.zeros_like(x)
    eps = 1e-6
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        numeric[idx] = (loss(xp) - loss(xm)) / (2 * eps)
    err = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert err < 1e-8
    assert np.any(analytic == 0) and np.any(analytic != 0)


def test_model_gradient_check_through_dropout():
    """Whole-model check: freeze the mask by reseeding the model's generator per call."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 3))
    y = rng.integers(0, 2, size=8)

    def make():
        m = Sequential(
            [Dense(5, "tanh", input_dim=3), Dropout(0.3, seed=11), Dense(2, "softmax")], seed=0
        )
        m.compile("sgd", "categorical_crossentropy")
        return m

    model = make()
    targets = model.loss.encode_targets(y, 2, model.dtype)
    kernel = model.layers[0].params["kernel"]

    def same_mask():  # the dropout layer draws the same mask on every forward pass
        model.layers[1].rng = np.random.RandomState(11)

    def objective():
        same_mask()
        return model.loss.value(targets, model.forward(x, training=True))

    same_mask()
    analytic = model.gradients(x, y)["0.kernel"].copy()
    numeric = np.zeros_like(kernel)
    eps = 1e-6
    for idx in np.ndindex(kernel.shape):
        old = kernel[idx]
        kernel[idx] = old + eps
        fp = objective()
        kernel[idx] = old - eps
        fm = objective()
        kernel[idx] = old
        numeric[idx] = (fp - fm) / (2 * eps)
    err = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert err < 1e-7


def test_model_with_dropout_is_reproducible_and_predict_is_deterministic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2))
    y = (x[:, 0] > 0).astype(int)

    def run():
        m = Sequential([Dense(8, "tanh", input_dim=2), Dropout(0.5), Dense(2, "softmax")], seed=5)
        m.compile("sgd", "categorical_crossentropy")
        m.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return m

    a, b = run(), run()
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a.predict(x), a.predict(x))

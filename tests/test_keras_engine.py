"""Keras' activations, losses, initializers and optimizers in the engine: formulas,
defaults, gradient checks, and exact save-and-resume."""

import math

import numpy as np
import pytest

from nnscratch.engine import activations, initializers, losses, optimizers, serialize
from nnscratch.engine.gradcheck import check_activation, check_loss, check_model
from nnscratch.engine.layers import Activation, Dense
from nnscratch.engine.model import Sequential

NEW_ACTIVATIONS = ["elu", "selu", "softplus", "softsign", "leaky_relu"]


# -- activations ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW_ACTIVATIONS)
def test_new_activations_pass_the_gradient_check(name):
    rng = np.random.default_rng(1)
    for shape in ((5, 3), (2, 7), (1, 1)):
        z = rng.normal(scale=3.0, size=shape)
        z[np.abs(z) < 1e-3] = 0.5  # keep away from the kink of the piecewise ones
        assert check_activation(activations.get(name), z, seed=2) < 1e-7, (name, shape)


def test_activation_formulas_and_keras_defaults():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(activations.get("elu").forward(z), np.where(z > 0, z, np.expm1(z)))
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    selu = scale * np.where(z > 0, z, alpha * np.expm1(z))
    np.testing.assert_allclose(activations.get("selu").forward(z), selu)
    np.testing.assert_allclose(activations.get("softplus").forward(z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(activations.get("softsign").forward(z), z / (1 + np.abs(z)))
    np.testing.assert_allclose(
        activations.get("leaky_relu").forward(z), np.where(z > 0, z, 0.2 * z)
    )
    assert activations.get("elu").alpha == 1.0  # Keras' defaults
    assert activations.get("leaky_relu").negative_slope == 0.2
    # no overflow far out
    big = np.array([[-800.0, 800.0]])
    for name in NEW_ACTIVATIONS:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            assert np.isfinite(activations.get(name).forward(big)).all(), name


@pytest.mark.parametrize("name", NEW_ACTIVATIONS)
def test_writing_into_the_input_gives_the_same_output(name):
    """The fast path passes ``out=z`` (the pre-activations' own buffer)."""
    z = np.random.default_rng(3).normal(size=(4, 5))
    fn = activations.get(name)
    expected = fn.forward(z.copy())
    buffer = z.copy()
    np.testing.assert_array_equal(fn.forward(buffer, out=buffer), expected)


def test_parametrised_activations_save_their_arguments():
    assert activations.get("elu").get_config() == "elu"
    elu = activations.ELU(alpha=0.5)
    assert elu.get_config() == {"name": "elu", "alpha": 0.5}
    assert activations.get(elu.get_config()).alpha == 0.5
    layer = Dense(3, activation=activations.LeakyReLU(0.3))
    config = layer.get_config()
    assert config["activation"] == {"name": "leaky_relu", "negative_slope": 0.3}
    assert Dense.from_config(config).activation.negative_slope == 0.3
    with pytest.raises(ValueError, match="takes no argument"):
        activations.get({"name": "elu", "beta": 1})
    with pytest.raises(ValueError, match="negative_slope must be"):
        activations.LeakyReLU(-1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.get("swish")


# -- losses --------------------------------------------------------------------------------
def _targets(name, rng, shape):
    if name == "categorical_hinge":
        return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])]
    if name in ("hinge", "squared_hinge"):
        return rng.choice([-1.0, 1.0], size=shape)
    return rng.normal(size=shape)


@pytest.mark.parametrize(
    "name", ["mae", "mean_absolute_error", "huber", "hinge", "squared_hinge", "categorical_hinge"]
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_new_losses_pass_the_gradient_check(name, reduction):
    rng = np.random.default_rng(4)
    for shape in ((6, 3), (1, 1), (9, 2)):
        y_true, y_pred = _targets(name, rng, shape), rng.normal(scale=2.0, size=shape)
        if name in ("mae", "mean_absolute_error", "huber"):
            y_pred[np.abs(np.abs(y_pred - y_true) - 1.0) < 1e-3] += 0.01  # off the kinks
            y_pred[np.abs(y_pred - y_true) < 1e-3] += 0.01
        loss = losses.get(name, reduction=reduction)
        assert check_loss(loss, y_true, y_pred) < 1e-7, (name, shape)


def test_loss_formulas_match_keras():
    y = np.array([[0.0, 1.0, 2.0]])
    p = np.array([[0.5, 3.0, 2.25]])
    e = p - y
    assert losses.get("mae").value(y, p) == pytest.approx(np.abs(e).mean())
    huber = np.where(np.abs(e) <= 1.0, 0.5 * e**2, np.abs(e) - 0.5).mean()
    assert losses.get("huber").value(y, p) == pytest.approx(huber)
    assert losses.Huber().delta == 1.0
    assert losses.get("huber_loss").name == "huber"
    # 0/1 labels become -1/1, as Keras converts them
    labels, scores = np.array([[0.0, 1.0]]), np.array([[0.3, 0.4]])
    assert losses.get("hinge").value(labels, scores) == pytest.approx((1.3 + 0.6) / 2)
    assert losses.get("squared_hinge").value(labels, scores) == pytest.approx((1.3**2 + 0.6**2) / 2)
    one_hot, out = np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.5, 0.9]])
    assert losses.get("categorical_hinge").value(one_hot, out) == pytest.approx(0.9 - 0.5 + 1)


@pytest.mark.parametrize(
    "name, y",
    [
        ("mse", None),
        ("mae", None),
        ("huber", None),
        ("categorical_crossentropy", "one-hot"),
        ("sparse_categorical_crossentropy", "labels"),
        ("categorical_hinge", "labels"),
        ("binary_crossentropy", "binary"),
        ("hinge", "binary"),
    ],
)
def test_keras_loss_names_train_a_model_with_right_gradients(name, y):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(12, 3))
    labels = rng.integers(0, 3, 12)
    output = {"binary": Dense(1, "sigmoid"), "one-hot": Dense(3, "softmax")}.get(y, Dense(3))
    if y == "labels" and name != "categorical_hinge":
        output = Dense(3, "softmax")
    targets = {
        None: rng.normal(size=(12, 3)),
        "one-hot": np.eye(3)[labels],
        "labels": labels,
        "binary": (labels > 0).astype(float),
    }[y]
    model = Sequential([Dense(4, "tanh", input_dim=3), output], seed=0)
    model.compile("sgd", name)
    errors = check_model(model, x, targets)
    assert max(errors.values()) < 1e-6, errors


def test_losses_with_arguments_save_and_load():
    model = Sequential([Dense(2, input_dim=2)], seed=0)
    model.compile("sgd", losses.Huber(delta=2.5), reduction="sum")
    config, arrays = serialize.model_to_data(model)
    assert config["compile"]["loss"] == {"name": "huber", "reduction": "sum", "delta": 2.5}
    loaded = serialize.model_from_data(config, arrays)
    assert (loaded.loss.delta, loaded.loss.reduction) == (2.5, "sum")
    with pytest.raises(ValueError, match="takes no argument"):
        losses.get({"name": "mae", "delta": 1.0})
    with pytest.raises(ValueError, match="delta must be"):
        losses.Huber(delta=0)


# -- initializers --------------------------------------------------------------------------
def test_keras_2_initializer_names():
    rng = np.random.RandomState(0)
    for name in ("zero", "one", "uniform", "normal", "lecun_uniform", "truncated_normal"):
        assert initializers.get(name)((30, 20), rng).shape == (30, 20)
    assert np.abs(initializers.get("truncated_normal")((500, 40), rng)).max() <= 0.1
    limit = math.sqrt(3 / 30)
    assert np.abs(initializers.get("lecun_uniform")((30, 20), rng)).max() <= limit
    q = initializers.get("orthogonal")((6, 4), rng)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)
    q = initializers.get("orthogonal")((3, 3, 2, 5), rng).reshape(-1, 5)
    np.testing.assert_allclose(q.T @ q, np.eye(5), atol=1e-12)
    np.testing.assert_array_equal(initializers.get("identity")((2, 3), rng), np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D kernel"):
        initializers.get("identity")((3, 3, 1, 2), rng)
    assert initializers.name_of(initializers.get("zero")) == "zeros"


# -- optimizers ----------------------------------------------------------------------------
def _keras_adadelta(w, grads, lr=1.0, rho=0.95, eps=1e-7):
    """Keras 3's ``Adadelta.update_step``, transcribed."""
    a, d = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        a = rho * a + (1 - rho) * g * g
        delta = -(np.sqrt(d + eps) * g) / np.sqrt(a + eps)
        d = rho * d + (1 - rho) * delta * delta
        w = w + lr * delta
    return w


def _keras_nadam(w, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """Keras 3's ``Nadam``, with its running product of the momentum schedule."""
    m, v, u_product = np.zeros_like(w), np.zeros_like(w), 1.0
    for t, g in enumerate(grads, start=1):
        u_t, u_next = b1 * (1 - 0.5 * 0.96**t), b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        w = w - m_hat * lr / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


@pytest.mark.parametrize(
    "optimizer, reference",
    [(optimizers.Adadelta, _keras_adadelta), (optimizers.Nadam, _keras_nadam)],
)
def test_adadelta_and_nadam_follow_keras(optimizer, reference):
    rng = np.random.default_rng(6)
    w0 = rng.normal(size=(4, 3))
    grads = [rng.normal(size=(4, 3)) for _ in range(1200)]  # past the schedule's table
    w = w0.copy()
    opt = optimizer()
    for g in grads:
        opt.step({"0.kernel": w}, {"0.kernel": g})
    np.testing.assert_allclose(w, reference(w0.copy(), grads), rtol=1e-10, atol=1e-12)


def test_adadelta_and_nadam_defaults_and_names():
    assert optimizers.get("adadelta").get_config() == {
        "name": "adadelta",
        "learning_rate": 1.0,
        "rho": 0.95,
        "epsilon": 1e-7,
    }
    assert optimizers.get("nadam").get_config() == {
        "name": "nadam",
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
    }
    with pytest.raises(ValueError, match="rho must be in"):
        optimizers.Adadelta(rho=1.0)


@pytest.mark.parametrize("name", ["adadelta", "nadam"])
def test_adadelta_and_nadam_resume_exactly(name):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)

    def model():
        m = Sequential([Dense(5, "tanh", input_dim=2), Dense(2), Activation("softmax")], seed=0)
        m.compile(name, "categorical_crossentropy")
        return m

    straight = model()
    straight.fit(x, y, 8, 6)
    first = model()
    first.fit(x, y, 8, 3)
    resumed = serialize.model_from_data(*serialize.model_to_data(first))
    resumed.fit(x, y, 8, 3)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 30

"""BatchNormalization: Keras 3's layer on the engine's non-trainable weights.

The gradient through the batch statistics by central differences, the forward pass and
the moving averages against formulas written out here, agreement with PyTorch's
BatchNorm1d/BatchNorm2d, training on moons, saving and loading, the summary's counts and
the fast path leaving such models to the plain one.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import Sequential, load_model
from nnscratch.data import moons
from nnscratch.engine import fast
from nnscratch.engine.gradcheck import numerical_gradient, relative_error
from nnscratch.engine.summary import summarize
from nnscratch.engine.training import plain_path
from nnscratch.layers import Activation, BatchNormalization, Conv2D, Dense, Flatten

SHAPES = [(4,), (4, 5, 3)]  # Dense outputs (n, features) and images (n, h, w, channels)


def _built(shape, dtype=np.float64, seed=0, **kwargs):
    """A built layer with random gamma and beta (so that neither is trivial)."""
    layer = BatchNormalization(**kwargs)
    layer.setup(shape, np.random.default_rng(seed), dtype)
    rng = np.random.default_rng(seed + 1)
    for key in ("gamma", "beta"):
        if key in layer.params:
            layer.params[key][...] = rng.normal(size=shape[-1:])
    return layer


def _batch(shape, n=6, seed=2, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, *shape)) * 3.0 + 1.5).astype(dtype)


def _reference(x, gamma, beta, mean, var, eps):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, written independently."""
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


# -- gradients ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", [{}, {"center": False}, {"scale": False}])
def test_the_gradient_through_the_batch_statistics_matches_central_differences(shape, options):
    layer = _built(shape, **options)
    x = _batch(shape)
    g = np.random.default_rng(3).normal(size=x.shape)  # L = sum(y * g)
    layer.forward(x, training=True)
    dx = layer.backward(g)

    def loss(_):  # training mode: the batch's own mean and variance
        return float(np.sum(layer.forward(x, training=True) * g))

    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    wanted = [k for k, on in (("gamma", "scale"), ("beta", "center")) if options.get(on, True)]
    assert sorted(layer.grads) == sorted(wanted)
    for key in layer.grads:
        err = relative_error(layer.grads[key], numerical_gradient(loss, layer.params[key]))
        assert err < 1e-7, key
    assert "moving_mean" not in layer.grads and "moving_variance" not in layer.grads


def test_only_gamma_and_beta_are_trainable():
    layer = _built((3,))
    assert list(layer.params) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert set(layer.weights(trainable=True)) == {"gamma", "beta"}
    assert set(layer.weights(trainable=False)) == {"moving_mean", "moving_variance"}
    assert set(_built((3,), center=False, scale=False).weights(trainable=True)) == set()


# -- forward and the moving statistics ------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_training_normalises_with_the_batch_statistics(shape, dtype):
    layer = _built(shape, dtype=dtype, epsilon=1e-2)
    x = _batch(shape, dtype=dtype)
    y = layer.forward(x, training=True)
    assert y.dtype == dtype and y.shape == x.shape
    axes = tuple(range(x.ndim - 1))
    x64 = x.astype(np.float64)
    gamma, beta = (layer.params[k].astype(np.float64) for k in ("gamma", "beta"))
    expected = _reference(x64, gamma, beta, x64.mean(axes), x64.var(axes), 1e-2)
    tol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(y, expected, rtol=tol, atol=tol)
    # every channel of the normalised output has mean beta and variance gamma**2 / (1 + eps/var)
    np.testing.assert_allclose(y.astype(np.float64).mean(axes), beta, atol=10 * tol)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_moving_statistics_follow_keras_momentum_rule(shape):
    momentum = 0.8
    layer = _built(shape, momentum=momentum)
    mean, var = np.zeros(shape[-1]), np.ones(shape[-1])  # the initializers' values
    arrays = layer.moving_mean, layer.moving_variance
    for step in range(4):
        x = _batch(shape, n=5 + step, seed=10 + step)
        layer.forward(x, training=True)
        axes = tuple(range(x.ndim - 1))
        mean = mean * momentum + x.mean(axes) * (1 - momentum)
        var = var * momentum + x.var(axes) * (1 - momentum)  # biased, as Keras
        np.testing.assert_allclose(layer.params["moving_mean"], mean, rtol=1e-13)
        np.testing.assert_allclose(layer.params["moving_variance"], var, rtol=1e-13)
    # updated in place: the arrays are the ones add_weight made
    assert layer.moving_mean is arrays[0] and layer.params["moving_variance"] is arrays[1]
    before = layer.params["moving_mean"].copy()
    layer.forward(_batch(shape), training=False)  # inference changes nothing
    np.testing.assert_array_equal(layer.params["moving_mean"], before)


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_uses_the_moving_statistics(shape):
    layer = _built(shape, epsilon=1e-3)
    rng = np.random.default_rng(4)
    layer.params["moving_mean"][...] = rng.normal(size=shape[-1])
    layer.params["moving_variance"][...] = rng.uniform(0.5, 2.0, size=shape[-1])
    x = _batch(shape)
    p = layer.params
    expected = _reference(x, p["gamma"], p["beta"], p["moving_mean"], p["moving_variance"], 1e-3)
    np.testing.assert_allclose(layer.forward(x, training=False), expected, rtol=1e-12, atol=1e-14)
    # an example's prediction does not depend on the rest of its batch
    np.testing.assert_allclose(
        layer.forward(x[:1], training=False), expected[:1], rtol=1e-12, atol=1e-14
    )


# -- PyTorch --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_agrees_with_pytorch_batchnorm(shape):
    torch = pytest.importorskip("torch")
    momentum, eps, channels = 0.9, 1e-3, shape[-1]
    layer = _built(shape, momentum=momentum, epsilon=eps)
    module = (torch.nn.BatchNorm1d if len(shape) == 1 else torch.nn.BatchNorm2d)(
        channels, eps=eps, momentum=1 - momentum, dtype=torch.float64
    )  # PyTorch's momentum is the new batch's weight: 1 - Keras'
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(layer.params["gamma"]))
        module.bias.copy_(torch.from_numpy(layer.params["beta"]))
    order = (0, 3, 1, 2) if len(shape) == 3 else (0, 1)  # NHWC -> NCHW
    back = (0, 2, 3, 1) if len(shape) == 3 else (0, 1)
    ours_before, theirs_before = np.ones(channels), np.ones(channels)
    for step in range(3):
        x = _batch(shape, n=4 + step, seed=20 + step)
        g = np.random.default_rng(30 + step).normal(size=x.shape)
        xt = torch.tensor(x.transpose(order), requires_grad=True)
        module.train()
        module.zero_grad()
        yt = module(xt)
        yt.backward(torch.from_numpy(g.transpose(order).copy()))
        y, dx = layer.forward(x, training=True), layer.backward(g)
        np.testing.assert_allclose(y, yt.detach().numpy().transpose(back), atol=1e-6, rtol=0)
        np.testing.assert_allclose(dx, xt.grad.numpy().transpose(back), atol=1e-6, rtol=0)
        np.testing.assert_allclose(layer.grads["gamma"], module.weight.grad.numpy(), atol=1e-6)
        np.testing.assert_allclose(layer.grads["beta"], module.bias.grad.numpy(), atol=1e-6)
        running_mean = module.running_mean.numpy()
        np.testing.assert_allclose(layer.params["moving_mean"], running_mean, atol=1e-6)
        # PyTorch averages the unbiased variance (m / (m - 1) times the batch's): undo it
        m = x.size // channels
        theirs, ours = module.running_var.numpy().copy(), layer.params["moving_variance"].copy()
        np.testing.assert_allclose(
            (theirs - momentum * theirs_before) * (m - 1) / m,
            ours - momentum * ours_before,
            atol=1e-6,
        )
        ours_before, theirs_before = ours, theirs
    # inference, with PyTorch given our (biased) moving variance
    with torch.no_grad():
        module.running_var.copy_(torch.from_numpy(layer.params["moving_variance"]))
        module.eval()
        x = _batch(shape, n=3, seed=40)
        yt = module(torch.from_numpy(x.transpose(order).copy())).numpy().transpose(back)
    np.testing.assert_allclose(layer.forward(x, training=False), yt, atol=1e-6, rtol=0)


# -- in a model -----------------------------------------------------------------------------
def _moons_model(seed=0, dtype="float64"):
    model = Sequential(
        [
            Dense(8, input_shape=(2,)),
            BatchNormalization(momentum=0.9),
            Activation("tanh"),
            Dense(2, activation="softmax"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def test_a_model_with_batch_normalization_trains_on_moons():
    x, y = moons(200, seed=0)
    model = _moons_model()
    start = model.evaluate(x, y, verbose=0)[0]
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    end, accuracy = model.evaluate(x, y, verbose=0)
    assert end < 0.5 * start and history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy > 0.8  # 0.835 after these 30 epochs; 0.465 before
    bn = model.layers[1]  # the moving statistics have left their initial values
    assert not np.allclose(bn.params["moving_mean"], 0.0)


def test_the_fast_path_leaves_such_models_to_the_plain_path():
    x, y = moons(64, seed=1)
    model = _moons_model()
    assert not fast.handles(model, None)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    again = _moons_model()
    with plain_path():
        again.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for key, p in model.parameters().items():
        np.testing.assert_array_equal(p, again.parameters()[key], err_msg=key)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_and_load_keep_the_moving_statistics_bit_exact(tmp_path, dtype):
    x, y = moons(100, seed=2)
    model = _moons_model(dtype=dtype)
    model.fit(x, y, epochs=3, batch_size=20, verbose=0)
    path = tmp_path / "bn.nnscratch"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded.layers[1], BatchNormalization)
    assert loaded.layers[1].get_config() == model.layers[1].get_config()
    for key, p in model.parameters().items():
        np.testing.assert_array_equal(loaded.parameters()[key], p, err_msg=key)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_convolutional_model_normalises_per_channel_and_saves(tmp_path):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(12, 6, 6, 1)), rng.integers(0, 2, 12)
    model = Sequential(
        [
            Conv2D(3, 3, input_shape=(6, 6, 1)),
            BatchNormalization(),
            Activation("relu"),
            Flatten(),
            Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    model.fit(x, y, epochs=2, batch_size=6, verbose=0)
    assert model.layers[1].params["moving_mean"].shape == (3,)
    model.save(tmp_path / "conv.nnscratch")
    np.testing.assert_array_equal(
        load_model(tmp_path / "conv.nnscratch").predict(x), model.predict(x)
    )


def test_summary_counts_four_per_channel_two_of_them_non_trainable():
    model = _moons_model()
    row = summarize(model).layers[1]
    assert (row.type, row.params, row.trainable_params) == ("BatchNormalization", 32, 16)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert any("(BatchNormalization)" in line and line.rstrip().endswith(" 32") for line in lines)
    dense = 2 * 8 + 8 + 8 * 2 + 2
    assert f"Total params: {dense + 32}" in lines
    assert f"Trainable params: {dense + 16}" in lines
    assert "Non-trainable params: 16" in lines


# -- arguments ------------------------------------------------------------------------------
def test_the_last_axis_is_accepted_by_either_index_and_others_are_refused():
    for shape, axis in (((4,), 1), ((4, 5, 3), 3), ((4, 5, 3), -1)):
        _built(shape, axis=axis)
    with pytest.raises(ValueError, match=r"axis=1.*only the last axis.*axis=-1 \(or 3\)"):
        _built((4, 5, 3), axis=1)
    with pytest.raises(TypeError, match="axis must be an integer"):
        BatchNormalization(axis=(1, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"momentum": 1.5}, "momentum"),
        ({"epsilon": 0.0}, "epsilon"),
        ({"center": "yes"}, "center"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        BatchNormalization(**kwargs)


def test_the_keras_class_takes_keras_1_names_and_lists_the_weights_in_keras_order():
    from nnscratch.keras.layers import BatchNormalization as KerasBatchNormalization

    with pytest.warns(DeprecationWarning, match="gamma_initializer"):
        layer = KerasBatchNormalization(gamma_init="zeros")
    layer.setup((3,), np.random.default_rng(0), np.float64)
    gamma, _, _, var = layer.get_weights()
    np.testing.assert_array_equal(gamma, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))

"""Conv2D, MaxPooling2D and AveragePooling2D, layer by layer.

Gradient checks over random shapes, strides (1, 2, 3), window sizes and both paddings;
forward and backward against a plain-loops implementation written here (to 1e-10 in
float64); TensorFlow's "same" rule on hand-worked cases; PyTorch's conv2d as a third
opinion; float32; the argument and shape errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnscratch.engine.gradcheck import check_layer
from nnscratch.engine.layers import conv as conv_module
from nnscratch.engine.layers.windows import output_length, same_padding
from nnscratch.layers import AveragePooling2D, Conv2D, Dense, Flatten, MaxPooling2D

# -- an independent implementation: plain loops over every index ----------------------------


def tf_same(n: int, k: int, s: int) -> tuple[int, int, int]:
    """TensorFlow's "same": (out, pad_before, pad_after), from its documentation."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def geometry(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(out, pad_before) along one axis."""
    if padding == "same":
        out, before, _ = tf_same(n, k, s)
        return out, before
    return (n - k) // s + 1, 0


def conv_loops(x, kernel, bias, strides, padding, grad=None):
    """Forward (and, given dL/dout, backward) of a convolution by loops."""
    n, h, w, c_in = x.shape
    kh, kw, _, filters = kernel.shape
    (sh, sw) = strides
    oh, top = geometry(h, kh, sh, padding)
    ow, left = geometry(w, kw, sw, padding)
    out = np.zeros((n, oh, ow, filters))
    dx, dk, db = np.zeros_like(x), np.zeros_like(kernel), np.zeros(filters)
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                for f in range(filters):
                    total = bias[f]
                    for i in range(kh):
                        for j in range(kw):
                            r, col = p * sh + i - top, q * sw + j - left
                            if not (0 <= r < h and 0 <= col < w):
                                continue  # a padded zero
                            for c in range(c_in):
                                total += x[b, r, col, c] * kernel[i, j, c, f]
                                if grad is not None:
                                    g = grad[b, p, q, f]
                                    dk[i, j, c, f] += g * x[b, r, col, c]
                                    dx[b, r, col, c] += g * kernel[i, j, c, f]
                    out[b, p, q, f] = total
                    if grad is not None:
                        db[f] += grad[b, p, q, f]
    return out, dx, dk, db


def pool_loops(x, pool, strides, padding, kind, grad=None):
    """Max or average pooling by loops: the first maximum takes the gradient; the mean is
    over the real cells of the window."""
    n, h, w, channels = x.shape
    (ph, pw), (sh, sw) = pool, strides
    oh, top = geometry(h, ph, sh, padding)
    ow, left = geometry(w, pw, sw, padding)
    out = np.zeros((n, oh, ow, channels))
    dx = np.zeros_like(x)
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                for c in range(channels):
                    cells = [
                        (p * sh + i - top, q * sw + j - left)
                        for i in range(ph)
                        for j in range(pw)
                        if 0 <= p * sh + i - top < h and 0 <= q * sw + j - left < w
                    ]
                    values = [x[b, r, col, c] for r, col in cells]
                    if kind == "max":
                        best = int(np.argmax(values))  # the first maximum
                        out[b, p, q, c] = values[best]
                        if grad is not None:
                            r, col = cells[best]
                            dx[b, r, col, c] += grad[b, p, q, c]
                    else:
                        out[b, p, q, c] = sum(values) / len(values)
                        if grad is not None:
                            for r, col in cells:
                                dx[b, r, col, c] += grad[b, p, q, c] / len(values)
    return out, dx


def built(layer, shape, dtype=np.float64, seed=0):
    layer.setup(shape, np.random.RandomState(seed), dtype)
    return layer


# -- the geometry -----------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 12))
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_same_padding_is_tensorflows(n, k, s):
    out, before, after = tf_same(n, k, s)
    assert output_length(n, k, s, "same") == out
    assert same_padding(n, k, s, "same") == (before, after)
    assert after >= before  # the extra cell goes to the bottom/right
    assert same_padding(n, k, s, "valid") == (0, 0)


def test_hand_worked_same_cases():
    # 5 cells, window 2, stride 2: out 3; (3 - 1) * 2 + 2 - 5 = 1 zero, at the end
    assert same_padding(5, 2, 2, "same") == (0, 1)
    # 28x28 MNIST, 5x5 kernel, stride 1: 28 outputs, 2 zeros on each side
    assert same_padding(28, 5, 1, "same") == (2, 2)
    # 4 cells, window 3, stride 2: out 2, one zero at the end
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    mp = built(MaxPooling2D(3, strides=2, padding="same"), (4, 4, 1))
    ap = built(AveragePooling2D(3, strides=2, padding="same"), (4, 4, 1))
    np.testing.assert_array_equal(mp.forward(x)[0, :, :, 0], [[10, 11], [14, 15]])
    # windows rows 0-2 / 2-3, columns 0-2 / 2-3 of 0..15: the means of the real cells
    np.testing.assert_allclose(ap.forward(x)[0, :, :, 0], [[5, 6.5], [11, 12.5]])


# -- against the loops ---------------------------------------------------------------------

CONV_CASES = [
    # (input shape, filters, kernel, strides, padding)
    ((7, 7, 2), 3, (3, 3), (1, 1), "valid"),
    ((7, 8, 2), 3, (3, 3), (2, 2), "valid"),
    ((8, 7, 3), 2, (3, 2), (2, 1), "same"),
    ((7, 7, 1), 4, (5, 5), (2, 2), "same"),
    ((9, 6, 2), 2, (2, 3), (3, 3), "same"),
    ((6, 6, 2), 3, (4, 4), (3, 2), "valid"),
    ((5, 5, 1), 2, (1, 1), (2, 2), "same"),
]


@pytest.mark.parametrize("seed", range(len(CONV_CASES)))
def test_conv_forward_and_backward_agree_with_loops(seed):
    shape, filters, kernel_size, strides, padding = CONV_CASES[seed]
    rng = np.random.default_rng(seed)
    layer = built(Conv2D(filters, kernel_size, strides, padding, bias_initializer="ones"), shape)
    layer.kernel[...] = rng.normal(size=layer.kernel.shape)
    layer.bias[...] = rng.normal(size=layer.bias.shape)
    x = rng.normal(size=(2, *shape))
    out = layer.forward(x, training=True)
    grad = rng.normal(size=out.shape)
    dx = layer.backward(grad)
    ref, ref_dx, ref_dk, ref_db = conv_loops(x, layer.kernel, layer.bias, strides, padding, grad)
    assert out.shape == ref.shape == (2, *layer.output_shape)
    for got, want in ((out, ref), (dx, ref_dx), (layer.grads["kernel"], ref_dk)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], ref_db, rtol=1e-10, atol=1e-10)


POOL_CASES = [
    ((6, 6, 2), (2, 2), None, "valid"),
    ((7, 7, 2), (2, 2), None, "valid"),  # the last row and column are left out
    ((7, 5, 3), (2, 2), None, "same"),
    ((7, 7, 1), (3, 3), (2, 2), "same"),
    ((6, 8, 2), (3, 2), (1, 1), "valid"),  # overlapping windows
    ((5, 6, 2), (2, 3), (3, 2), "same"),
    ((8, 8, 1), (3, 3), (3, 3), "valid"),
]


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pooling_forward_and_backward_agree_with_loops(kind, case):
    shape, pool, strides, padding = case
    rng = np.random.default_rng(7)
    cls = MaxPooling2D if kind == "max" else AveragePooling2D
    layer = built(cls(pool, strides, padding), shape)
    x = rng.normal(size=(3, *shape))
    out = layer.forward(x, training=True)
    grad = rng.normal(size=out.shape)
    dx = layer.backward(grad)
    ref, ref_dx = pool_loops(x, pool, layer.strides, padding, kind, grad)
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-10, atol=1e-12)


def test_max_pooling_gives_a_tied_window_gradient_once_to_its_first_maximum():
    x = np.zeros((1, 4, 4, 1))  # every window ties (all zeros: ReLU outputs)
    x[0, 2, 3, 0] = x[0, 3, 2, 0] = 1.0  # a tie between two cells of the last window
    layer = built(MaxPooling2D(2), (4, 4, 1))
    layer.forward(x, training=True)
    dx = layer.backward(np.ones((1, 2, 2, 1)))
    assert dx.sum() == 4.0  # one cell per window
    expected = np.zeros((4, 4))
    expected[0, 0] = expected[0, 2] = expected[2, 0] = 1.0  # the first (top-left) cell
    expected[2, 3] = 1.0  # of the two maxima, the first in row-major order
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)
    _, ref_dx = pool_loops(x, (2, 2), (2, 2), "valid", "max", np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(dx, ref_dx)


def test_conv_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for strides, padding in (((1, 1), "valid"), ((2, 2), "same"), ((2, 1), "same")):
        layer = built(Conv2D(4, (3, 4), strides, padding), (9, 8, 3))
        layer.bias[...] = rng.normal(size=4)
        x = rng.normal(size=(2, 9, 8, 3))
        (top, bottom), (left, right) = layer.margins()
        xt = torch.nn.functional.pad(
            torch.from_numpy(x.transpose(0, 3, 1, 2)), (left, right, top, bottom)
        )
        kt = torch.from_numpy(layer.kernel.transpose(3, 2, 0, 1).copy())
        want = torch.nn.functional.conv2d(xt, kt, torch.from_numpy(layer.bias), stride=strides)
        got = layer.forward(x)
        np.testing.assert_allclose(got, want.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


# -- gradient checks over random configurations --------------------------------------------


def random_window(rng, window_max=4):
    k = (int(rng.integers(1, window_max + 1)), int(rng.integers(1, window_max + 1)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = str(rng.choice(["valid", "same"]))
    shape = (int(rng.integers(k[0], 9)), int(rng.integers(k[1], 9)), int(rng.integers(1, 4)))
    return k, s, padding, shape


@pytest.mark.parametrize("seed", range(30))
def test_conv_gradients_check_out(seed):
    rng = np.random.default_rng(seed)
    k, s, padding, shape = random_window(rng)
    activation = str(rng.choice(["linear", "tanh", "sigmoid"]))
    layer = built(
        Conv2D(
            int(rng.integers(1, 4)),
            k,
            s,
            padding,
            activation=activation,
            use_bias=bool(rng.integers(2)),
            kernel_regularizer="l2" if seed % 3 == 0 else None,
        ),
        shape,
        seed=seed,
    )
    errors = check_layer(layer, rng.normal(size=(2, *shape)), seed=seed)
    assert set(errors) == {"kernel", "input"} | ({"bias"} if layer.use_bias else set())
    assert max(errors.values()) < 1e-7, (k, s, padding, shape, errors)


@pytest.mark.parametrize("kind", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("seed", range(20))
def test_pooling_gradients_check_out(kind, seed):
    rng = np.random.default_rng(100 + seed)
    k, s, padding, shape = random_window(rng)
    layer = built(kind(k, s if seed % 4 else None, padding), shape)
    size = 2 * math.prod(shape)
    x = rng.permutation(size).reshape(2, *shape) * 0.01  # no two cells within eps: no ties
    errors = check_layer(layer, x, seed=seed)
    assert set(errors) == {"input"}
    assert errors["input"] < 1e-7, (k, s, padding, shape, errors)


# -- float32, shapes and config ------------------------------------------------------------


@pytest.mark.parametrize("cls", [Conv2D, MaxPooling2D, AveragePooling2D])
def test_float32_in_float32_out_close_to_float64(cls):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 9, 9, 2))
    make = (lambda: Conv2D(3, 3, 2, "same", activation="tanh")) if cls is Conv2D else cls
    one, two = built(make(), (9, 9, 2), np.float32), built(make(), (9, 9, 2), np.float64)
    out32 = one.forward(x.astype(np.float32), training=True)
    assert out32.dtype == np.float32
    dx32 = one.backward(np.ones_like(out32))
    assert dx32.dtype == np.float32 and all(g.dtype == np.float32 for g in one.grads.values())
    np.testing.assert_allclose(out32, two.forward(x), rtol=1e-5, atol=1e-5)


def test_kernel_shape_and_fans_are_keras():
    layer = built(Conv2D(20, 5), (28, 28, 1))
    assert layer.kernel.shape == (5, 5, 1, 20) and layer.bias.shape == (20,)
    assert layer.output_shape == (24, 24, 20)
    limit = math.sqrt(6 / (25 * 1 + 25 * 20))  # glorot: fans count the receptive field
    assert 0.9 * limit < np.abs(layer.kernel).max() <= limit


def test_config_round_trips():
    layer = Conv2D(
        8,
        [3, 2],
        strides=2,
        padding="SAME",
        activation="relu",
        kernel_initializer="he_normal",
        kernel_regularizer="l2",
        use_bias=False,
        name="c",
    )
    config = layer.get_config()
    assert config["kernel_size"] == [3, 2] and config["strides"] == [2, 2]
    assert config["padding"] == "same" and config["activation"] == "relu"
    again = Conv2D.from_config(config)
    assert again.get_config() == config
    pool = MaxPooling2D(3, padding="same")
    assert pool.strides == (3, 3)  # strides default to the pool size
    assert MaxPooling2D.from_config(pool.get_config()).get_config() == pool.get_config()


def test_inference_in_chunks_gives_the_same_bits(monkeypatch):
    rng = np.random.default_rng(2)
    layer = built(Conv2D(4, 3, padding="same"), (6, 6, 2))
    x = rng.normal(size=(7, 6, 6, 2))
    whole = layer.forward(x)
    monkeypatch.setattr(conv_module, "PATCH_BYTES", 1)  # one image at a time
    np.testing.assert_array_equal(layer.forward(x), whole)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"filters": 0, "kernel_size": 3}, ValueError, "filters must be a positive integer"),
        ({"filters": 2, "kernel_size": 0}, ValueError, "kernel_size must be a positive"),
        ({"filters": 2, "kernel_size": (3,)}, ValueError, "a pair of them"),
        ({"filters": 2, "kernel_size": "3"}, TypeError, "kernel_size must be"),
        ({"filters": 2, "kernel_size": True}, TypeError, "kernel_size must be"),
        ({"filters": 2, "kernel_size": 3, "strides": (1, 0)}, ValueError, "strides must be"),
        ({"filters": 2, "kernel_size": 3, "padding": "full"}, ValueError, "'valid', 'same'"),
        ({"filters": 2, "kernel_size": 3, "activation": "nope"}, ValueError, "activation"),
        ({"filters": 2, "kernel_size": 3, "use_bias": 1}, TypeError, "use_bias"),
    ],
)
def test_bad_conv_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        Conv2D(**kwargs)


def test_bad_pool_arguments_are_named():
    with pytest.raises(ValueError, match="pool_size must be"):
        MaxPooling2D(0)
    with pytest.raises(ValueError, match="strides must be"):
        AveragePooling2D(2, strides=(2, -1))
    with pytest.raises(ValueError, match="padding must be one of"):
        MaxPooling2D(2, padding="causal")


def test_wrong_ranks_name_the_shape_received_and_the_one_expected():
    from nnscratch import Sequential

    with pytest.raises(ValueError, match=r"\(n, height, width, channels\), got \(None, 784\)"):
        Sequential([Conv2D(4, 3, input_shape=(784,))])
    with pytest.raises(ValueError, match=r"got \(None, 100\)"):
        Sequential([Dense(100, input_dim=4), MaxPooling2D()])
    with pytest.raises(ValueError, match=r"got \(None, 24, 24, 4\); put Flatten\(\) before it"):
        Sequential([Conv2D(4, 5, input_shape=(28, 28, 1)), Dense(10)])
    with pytest.raises(ValueError, match=r"at least 5x5, got 3x4.*padding='same'"):
        Sequential([Conv2D(4, 5, input_shape=(3, 4, 1))])
    assert Sequential([Conv2D(4, 5, padding="same", input_shape=(3, 4, 1))]).output_shape == (
        None,
        3,
        4,
        4,
    )
    layer = built(Conv2D(2, 3), (5, 5, 1))
    with pytest.raises(
        ValueError, match=r"expects inputs of shape \(n, 5, 5, 1\), got \(2, 5, 5\)"
    ):
        layer.forward(np.zeros((2, 5, 5)))
    model = Sequential([Conv2D(2, 3, input_shape=(5, 5, 1)), Flatten(), Dense(2)])
    with pytest.raises(ValueError, match=r"expected 4-D x \(n_samples, 5, 5, 1\), got shape"):
        model.predict(np.zeros((3, 25)))

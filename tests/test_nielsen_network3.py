"""network3 on the engine computes the book's Theano network: an independent NumPy version
of the book's layers (channels-first, a true convolution, pooling before the activation)
written here is the reference for outputs, gradients, the L2 step and dropout."""
# The book's layers draw from the global np.random; mimicking it is the point.
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.nielsen import network3
from nnscratch.nielsen.network3 import (
    ConvPoolLayer,
    FullyConnectedLayer,
    Network,
    ReLU,
    SoftmaxLayer,
    linear,
    sigmoid,
    tanh,
)

FUNCTIONS = {
    sigmoid: lambda z: 1 / (1 + np.exp(-z)),
    tanh: np.tanh,
    ReLU: lambda z: np.maximum(0, z),
}
FUNCTIONS[linear] = lambda z: z


def book_conv_pool(x, w, b, pool, fn):
    """Theano's conv2d (a true convolution: the filter flipped), max-pool, then fn(. + b)."""
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    flipped = w[:, :, ::-1, ::-1]
    z = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i : i + kh, j : j + kw]
            z[:, :, i, j] = np.einsum("ncij,fcij->nf", patch, flipped)
    ph, pw = pool
    z = z[:, :, : oh // ph * ph, : ow // pw * pw]
    pooled = z.reshape(n, f, oh // ph, ph, ow // pw, pw).max(axis=(3, 5))
    return FUNCTIONS[fn](pooled + b[None, :, None, None])


def book_output(layers, x):
    """The book's inference output (``self.output``): dropout as a (1 - p) scale."""
    a = x
    for layer in layers:
        if isinstance(layer, ConvPoolLayer):
            images = a.reshape(-1, *layer.image_shape[1:])
            a = book_conv_pool(images, layer.w, layer.b, layer.poolsize, layer.activation_fn)
        else:
            flat = a.reshape(len(a), -1)
            z = (1 - layer.p_dropout) * flat @ layer.w + layer.b
            if isinstance(layer, SoftmaxLayer):
                e = np.exp(z - z.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
            else:
                a = FUNCTIONS[layer.activation_fn](z)
    return a


def small_net(fn=sigmoid, p=0.0, dtype="float64", seed=0):
    np.random.seed(seed)
    layers = [
        ConvPoolLayer(filter_shape=(3, 1, 3, 3), image_shape=(4, 1, 8, 8), activation_fn=fn),
        ConvPoolLayer(
            filter_shape=(2, 3, 2, 2), image_shape=(4, 3, 3, 3), poolsize=(1, 1), activation_fn=fn
        ),
        FullyConnectedLayer(n_in=2 * 2 * 2, n_out=5, activation_fn=fn, p_dropout=p),
        SoftmaxLayer(n_in=5, n_out=4, p_dropout=p),
    ]
    return Network(layers, 4, dtype=dtype, print_fn=None)


def data(n=8, seed=1):
    rng = np.random.RandomState(seed)
    return rng.rand(n, 64), rng.randint(0, 4, n)


@pytest.mark.parametrize("fn", [sigmoid, tanh, ReLU, linear])
def test_output_is_the_books(fn):
    net = small_net(fn, p=0.25)
    net.layers[-1].w = np.random.RandomState(3).randn(5, 4)  # softmax starts at zero
    x, _ = data()
    ours = net.model.predict(net.inputs(x))
    np.testing.assert_allclose(ours, book_output(net.layers, x), rtol=0, atol=1e-12)


def test_initial_weights_are_the_books_draws_in_order():
    np.random.seed(5)
    w1 = np.random.normal(0, np.sqrt(1 / (20 * 25 / 4)), (20, 1, 5, 5))
    b1 = np.random.normal(0, 1, (20,))
    w2 = np.random.normal(0, np.sqrt(1 / 100), (2880, 100))
    b2 = np.random.normal(0, 1, (100,))
    np.random.seed(5)
    net = Network(
        [
            ConvPoolLayer(filter_shape=(20, 1, 5, 5), image_shape=(10, 1, 28, 28)),
            FullyConnectedLayer(n_in=20 * 12 * 12, n_out=100),
            SoftmaxLayer(n_in=100, n_out=10),
        ],
        10,
        dtype="float64",
        print_fn=None,
    )
    for ours, theirs in zip(net.params, [w1, b1, w2, b2, np.zeros((100, 10)), np.zeros(10)]):
        np.testing.assert_array_equal(ours, theirs)


def book_cost(net, params, x, y, lmbda, batches):
    """The book's regularized cost with the layers' parameters replaced by ``params``."""
    saved = [(layer._w, layer._b, layer.engine, layer.bias_engine) for layer in net.layers]
    try:
        for layer, (w, b) in zip(net.layers, zip(params[::2], params[1::2])):
            layer._w, layer._b, layer.engine, layer.bias_engine = w, b, None, None
        out = book_output(net.layers, x)
    finally:
        for layer, (w, b, engine, bias_engine) in zip(net.layers, saved):
            layer._w, layer._b, layer.engine, layer.bias_engine = w, b, engine, bias_engine
    cost = -np.mean(np.log(out[np.arange(len(y)), y]))
    return cost + 0.5 * lmbda * sum(np.sum(w**2) for w in params[::2]) / batches


@pytest.mark.parametrize("fn", [sigmoid, ReLU])
def test_one_sgd_step_is_the_books_gradient_step(fn):
    net = small_net(fn)
    net.layers[-1].w = np.random.RandomState(4).randn(5, 4) * 0.3
    x, y = data(n=4)
    params = [p.copy() for p in net.params]
    eta, lmbda = 0.1, 2.0
    # the book's gradient, by central differences of its cost (a batch of 4, 1 batch)
    grads = []
    for k, p in enumerate(params):
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[k][index] += 1e-6
            minus[k][index] -= 1e-6
            g[index] = (
                book_cost(net, plus, x, y, lmbda, 1) - book_cost(net, minus, x, y, lmbda, 1)
            ) / 2e-6
        grads.append(g)
    lines = []
    net.print_fn = lines.append
    net.SGD((x, y), 1, 4, eta, (x, y), (x, y), lmbda=lmbda)
    for after, before, g in zip(net.params, params, grads):
        np.testing.assert_allclose(after, before - eta * g, rtol=0, atol=1e-7)
    assert lines[0] == "Training mini-batch number 0"


def test_the_books_lines_and_the_test_accuracy_at_the_best_validation_epoch():
    net = small_net(ReLU)
    x, y = data(n=40, seed=2)
    lines = []
    net.print_fn = lines.append
    net.SGD((x, y), 3, 4, 0.05, (x[:20], y[:20]), (x[20:], y[20:]))
    h = net.history
    assert h.epochs == 3 and len(h.seconds) == 3
    assert lines[0] == "Training mini-batch number 0"
    assert lines[1] == f"Epoch 0: validation accuracy {h.validation_accuracy[0]:.2%}"
    assert lines[2] == "This is the best validation accuracy to date."
    assert lines[3] == f"The corresponding test accuracy is {h.test_accuracy[0]:.2%}"
    best = max(i for i, a in enumerate(h.validation_accuracy) if a == max(h.validation_accuracy))
    assert h.best_epoch == best and h.best_iteration == 10 * (best + 1) - 1
    assert lines[-3] == "Finished training network."
    assert lines[-2] == (
        f"Best validation accuracy of {h.best_validation_accuracy:.2%} obtained at "
        f"iteration {h.best_iteration}"
    )
    assert lines[-1] == f"Corresponding test accuracy of {h.best_test_accuracy:.2%}"
    assert net.accuracy((x[20:], y[20:])) == pytest.approx(
        np.mean(book_output(net.layers, x[20:]).argmax(1) == y[20:])
    )


def test_dropout_drops_inputs_while_training_and_scales_at_inference():
    net = small_net(sigmoid, p=0.5)
    dropout = next(layer for layer in net.model.layers if type(layer).__name__ == "NielsenDropout")
    x = np.ones((4, 8))
    out = dropout.forward(x, training=True)
    assert set(np.unique(out)) <= {0.0, 1.0} and 0 < out.sum() < 32
    np.testing.assert_array_equal(dropout.backward(np.ones((4, 8))), out)
    np.testing.assert_array_equal(dropout.forward(x, training=False), np.full((4, 8), 0.5))
    # every layer's stream starts at the book's fixed seed, whatever np.random's state
    np.random.seed(123)
    again = small_net(sigmoid, p=0.5, seed=9)
    first = next(layer for layer in again.model.layers if type(layer).__name__ == "NielsenDropout")
    np.testing.assert_array_equal(first.forward(x, training=True), out)


def test_the_training_order_is_the_datas_and_the_remainder_is_left_out():
    x, y = data(n=10, seed=3)
    a, b = small_net(ReLU), small_net(ReLU)
    a.SGD((x, y), 1, 4, 0.1, (x, y), None)
    b.SGD((x[:8], y[:8]), 1, 4, 0.1, (x, y), None)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)
    assert a.history.best_test_accuracy is None


def test_weights_round_trip_in_the_books_shapes():
    net = small_net()
    layer = net.layers[0]
    w = np.random.RandomState(0).randn(*layer.filter_shape)
    layer.w = w
    np.testing.assert_array_equal(layer.w, w)
    fc = net.layers[2]
    w = np.random.RandomState(1).randn(8, 5)
    fc.w = w
    np.testing.assert_array_equal(fc.w, w)
    with pytest.raises(ValueError, match=r"shape \(8, 5\)"):
        fc.w = np.zeros((5, 8))


def test_bad_networks_are_named():
    with pytest.raises(ValueError, match="SoftmaxLayer"):
        Network([FullyConnectedLayer(4, 3)], 2)
    with pytest.raises(ValueError, match="feature maps"):
        ConvPoolLayer(filter_shape=(3, 2, 3, 3), image_shape=(4, 1, 8, 8))
    with pytest.raises(ValueError, match="receives 27 inputs"):
        Network(
            [
                ConvPoolLayer(filter_shape=(3, 1, 3, 3), image_shape=(4, 1, 8, 8)),
                SoftmaxLayer(n_in=20, n_out=4),
            ],
            4,
        )
    with pytest.raises(ValueError, match="activation_fn"):
        FullyConnectedLayer(4, 3, activation_fn=np.exp)
    net = small_net()
    x, y = data()
    with pytest.raises(ValueError, match="differs"):
        net.SGD((x, y), 1, 5, 0.1, (x, y), (x, y))


def test_load_data_shared_finds_the_book_layout(tmp_path, monkeypatch):
    from test_nielsen_book import write_fake_mnist

    write_fake_mnist(tmp_path / "data" / "mnist.pkl.gz", n=(30, 10, 10))
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    training, _, test = network3.load_data_shared()
    assert training[0].shape == (30, 784) and training[0].dtype == np.float32
    assert training[1].dtype == np.int32 and network3.size(test) == 10
    again = network3.load_data_shared("../data/mnist.pkl.gz")
    np.testing.assert_array_equal(again[0][0], training[0])
    expanded, _, _ = network3.load_data_shared("../data/mnist_expanded.pkl.gz")
    assert network3.size(expanded) == 150  # each image and its four one-pixel shifts

"""The engine's plain path on another array namespace gives NumPy's numbers.

``array_api_strict`` is the Array API standard's reference namespace: it refuses anything
the standard does not define (NumPy-only functions, ``out=``, methods such as ``.sum()``,
mixing in NumPy arrays). Every layer, activation, loss, optimizer and a short fit run on it
here and must agree with NumPy to 1e-12 in float64 (close in float32). The CuPy tests at the
end run only where CuPy sees a GPU.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from nnscratch import Sequential
from nnscratch.engine import activations, backend, fast, losses, optimizers, regularizers
from nnscratch.engine.training import plain_path
from nnscratch.layers import (
    Activation,
    AveragePooling2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    Reshape,
)

xp = pytest.importorskip("array_api_strict")

TOL = 1e-12


def _np(a):
    return backend.to_numpy(a)


def _close(a, b, tol=TOL):
    """``a`` (a strict array, a float or a dict/list of them) equals NumPy's ``b``."""
    if isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in b:
            _close(a[key], b[key], tol)
        return
    if isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v, tol)
        return
    got = np.asarray(_np(a) if not isinstance(a, float) else a)
    assert got.shape == np.shape(b)
    np.testing.assert_allclose(got, b, rtol=tol, atol=tol)


# -- the lookup ------------------------------------------------------------------------------
def test_namespaces_by_device():
    assert backend.namespace("cpu") is backend.NUMPY
    assert backend.namespace(xp) is xp
    assert backend.namespace(np) is backend.NUMPY
    assert backend.array_namespace(np.zeros(2)) is backend.NUMPY
    assert backend.array_namespace(xp.zeros(2)) is xp
    with pytest.raises(ValueError, match="device must be 'cpu', 'gpu' or an Array-API"):
        backend.namespace("tpu")
    with pytest.raises(TypeError, match="expected an array of an Array-API namespace"):
        backend.array_namespace([1.0, 2.0])


def test_gpu_without_cupy_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    with pytest.raises(backend.DeviceUnavailable) as info:
        Sequential([Dense(2, input_dim=2)], device="gpu")
    message = str(info.value)
    assert "\n" not in message
    assert "nnscratch[gpu]" in message and "cupy-cuda12x" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("count", [0, "error"])
def test_gpu_with_cupy_but_no_device_is_one_line(monkeypatch, count):
    def device_count():
        if count == "error":
            raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
        return count

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=device_count))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(backend.DeviceUnavailable, match="device='gpu'") as info:
        backend.namespace("gpu")
    assert "\n" not in str(info.value) and "GPU" in str(info.value)


# -- layers ----------------------------------------------------------------------------------
LAYERS = [
    (lambda: Dense(4, activation="tanh"), (5,)),
    (lambda: Dense(3, activation="softmax", kernel_initializer="scaled_normal"), (5,)),
    (lambda: Dense(3, activation="sigmoid", use_bias=False), (5,)),
    (lambda: Dense(3, activation="relu"), (5,)),
    (lambda: Dense(3, activation="elu"), (5,)),
    (lambda: Dense(3, activation="selu"), (5,)),
    (lambda: Dense(3, activation="softplus"), (5,)),
    (lambda: Dense(3, activation="softsign"), (5,)),
    (lambda: Dense(3, activation="leaky_relu"), (5,)),
    (lambda: Activation("tanh"), (5,)),
    (lambda: Conv2D(3, 3, activation="relu"), (7, 6, 2)),
    (lambda: Conv2D(2, (3, 2), strides=2, padding="same", activation="tanh"), (7, 6, 2)),
    (lambda: MaxPooling2D(2), (6, 6, 2)),
    (lambda: MaxPooling2D(3, strides=1, padding="same"), (5, 6, 2)),
    (lambda: AveragePooling2D(2), (6, 6, 2)),
    (lambda: AveragePooling2D(3, strides=2, padding="same"), (5, 6, 2)),
    (lambda: GlobalAveragePooling2D(), (5, 6, 2)),
    (lambda: GlobalMaxPooling2D(keepdims=True), (5, 6, 2)),
    (lambda: Flatten(), (3, 4, 2)),
    (lambda: Reshape((4, -1)), (3, 4, 2)),
    (lambda: Dropout(0.4), (6,)),
]


def _layer_pass(make, shape, ns, dtype):
    """Forward (training), backward and weight gradients of a fresh seeded layer."""
    layer = make()
    layer.setup(shape, np.random.RandomState(3), np.dtype(dtype), ns)
    rng = np.random.RandomState(7)
    x = rng.standard_normal((4, *shape)).astype(dtype)
    out = layer.forward(ns.asarray(x), training=True)
    grad = rng.standard_normal(out.shape).astype(dtype)
    dx = layer.backward(ns.asarray(grad))
    return out, dx, dict(layer.grads), dict(layer.params)


@pytest.mark.parametrize(("make", "shape"), LAYERS)
def test_layer_on_array_api_strict_equals_numpy(make, shape):
    want = _layer_pass(make, shape, np, "float64")
    got = _layer_pass(make, shape, xp, "float64")
    for g in got[:2]:
        assert backend.array_namespace(g) is xp  # computed there, not converted back
    _close(list(got), list(want))


@pytest.mark.parametrize(("make", "shape"), LAYERS[:1] + LAYERS[10:13])
def test_layer_in_float32_is_close(make, shape):
    want = _layer_pass(make, shape, np, "float32")
    got = _layer_pass(make, shape, xp, "float32")
    assert got[0].dtype == xp.float32
    _close(list(got), list(want), tol=1e-5)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_activation_forward_and_backward(name):
    act = activations.get(name)
    rng = np.random.RandomState(1)
    z, g = rng.standard_normal((6, 4)) * 3, rng.standard_normal((6, 4))
    a = act.forward(z)
    _close(act.forward(xp.asarray(z)), a)
    _close(act.backward(xp.asarray(g), xp.asarray(a)), act.backward(g, a))


def test_softmax_rows_that_overflow_take_the_careful_path():
    z = np.array([[1000.0, 999.0, -5.0], [0.5, -0.5, 2.0], [-1e4, -1e4 - 1, -1e4 - 2]])
    want = activations.softmax(z)
    assert np.isfinite(want).all()
    _close(activations.softmax(xp.asarray(z)), want)


# -- losses, regularizers, optimizers --------------------------------------------------------
def _targets(loss, rng, n, k):
    if isinstance(loss, losses.CategoricalCrossentropy | losses.CategoricalHinge):
        return np.eye(k)[rng.randint(0, k, n)]
    if isinstance(loss, losses.BinaryCrossentropy | losses.Hinge | losses.SquaredHinge):
        return rng.randint(0, 2, (n, k)).astype(float)
    return rng.standard_normal((n, k))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_loss_values_and_gradients(name, reduction):
    loss = losses.get(name, reduction=reduction)
    rng = np.random.RandomState(2)
    y = _targets(loss, rng, 7, 3)
    p = activations.softmax(rng.standard_normal((7, 3)))  # in (0, 1) for every loss
    w = rng.uniform(0, 2, 7)
    Y, P, W = xp.asarray(y), xp.asarray(p), xp.asarray(w)
    _close(loss.per_example(Y, P), loss.per_example(y, p))
    _close(loss.total(Y, P), loss.total(y, p))
    _close(loss.value(Y, P), loss.value(y, p))
    _close(loss.weighted_sum(Y, P, W), loss.weighted_sum(y, p, w))
    _close(loss.gradient(Y, P), loss.gradient(y, p))
    _close(loss.fused_gradient(Y, P, sample_weight=W), loss.fused_gradient(y, p, sample_weight=w))


def test_regularizers():
    reg = regularizers.l1_l2(0.01, 0.02)
    w = np.random.RandomState(4).standard_normal((3, 4))
    _close(reg.penalty(xp.asarray(w)), reg.penalty(w))
    _close(reg.gradient(xp.asarray(w)), reg.gradient(w))


OPTIMIZERS = [
    lambda: optimizers.SGD(0.1),
    lambda: optimizers.SGD(0.1, momentum=0.9),
    lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: optimizers.Adam(0.01),
    lambda: optimizers.Adam(0.01, amsgrad=True),
    lambda: optimizers.RMSprop(0.01),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.Adadelta(),
    lambda: optimizers.Nadam(0.01),
]


def _steps(make, ns):
    opt, rng = make(), np.random.RandomState(5)
    params = {"0.kernel": ns.asarray(rng.standard_normal((3, 2))), "0.bias": ns.zeros(2)}
    for _ in range(4):
        grads = {key: ns.asarray(rng.standard_normal(p.shape)) for key, p in params.items()}
        opt.step(params, grads)
    return opt, params


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_optimizer_steps_and_state(make):
    want_opt, want = _steps(make, np)
    got_opt, got = _steps(make, xp)
    _close(got, want)
    state = got_opt.get_state()
    assert all(type(a) is np.ndarray for a in state.values())  # saved as NumPy
    _close(state, want_opt.get_state())
    got_opt.set_state(state, got, got_opt.iterations)  # back onto the namespace
    for slot in got_opt.state.values():
        assert all(backend.array_namespace(a) is xp for a in slot.values())


# -- models ----------------------------------------------------------------------------------
def _dense_model(ns, dtype="float64"):
    from nnscratch.regularizers import l2

    model = Sequential(
        [
            Dense(6, activation="tanh", kernel_regularizer=l2(0.01), input_dim=3),
            Dropout(0.2),
            Dense(3, activation="softmax"),
        ],
        seed=1,
        dtype=dtype,
        device=ns,
    )
    model.compile(optimizer=optimizers.SGD(0.1, momentum=0.9), metrics=["accuracy"])
    return model


def _conv_model(ns, dtype="float64"):
    model = Sequential(
        [
            Conv2D(3, 3, activation="relu", input_shape=(8, 8, 1)),
            MaxPooling2D(2),
            Conv2D(2, 2, padding="same", activation="sigmoid"),
            AveragePooling2D(2),
            Flatten(),
            Dense(3, activation="softmax"),
        ],
        seed=2,
        dtype=dtype,
        device=ns,
    )
    model.compile(optimizer="adam")
    return model


def _data(shape, n=24, seed=0):
    rng = np.random.RandomState(seed)
    return rng.standard_normal((n, *shape)), rng.randint(0, 3, n)


def _run(make, shape, ns, dtype="float64", **fit):
    x, y = _data(shape)
    model = make(ns, dtype)
    with plain_path():  # NumPy's plain path; other namespaces never take the fast one
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, **fit)
    return model, history.history, x, y


@pytest.mark.parametrize(("make", "shape"), [(_dense_model, (3,)), (_conv_model, (8, 8, 1))])
def test_fit_predict_evaluate_equal_numpy(make, shape):
    want, want_hist, x, y = _run(make, shape, np)
    got, got_hist, _, _ = _run(make, shape, xp)
    assert not fast.handles(got, None) and fast.handles(want, None)
    for key, p in got.parameters().items():
        assert backend.array_namespace(p) is xp, key
    _close(got_hist, want_hist)
    _close(got.get_weights(), want.get_weights())
    prediction = got.predict(x)
    assert type(prediction) is np.ndarray  # predict hands NumPy back
    _close(prediction, want.predict(x))
    _close(got.predict(x, batch_size=5), want.predict(x, batch_size=5))
    _close(got.evaluate(x, y), want.evaluate(x, y))
    _close(got.trace(x[:3]), want.trace(x[:3]))


def test_weighted_fit_with_validation_and_batch_methods():
    x, y = _data((3,))
    w = np.random.RandomState(9).uniform(0.5, 2, len(x))
    runs = []
    for ns in (np, xp):
        model, hist, _, _ = _run(_dense_model, (3,), ns, sample_weight=w, validation_split=0.25)
        batch = model.train_on_batch(x[:5], y[:5], sample_weight=w[:5])
        grads = model.gradients(x[:5], y[:5])
        runs.append((hist, model.get_weights(), batch, grads))
    got, want = runs[1], runs[0]
    assert set(got[0]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    _close(got[0], want[0])
    _close(got[1], want[1])
    _close(got[2], want[2])
    _close(got[3], want[3])
    assert all(type(g) is np.ndarray for g in got[3].values())


def test_set_weights_moves_them_to_the_namespace():
    model = _dense_model(xp)
    weights = [w + 1.0 for w in model.get_weights()]
    model.set_weights(weights)
    _close(model.get_weights(), weights)
    assert all(backend.array_namespace(p) is xp for p in model.parameters().values())


@pytest.mark.parametrize(("make", "shape"), [(_dense_model, (3,)), (_conv_model, (8, 8, 1))])
def test_fit_in_float32_is_close(make, shape):
    want, want_hist, x, _ = _run(make, shape, np, "float32")
    got, got_hist, _, _ = _run(make, shape, xp, "float32")
    assert all(p.dtype == xp.float32 for p in got.parameters().values())
    _close(got_hist, want_hist, tol=1e-4)
    _close(got.predict(x), want.predict(x), tol=1e-4)


def test_the_numpy_1_names_compute_the_same_bits(monkeypatch):
    """On NumPy 1.x the namespace is NumPy plus the standard's names it lacks; run the
    same fit through that namespace here and get NumPy 2's bits."""
    want, want_hist, _, _ = _run(_conv_model, (8, 8, 1), np)
    monkeypatch.setattr(backend, "NUMPY", backend._numpy_1())
    got, got_hist, _, _ = _run(_conv_model, (8, 8, 1), "cpu")
    assert got.xp is backend.NUMPY and got.xp is not np
    assert got_hist == want_hist
    for a, b in zip(got.get_weights(), want.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- CuPy, where there is a GPU --------------------------------------------------------------
def _cupy():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed (nnscratch[gpu])")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver or runtime
        pytest.skip(f"CuPy finds no GPU: {exc}")
    if count < 1:
        pytest.skip("CuPy finds no GPU")
    return cupy


@pytest.mark.parametrize(("make", "shape"), [(_dense_model, (3,)), (_conv_model, (8, 8, 1))])
def test_fit_on_the_gpu_equals_numpy(make, shape):
    cupy = _cupy()
    want, want_hist, x, _ = _run(make, shape, np)
    got, got_hist, _, _ = _run(make, shape, "gpu")
    assert got.xp is cupy
    _close(got_hist, want_hist, tol=1e-10)
    _close(got.get_weights(), want.get_weights(), tol=1e-10)
    _close(got.predict(x), want.predict(x), tol=1e-10)


# -- the lab code behind `nnscratch mnist/chapter6/compare --device` --------------------------
@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_lab_mnist_network_moved_to_a_namespace_trains_the_same(cost):
    from nnscratch.lab import mnist

    rng = np.random.RandomState(0)
    X, y = rng.uniform(0, 1, (40, 784)), rng.randint(0, 10, 40)
    runs = []
    for device in ("cpu", xp):
        net = mnist.build_network([784, 6, 10], cost, dtype="float64", seed=3, device=device)
        with plain_path():
            history = mnist.train(net, (X, y), (X[:10], y[:10]), epochs=2, lmbda=0.5)
        runs.append((history.test_cost, history.test_accuracy, net.model.get_weights()))
    assert runs[1][0] == pytest.approx(runs[0][0], rel=TOL)
    assert runs[1][1] == runs[0][1]
    _close(runs[1][2], runs[0][2])


def test_lab_chapter6_refuses_the_books_numpy_layers_in_one_line():
    from nnscratch.lab import chapter6

    with pytest.raises(ValueError, match=r"compute\(s\) with NumPy only") as info:
        chapter6.build_network(1, print_fn=None, device=xp)
    assert "\n" not in str(info.value)


def test_lab_compare_trains_nnscratch_on_a_namespace():
    from nnscratch.lab import compare, compare_setup

    with pytest.raises(ValueError, match="device must be 'cpu', 'gpu' or an Array-API"):
        compare_setup.make_settings("moons", device="tpu")
    settings = compare_setup.make_settings("moons", epochs=30, hidden=4)
    want = compare.compare(settings, libraries=["nnscratch"]).runs[0]
    strict = compare_setup.make_settings("moons", epochs=30, hidden=4, device=xp)
    got = compare.compare(strict, libraries=["nnscratch"]).runs[0]
    assert got.train_accuracy == want.train_accuracy and got.test_accuracy == want.test_accuracy


@pytest.mark.parametrize(
    "command", [["mnist"], ["chapter6", "--step", "1"], ["compare", "--dataset", "moons"]]
)
def test_cli_device_gpu_without_cupy_is_one_line_before_any_work(monkeypatch, capsys, command):
    from nnscratch.cli import main

    monkeypatch.setitem(sys.modules, "cupy", None)
    monkeypatch.setenv("NNSCRATCH_DATA", "/nonexistent")  # no data is read before the check
    assert main([*command, "--device", "gpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'pip install "nnscratch[gpu]"' in err[0], err

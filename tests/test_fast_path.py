"""The fast path (engine/fast/) computes exactly what the plain path computes.

Every printed loss, every epoch's loss and every final weight, bit for bit: on the
article's run, on every size of the article's sweep on both data sets, and on mini-batch
runs with the other activations, losses, optimizers, regularizers, dropout and float32,
and convolutional networks (strides, both paddings, max and average pooling).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import Sequential
from nnscratch.engine.activations import Activation as ActivationFunction
from nnscratch.engine.training import plain_path
from nnscratch.lab.experiments import build_network, load_dataset
from nnscratch.layers import (
    Activation,
    AveragePooling2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPooling2D,
)
from nnscratch.optimizers import SGD, Adagrad, Adam, RMSprop
from nnscratch.progress import LossPrinter
from nnscratch.regularizers import l1, l1_l2, l2

SWEEP = (1, 2, 3, 4, 10, 20, 50, 200)


def _article(dataset: str, hidden: int, passes: int):
    X, y = load_dataset(dataset)
    model = build_network(hidden)
    lines: list[str] = []
    printer = LossPrinter(X, y, every=max(1, passes // 20), write=lines.append)
    model.fit(X, y, batch_size=len(X), epochs=passes, verbose=0, callbacks=[printer])
    return lines, model.history.history["loss"], model.get_weights()


def _same(fast, plain):
    (lines_f, losses_f, weights_f), (lines_p, losses_p, weights_p) = fast, plain
    assert lines_f == lines_p
    assert losses_f == losses_p  # every epoch, as floats: the same bits
    for wf, wp in zip(weights_f, weights_p, strict=True):
        np.testing.assert_array_equal(wf, wp)


def test_the_article_run_is_the_same_on_both_paths():
    fast = _article("moons", 3, 20000)
    with plain_path():
        plain = _article("moons", 3, 20000)
    _same(fast, plain)
    assert fast[0][0] == "Loss after iteration 0: 0.432387"


def test_the_environment_variable_selects_the_plain_path(monkeypatch):
    calls = []
    import nnscratch.engine.training as training

    real = training.compute_gradients
    monkeypatch.setattr(training, "compute_gradients", lambda *a: calls.append(1) or real(*a))
    _article("moons", 3, 3)
    assert calls == []  # the fast path does not go through it
    monkeypatch.setenv("NNSCRATCH_PLAIN", "1")
    _article("moons", 3, 3)
    assert len(calls) == 3


@pytest.mark.parametrize("dataset", ["moons", "circles"])
@pytest.mark.parametrize("hidden", SWEEP)
def test_every_sweep_size_is_the_same_on_both_paths(dataset, hidden):
    fast = _article(dataset, hidden, 600)
    with plain_path():
        plain = _article(dataset, hidden, 600)
    _same(fast, plain)


def _mini_batch_run(make, loss, dtype, batch_size, **compile_kwargs):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(53, 4))
    y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(int)
    layers = make()
    if loss == "mse" or (loss == "binary_crossentropy" and layers[-1].units > 1):
        y = np.eye(2)[y]  # regression onto one-hot rows, or two yes/no outputs
    model = Sequential(layers, seed=2, dtype=dtype)
    model.compile(loss=loss, **compile_kwargs)
    model.fit(x, y, epochs=4, batch_size=batch_size, verbose=0, validation_data=(x[:9], y[:9]))
    return (
        [],
        model.history.history["loss"] + model.history.history["val_loss"],
        model.get_weights(),
    )


CONFIGS = {
    "sigmoid-quadratic-sum": (
        lambda: [Dense(6, "sigmoid", input_dim=4), Dense(2, "sigmoid")],
        "quadratic",
        lambda: {"optimizer": SGD(0.5), "reduction": "sum"},
    ),
    "sigmoid-quadratic-mean": (  # Nielsen's chapter 1 network, as `nnscratch mnist` runs it
        lambda: [
            Dense(6, "sigmoid", input_dim=4, kernel_regularizer=l2(0.01)),
            Dense(2, "sigmoid"),
        ],
        "quadratic",
        lambda: {"optimizer": SGD(3.0)},
    ),
    "sigmoid-bce-l2": (  # Nielsen's chapter 3 network: cross-entropy on sigmoid outputs
        lambda: [
            Dense(6, "sigmoid", input_dim=4, kernel_regularizer=l2(0.05)),
            Dense(2, "sigmoid", kernel_regularizer=l2(0.05)),
        ],
        "binary_crossentropy",
        lambda: {"optimizer": SGD(0.5)},
    ),
    "relu-softmax-momentum-l1l2": (
        lambda: [
            Dense(7, "relu", input_dim=4, kernel_regularizer=l1_l2(0.001, 0.01)),
            Dense(2, "softmax", bias_regularizer=l2(0.1)),
        ],
        "categorical_crossentropy",
        lambda: {"optimizer": SGD(0.1, momentum=0.9, nesterov=True)},
    ),
    "dropout-activation-adam": (
        lambda: [
            Dense(8, "tanh", input_dim=4, kernel_regularizer=l1(0.01)),
            Dropout(0.3),
            Dense(2),
            Activation("softmax"),
        ],
        "categorical_crossentropy",
        lambda: {"optimizer": Adam(0.01), "metrics": ["accuracy"]},
    ),
    "softmax-mse-rmsprop": (
        lambda: [Dense(5, "softmax", input_dim=4), Dense(2, "softmax")],
        "mse",
        lambda: {"optimizer": RMSprop(0.01, momentum=0.5, centered=True)},
    ),
    "bce-adagrad-flatten": (
        lambda: [Flatten(input_shape=(4,)), Dense(3, "tanh"), Dense(1, "sigmoid")],
        "binary_crossentropy",
        lambda: {"optimizer": Adagrad(0.1)},
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_mini_batch_runs_are_the_same_on_both_paths(name, dtype, batch_size):
    make, loss, settings = CONFIGS[name]
    fast = _mini_batch_run(make, loss, dtype, batch_size, **settings())
    with plain_path():
        plain = _mini_batch_run(make, loss, dtype, batch_size, **settings())
    _same(fast, plain)


class _Cube(ActivationFunction):
    """An activation of one's own that ignores ``out`` and returns new arrays."""

    name = "cube"

    def forward(self, z, out=None):
        return z**3

    def backward(self, grad, a, out=None):
        return grad * 3.0 * np.cbrt(a) ** 2


def test_a_dense_network_keeps_its_step_across_batches_and_fits():
    # Dense layers run from kept tapes: one per batch size (the last batch is smaller),
    # found again every epoch; the batches are copied in order (no shuffle); a second fit
    # on other arrays makes new ones; an activation that returns new arrays is copied.
    rng = np.random.default_rng(7)
    x1, x2 = rng.normal(size=(23, 3)), rng.normal(size=(40, 3))
    y1, y2 = (x1[:, 0] > 0).astype(int), (x2[:, 1] > 0).astype(int)

    def run():
        layers = [Dense(4, _Cube(), input_dim=3, kernel_regularizer=l2(0.01)), Dense(2, "softmax")]
        m = Sequential(layers, seed=1)
        m.compile(SGD(0.05), "categorical_crossentropy")
        m.fit(x1, y1, batch_size=5, epochs=3, shuffle=False, verbose=0)
        losses = list(m.history.history["loss"])
        m.fit(x2, y2, batch_size=len(x2), epochs=3, verbose=0)
        return [], losses + m.history.history["loss"], m.get_weights()

    fast = run()
    with plain_path():
        plain = run()
    _same(fast, plain)


def test_an_overflowing_softmax_is_recomputed_the_careful_way():
    # logits near 1000: the three-call softmax overflows, the redo gives finite numbers
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 1, 1])

    def run():
        m = Sequential([Dense(2, "softmax", input_dim=2)], seed=0)
        m.set_weights([np.array([[900.0, -900.0], [-900.0, 900.0]]), np.zeros(2)])
        m.compile(SGD(0.01), "categorical_crossentropy")
        m.fit(x, y, batch_size=len(x), epochs=3, verbose=0)
        return [], m.history.history["loss"], m.get_weights()

    fast = run()
    with plain_path():
        plain = run()
    _same(fast, plain)
    assert all(np.isfinite(fast[1]))


# -- convolutional networks: the fast path's Conv2D and MaxPooling2D kernels ------------------
def _image_run(make, dtype, batch_size, **compile_kwargs):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(23, 9, 8, 2))
    y = (x[:, :4, :, 0].mean(axis=(1, 2)) > x[:, 4:, :, 1].mean(axis=(1, 2))).astype(int)
    model = Sequential(make(), seed=3, dtype=dtype)
    model.compile(loss="categorical_crossentropy", **compile_kwargs)
    model.fit(x, y, epochs=3, batch_size=batch_size, verbose=0, validation_data=(x[:5], y[:5]))
    return (
        [],
        model.history.history["loss"] + model.history.history["val_loss"],
        model.get_weights(),
    )


CONV_CONFIGS = {
    "the-book's-shape": (
        lambda: [
            Conv2D(4, 3, activation="relu", input_shape=(9, 8, 2)),
            MaxPooling2D(2),
            Conv2D(3, 2, activation="relu"),
            MaxPooling2D(2, padding="same"),
            Flatten(),
            Dense(5, "relu"),
            Dense(2, "softmax"),
        ],
        lambda: {"optimizer": SGD(0.05)},
    ),
    "strides-same-l2-momentum": (
        lambda: [
            Conv2D(3, (3, 2), strides=2, padding="same", activation="tanh", input_shape=(9, 8, 2)),
            Conv2D(
                4,
                3,
                strides=(1, 2),
                padding="same",
                activation="sigmoid",
                kernel_regularizer=l2(0.01),
            ),
            MaxPooling2D(3, strides=2, padding="same"),
            Flatten(),
            Dense(2, "softmax", bias_regularizer=l1(0.01)),
        ],
        lambda: {"optimizer": SGD(0.1, momentum=0.9)},
    ),
    "dropout-average-pooling-adam": (
        lambda: [
            Conv2D(3, 3, padding="same", input_shape=(9, 8, 2), use_bias=False),
            Dropout(0.2),
            AveragePooling2D(2, strides=1),
            Conv2D(2, 3, strides=3, activation="softmax"),
            Flatten(),
            Dense(2),
            Activation("softmax"),
        ],
        lambda: {"optimizer": Adam(0.01), "metrics": ["accuracy"]},
    ),
}


@pytest.mark.parametrize("name", sorted(CONV_CONFIGS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_convolutional_runs_are_the_same_on_both_paths(name, dtype, batch_size):
    make, settings = CONV_CONFIGS[name]
    fast = _image_run(make, dtype, batch_size, **settings())
    with plain_path():
        plain = _image_run(make, dtype, batch_size, **settings())
    _same(fast, plain)


def test_the_fast_path_knows_the_convolution_and_max_pooling():
    from nnscratch.engine import fast

    model = Sequential(CONV_CONFIGS["the-book's-shape"][0]())
    model.compile()
    units = fast._FastStep(model).units
    assert [type(u).__name__ for u in units[:4]] == [
        "_ConvKernel",
        "_MaxPoolKernel",
        "_ConvKernel",
        "_MaxPoolKernel",
    ]

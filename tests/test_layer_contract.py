"""The layer contract: a layer of your own is one class and one registration line.

It trains, passes the gradient check, shows in ``summary()`` and round-trips through
``save``/``load_model``; assigning gradient arrays and writing into them both work;
non-trainable weights are saved but never stepped; and 0.1.0's files still load.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnscratch import Sequential, load_model
from nnscratch.engine import serialize
from nnscratch.engine.gradcheck import check_layer, check_model
from nnscratch.engine.summary import summarize
from nnscratch.layers import Dense, Layer, get_layer_class, register_layer
from nnscratch.regularizers import l2
from reference_math import SAME_MATH

DATA = Path(__file__).parent / "data"


@register_layer
class Scale(Layer):
    """``y = x * w + c``: one weight and one offset per feature (defined outside nnscratch)."""

    def __init__(self, assign: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.assign = assign

    def build(self, input_shape):
        self.w = self.add_weight("w", input_shape, "ones", regularizer=l2(0.01))
        self.c = self.add_weight("c", input_shape, "zeros")

    def forward(self, x, training=False):
        self.x = x
        return x * self.w + self.c

    def backward(self, grad):
        if self.assign:  # new arrays
            self.grads["w"] = (grad * self.x).sum(axis=0)
            self.grads["c"] = grad.sum(axis=0)
        else:  # into the arrays add_weight made
            np.sum(grad * self.x, axis=0, out=self.grads["w"])
            np.sum(grad, axis=0, out=self.grads["c"])
        return grad * self.w

    def get_config(self):
        return {**super().get_config(), "assign": self.assign}


def _data(n=48):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    return x, y


def _model(assign=True, seed=0):
    model = Sequential(
        [Scale(assign, input_shape=(3,)), Dense(5, "tanh"), Dense(2, "softmax")], seed=seed
    )
    model.compile("adam", "categorical_crossentropy")
    return model


def test_a_custom_layer_trains_gradient_checks_and_summarises(capsys):
    x, y = _data()
    model = _model()
    w_before = model.layers[0].w.copy()
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.array_equal(model.layers[0].w, w_before)  # it did train
    assert model.layers[0].w is model.layers[0].params["w"]  # the same array all along
    errors = check_model(model, x[:8], y[:8])
    assert set(errors) == {"0.w", "0.c", "1.kernel", "1.bias", "2.kernel", "2.bias"}
    assert max(errors.values()) < 1e-6
    layer_errors = check_layer(model.layers[0], x[:5])
    assert max(layer_errors.values()) < 1e-6  # the penalty's gradient included
    model.summary()
    printed = capsys.readouterr().out
    assert "scale (Scale)" in printed and "(None, 3)" in printed
    assert summarize(model).layers[0].params == 6


def test_assigned_and_in_place_gradients_train_the_same():
    x, y = _data()
    a, b = _model(assign=True), _model(assign=False)
    for m in (a, b):
        m.fit(x, y, epochs=5, batch_size=12, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_a_custom_layer_saves_and_loads(tmp_path):
    x, y = _data()
    model = _model(assign=False)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    model.save(tmp_path / "scale.nnscratch")
    again = load_model(tmp_path / "scale.nnscratch")
    assert isinstance(again.layers[0], Scale) and again.layers[0].assign is False
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    again.fit(x, y, epochs=2, batch_size=16, verbose=0)  # optimizer state came along
    for wa, wb in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


@register_layer
class Gain(Layer):
    """``y = factor * x``, its argument kept as ``self.factor`` and no ``get_config``."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def forward(self, x, training=False):
        return self.factor * x

    def backward(self, grad):
        return self.factor * grad


@register_layer
class ScaledDense(Dense):
    """A Dense with one argument more, and Dense's ``get_config``."""

    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def forward(self, x, training=False):
        return super().forward(x, training) * self.scale

    def backward(self, grad):
        return super().backward(grad * self.scale)


def test_arguments_no_get_config_writes_are_saved_too(tmp_path):
    """Without a get_config of their own, a layer's arguments (and those a subclass adds
    to a built-in layer) are read back from the attributes of the same names."""
    x, y = _data()
    model = Sequential(
        [Gain(3.0, input_shape=(3,)), ScaledDense(4, scale=0.5, activation="tanh"), Dense(2)],
        seed=0,
    )
    model.compile("sgd", "mse")
    assert model.layers[0].get_config()["factor"] == 3.0
    assert model.layers[1].get_config()["scale"] == 0.5
    assert check_model(model, x[:6], np.eye(2)[y[:6]])["1.kernel"] < 1e-6
    model.fit(x, np.eye(2)[y], epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "gain.nnscratch")
    again = load_model(tmp_path / "gain.nnscratch")
    assert (again.layers[0].factor, again.layers[1].scale) == (3.0, 0.5)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_an_argument_kept_under_another_name_is_named_before_saving(tmp_path):
    @register_layer(name="Hidden")
    class Hidden(Gain):
        def __init__(self, gain=1.0, **kwargs):
            super().__init__(**kwargs)
            self._gain = gain

    model = Sequential([Hidden(2.0, input_shape=(3,)), Dense(2, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(TypeError, match=r"there is no self\.gain; keep the argument as self\.gain"):
        model.save(tmp_path / "m.nnscratch")
    assert not (tmp_path / "m.nnscratch").exists()


def test_an_unregistered_layer_says_how_to_save_it(tmp_path):
    class Unnamed(Scale):
        pass

    model = Sequential([Unnamed(input_shape=(3,)), Dense(2, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(TypeError, match=r"not registered.*@nnscratch\.layers\.register_layer"):
        model.save(tmp_path / "m.nnscratch")


def test_registration_rules():
    assert get_layer_class("Scale") is Scale

    @register_layer  # the same class again (a notebook cell run twice) replaces it
    class Scale2(Layer):
        pass

    Scale2.__qualname__ = Scale.__qualname__
    Scale2.__module__ = Scale.__module__
    Scale2.__name__ = "Scale"
    register_layer(Scale2)
    assert get_layer_class("Scale") is Scale2
    register_layer(Scale)
    with pytest.raises(ValueError, match=r"already registered.*@register_layer\(name='MyDense'\)"):

        @register_layer
        class Dense(Layer):  # another class taking a built-in's name
            pass

    with pytest.raises(TypeError, match="expects a Layer subclass"):
        register_layer(int)


class Counter(Layer):
    """A layer with a non-trainable weight: it counts the examples it has seen."""

    def build(self, input_shape):
        self.seen = self.add_weight("seen", (1,), "zeros", trainable=False)

    def forward(self, x, training=False):
        if training:
            self.seen += len(x)
        return x

    def backward(self, grad):
        return grad


def test_non_trainable_weights_are_saved_but_never_stepped(tmp_path):
    register_layer(Counter)
    x, y = _data(40)
    model = Sequential([Counter(input_shape=(3,)), Dense(2, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    assert list(model.parameters(trainable=True)) == ["1.kernel", "1.bias"]
    assert list(model.parameters(trainable=False)) == ["0.seen"]
    model.fit(x, y, epochs=2, batch_size=10, verbose=0)
    assert model.layers[0].seen[0] == 80
    summary = summarize(model)
    assert (summary.trainable_params, summary.non_trainable_params) == (8, 1)
    assert "Non-trainable params: 1" in str(summary)
    model.save(tmp_path / "c.nnscratch")
    assert load_model(tmp_path / "c.nnscratch").layers[0].seen[0] == 80


def test_weight_shapes_are_found_without_allocating():
    layer = Dense(10**7)
    shapes = layer.weight_shapes((10**4,), "float64")  # 800 GB if it were allocated
    assert shapes == {"kernel": (10**4, 10**7), "bias": (10**7,)}
    assert not layer.built and layer.params == {}
    with pytest.raises(ValueError, match=r"weight 'kernel' \(10000, 10000000\) .* would need"):
        Sequential([Dense(10**7, input_dim=10**4)])


def test_a_wrong_gradient_shape_is_an_error_not_a_broadcast():
    class Bad(Scale):
        def backward(self, grad):
            super().backward(grad)
            self.grads["w"] = self.grads["w"][None, :]  # (1, 3) would broadcast silently
            return grad * self.w

    x, y = _data()
    model = Sequential([Bad(input_shape=(3,)), Dense(2, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"gradient of shape \(1, 3\) for its weight 'w'"):
        model.fit(x, y, verbose=0)


# -- files of nnscratch 0.1.0 (format version 1) --------------------------------------------
def _as_0_1_0_computed(actual, desired):
    """Bit for bit where NumPy computes exp and tanh as the machine that wrote the expected
    arrays; elsewhere within 4 ulps (see ``reference_math``: AVX-512 rounds a few last
    bits differently, in 0.1.0 as now)."""
    if SAME_MATH:
        np.testing.assert_array_equal(actual, desired)
    else:
        np.testing.assert_array_max_ulp(actual, desired, maxulp=4)


def _stored_weights(path):
    """The weight arrays as they lie in a model file (an archive holding weights.npz)."""
    with zipfile.ZipFile(path) as archive, archive.open("weights.npz") as stored:
        arrays = np.load(io.BytesIO(stored.read()))
        return {name: arrays[name] for name in arrays.files}


def test_files_of_version_1_load_bit_exactly():
    expected = np.load(DATA / "v1-expected.npz")
    x, y = expected["x"], expected["y"]
    article = load_model(DATA / "v1-article.nnscratch")
    adam = load_model(DATA / "v1-adam-dropout.nnscratch")
    assert article.input_shape == (None, 2) and adam.dtype == np.float32
    # the weights are the file's, to the bit, on every machine
    for model, name in ((article, "v1-article"), (adam, "v1-adam-dropout")):
        stored = _stored_weights(DATA / f"{name}.nnscratch")
        weights = {k.removeprefix("weights/"): w for k, w in stored.items() if "weights/" in k}
        loaded = model.parameters()
        assert sorted(loaded) == sorted(weights)
        for key, w in weights.items():
            assert loaded[key].dtype == w.dtype and np.array_equal(loaded[key], w), key
    _as_0_1_0_computed(article.predict(x), expected["article_predict"])
    _as_0_1_0_computed(adam.predict(x), expected["adam_predict"])
    # training resumes as 0.1.0 resumed it: optimizer state, dropout generators included
    article.fit(x, y, batch_size=len(x), epochs=10, verbose=0)  # 0.1.0: None was the full batch
    adam.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for i, w in enumerate(article.get_weights()):
        _as_0_1_0_computed(w, expected[f"article_resumed_{i}"])
    for i, w in enumerate(adam.get_weights()):
        _as_0_1_0_computed(w, expected[f"adam_resumed_{i}"])


def test_version_2_stores_shapes_and_registered_names(tmp_path):
    config, _ = serialize.model_to_data(_model())
    assert config["format_version"] == 2
    assert config["input_shape"] == [3]
    assert [spec["class_name"] for spec in config["layers"]] == ["Scale", "Dense", "Dense"]

"""The article's Keras-era code runs with ``keras`` replaced by ``nnscratch.keras``."""

import importlib
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nnscratch
from nnscratch.data import moons
from nnscratch.engine.summary import summarize

# The imports of the article's sample1.py, as printed there (with `keras` in them).
ARTICLE_IMPORTS = """\
import numpy as np
import sklearn
import matplotlib.pyplot as plt
plt.rcParams['figure.figsize'] = (10.0, 8.0)
from keras.models import Sequential
from keras.layers.core import Dense, Activation, Dropout
from keras.regularizers import l1_l2
from sklearn.datasets import make_moons, make_circles, make_classification
"""

ARTICLE_DATA = """\
np.random.seed(0)
X, y = sklearn.datasets.make_moons(200, noise=0.20)
plt.scatter(X[:,0], X[:,1], s=40, c=y, cmap=plt.cm.Spectral)
plt.show()
"""

# The Keras model of the article's reference ("Kerasでシンプルなニューラルネットワーク").
KERAS_MODEL = """\
Y = np.eye(2)[y]
model = Sequential()
model.add(Dense(3, input_dim=2, kernel_regularizer=l1_l2(l1=0.0, l2=0.01)))
model.add(Activation('tanh'))
model.add(Dropout(0.2))
model.add(Dense(2))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
history = model.fit(X, Y, epochs=300, batch_size=16, verbose=0)
probs = model.predict(X)
acc = float(np.mean(probs.argmax(axis=1) == y))
print("accuracy", acc, "loss", history.history['loss'][0], history.history['loss'][-1])
assert probs.shape == (200, 2)
assert np.allclose(probs.sum(axis=1), 1.0)
"""


def _run_script(code, tmp_path):
    script = tmp_path / "sample1.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        timeout=120,
    )


def test_article_sample_runs_with_one_word_changed(tmp_path):
    code = (ARTICLE_IMPORTS + ARTICLE_DATA + KERAS_MODEL).replace(
        "from keras.", "from nnscratch.keras."
    )
    assert code.count("nnscratch.keras") == 3
    result = _run_script(code, tmp_path)
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert len(words) == 5, (result.stdout, result.stderr)
    acc, first, last = float(words[1]), float(words[3]), float(words[4])
    assert acc > 0.8  # a 3-unit tanh network separates the moons well
    assert last < first


def test_the_facade_is_the_engine_with_old_spellings():
    # nnscratch.keras's classes are the engine's (subclasses that only translate Keras 1/2
    # argument names); functions and the rest are the very same objects.
    from nnscratch.engine import layers, model, optimizers, regularizers
    from nnscratch.keras import layers as klayers
    from nnscratch.keras import models as kmodels
    from nnscratch.keras import optimizers as koptimizers
    from nnscratch.keras import regularizers as kregularizers
    from nnscratch.keras.layers import core

    assert issubclass(kmodels.Sequential, nnscratch.Sequential)
    assert issubclass(nnscratch.Sequential, model.Sequential)
    # (load_model reads into the facade's Sequential: tests/test_keras_guide.py)
    for name in ("Dense", "Activation", "Dropout", "Flatten"):
        assert getattr(core, name) is getattr(klayers, name)
        assert issubclass(getattr(core, name), getattr(layers, name))
    assert kregularizers.l1_l2 is regularizers.l1_l2
    assert kregularizers.l2 is regularizers.l2
    assert issubclass(koptimizers.Adam, optimizers.Adam)
    from nnscratch.keras.callbacks import EarlyStopping, ModelCheckpoint

    assert EarlyStopping is nnscratch.callbacks.EarlyStopping
    assert ModelCheckpoint is nnscratch.callbacks.ModelCheckpoint


def test_l1l2_warns_when_looked_up_not_at_import():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mod = importlib.reload(importlib.import_module("nnscratch.keras.regularizers"))
    with pytest.warns(DeprecationWarning, match="use l1_l2"):
        from nnscratch.keras.regularizers import l1l2
    assert l1l2 is mod.l1_l2
    reg = l1l2(l1=0.0, l2=0.01)
    assert (reg.l1, reg.l2) == (0.0, 0.01)
    with pytest.raises(AttributeError, match="no attribute 'l3'"):
        mod.l3  # noqa: B018


def test_keras1_dense_spellings_warn_and_build_the_same_layer():
    from nnscratch.keras.layers import Dense
    from nnscratch.keras.regularizers import l2

    with pytest.warns(DeprecationWarning, match=r"Dense\(units=3\)"):
        old = Dense(output_dim=3, input_dim=2)
    with pytest.warns(DeprecationWarning, match="kernel_initializer='he_normal'"):
        init = Dense(3, init="he_normal")
    with pytest.warns(DeprecationWarning, match="kernel_regularizer="):
        reg = Dense(3, W_regularizer=l2(0.01))
    assert old.units == 3 and old.declared_input_shape == (2,)
    assert init.get_config()["kernel_initializer"] == "he_normal"
    assert reg.kernel_regularizer.l2 == 0.01
    assert Dense(4, input_shape=(2,)).declared_input_shape == (2,)  # Keras 2, no warning


def test_unknown_or_conflicting_dense_arguments_are_type_errors():
    from nnscratch.keras.layers import Dense

    with pytest.raises(TypeError, match="unexpected keyword argument 'b_constraint'"):
        Dense(3, b_constraint=None)
    with pytest.raises(TypeError, match="not both"):
        Dense(3, output_dim=4)
    with pytest.raises(TypeError, match="needs the number of units"):
        Dense()
    from nnscratch.keras.models import Sequential

    with pytest.raises(ValueError, match=r"got \(None, 2, 2\); put Flatten\(\) before it"):
        Sequential([Dense(3, input_shape=(2, 2))])


def test_nb_epoch_warns_and_trains_like_epochs():
    x, y = moons(n_samples=60, seed=0)

    def make():
        from nnscratch.keras.layers import Dense
        from nnscratch.keras.models import Sequential

        m = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
        m.compile(optimizer="sgd", loss="categorical_crossentropy")
        return m

    a, b = make(), make()
    with pytest.warns(DeprecationWarning, match="fit\\(epochs=3\\)"):
        ha = a.fit(x, y, nb_epoch=3, verbose=0)
    hb = b.fit(x, y, epochs=3, verbose=0)
    assert ha.history == hb.history
    with pytest.raises(TypeError, match="not both"):
        a.fit(x, y, epochs=2, nb_epoch=3, verbose=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'workers'"):
        a.fit(x, y, workers=4, verbose=0)  # Keras 2's generator settings do not exist here


def test_lr_spelling_in_keras_optimizers():
    from nnscratch.keras.optimizers import SGD

    with pytest.warns(DeprecationWarning, match="learning_rate=0.1"):
        opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    assert opt.learning_rate == 0.1 and opt.nesterov


def test_to_categorical():
    from nnscratch.keras.utils import np_utils, to_categorical

    out = to_categorical([0, 2, 1])
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.float32)[[0, 2, 1]])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(np_utils.to_categorical([1], 3), [[0, 1, 0]])
    with pytest.raises(ValueError, match="do not fit"):
        to_categorical([0, 3], 2)


def test_to_categorical_takes_labels_of_any_shape_as_keras():
    """Keras 2 and 3 give labels of any shape a last axis of classes (a column's axis of
    1 is dropped); whole-number floats are labels, other values are refused by name."""
    from nnscratch.keras.utils import to_categorical

    assert to_categorical([[0], [2]]).shape == (2, 3)
    assert to_categorical(2, 4).tolist() == [0, 0, 1, 0]
    masks = np.array([[[0, 1], [2, 1]], [[1, 1], [0, 0]]])  # 2 images of 2x2 pixel classes
    out = to_categorical(masks)
    assert out.shape == (2, 2, 2, 3)
    np.testing.assert_array_equal(out.argmax(axis=-1), masks)
    np.testing.assert_array_equal(out.sum(axis=-1), np.ones((2, 2, 2)))
    np.testing.assert_array_equal(to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    with pytest.raises(
        ValueError, match=r"class labels must be integers 0\.\.1, got dtype float64"
    ):
        to_categorical(np.array([1.5, 0.0]), 2)
    with pytest.raises(ValueError, match="class labels must be integers, got dtype <U1"):
        to_categorical(["a", "b"])


def test_normalize_divides_by_the_norm_along_an_axis():
    from nnscratch.keras.utils import normalize, np_utils

    images = np.random.default_rng(0).integers(0, 256, (4, 6, 5)).astype(np.uint8)
    images[0, 2] = 0  # a zero row stays zero
    rows = normalize(images, axis=1)  # the MNIST tutorial's call
    assert rows.dtype == np.float64 and rows.shape == images.shape
    norms = np.linalg.norm(rows, axis=1)
    np.testing.assert_allclose(norms[images.any(axis=1)], 1.0)
    assert not rows[0, 2].any()
    np.testing.assert_allclose(normalize(images, axis=0), images / np.linalg.norm(images, axis=0))
    np.testing.assert_allclose(np.abs(normalize(images[0], order=1)).sum(axis=-1)[:2], 1.0)
    assert np.linalg.norm(normalize(images, axis=None)) == pytest.approx(1.0)
    assert np_utils.normalize is normalize
    with pytest.raises(ValueError, match=r"axis 3 is out of range for an array of shape"):
        normalize(images, axis=3)
    with pytest.raises(ValueError, match="numeric array, got dtype <U1"):
        normalize(["a"])


def test_schedules_path():
    from nnscratch.keras.optimizers import SGD
    from nnscratch.keras.optimizers.schedules import ExponentialDecay

    opt = SGD(learning_rate=ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5))
    assert opt.learning_rate == 0.1


def test_many_classes_and_deeper_networks():
    from nnscratch.keras.layers import Dense, Dropout
    from nnscratch.keras.models import Sequential
    from nnscratch.keras.utils import to_categorical

    # CS231n's spiral: 5 arms, 80 points each, not linearly separable.
    rng = np.random.default_rng(0)
    r = np.tile(np.linspace(0.0, 1.0, 80), 5)
    y = np.repeat(np.arange(5), 80)
    t = y * 4.0 / 5 * np.pi + r * 4 + rng.normal(0, 0.2, size=r.size)
    x = np.column_stack([r * np.sin(t), r * np.cos(t)])
    model = Sequential(seed=0)
    model.add(Dense(32, activation="relu", input_dim=2))
    model.add(Dropout(0.1))
    model.add(Dense(32, activation="tanh"))
    model.add(Dense(32, activation="relu"))
    model.add(Dense(5, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x, to_categorical(y), epochs=150, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x, y)
    assert loss < 0.6
    assert model.predict(x).shape == (x.shape[0], 5)
    assert acc > 0.8, acc  # chance is 0.2


def test_regression_with_linear_output_and_mse():
    from nnscratch.keras.layers import Dense
    from nnscratch.keras.models import Sequential

    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(256, 1))
    y = np.sin(x) + 0.5 * x
    model = Sequential(seed=0)
    model.add(Dense(16, activation="tanh", input_dim=1))
    model.add(Dense(16, activation="tanh"))
    model.add(Dense(1))  # linear output
    model.compile(loss="mse", optimizer="adam")
    hist = model.fit(x, y, epochs=200, batch_size=32, verbose=0)
    mse = model.evaluate(x, y)
    assert mse < 0.01 * float(np.var(y)), mse
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])  # Keras' regression metric
    assert model.metrics_names == ["loss", "mae"]
    with pytest.raises(ValueError, match="unknown metric 'f2'"):
        model.compile(loss="mse", optimizer="adam", metrics=["f2"])


def test_summary_table_and_print_fn(capsys):
    from nnscratch.keras.layers.core import Activation, Dense, Dropout
    from nnscratch.keras.models import Sequential

    model = Sequential()
    model.add(Dense(3, input_dim=2))
    model.add(Activation("tanh"))
    model.add(Dropout(0.2))
    model.add(Dense(2))
    model.add(Activation("softmax"))
    before = model.get_weights()
    summary = summarize(model)
    text = str(summary)
    assert summary.total_params == 2 * 3 + 3 + 3 * 2 + 2
    assert [row.params for row in summary.layers] == [9, 0, 0, 8, 0]
    assert [row.output_shape for row in summary.layers] == [(None, 3)] * 3 + [(None, 2)] * 2
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text and "dropout (Dropout)" in text
    assert "Total params: 17" in text
    assert repr(summary) == text
    lines = []
    assert model.summary(print_fn=lines.append) is None  # as Keras: it prints, returns None
    assert "\n".join(lines) == text
    model.summary()
    assert capsys.readouterr().out == text + "\n"
    # Summarising draws no random numbers and changes no weight.
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_summary_of_a_model_without_input_size():
    from nnscratch.keras.layers import Dense
    from nnscratch.keras.models import Sequential

    model = Sequential([Dense(3)])
    with pytest.raises(ValueError, match="not been built"):
        model.summary()
    model.build(4)
    assert summarize(model).total_params == 4 * 3 + 3


def test_an_initializer_of_none_draws_glorot_uniform_as_keras():
    """Keras' add_weight draws Glorot-uniform when a layer is given ``bias_initializer=None``
    (Keras' imbalanced-data tutorial passes None when it has no output bias)."""
    from nnscratch import keras

    def weights(**settings):
        layer = keras.layers.Dense(2, **settings)
        model = keras.Sequential([keras.Input((3,)), layer])
        return model.get_weights(), layer.get_config()

    drawn, config = weights(bias_initializer=None, kernel_initializer=None)
    named, _ = weights(bias_initializer="glorot_uniform", kernel_initializer="glorot_uniform")
    assert config["bias_initializer"] == "glorot_uniform"
    assert np.all(drawn[1] != 0)
    for a, b in zip(drawn, named, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_model_inside_a_model_says_what_to_do_instead():
    """TensorFlow's first tutorial wraps a model of logits as Sequential([model, Softmax()]);
    here that is refused with the equivalent, which gives the same probabilities."""
    from nnscratch import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    with pytest.raises(TypeError, match=r"apply keras\.activations\.softmax to model\.predict"):
        keras.Sequential([model, keras.layers.Softmax()])
    x = np.random.default_rng(0).normal(size=(5, 3))
    probabilities = keras.activations.softmax(model.predict(x, verbose=0))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)

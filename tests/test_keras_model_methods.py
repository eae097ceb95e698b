"""Keras' model methods on ``nnscratch.Sequential``, against Keras' documented behaviour.

Each test names the Keras behaviour it checks (return types and shapes, errors). The
methods live on ``nnscratch.Sequential``, so ``nnscratch.keras.models.Sequential`` has
them too.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

import nnscratch
from nnscratch.keras.layers import Activation, Dense, Dropout
from nnscratch.keras.models import Sequential, model_from_json
from nnscratch.untrusted import UntrustedFileError


def mlp(n_classes: int = 3, dropout: bool = True, seed: int = 0) -> Sequential:
    layers = [Dense(8, activation="relu", input_dim=4)]
    layers += [Dropout(0.2)] if dropout else []
    layers += [Dense(n_classes, activation="softmax" if n_classes > 1 else "sigmoid")]
    model = Sequential(layers, seed=seed)
    loss = "categorical_crossentropy" if n_classes > 1 else "binary_crossentropy"
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def data(n: int = 40, n_classes: int = 3, seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.random((n, 4)), rng.integers(0, max(n_classes, 2), size=n)


# -- predict_classes / predict_proba (Keras 2.0-2.5) -----------------------------------------
def test_predict_classes_returns_keras_shapes_and_warns_it_was_removed():
    x, _ = data()
    multi = mlp(3)
    with pytest.warns(DeprecationWarning, match=r"removed in Keras 2\.6.*np\.argmax"):
        classes = multi.predict_classes(x)
    assert classes.shape == (40,)  # Keras: argmax over the last axis
    np.testing.assert_array_equal(classes, multi.predict(x).argmax(axis=-1))
    binary = mlp(1)
    with pytest.warns(DeprecationWarning, match=r"> 0\.5"):
        labels = binary.predict_classes(x)
    assert labels.shape == (40, 1) and labels.dtype == np.int32  # Keras: (n, 1) int32
    np.testing.assert_array_equal(labels, (binary.predict(x) > 0.5).astype("int32"))


def test_predict_proba_is_predict_and_warns_on_values_outside_0_1():
    x, _ = data()
    model = mlp(3)
    with pytest.warns(DeprecationWarning, match=r"use model\.predict\(x\)"):
        np.testing.assert_array_equal(model.predict_proba(x), model.predict(x))
    linear = Sequential([Dense(2, input_dim=4, kernel_initializer="ones")])
    linear.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning), pytest.warns(UserWarning, match="outside"):
        linear.predict_proba(x + 1.0)


# -- metrics_names, train/test/predict_on_batch ------------------------------------------------
def test_metrics_names_follow_the_compiled_metrics():
    model = mlp(3)
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert model.metrics_names == ["loss"]


def test_batch_methods_return_what_keras_returns():
    x, y = data()
    model = mlp(3, dropout=False)
    before = model.get_weights()
    tested = model.test_on_batch(x, y)
    assert isinstance(tested, list) and len(tested) == 2  # [loss, accuracy]
    assert model.get_weights()[0].tolist() == before[0].tolist()  # nothing updated
    trained = model.train_on_batch(x, y)
    # the values of the batch before the step: what test_on_batch saw
    np.testing.assert_allclose(trained, tested, rtol=1e-12)
    assert not np.array_equal(model.get_weights()[0], before[0])
    as_dict = model.train_on_batch(x, y, return_dict=True)
    assert list(as_dict) == ["loss", "accuracy"]
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    out = model.predict_on_batch(x)
    assert isinstance(out, np.ndarray) and out.shape == (40, 3)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert isinstance(model.train_on_batch(x, y), float)  # no metrics: the loss alone
    assert isinstance(model.test_on_batch(x, y), float)


# -- get_layer, pop ---------------------------------------------------------------------------
def test_get_layer_by_name_or_index_and_keras_errors():
    model = mlp(3)
    assert model.get_layer("dense") is model.layers[0]
    assert model.get_layer("dropout") is model.layers[1]
    assert model.get_layer(name="dense_1") is model.layers[2]
    assert model.get_layer(index=2) is model.layers[2]
    assert model.get_layer(index=-1) is model.layers[-1]
    named = Sequential([Dense(2, input_dim=3, name="hidden"), Dense(1)])
    assert named.get_layer("hidden") is named.layers[0]
    # named as Keras names it: a name given by hand does not count, so the second is "dense"
    assert [layer.name for layer in named.layers] == ["hidden", "dense"]
    assert named.get_layer("dense") is named.layers[1]
    with pytest.raises(ValueError, match="not both"):
        model.get_layer("dense", 0)
    with pytest.raises(ValueError, match="name or a layer index"):
        model.get_layer()
    with pytest.raises(ValueError, match="index 3, but the model has 3 layer"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match=r"no layer named 'dense_2'.*\['dense', 'dropout'"):
        model.get_layer("dense_2")


def test_pop_removes_the_last_layer_and_training_goes_on():
    x, y = data()
    model = mlp(3)
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)
    slots = model.optimizer.state.values()
    assert any(k.startswith("2.") for slot in slots for k in slot)
    last = model.pop()
    assert isinstance(last, Dense) and len(model.layers) == 2
    assert model.output_shape == (None, 8)
    assert not any(k.startswith("2.") for slot in slots for k in slot)
    model.add(Dense(5, activation="softmax"))  # a new layer 2 with other shapes
    model.compile(optimizer=model.optimizer, loss="categorical_crossentropy")
    model.fit(x, np.eye(5)[y], epochs=1, batch_size=10, verbose=0)
    assert model.predict(x).shape == (40, 5)
    model.pop(), model.pop(), model.pop()
    assert not model.built
    with pytest.raises(IndexError, match="without layers"):
        model.pop()


def test_layer_get_weights_and_set_weights():
    model = mlp(3)
    kernel, bias = model.layers[0].get_weights()
    assert kernel.shape == (4, 8) and bias.shape == (8,)  # Keras' order: kernel, bias
    kernel[...] = 0.0  # a copy
    assert model.layers[0].kernel.any()
    assert model.layers[1].get_weights() == []
    model.layers[0].set_weights([np.ones((4, 8)), np.zeros(8)])
    assert (model.layers[0].kernel == 1).all()
    with pytest.raises(ValueError, match=r"expected shape \(8,\), got \(7,\)"):
        model.layers[0].set_weights([np.full((4, 8), 2.0), np.zeros(7)])
    assert (model.layers[0].kernel == 1).all()  # all or nothing
    with pytest.raises(ValueError, match=r"has 2 weight arrays \(kernel, bias\), got 1"):
        model.layers[0].set_weights([np.ones((4, 8))])
    with pytest.raises(ValueError, match="finite numbers"):
        model.layers[0].set_weights([np.full((4, 8), np.nan), np.zeros(8)])


# -- get_config / from_config / to_json / model_from_json -------------------------------------
def test_config_round_trip_gives_the_same_architecture_with_fresh_weights():
    model = mlp(3, seed=5)
    model.fit(*data(), epochs=2, batch_size=8, verbose=0)
    config = model.get_config()
    assert config["name"] == "sequential"
    assert [spec["class_name"] for spec in config["layers"]] == ["Dense", "Dropout", "Dense"]
    assert config["build_input_shape"] == [None, 4]
    json.dumps(config)  # plain data
    again = Sequential.from_config(config)
    assert type(again) is Sequential and again.get_config() == config
    fresh = mlp(3, seed=5)  # the weights are drawn again from the config's seed
    for new, init in zip(again.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(new, init)
    assert nnscratch.Sequential.from_config(config).output_shape == (None, 3)
    # Keras 2's oldest form: the list of layer configs alone
    listed = Sequential.from_config(config["layers"])
    assert listed.input_shape == (None, 4)


def test_from_config_errors_name_the_problem():
    config = mlp(3).get_config()
    with pytest.raises(ValueError, match="unknown keys"):
        Sequential.from_config({**config, "trainable": True})
    bad = json.loads(json.dumps(config))
    bad["layers"][0]["class_name"] = "LSTM"
    with pytest.raises(ValueError, match="unknown layer type 'LSTM'"):
        Sequential.from_config(bad)
    with pytest.raises(ValueError, match="build_input_shape"):
        Sequential.from_config({**config, "build_input_shape": [784]})
    with pytest.raises(ValueError, match="dict with a 'layers' list"):
        Sequential.from_config("layers")
    with pytest.raises(ValueError, match="registered name"):
        Sequential.from_config(config, custom_objects={"Mine": object})


def test_to_json_and_model_from_json():
    model = mlp(3)
    text = model.to_json()
    document = json.loads(text)
    assert document["class_name"] == "Sequential" and document["config"] == model.get_config()
    assert model.to_json(indent=2) != text and json.loads(model.to_json(indent=2)) == document
    again = model_from_json(text)
    assert type(again) is Sequential and again.get_config() == model.get_config()
    with pytest.raises(ValueError, match="Sequential model"):
        model_from_json('{"class_name": "Functional", "config": {}}')
    with pytest.raises(ValueError, match="not nnscratch"):
        model_from_json(json.dumps({**document, "module": "keras"}))
    with pytest.raises(UntrustedFileError, match="levels deep"):
        model_from_json("[" * 10_000 + "]" * 10_000)
    with pytest.raises(UntrustedFileError, match=r"not JSON|line 1"):
        model_from_json("{not json")


# -- save_weights / load_weights ----------------------------------------------------------------
def test_weights_round_trip_bit_exactly(tmp_path):
    x, y = data()
    model = mlp(3)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    path = tmp_path / "mlp.weights.npz"
    assert model.save_weights(path) is None
    with np.load(path, allow_pickle=False) as arrays:  # plain, readable anywhere
        assert sorted(arrays.files) == ["0.bias", "0.kernel", "2.bias", "2.kernel"]
    other = mlp(3, seed=9)
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    # As in Keras 3, the layers with weights are matched in order: no Dropout is fine.
    plain = mlp(3, dropout=False, seed=9)
    plain.load_weights(str(path))
    np.testing.assert_array_equal(plain.predict(x), model.predict(x))
    as32 = Sequential([Dense(8, activation="relu", input_dim=4), Dense(3)], dtype="float32")
    as32.load_weights(path)  # converted to the model's dtype
    assert as32.layers[0].kernel.dtype == np.float32
    model.save(tmp_path / "whole.nnscratch")  # the weights of a whole-model file
    other.load_weights(tmp_path / "whole.nnscratch")


def test_weights_file_names_are_checked(tmp_path):
    model = mlp(3)
    with pytest.raises(ValueError, match=r"HDF5 is not supported.*'my_model\.weights\.npz'"):
        model.save_weights(tmp_path / "my_model.weights.h5")
    with pytest.raises(ValueError, match=r"must end in \.weights\.npz"):
        model.save_weights(tmp_path / "weights.npz")
    with pytest.raises(ValueError, match=r"\.weights\.npz \(or a whole \.nnscratch model\)"):
        model.load_weights(tmp_path / "my_model_weights.h5")
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save_weights(path, overwrite=False)
    with pytest.raises(FileNotFoundError, match="no weights file"):
        model.load_weights(tmp_path / "missing.weights.npz")
    with pytest.raises(ValueError, match="by_name=True"):
        model.load_weights(path, by_name=True)
    with pytest.raises(ValueError, match="no weights yet"):
        Sequential([Dense(3)]).save_weights(tmp_path / "u.weights.npz")


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    model = mlp(3)
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        args[0].write(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="No space left"):
        mlp(3, seed=3).save_weights(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.weights.npz"]


def test_weights_that_do_not_fit_leave_the_model_as_it_was(tmp_path):
    small = Sequential([Dense(8, input_dim=4), Dense(2)])
    path = tmp_path / "small.weights.npz"
    small.save_weights(path)
    model = mlp(3)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\): kernel has shape \(8, 2\)"):
        model.load_weights(path)
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    with pytest.warns(UserWarning, match="skipping layer 2"):
        model.load_weights(path, skip_mismatch=True)
    np.testing.assert_array_equal(model.layers[0].kernel, small.layers[0].kernel)
    one = Sequential([Dense(8, input_dim=4)])
    with pytest.raises(ValueError, match=r"holds weights for 2 layer\(s\), but the model has 1"):
        one.load_weights(path)
    with pytest.raises(ValueError, match="build the model"):
        Sequential([Dense(8), Dense(2)]).load_weights(path)


def test_untrusted_weights_files_are_refused(tmp_path):
    model = mlp(3)
    pickled = tmp_path / "obj.weights.npz"
    np.savez(pickled, **{"0.kernel": np.array([object()]), "0.bias": np.zeros(8)})
    with pytest.raises(UntrustedFileError, match="Python objects"):
        model.load_weights(pickled)
    huge = tmp_path / "huge.weights.npz"
    np.savez(huge, **{"0.kernel": np.zeros((4000, 8))})
    with pytest.raises(UntrustedFileError, match="declares"):
        model.load_weights(huge)
    names = tmp_path / "names.weights.npz"
    np.savez(names, **{"kernel": np.zeros((4, 8))})
    with pytest.raises(ValueError, match="not named like a model weight"):
        model.load_weights(names)
    nan = tmp_path / "nan.weights.npz"
    weights = {k: v.copy() for k, v in model.parameters().items()}
    weights["0.kernel"][0, 0] = np.nan
    np.savez(nan, **weights)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.load_weights(nan)
    fifo = tmp_path / "fifo.weights.npz"
    os.mkfifo(fifo)
    with pytest.raises(UntrustedFileError, match="FIFO"):
        model.load_weights(fifo)


# -- summary and fit's output -------------------------------------------------------------------
def test_summary_prints_keras_table_that_old_code_parses(capsys):
    model = Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    assert model.summary() is None
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'Model: "sequential"'
    assert re.fullmatch(r"_{60,}", lines[1]) and re.fullmatch(r"={60,}", lines[3])
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    assert lines[4].split() == ["dense", "(Dense)", "(None,", "512)", "401,920"]
    text = "\n".join(lines)
    # what scripts and tutorials read out of the table
    total = re.search(r"Total params: ([\d,]+)", text)[1]
    assert int(total.replace(",", "")) == 784 * 512 + 512 + 512 * 10 + 10 == 407_050
    assert "Trainable params: 407,050" in text and "Non-trainable params: 0" in text


def test_fit_verbose_2_prints_keras_lines_on_stdout(capsys):
    x, y = data()
    mlp(3).fit(x, y, epochs=2, batch_size=16, verbose=2, validation_data=(x, y))
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = (
        r"3/3 - \d+s - \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - "
        r"val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}"
    )
    assert re.fullmatch(pattern, lines[1]), lines[1]
    assert err == ""


def test_fit_verbose_1_prints_a_bar_per_epoch_and_0_nothing(capsys):
    x, y = data()
    model = mlp(3)
    model.fit(x, y, epochs=1, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch" not in out  # as Keras 3: one epoch has no "Epoch 1/1" line
    assert re.search(r"3/3 step \(100%\).* - loss: \d\.\d{4} - accuracy: \d\.\d{4}$", out.strip())
    model.fit(x, y, epochs=3, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("Epoch")] == [
        "Epoch 1/3",
        "Epoch 2/3",
        "Epoch 3/3",
    ]
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_evaluate_verbose_prints_one_keras_line(capsys):
    x, y = data()
    model = mlp(3)
    score = model.evaluate(x, y, batch_size=8, verbose=1)
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"5/5 - \d+s - \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}", line
    )
    assert f"loss: {score[0]:.4f}" in line


def test_keras_2_verbose_values_are_checked():
    x, y = data()
    with pytest.raises(ValueError, match="verbose must be 0, 1, 2 or 'auto'"):
        mlp(3).fit(x, y, verbose=3)
    with pytest.raises(ValueError, match="verbose"):
        mlp(3).evaluate(x, y, verbose="loud")


def test_activation_layers_in_a_keras_chain_save_and_load(tmp_path):
    model = Sequential([Dense(3, input_dim=2), Activation("tanh"), Dense(2), Activation("softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.save(tmp_path / "m.nnscratch")
    again = nnscratch.load_model(tmp_path / "m.nnscratch")
    x = np.random.default_rng(0).random((5, 2))
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


# -- against Keras itself, when it is installed -------------------------------------------------
KERAS_SCRIPT = """
import numpy as np
{imports}
model = Sequential([Dense(16, activation="relu", input_shape=(4,)), Dropout(0.2),
                    Dense(3, activation="softmax")])
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
x = np.random.default_rng(0).random((40, 4)).astype("float32")
y = np.eye(3)[np.random.default_rng(1).integers(0, 3, 40)]
model.summary()
print("count", model.count_params())
model.fit(x, y, batch_size=16, epochs=2, verbose=2)
print("tob", type(model.test_on_batch(x, y)).__name__, len(model.test_on_batch(x, y)))
print("pob", model.predict_on_batch(x).shape)
try:
    model.get_layer("nope")
except ValueError as e:
    print("get_layer", type(e).__name__)
print("pop", type(model.pop()).__name__, model.layers[-1].__class__.__name__)
"""


def test_the_same_calls_print_what_keras_3_prints(tmp_path):
    """Keras 3 (torch backend) and nnscratch.keras on one script: the same lines."""
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import keras, torch"], capture_output=True, env=_keras_env()
    )
    if probe.returncode != 0:
        pytest.skip("Keras 3 is not installed: pip install keras torch (KERAS_BACKEND=torch)")
    outputs = []
    for imports in (
        "from keras.models import Sequential\nfrom keras.layers import Dense, Dropout",
        "from nnscratch.keras.models import Sequential\n"
        "from nnscratch.keras.layers import Dense, Dropout",
    ):
        script = tmp_path / "same.py"
        script.write_text(KERAS_SCRIPT.format(imports=imports), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=_keras_env()
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout.splitlines())
    theirs, ours = outputs
    for key in ("count", "tob", "pob", "get_layer", "pop"):
        assert [s for s in theirs if s.startswith(key)] == [s for s in ours if s.startswith(key)]
    epochs = [line for line in ours if line.startswith("Epoch ")]
    assert epochs == [line for line in theirs if line.startswith("Epoch ")]
    step = r"3/3 - \d+s - \d+(us|ms|s)/step - "
    assert sum(bool(re.match(step, line)) for line in theirs) == 2
    assert sum(bool(re.match(step, line)) for line in ours) == 2
    totals = [line.strip().split(" (")[0] for line in theirs if "params:" in line]
    assert totals == [line for line in ours if "params:" in line]


def _keras_env() -> dict:
    return {**os.environ, "KERAS_BACKEND": "torch", "PYTHONWARNINGS": "ignore"}

"""Saving and loading: exact round trips, exact resumption, refused bad files, atomic writes."""

import ast
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnscratch
from nnscratch import ModelFileError, Sequential, load_model
from nnscratch.data import moons
from nnscratch.engine import serialize
from nnscratch.engine.activations import Activation as ActivationFunction
from nnscratch.layers import Activation, Dense, Dropout
from nnscratch.optimizers import SGD, Adam, ExponentialDecay
from nnscratch.regularizers import l1_l2, l2
from nnscratch.saving import save_model


@pytest.fixture(scope="module")
def data():
    return moons(n_samples=80, seed=1)


def make_model(optimizer="adam", dtype="float64", seed=0):
    model = Sequential(
        [
            Dense(
                6,
                "tanh",
                input_dim=2,
                kernel_initializer="he_normal",
                kernel_regularizer=l1_l2(l1=0.001, l2=0.01),
            ),
            Dropout(0.25),
            Dense(5, "relu", kernel_regularizer=l2(0.005)),
            Dropout(0.1, seed=3),
            Dense(2),
            Activation("softmax"),
        ],
        seed=seed,
        dtype=dtype,
        name="moons",
    )
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _weights_equal(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


# -- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predictions_round_trip_bit_for_bit(tmp_path, data, dtype):
    x, y = data
    model = make_model(dtype=dtype)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    again = load_model(path)
    _weights_equal(model, again)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert again.dtype == np.dtype(dtype) and again.name == "moons"
    assert [type(layer).__name__ for layer in again.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    assert again.layers[0].kernel_regularizer.get_config() == {"l1": 0.001, "l2": 0.01}
    assert again.layers[1].rate == 0.25 and again.layers[3].seed == 3
    assert again.loss.get_config() == model.loss.get_config()
    assert again.optimizer.get_config() == model.optimizer.get_config()
    assert again.evaluate(x, y) == model.evaluate(x, y)


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: SGD(0.1),
        lambda: SGD(0.05, momentum=0.9, nesterov=True),
        lambda: "adagrad",
        lambda: "rmsprop",
        lambda: Adam(ExponentialDecay(0.01, decay_steps=5, decay_rate=0.9)),
    ],
)
def test_resume_is_bit_for_bit(tmp_path, data, optimizer):
    """fit 10 epochs == fit 5, save, load, fit 5 more (shuffling and dropout included)."""
    x, y = data
    straight = make_model(optimizer())
    straight.fit(x, y, epochs=10, batch_size=16, verbose=0)

    first = make_model(optimizer())
    first.fit(x, y, epochs=5, batch_size=16, verbose=0)
    path = tmp_path / "half.nnscratch"
    first.save(path)
    del first
    resumed = load_model(path)
    hist = resumed.fit(x, y, epochs=5, batch_size=16, verbose=0)
    _weights_equal(straight, resumed)
    assert hist.history["loss"] == straight.history.history["loss"][5:]
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 10 * 5


def test_resume_with_a_generator_seed(tmp_path, data):
    x, y = data
    runs = []
    for split in (False, True):
        model = make_model("adam", seed=np.random.default_rng(42))
        model.compile("adam", "categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=20, verbose=0)
        if split:
            model.save(tmp_path / "g.nnscratch")
            model = load_model(tmp_path / "g.nnscratch")
        model.fit(x, y, epochs=2, batch_size=20, verbose=0)
        runs.append(model)
    _weights_equal(*runs)


def test_load_without_compiling_and_unbuilt_models(tmp_path, data):
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    plain = load_model(tmp_path / "m.nnscratch", compile=False)
    assert plain.optimizer is None and plain.loss is None
    np.testing.assert_array_equal(plain.predict(x), model.predict(x))

    fresh = Sequential([Dense(3, "tanh"), Dense(2, "softmax")])
    fresh.save(tmp_path / "fresh.nnscratch")
    loaded = load_model(tmp_path / "fresh.nnscratch")
    assert not loaded.built and [layer.units for layer in loaded.layers] == [3, 2]


def test_regression_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = Sequential([Dense(8, "relu", input_dim=3), Dense(1)], seed=0)
    model.compile("sgd", "mse", reduction="sum")
    model.fit(x, y, epochs=3, verbose=0)
    model.save(tmp_path / "r.nnscratch")
    again = load_model(tmp_path / "r.nnscratch")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert again.loss.get_config() == {"name": "mean_squared_error", "reduction": "sum"}


def test_file_layout_is_plain_json_and_npz(tmp_path, data):
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "weights.npz"]
        config = json.loads(zf.read("config.json"))
        payload = zf.read("weights.npz")
    assert config["format_version"] == serialize.FORMAT_VERSION
    assert config["weights_sha256"] == hashlib.sha256(payload).hexdigest()
    assert config["layers"][0]["config"]["activation"] == "tanh"
    assert config["layers"][0]["config"]["kernel_initializer"] == "he_normal"
    assert config["compile"]["optimizer"]["name"] == "adam"
    assert config["training"]["iterations"] == 2
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        names = set(npz.files)
    assert "weights/0.kernel" in names and "optimizer/m/0.kernel" in names


def test_overwrite_false_and_bad_targets(tmp_path):
    model = Sequential([Dense(2, input_dim=2)])
    path = tmp_path / "m.nnscratch"
    model.save(path)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(path, overwrite=False)
    with pytest.raises(IsADirectoryError):
        model.save(tmp_path)
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "missing.nnscratch")


def test_custom_activation_cannot_be_saved(tmp_path):
    class Cube(ActivationFunction):
        name = "cube"

        def forward(self, z, out=None):
            return z**3

    model = Sequential([Dense(2, Cube(), input_dim=2)])
    with pytest.raises(TypeError, match="custom activation"):
        model.save(tmp_path / "c.nnscratch")
    assert not list(tmp_path.iterdir())


# -- atomic writes -----------------------------------------------------------------------
@pytest.mark.parametrize("error", [OSError("No space left on device"), KeyboardInterrupt()])
def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, data, monkeypatch, error):
    x, y = data
    model = make_model()
    path = tmp_path / "m.nnscratch"
    model.save(path)
    before = path.read_bytes()
    model.fit(x, y, epochs=1, verbose=0)  # new weights to save

    real_savez = np.savez

    def savez_that_fails_midway(file, **arrays):
        buf = io.BytesIO()
        real_savez(buf, **arrays)
        file.write(buf.getvalue()[: len(buf.getvalue()) // 2])  # half the archive...
        raise error  # ...then the disk fills up, or Ctrl-C

    monkeypatch.setattr(np, "savez", savez_that_fails_midway)
    with pytest.raises(type(error)):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.nnscratch"]  # the temporary file is gone
    load_model(path)  # and the old file still loads


def test_save_replaces_the_file_in_one_step(tmp_path, monkeypatch):
    model = Sequential([Dense(2, input_dim=2)], seed=0)
    path = tmp_path / "m.nnscratch"
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((Path(src).parent, Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    model.save(path)
    assert calls == [(tmp_path, path)]  # temp file in the same directory, then renamed


# -- refusing bad files ------------------------------------------------------------------
def _saved(tmp_path, data):
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        with np.load(io.BytesIO(zf.read("weights.npz")), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    return path, config, arrays


def _write(path, config, arrays, *, fix_checksum=True, entries=None, raw_config=None):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    payload = buf.getvalue()
    config = dict(config)
    if fix_checksum:
        config["weights_sha256"] = hashlib.sha256(payload).hexdigest()
    text = raw_config if raw_config is not None else json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("weights.npz", payload)
        zf.writestr("config.json", text)
        for name, content in (entries or {}).items():
            zf.writestr(name, content)


def _refused(path, match):
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)
    return info.value


def test_tampered_weights_fail_the_checksum(tmp_path, data):
    path, config, arrays = _saved(tmp_path, data)
    arrays["weights/0.kernel"] = arrays["weights/0.kernel"] + 1e-12
    _write(path, config, arrays, fix_checksum=False)
    _refused(path, "checksum mismatch")


def test_truncated_and_garbage_files(tmp_path, data):
    path, _, _ = _saved(tmp_path, data)
    whole = path.read_bytes()
    for cut in (len(whole) // 2, len(whole) - 30, 10):
        path.write_bytes(whole[:cut])
        _refused(path, "truncated or damaged")
    path.write_bytes(b"\x00" * 100)
    _refused(path, "not a readable model archive")
    flipped = bytearray(whole)
    flipped[len(whole) // 3] ^= 0xFF  # one damaged byte inside the compressed data
    path.write_bytes(bytes(flipped))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_object_arrays_are_refused_without_unpickling(tmp_path, data):
    path, config, arrays = _saved(tmp_path, data)
    arrays["weights/0.kernel"] = np.array([{"evil": 1}, None], dtype=object)
    _write(path, config, arrays)
    _refused(path, r"holds Python objects \(dtype object\); expected numbers only")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda c, a: c["layers"][0].update(class_name="Conv5D"), "unknown layer type 'Conv5D'"),
        (
            lambda c, a: c["layers"][0]["config"].update(activation="swish"),
            "unknown activation 'swish'; valid names",
        ),
        (lambda c, a: c["layers"][0]["config"].update(units=7), r"shape \(2, 6\).*needs \(2, 7\)"),
        (lambda c, a: a.pop("weights/2.bias"), "missing weight arrays: weights/2.bias"),
        (lambda c, a: a["weights/0.bias"].__setitem__(0, np.nan), "NaN or infinite"),
        (lambda c, a: a.__setitem__("weights/9.kernel", np.zeros(2)), "no place for"),
        (
            lambda c, a: a.__setitem__("weights/0.kernel", a["weights/0.kernel"].astype("f4")),
            "dtype float32 but the model uses float64",
        ),
        (lambda c, a: c.update(format_version=99), "format version 99 is not supported"),
        (lambda c, a: c.update(format="other"), "not an nnscratch model"),
        (lambda c, a: c["compile"]["optimizer"].update(name="adamw"), "unknown optimizer"),
        (lambda c, a: c["compile"]["optimizer"].update(lr=0.1), "unknown settings"),
        (lambda c, a: c["compile"]["loss"].update(name="poisson"), "unknown loss 'poisson'"),
        (lambda c, a: c["layers"][0]["config"].update(W_regularizer=None), "unknown settings"),
        (lambda c, a: c["layers"][1]["config"].update(rate=1.5), r"rate must be in \[0, 1\)"),
        (lambda c, a: c.update(dtype="float16"), "dtype must be"),
        (lambda c, a: a.__setitem__("optimizer/m/0.kernel", np.zeros(3)), "expected shape"),
        (lambda c, a: a.__setitem__("optimizer/z/0.kernel", np.zeros((2, 6))), "no state slot"),
        (lambda c, a: a.__setitem__("pickle_me", np.zeros(1)), "unexpected arrays"),
        (lambda c, a: c["training"].update(iterations=-3), "iterations must be >= 0"),
        (lambda c, a: c["training"]["rng"].update(kind="os.system"), "must be 'RandomState'"),
        (lambda c, a: c.pop("weights_sha256"), "no weights_sha256"),
        (lambda c, a: c.update(layers="Dense"), "layers must be list"),
    ],
)
def test_inconsistent_files_are_refused(tmp_path, data, change, match):
    path, config, arrays = _saved(tmp_path, data)
    change(config, arrays)
    _write(path, config, arrays, fix_checksum="weights_sha256" in config)
    _refused(path, match)


def test_bad_json_and_entries(tmp_path, data):
    path, config, arrays = _saved(tmp_path, data)
    _write(path, config, arrays, raw_config=b"{not json")
    _refused(path, "config.json is not valid JSON")
    _write(path, config, arrays, raw_config=json.dumps(config).replace("0.25", "NaN").encode())
    _refused(path, "not valid JSON: holds NaN")
    _write(path, config, arrays, raw_config=b"[1, 2]")
    _refused(path, "must hold a JSON object")
    _write(path, config, arrays, entries={"run_me.py": b"import os"})
    _refused(path, "expected the entries config.json and weights.npz")


def test_save_model_function_and_package_exports(tmp_path):
    model = Sequential([Dense(2, input_dim=2)], seed=0)
    save_model(model, tmp_path / "a.nnscratch")
    assert nnscratch.load_model is load_model
    assert "load_model" in nnscratch.__all__ and "Dropout" in nnscratch.__all__
    with pytest.raises(TypeError, match="Sequential"):
        save_model("not a model", tmp_path / "b.nnscratch")


# -- the engine stays free of files and upward imports ----------------------------------
ENGINE = Path(nnscratch.__file__).parent / "engine"
ALLOWED = {
    "__future__", "numpy", "math", "numbers", "contextlib",
    "collections", "typing", "warnings", "inspect", "dataclasses", "sys", "types", "json",
    "contextvars", "os", "functools", "itertools", "re", "cupy",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "print"}


@pytest.mark.parametrize("module", sorted(p.name for p in ENGINE.glob("*.py")))
def test_engine_module_imports_only_numpy_and_stdlib_and_does_no_io(module):
    tree = ast.parse((ENGINE / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module.split(".")[0] in ALLOWED, (module, node.module)
            else:
                assert node.level == 1, f"{module} imports from above the engine"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in ALLOWED, (module, alias.name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, (module, node.func.id)


def test_huge_claimed_sizes_are_refused_before_allocating(tmp_path, data):
    path, config, arrays = _saved(tmp_path, data)
    config["layers"][2]["config"]["units"] = 10**9
    _write(path, config, arrays)
    _refused(path, r"weight 'kernel' \(6, 1000000000\) of layer 2 would need 44\.7 GiB")


def test_a_loss_of_your_own_is_refused_before_anything_is_written(tmp_path, data):
    from nnscratch.engine.losses import Quadratic

    class Doubled(Quadratic):
        name = "doubled_quadratic"

        def total(self, y_true, y_pred):
            return 2.0 * super().total(y_true, y_pred)

    X, y = data
    model = Sequential([Dense(3, "sigmoid", input_dim=2), Dense(2, "sigmoid")])
    model.compile(SGD(0.5), Doubled())
    model.fit(X, y, batch_size=len(X), epochs=2)
    path = tmp_path / "mine.nnscratch"
    with pytest.raises(TypeError, match=r"loss of your own \(Doubled, named 'doubled_quadratic'\)"):
        model.save(path)
    assert not path.exists()
    model.save_weights(tmp_path / "mine.weights.npz")  # what the message offers instead
    again = Sequential([Dense(3, "sigmoid", input_dim=2), Dense(2, "sigmoid")])
    again.load_weights(tmp_path / "mine.weights.npz")
    assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), model.get_weights()))


def test_a_subclass_that_keeps_a_builtin_name_saves_as_that_loss(tmp_path, data):
    from nnscratch.engine.losses import CategoricalCrossentropy

    class Mine(CategoricalCrossentropy):
        """Keeps the name, so a file loads it as the built-in cross-entropy."""

    X, y = data
    model = Sequential([Dense(3, "tanh", input_dim=2), Dense(2, "softmax")])
    model.compile(SGD(0.5), Mine())
    model.fit(X, y, batch_size=len(X), epochs=2)
    model.save(tmp_path / "mine.nnscratch")
    loaded = load_model(tmp_path / "mine.nnscratch")
    assert type(loaded.loss) is CategoricalCrossentropy


def test_a_constraint_of_your_own_is_refused_before_anything_is_written(tmp_path, data):
    from nnscratch.engine.constraints import Constraint

    class Capped(Constraint):
        name = "capped"

        def __init__(self, cap=1.0):
            self.cap = cap

        def __call__(self, w):
            return np.clip(w, -self.cap, self.cap)

    X, y = data
    model = Sequential([Dense(3, "tanh", input_dim=2, kernel_constraint=Capped(0.5)), Dense(2)])
    model.compile(SGD(0.1), "mse")
    model.fit(X, np.eye(2)[y], batch_size=len(X), epochs=1)
    assert np.abs(model.layers[0].kernel).max() <= 0.5  # it trains with it
    path = tmp_path / "capped.nnscratch"
    with pytest.raises(TypeError, match=r"could not load it back \(layer 0 \(Dense\): unknown "):
        model.save(path)
    assert not path.exists()


def test_an_optimizer_of_your_own_is_refused_before_anything_is_written(tmp_path, data):
    class Halving(SGD):
        """SGD whose steps halve the gradient: a new update, so not a built-in SGD."""

        def _update(self, key, p, g, lr):
            super()._update(key, p, 0.5 * g, lr)

    X, y = data
    model = Sequential([Dense(3, "tanh", input_dim=2), Dense(2, "softmax")])
    model.compile(Halving(0.5), "categorical_crossentropy")
    model.fit(X, y, batch_size=len(X), epochs=1)
    path = tmp_path / "halving.nnscratch"
    with pytest.raises(TypeError, match=r"optimizer of your own \(Halving\).*save_weights"):
        model.save(path)
    assert not path.exists()


def test_a_keras_model_saves_after_a_copy_of_it_was_made(tmp_path):
    """``copy.deepcopy`` caches ``__slotnames__`` on the optimizer's class; the Keras SGD is
    still a built-in optimizer afterwards, so the model still saves."""
    import copy

    from nnscratch import keras

    model = keras.Sequential([keras.layers.Dense(2, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse")
    copy.deepcopy(model)
    model.save(tmp_path / "m.nnscratch")
    assert nnscratch.load_model(tmp_path / "m.nnscratch").optimizer.name == "sgd"

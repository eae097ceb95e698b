"""Keras' training semantics in the engine: metrics under the names given, sample and
class weights, activity regularizers and weight constraints."""

import numpy as np
import pytest

from nnscratch.engine import constraints, fast, metrics, serialize, training
from nnscratch.engine.gradcheck import numerical_gradient, relative_error
from nnscratch.engine.layers import Activation, Dense
from nnscratch.engine.model import Sequential
from nnscratch.engine.optimizers import SGD
from nnscratch.engine.regularizers import l1, l2


def blobs(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    return x, y


def classifier(outputs=3, activation="softmax", seed=0, **dense):
    return Sequential(
        [Dense(5, "tanh", input_dim=3, **dense), Dense(outputs, activation)], seed=seed
    )


# -- metrics -------------------------------------------------------------------------------
@pytest.mark.parametrize("names", [["acc"], ["accuracy"], ["mae", "acc", "mse"]])
def test_history_keys_are_the_names_given(names):
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy", metrics=names)
    history = model.fit(x[:36], y[:36], 12, 2, validation_data=(x[36:], y[36:]))
    assert list(history.history) == ["loss", *names, "val_loss", *[f"val_{n}" for n in names]]
    assert model.metrics_names == ["loss", *names]
    result = model.evaluate(x, y)
    assert isinstance(result, list) and len(result) == 1 + len(names)
    as_dict = model.evaluate(x, y, return_dict=True)
    assert list(as_dict) == ["loss", *names] and list(as_dict.values()) == result


def test_evaluate_and_train_on_batch_return_what_keras_returns():
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    assert model.metrics_names == ["loss"]
    assert isinstance(model.evaluate(x, y), float)
    assert isinstance(model.train_on_batch(x, y), float)
    model.compile(SGD(0.1), "categorical_crossentropy", metrics=["accuracy", "mse"])
    before = model.predict(x)
    _, acc, mse = model.train_on_batch(x, y)
    targets = np.eye(3)[y]
    assert acc == pytest.approx(np.mean(before.argmax(1) == y))  # before the step
    assert mse == pytest.approx(np.mean((before - targets) ** 2))
    assert model.train_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy", "mse"}


def test_epoch_metrics_are_batch_means_weighted_by_batch_size():
    x, y = blobs(n=50)
    fitted, stepped = classifier(), classifier()
    for m in (fitted, stepped):
        m.compile(SGD(0.2), "categorical_crossentropy", metrics=["acc", "mae"])
    history = fitted.fit(x, y, 16, 1, shuffle=False)  # batches of 16, 16, 16 and 2
    batches = [stepped.train_on_batch(x[s : s + 16], y[s : s + 16]) for s in range(0, 50, 16)]
    sizes = np.array([16, 16, 16, 2])
    for column, key in enumerate(["loss", "acc", "mae"]):
        expected = sum(b[column] * size for b, size in zip(batches, sizes)) / 50
        assert history.history[key][0] == pytest.approx(expected, rel=1e-12), key
    for a, b in zip(fitted.get_weights(), stepped.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_accuracy_follows_the_loss_and_the_output_layer_as_in_keras():
    y_true = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y_pred = np.array([[0.9, 0.8], [0.6, 0.4], [0.2, 0.1]])
    # binary cross-entropy: every output is its own yes/no
    fn = metrics.get("accuracy", loss=type("L", (), {"name": "binary_crossentropy"})())
    np.testing.assert_allclose(fn(y_true, y_pred), [0.5, 0.5, 1.0])
    # any other loss: categorical for several outputs, binary for one
    np.testing.assert_allclose(metrics.get("acc")(y_true, y_pred), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(metrics.get("acc")(y_true[:, :1], y_pred[:, :1]), [1, 1, 1])
    labels = np.array([[0.0, 1.0], [1.0, 0.0]])
    scores = np.array([[0.2, 0.8], [0.3, 0.7]])
    np.testing.assert_allclose(metrics.get("categorical_accuracy")(labels, scores), [1, 0])
    np.testing.assert_allclose(metrics.get("sparse_categorical_accuracy")(labels, scores), [1, 0])
    np.testing.assert_allclose(metrics.get("binary_accuracy")(labels, scores), [1, 0])
    np.testing.assert_allclose(metrics.get("mae")(labels, scores), [0.2, 0.7])
    np.testing.assert_allclose(metrics.get("mean_squared_error")(labels, scores), [0.04, 0.49])


def test_one_sigmoid_output_reports_binary_accuracy():
    x, y = blobs()
    binary = (y > 0).astype(float)
    model = classifier(outputs=1, activation="sigmoid")
    model.compile(SGD(0.1), "binary_crossentropy", metrics=["acc"])
    _, acc = model.evaluate(x, binary)
    assert acc == pytest.approx(np.mean((model.predict(x)[:, 0] > 0.5) == binary))


def test_a_metric_function_of_your_own():
    def largest_output(y_true, y_pred):
        return y_pred.max(axis=1)

    def batch_mean_error(y_true, y_pred):  # one number for the batch
        return float(np.mean(np.abs(y_true - y_pred)))

    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy", metrics=[largest_output, batch_mean_error])
    history = model.fit(x, y, 48, 1)
    assert list(history.history) == ["loss", "largest_output", "batch_mean_error"]
    _, largest, error = model.evaluate(x, y)
    out = model.predict(x)
    assert largest == pytest.approx(out.max(axis=1).mean())
    assert error == pytest.approx(np.abs(np.eye(3)[y] - out).mean())
    with pytest.raises(TypeError, match="function of your own and cannot be saved"):
        serialize.model_to_data(model)


def test_metric_names_save_and_load():
    x, y = blobs()
    model = classifier()
    model.compile("adam", "categorical_crossentropy", metrics=["acc", "mae"])
    model.fit(x, y, 16, 1)
    loaded = serialize.model_from_data(*serialize.model_to_data(model))
    assert loaded.metrics_names == ["loss", "acc", "mae"]
    assert loaded.evaluate(x, y) == model.evaluate(x, y)


def test_a_renamed_builtin_metric_saves_and_loads():
    x, y = blobs()
    model = classifier()
    hit = metrics.renamed(metrics.categorical_accuracy, "hit")
    model.compile("adam", "categorical_crossentropy", metrics=[hit])
    model.fit(x, y, 16, 1)
    config, arrays = serialize.model_to_data(model)
    assert config["compile"]["metrics"] == [{"name": "hit", "function": "categorical_accuracy"}]
    loaded = serialize.model_from_data(config, arrays)
    assert loaded.metrics_names == ["loss", "hit"]
    assert loaded.evaluate(x, y) == model.evaluate(x, y)
    with pytest.raises(ValueError, match="unknown metric function 'f1'"):
        metrics.get({"name": "hit", "function": "f1"})
    with pytest.raises(TypeError, match="a metric's name must be a non-empty string, got 3"):
        metrics.get({"name": 3, "function": "mae"})
    with pytest.raises(ValueError, match="'function': 'binary_accuracy'}, got"):
        metrics.get({"name": "hit"})


def test_bad_metric_functions_are_explained():
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy", metrics=[lambda t, p: p[:2]])
    with pytest.raises(ValueError, match=r"returned shape \(2, 3\) for a batch of 48"):
        model.evaluate(x, y)
    with pytest.raises(TypeError, match="a metric must be a name or a function, got 3"):
        model.compile("sgd", "mse", metrics=[3])
    with pytest.raises(ValueError, match="metric 'loss' is given twice"):
        model.compile("sgd", "mse", metrics=["loss"])


# -- sample and class weights ----------------------------------------------------------------
def test_weighted_loss_is_keras_sum_over_batch_size():
    x, y = blobs()
    model = classifier(kernel_regularizer=l2(0.01))
    model.compile(SGD(0.1), "categorical_crossentropy")
    w = np.random.default_rng(1).uniform(0, 3, len(x))
    p = model.predict(x)
    per_example = -np.log(p[np.arange(len(y)), y])
    expected = np.sum(w * per_example) / len(x) + model.penalty()
    assert model.evaluate(x, y, sample_weight=w) == pytest.approx(expected, rel=1e-12)
    assert model.evaluate(x, y, sample_weight=np.ones(len(x))) == pytest.approx(
        model.evaluate(x, y), rel=1e-12
    )


@pytest.mark.parametrize(
    "loss, output", [("categorical_crossentropy", "softmax"), ("mse", None), ("huber", "tanh")]
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_weighted_gradients_pass_the_gradient_check(loss, output, reduction):
    x, y = blobs(n=10)
    model = classifier(activation=output, kernel_regularizer=l2(0.01))
    model.compile("sgd", loss, reduction=reduction)
    targets = np.eye(3)[y] if loss != "categorical_crossentropy" else y
    x, targets = model.check_data(x, targets)
    w = np.random.default_rng(2).uniform(0, 2, len(x))
    _, _, grads = training.compute_gradients(model, x, targets, w)
    scale = len(x) if reduction == "sum" else 1

    def objective(_):
        return training.batch_loss(model, targets, model.forward(x), w) * scale

    for key, p in model.parameters(trainable=True).items():
        assert relative_error(grads[key], numerical_gradient(objective, p)) < 1e-6, key


def test_integer_weights_count_examples_again():
    """With reduction="sum", weight 2 is the example twice: the same gradient."""
    x, y = blobs(n=12)
    w = np.array([1, 2, 0, 1, 3, 1, 1, 0, 2, 1, 1, 1])
    weighted, repeated = classifier(), classifier()
    for m in (weighted, repeated):
        m.compile("sgd", "categorical_crossentropy", reduction="sum")
    xw, tw = weighted.check_data(x, y)
    xr, tr = repeated.check_data(np.repeat(x, w, axis=0), np.repeat(y, w))
    _, _, gw = training.compute_gradients(weighted, xw, tw, w.astype(float))
    _, _, gr = training.compute_gradients(repeated, xr, tr)
    for key in gw:
        np.testing.assert_allclose(gw[key], gr[key], rtol=1e-12, atol=1e-15)


def test_class_weight_is_the_sample_weight_of_each_class():
    x, y = blobs()
    table = {0: 0.5, 1: 2.0}  # class 2 keeps 1.0
    by_class, by_sample = classifier(), classifier()
    for m in (by_class, by_sample):
        m.compile(SGD(0.1), "categorical_crossentropy")
    h1 = by_class.fit(x, y, 8, 3, class_weight=table)
    h2 = by_sample.fit(x, y, 8, 3, sample_weight=np.array([table.get(c, 1.0) for c in y]))
    assert h1.history == h2.history
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_array_equal(a, b)
    # both at once multiply (Keras 2)
    both, product = classifier(), classifier()
    for m in (both, product):
        m.compile(SGD(0.1), "categorical_crossentropy")
    sw = np.linspace(0.5, 1.5, len(x))
    both.fit(x, y, 8, 2, class_weight=table, sample_weight=sw)
    product.fit(x, y, 8, 2, sample_weight=sw * np.array([table.get(c, 1.0) for c in y]))
    for a, b in zip(both.get_weights(), product.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_class_weight_with_one_hot_and_one_sigmoid_output():
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    one_hot = np.eye(3)[y]
    a = model.train_on_batch(x, one_hot, class_weight={0: 3.0})
    model2 = classifier()
    model2.compile(SGD(0.1), "categorical_crossentropy")
    b = model2.train_on_batch(x, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    assert a == b
    binary = (y > 0).astype(float)
    sig = classifier(outputs=1, activation="sigmoid")
    sig.compile(SGD(0.1), "binary_crossentropy")
    loss = sig.evaluate(x, binary, sample_weight=np.where(binary == 1, 4.0, 1.0))
    sig.fit(x, binary, 48, 1, class_weight={1: 4.0})
    assert sig.history.history["loss"][0] == loss


def test_the_weights_follow_the_shuffled_examples():
    """Examples with weight 0 carry absurd targets: if their weights went to other
    examples, the loss would be huge."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 3))
    targets = np.zeros((64, 1))
    targets[::2] = 1e6
    w = np.ones(64)
    w[::2] = 0.0
    model = Sequential([Dense(1, input_dim=3)], seed=0)
    model.compile(SGD(0.01), "mse")
    history = model.fit(x, targets, 8, 5, shuffle=True, sample_weight=w)
    assert max(history.history["loss"]) < 10


def test_weights_are_split_and_validated_like_keras():
    x, y = blobs()
    w = np.linspace(0.1, 2.0, len(x))
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    history = model.fit(x, y, 8, 1, validation_split=0.25, sample_weight=w, shuffle=False)
    held = slice(36, None)
    expected = model.evaluate(x[held], y[held], sample_weight=w[held])
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-12)
    model.fit(x[:36], y[:36], 8, 1, validation_data=(x[held], y[held], w[held]))
    assert model.history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[held], y[held], sample_weight=w[held]), rel=1e-12
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"sample_weight": np.ones(5)}, ValueError, "sample_weight has 5 values for 48 samples"),
        ({"sample_weight": -np.ones(48)}, ValueError, r"must be >= 0, got -1.0 at index 0"),
        ({"sample_weight": np.full(48, np.nan)}, ValueError, "48 NaN or infinite"),
        ({"sample_weight": np.ones((48, 2))}, ValueError, r"shape \(n_samples,\), got"),
        ({"sample_weight": ["a"] * 48}, TypeError, "sample_weight must be numeric"),
        ({"class_weight": [1.0, 2.0]}, TypeError, "class_weight must be a dict"),
        ({"class_weight": {"0": 1.0}}, TypeError, "keys must be integer classes, got '0'"),
        ({"class_weight": {3: 1.0}}, ValueError, r"names class 3, but the output layer has 3"),
        ({"class_weight": {1: -2.0}}, ValueError, r"class_weight\[1\] must be"),
        ({"class_weight": {1: float("nan")}}, ValueError, r"class_weight\[1\] must be"),
    ],
)
def test_bad_weights_are_refused_before_training(kwargs, error, match):
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(error, match=match):
        model.fit(x, y, 8, 1, **kwargs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="validation sample_weight has 2 values for 48"):
        model.fit(x, y, 8, 1, validation_data=(x, y, np.ones(2)))


def test_weighted_runs_take_the_plain_path(monkeypatch):
    x, y = blobs()
    calls = []
    monkeypatch.setattr(fast, "make_step", lambda m: calls.append(m) or None)
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    model.fit(x, y, 8, 1, sample_weight=np.ones(len(x)))
    assert calls == []


def test_fit_keeps_keras_positional_order():
    x, y = blobs()
    model = classifier()
    model.compile(SGD(0.1), "categorical_crossentropy")
    w = np.linspace(0.5, 1.0, len(x))
    history = model.fit(x, y, 8, 3, 0, None, 0.0, None, True, {0: 2.0}, w, 1)
    assert history.epoch == [1, 2]


# -- activity regularizers -----------------------------------------------------------------
def test_the_activity_penalty_joins_the_loss_divided_by_the_batch_size():
    x, y = blobs()
    model = Sequential(
        [Dense(4, "tanh", input_dim=3, activity_regularizer=l2(0.1)), Dense(3, "softmax")],
        seed=0,
    )
    model.compile(SGD(0.1), "categorical_crossentropy")
    hidden, out = model.trace(x)
    ce = -np.log(out[np.arange(len(y)), y]).mean()
    expected = ce + 0.1 * np.sum(hidden**2) / len(x)
    assert model.evaluate(x, y) == pytest.approx(expected, rel=1e-12)
    assert model.evaluate(x, y, batch_size=5) == pytest.approx(expected, rel=1e-12)
    assert model.layers[0].get_config()["activity_regularizer"] == {"l1": 0.0, "l2": 0.1}


@pytest.mark.parametrize("where", ["hidden", "output", "both"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_activity_gradients_pass_the_gradient_check(where, reduction):
    x, y = blobs(n=9)
    first = {"activity_regularizer": l1(0.05)} if where != "output" else {}
    last = {"activity_regularizer": l2(0.2)} if where != "hidden" else {}
    model = Sequential(
        [Dense(4, "tanh", input_dim=3, **first), Dense(3, "softmax", **last)], seed=1
    )
    model.compile("sgd", "categorical_crossentropy", reduction=reduction)
    x, targets = model.check_data(x, y)
    w = np.linspace(0.5, 1.5, len(x))
    _, _, grads = training.compute_gradients(model, x, targets, w)
    scale = len(x) if reduction == "sum" else 1

    def objective(_):
        return training.batch_loss(model, targets, model.forward(x), w) * scale

    for key, p in model.parameters(trainable=True).items():
        assert relative_error(grads[key], numerical_gradient(objective, p)) < 1e-6, key


def test_activity_regularized_models_save_load_and_train_on_the_plain_path():
    x, y = blobs()

    def model():
        m = Sequential(
            [Dense(4, "relu", input_dim=3, activity_regularizer="l1"), Dense(3, "softmax")],
            seed=0,
        )
        m.compile("adam", "categorical_crossentropy")
        return m

    straight = model()
    straight.fit(x, y, 8, 4)
    with training.plain_path():
        plain = model()
        plain.fit(x, y, 8, 4)
    assert straight.history.history == plain.history.history
    half = model()
    half.fit(x, y, 8, 2)
    resumed = serialize.model_from_data(*serialize.model_to_data(half))
    assert resumed.layers[0].activity_regularizer.l1 == 0.01
    resumed.fit(x, y, 8, 2)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- constraints ---------------------------------------------------------------------------
def test_constraint_formulas_are_keras():
    w = np.array([[3.0, 0.1, -1.0], [4.0, 0.2, 2.0]])
    norms = np.sqrt((w**2).sum(axis=0, keepdims=True))
    eps = 1e-7
    np.testing.assert_allclose(
        constraints.get("max_norm")(w), w * np.clip(norms, 0, 2) / (eps + norms)
    )
    np.testing.assert_allclose(constraints.max_norm(3, axis=1)(w).shape, w.shape)
    np.testing.assert_array_equal(constraints.get("non_neg")(w), np.maximum(w, 0))
    np.testing.assert_allclose(constraints.get("unit_norm")(w), w / (eps + norms))
    desired = 0.5 * np.clip(norms, 0.5, 1.0) + 0.5 * norms
    np.testing.assert_allclose(
        constraints.min_max_norm(0.5, 1.0, rate=0.5)(w), w * desired / (eps + norms)
    )
    kernel = np.ones((3, 3, 2, 4))
    np.testing.assert_allclose(
        np.sqrt((constraints.unit_norm(axis=(0, 1, 2))(kernel) ** 2).sum(axis=(0, 1, 2))), 1.0
    )
    assert constraints.get("maxnorm").get_config() == {
        "name": "max_norm",
        "max_value": 2.0,
        "axis": 0,
    }
    assert constraints.get({"name": "unit_norm", "axis": [0, 1]}).axis == (0, 1)
    with pytest.raises(ValueError, match="unknown constraint 'positive'"):
        constraints.get("positive")
    with pytest.raises(ValueError, match="takes no argument"):
        constraints.get({"name": "non_neg", "axis": 0})
    with pytest.raises(ValueError, match="max_value must be"):
        constraints.MinMaxNorm(min_value=2.0, max_value=1.0)


def test_constraints_apply_after_every_update():
    x, y = blobs()
    model = Sequential(
        [
            Dense(6, "relu", input_dim=3, kernel_constraint="max_norm", bias_constraint="non_neg"),
            Dense(3, "softmax", kernel_constraint=constraints.unit_norm()),
        ],
        seed=0,
    )
    model.compile(SGD(0.5), "categorical_crossentropy")
    w0 = [p.copy() for p in model.parameters(trainable=True).values()]
    x_checked, targets = model.check_data(x, y)
    _, _, grads = training.compute_gradients(model, x_checked, targets)
    model.train_on_batch(x, y)
    stepped = [p - 0.5 * g for p, g in zip(w0, grads.values())]
    expected = [
        constraints.max_norm()(stepped[0]),
        np.maximum(stepped[1], 0),
        constraints.unit_norm()(stepped[2]),
        stepped[3],
    ]
    for a, b in zip(model.parameters(trainable=True).values(), expected):
        np.testing.assert_array_equal(a, b)
    model.fit(x, y, 8, 3)
    kernel, bias, out_kernel = model.layers[0].kernel, model.layers[0].bias, model.layers[1].kernel
    assert np.sqrt((kernel**2).sum(axis=0)).max() <= 2.0 + 1e-9
    assert bias.min() >= 0
    np.testing.assert_allclose(np.sqrt((out_kernel**2).sum(axis=0)), 1.0, rtol=1e-6)


def test_constrained_models_save_and_load():
    model = Sequential([Dense(3, input_dim=2, kernel_constraint=constraints.max_norm(1.5))])
    model.compile("sgd", "mse")
    config, arrays = serialize.model_to_data(model)
    layer_config = config["layers"][0]["config"]
    assert layer_config["kernel_constraint"] == {"name": "max_norm", "max_value": 1.5, "axis": 0}
    assert "bias_constraint" not in layer_config
    loaded = serialize.model_from_data(config, arrays)
    assert loaded.layers[0].constraints["kernel"].max_value == 1.5
    assert isinstance(loaded.layers[0].kernel_constraint, constraints.MaxNorm)


def test_an_activation_layer_with_an_activity_regularizer():
    x, y = blobs(n=9)
    model = Sequential(
        [Dense(4, input_dim=3), Activation("tanh", activity_regularizer=l2(0.3)), Dense(3)],
        seed=0,
    )
    model.compile("sgd", "mse")
    targets = np.eye(3)[y]
    x, targets = model.check_data(x, targets)
    _, _, grads = training.compute_gradients(model, x, targets)

    def objective(_):
        return training.batch_loss(model, targets, model.forward(x))

    for key, p in model.parameters(trainable=True).items():
        assert relative_error(grads[key], numerical_gradient(objective, p)) < 1e-6, key

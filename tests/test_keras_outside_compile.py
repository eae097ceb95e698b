"""``compile`` as Keras 3 code calls it: Keras' defaults and keyword arguments, metric
objects (``keras.metrics.SparseCategoricalAccuracy()``), ``from_logits``, and a model
called or asked to predict before it is built (Keras builds it from the data)."""

import numpy as np
import pytest

from nnscratch import keras
from nnscratch.keras import layers


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4))
    return x, rng.integers(0, 3, n)


def _model():
    return keras.Sequential(
        [keras.Input(shape=(4,)), layers.Dense(5, activation="relu"), layers.Dense(3, "softmax")]
    )


def test_the_default_optimizer_is_keras_rmsprop():
    model = _model()
    model.compile(loss="sparse_categorical_crossentropy")
    assert type(model.optimizer).__name__ == "RMSprop"
    assert model.optimizer.learning_rate == pytest.approx(0.001)


def test_compile_without_a_loss_says_what_to_give():
    with pytest.raises(ValueError, match="loss="):
        _model().compile(optimizer="adam")


def test_keras3_execution_options_are_accepted():
    model = _model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        run_eagerly=True,
        steps_per_execution=1,
        jit_compile=False,
        auto_scale_loss=True,
        loss_weights=None,
        weighted_metrics=None,
    )
    assert model.metrics_names == ["loss", "accuracy"]


@pytest.mark.parametrize("option", [{"loss_weights": [1.0]}, {"weighted_metrics": ["accuracy"]}])
def test_options_that_would_change_results_are_refused(option):
    with pytest.raises(ValueError, match=next(iter(option))):
        _model().compile(optimizer="adam", loss="mse", **option)


def test_metric_objects_report_under_keras_names_and_save(tmp_path):
    x, labels = _data()
    model = _model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(), keras.metrics.MeanSquaredError()],
    )
    history = model.fit(x, labels, epochs=1, validation_split=0.2, verbose=0)
    assert sorted(history.history) == [
        "loss",
        "mean_squared_error",
        "sparse_categorical_accuracy",
        "val_loss",
        "val_mean_squared_error",
        "val_sparse_categorical_accuracy",
    ]
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.metrics_names == model.metrics_names


def test_a_metric_object_with_its_own_name_reports_under_it():
    x, labels = _data()
    model = _model()
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )
    assert sorted(model.fit(x, labels, verbose=0).history) == ["acc", "loss"]


def test_a_renamed_metric_object_saves_and_loads(tmp_path):
    x, labels = _data()
    model = _model()
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="acc"),
            keras.metrics.MeanSquaredError(name="squared"),
        ],
    )
    model.fit(x, labels, epochs=2, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.metrics_names == model.metrics_names == ["loss", "acc", "squared"]
    scores = model.evaluate(x, labels, return_dict=True, verbose=0)
    assert loaded.evaluate(x, labels, return_dict=True, verbose=0) == scores
    out = model.predict(x, verbose=0)
    assert scores["acc"] == pytest.approx(np.mean(out.argmax(axis=1) == labels))
    assert scores["squared"] == pytest.approx(np.mean((np.eye(3)[labels] - out) ** 2))


def test_metric_objects_accumulate_as_keras_stateful_metrics():
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state([1, 2], [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]])
    assert metric.result() == 0.5
    metric.update_state([0], [[0.9, 0.05, 0.05]])
    assert metric.result() == pytest.approx(2 / 3)
    metric.reset_state()
    assert metric.result() == 0.0
    binary = keras.metrics.BinaryAccuracy()
    binary.update_state([[1], [0], [1]], [[0.7], [0.2], [0.4]], sample_weight=[1, 1, 2])
    assert binary.result() == 0.5
    categorical = keras.metrics.CategoricalAccuracy()
    assert categorical(np.eye(3), np.eye(3)) == 1.0  # calling updates and returns the result


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_from_logits_losses_compute_on_logits():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [800.0, 0.0, -800.0]])  # one huge row
    labels = np.array([0, 1, 2])
    expected = -np.log(_softmax(z[:2])[[0, 1], [0, 1]])  # the huge row: -log p = 1600
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert isinstance(loss, keras.losses.SparseCategoricalCrossentropy)
    assert loss(labels, z) == pytest.approx((expected.sum() + 1600.0) / 3, rel=1e-12)
    assert keras.losses.CategoricalCrossentropy(from_logits=True)(
        np.eye(3)[labels[:2]], z[:2]
    ) == pytest.approx(expected.mean(), rel=1e-12)
    logit, y = np.array([[-1.0], [2.0], [40.0]]), np.array([0.0, 1.0, 0.0])
    p = 1 / (1 + np.exp(-logit[:2, 0]))
    binary = -(y[:2] * np.log(p) + (1 - y[:2]) * np.log1p(-p))
    binary = np.append(binary, 40.0)  # p of 40 rounds to 1: from p, log(1 - p) would be -inf
    got = keras.losses.BinaryCrossentropy(from_logits=True)(y, logit)
    assert got == pytest.approx(binary.mean(), rel=1e-12)
    with pytest.raises(ValueError, match="only the cross-entropies take logits"):
        keras.losses.Hinge(from_logits=True)
    with pytest.raises(TypeError, match="from_logits"):
        keras.losses.CategoricalCrossentropy(from_logits="yes")


def test_a_linear_output_with_from_logits_trains_as_softmax_with_cross_entropy(tmp_path):
    """The tutorials' ``Dense(10)`` + ``SparseCategoricalCrossentropy(from_logits=True)``:
    the same losses, epoch by epoch, as ``Dense(10, "softmax")`` with the plain loss, and
    the logits' softmax is the other model's output. It saves and loads with its loss."""
    x, y = _data(90)

    def trained(activation, loss):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input(shape=(4,)),
                layers.Dense(5, activation="tanh"),
                layers.Dense(3, activation),
            ]
        )
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss, metrics=["accuracy"])
        return model, model.fit(x, y, epochs=5, batch_size=16, verbose=0).history

    logits_model, logits_history = trained(
        None, keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    softmax_model, softmax_history = trained("softmax", "sparse_categorical_crossentropy")
    np.testing.assert_allclose(logits_history["loss"], softmax_history["loss"], rtol=1e-12)
    assert logits_history["accuracy"] == softmax_history["accuracy"]
    np.testing.assert_allclose(
        _softmax(logits_model.predict(x, verbose=0)),
        softmax_model.predict(x, verbose=0),
        rtol=1e-10,
    )
    logits_model.save(tmp_path / "logits.nnscratch")
    loaded = keras.models.load_model(tmp_path / "logits.nnscratch")
    assert loaded.evaluate(x, y, verbose=0) == logits_model.evaluate(x, y, verbose=0)


def test_calling_an_unbuilt_model_builds_it_from_the_data():
    model = keras.Sequential(
        [layers.Dense(2, activation="relu", name="layer1"), layers.Dense(4, name="layer3")]
    )
    y = model(np.ones((3, 3)))
    assert y.shape == (3, 4)
    assert len(model.weights) == 4 and model.input_shape == (None, 3)


def test_predict_on_an_unbuilt_model_builds_it_from_the_data():
    model = keras.Sequential([layers.Dense(2)])
    assert model.predict(np.ones((5, 3)), verbose=0).shape == (5, 2)
    assert model.count_params() == 8

"""Keras 3's loss classes called on arrays, as tests and custom loops call them.

``keras.losses.CategoricalCrossentropy()(y_true, y_pred)`` is the batch's loss, one
number; the expected values below are what Keras 3.15 (torch backend) returned for the
same arrays.
"""

import numpy as np
import pytest

from nnscratch import keras

Y_TRUE = np.array([[0, 1, 0], [0, 0, 1.0]])
Y_PRED = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])


@pytest.mark.parametrize(
    "make, y_true, y_pred, kwargs, expected",
    [
        (lambda: keras.losses.CategoricalCrossentropy(), Y_TRUE, Y_PRED, {}, 1.1769392),
        (
            lambda: keras.losses.CategoricalCrossentropy(),
            Y_TRUE,
            Y_PRED,
            {"sample_weight": np.array([0.3, 0.7])},
            0.8135988,
        ),
        (
            lambda: keras.losses.CategoricalCrossentropy(reduction="sum"),
            Y_TRUE,
            Y_PRED,
            {},
            2.3538785,
        ),
        (lambda: keras.losses.SparseCategoricalCrossentropy(), [1, 2], Y_PRED, {}, 1.1769392),
        (
            lambda: keras.losses.BinaryCrossentropy(),
            [0.0, 1, 1],
            np.array([0.2, 0.7, 0.9]),
            {},
            0.2283930,
        ),
        (
            lambda: keras.losses.BinaryCrossentropy(),
            [[0.0], [1], [1]],
            [[0.2], [0.7], [0.9]],
            {},
            0.2283930,
        ),
        (
            lambda: keras.losses.MeanSquaredError(),
            [[1.0, 2], [3, 4]],
            [[1.5, 2], [3, 5]],
            {},
            0.3125,
        ),
        (lambda: keras.losses.MeanAbsoluteError(), [1.0, 2], [1.5, 2], {}, 0.25),
        (lambda: keras.losses.Huber(delta=0.5), [1.0, 2], [1.5, 4], {}, 0.5),
        (lambda: keras.losses.Hinge(), [[1.0], [-1]], [[0.3], [0.4]], {}, 1.05),
    ],
)
def test_a_loss_object_called_on_arrays_gives_keras_number(make, y_true, y_pred, kwargs, expected):
    value = make()(y_true, y_pred, **kwargs)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-6)


def test_a_loss_object_still_compiles_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    x, labels = rng.random((40, 3)), rng.integers(0, 3, 40)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy())
    model.fit(x, labels, epochs=1, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.evaluate(x, labels, verbose=0) == pytest.approx(
        model.evaluate(x, labels, verbose=0)
    )


def test_mismatched_shapes_are_refused_with_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 2\)"):
        keras.losses.CategoricalCrossentropy()(np.eye(3)[:2], np.full((2, 2), 0.5))


def test_sparse_labels_out_of_range_are_refused():
    with pytest.raises(ValueError, match="label"):
        keras.losses.SparseCategoricalCrossentropy()([0, 3], Y_PRED)


def test_sample_weight_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="sample_weight"):
        keras.losses.MeanSquaredError()([1.0, 2], [1.0, 2], sample_weight=[1.0, 2, 3])


def test_every_loss_class_of_nnscratch_is_here_and_callable():
    import nnscratch.losses

    names = [n for n in nnscratch.losses.__all__ if n not in ("Loss", "Quadratic", "get")]
    for name in names:
        if name.endswith("FromLogits"):  # Keras' spelling: the class with from_logits=True
            loss = getattr(keras.losses, name.removesuffix("FromLogits"))(from_logits=True)
            assert isinstance(loss, getattr(nnscratch.losses, name)) and callable(loss)
            continue
        cls = getattr(keras.losses, name)
        assert name in keras.losses.__all__ and issubclass(cls, getattr(nnscratch.losses, name))
        assert callable(cls())


def test_keras3_reduction_name():
    loss = keras.losses.MeanSquaredError(reduction="sum_over_batch_size")
    assert loss([1.0, 3.0], [2.0, 3.0]) == 0.5

"""Engine edge cases: huge logits, diverging runs, odd inputs, building and History."""

import numpy as np
import pytest

from nnscratch import SGD, Dense, Sequential, TrainingDiverged
from nnscratch.data import moons
from nnscratch.engine.activations import softmax


def test_softmax_row_spanning_the_float_range_is_silent():
    p = softmax(np.array([[1e308, 0.0, -1e308]]))
    assert p.tolist() == [[1.0, 0.0, 0.0]]


def test_a_diverging_run_is_silent():
    x, y = moons()
    model = Sequential([Dense(10, activation="relu"), Dense(2)], seed=0)
    model.compile(optimizer=SGD(10.0), loss="quadratic")
    with pytest.raises(TrainingDiverged):
        model.fit(x, y, epochs=1000, verbose=0)


def test_seed_too_large_names_the_value():
    with pytest.raises(ValueError, match=r"seed must be .*got 4294967296"):
        Sequential([Dense(2)], seed=2**32)


def test_ragged_x_names_x():
    m = Sequential([Dense(2)])
    m.compile(loss="mse")
    with pytest.raises(ValueError, match=r"x .*rectangular|x .*inhomogeneous"):
        m.fit([[1.0, 2.0], [3.0]], [[0.0, 1.0], [1.0, 0.0]], verbose=0)


def test_float32_model_rejects_out_of_range_x_clearly():
    m = Sequential([Dense(2)], dtype="float32")
    m.compile(loss="mse")
    with pytest.raises(ValueError, match=r"float32"):
        m.fit(np.full((10, 2), 1e300), np.zeros((10, 2)), verbose=0)


def test_dense_seed_is_checked_when_the_layer_is_made():
    with pytest.raises(ValueError, match=r"seed must be an integer in 0\.\.2\*\*32 - 1, got -1"):
        Dense(2, seed=-1)


def test_a_model_with_input_dim_is_built_at_once():
    m = Sequential([Dense(3, input_dim=2), Dense(2)], seed=0)
    assert list(m.parameters()) == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    assert m.predict(np.ones((1, 2))).shape == (1, 2)


def test_each_fit_returns_a_fresh_history():
    x = np.random.RandomState(0).standard_normal((10, 2))
    y = np.arange(10) % 2
    m = Sequential([Dense(2, activation="softmax")], seed=0)
    m.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    m.fit(x, y, epochs=2, verbose=0)
    h2 = m.fit(x, y, epochs=2, verbose=0)
    assert h2.epoch == [0, 1]


def test_fit_takes_keras_positional_order():
    # Keras: fit(x, y, batch_size, epochs); code passing them by position means the same.
    X, y = moons(40)
    m = Sequential([Dense(3, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    m.compile(SGD(0.1), "categorical_crossentropy")
    history = m.fit(X, y, 10, 3, 0)
    assert history.epoch == [0, 1, 2]
    assert m.optimizer.iterations == 3 * 4  # 40 samples in batches of 10


def test_fit_trains_in_place_and_matches_train_on_batch_step_for_step():
    # fit (fast path) and train_on_batch (plain path) take the same steps; the weight
    # arrays stay the same objects throughout, so references to them stay live.
    X, y = moons(60)
    a = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=3)
    b = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=3)
    for m in (a, b):
        m.compile(SGD(0.05), "categorical_crossentropy")
    kernel = a.layers[0].params["kernel"]
    a.fit(X, y, batch_size=20, epochs=3, verbose=0, shuffle=False)
    for _ in range(3):
        for start in range(0, 60, 20):
            b.train_on_batch(X[start : start + 20], y[start : start + 20])
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert a.layers[0].params["kernel"] is kernel is a.layers[0].kernel


def test_training_step_with_overflowing_logits_takes_the_careful_softmax():
    # The training loop's fast softmax overflows here (logits near 1000); the step must
    # redo it the careful way and train on finite numbers, with no warning.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 1, 1])
    m = Sequential([Dense(2, "softmax", input_dim=2)], seed=0)
    m.compile(SGD(0.001), "categorical_crossentropy")
    m.set_weights([np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.zeros(2)])
    loss = m.train_on_batch(X, y)
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(w)) for w in m.get_weights())
    p = m.predict(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_a_build_that_fails_part_way_leaves_the_model_and_its_layers_unbuilt():
    from nnscratch.layers import Conv2D

    first = Dense(3, activation="tanh")
    model = Sequential([first, Conv2D(2, 3)], seed=0)  # Conv2D cannot take Dense's (3,)
    with pytest.raises(ValueError, match="Conv2D"):
        model.build((2,))
    assert not model.built and not first.built and first.params == {} and first.grads == {}
    model.layers.pop()
    model.add(Dense(2, activation="softmax"))
    model.build((2,))  # the same layer builds again, with the same draws as a fresh model
    fresh = Sequential([Dense(3, activation="tanh"), Dense(2, activation="softmax")], seed=0)
    fresh.build((2,))
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_built_layer_joins_another_model_with_its_weights():
    layer = Dense(2, input_dim=3)
    Sequential([layer])
    other = Sequential([layer], seed=5)  # shared, as in Keras: not drawn again
    assert other.built and other.layers[0].params["kernel"] is layer.params["kernel"]
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match="already in this model"):
        model.add(model.layers[0])


def test_a_layer_that_refuses_its_input_is_not_added_to_a_built_model():
    from nnscratch.layers import Conv2D

    model = Sequential([Dense(3, activation="tanh", input_dim=2)], seed=0)
    conv = Conv2D(2, 3)
    with pytest.raises(ValueError, match="Conv2D"):
        model.add(conv)  # Dense's (3,) is not an image
    assert len(model.layers) == 1 and not conv.built and conv.params == {}
    model.add(Dense(2, activation="softmax"))
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    model.fit(np.zeros((4, 2)), [0, 1, 0, 1], epochs=1, verbose=0)


@pytest.mark.parametrize("fitted", [False, True])
def test_a_model_copies_and_pickles_before_and_after_fit(fitted):
    """copy.deepcopy and pickle (joblib, multiprocessing) take a model in any state; the
    copy predicts what the original does and trains on without touching it."""
    import copy
    import pickle

    X, y = moons(40)
    model = Sequential([Dense(3, activation="tanh", input_dim=2), Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    if fitted:
        model.fit(X, y, epochs=2, verbose=0)
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(twin.predict(X), model.predict(X))
        before = model.get_weights()
        twin.fit(X, y, epochs=1, verbose=0)
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("rate", [np.float32(0.01), np.float16(0.5), np.float64(0.1)])
def test_numpy_scalars_are_numbers_without_a_warning(rate):
    """A NumPy float32 learning rate (what ``np.float32(0.01)`` or a float32 array's item
    gives) is checked as itself: no "overflow encountered in cast" on the way."""
    assert SGD(rate).learning_rate == float(rate)


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(np.float32("inf"), "inf"), (np.float32("nan"), "nan"), (np.float32(-1), "-1.0")],
)
def test_a_bad_numpy_scalar_is_refused_without_a_warning(rate, shown):
    with pytest.raises(
        ValueError, match=rf"learning_rate must be a finite number > 0, got {shown}"
    ):
        SGD(rate)


def test_numpy_booleans_are_flags():
    """NumPy's booleans (``np.True_``, what ``array > 0`` gives element by element) are
    ``True`` and ``False`` wherever a flag is taken; other values are refused."""
    model = Sequential([Dense(3, use_bias=np.False_, input_dim=2)])
    assert model.count_params() == 6
    assert SGD(0.1, momentum=0.9, nesterov=np.True_).nesterov is True
    for value in ("yes", 1, None, np.array([True])):
        with pytest.raises(TypeError, match=r"use_bias must be True or False, got"):
            Dense(3, use_bias=value)


def test_add_weight_takes_trainable_as_a_flag():
    from nnscratch.layers import Layer

    class Counter(Layer):
        def __init__(self, trainable, **kwargs):
            super().__init__(**kwargs)
            self.trainable_count = trainable

        def build(self, input_shape):
            self.add_weight("n", (), "zeros", trainable=self.trainable_count)

    assert Sequential([Counter(np.False_, input_shape=(2,))]).layers[0].non_trainable == {"n"}
    with pytest.raises(TypeError, match=r"trainable must be True or False, got 'yes'"):
        Sequential([Counter("yes", input_shape=(2,))])

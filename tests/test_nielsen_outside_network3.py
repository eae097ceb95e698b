"""The book's chapter 6 code (``src/conv.py``) as readers type it, through ``import network3``.

``conv.py`` reads its data and weights back with Theano's ``.eval()`` and
``.get_value()`` (``plot_errors``, ``plot_filters``, the book's ``size``), and its
``ensemble`` votes with ``net.test_mb_predictions(i)``, which the book's ``SGD`` defines.
"""
# The book's layers draw from the global np.random; mimicking it is the point.
# ruff: noqa: NPY002

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from test_nielsen_book import book_modules, write_fake_mnist

__all__ = ["book_modules"]  # a fixture, used by name


@pytest.fixture
def conv_py(tmp_path, monkeypatch, book_modules):
    """conv.py's first lines, in the book's layout: the data and mini_batch_size."""
    write_fake_mnist(tmp_path / "data" / "mnist.pkl.gz", n=(60, 30, 30))
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    monkeypatch.delenv("NNSCRATCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import network3

    return network3.load_data_shared(), 10


def _basic_conv(mini_batch_size):
    from network3 import ConvPoolLayer, FullyConnectedLayer, Network, SoftmaxLayer

    np.random.seed(0)
    return Network(
        [
            ConvPoolLayer(
                image_shape=(mini_batch_size, 1, 28, 28),
                filter_shape=(20, 1, 5, 5),
                poolsize=(2, 2),
            ),
            FullyConnectedLayer(n_in=20 * 12 * 12, n_out=30),
            SoftmaxLayer(n_in=30, n_out=10),
        ],
        mini_batch_size,
        print_fn=None,
    )


def test_the_data_answers_theanos_eval_and_get_value(conv_py):
    import network3

    (training_data, validation_data, test_data), _ = conv_py
    # the book's size(): data[0].get_value(borrow=True).shape[0]
    assert training_data[0].get_value(borrow=True).shape[0] == network3.size(training_data) == 60
    # conv.py's plot_errors: test_data[0].eval(), test_data[1].eval()
    test_x, test_y = test_data[0].eval(), test_data[1].eval()
    assert type(test_x) is np.ndarray and test_x.shape == (30, 784) and test_x.dtype == np.float32
    assert type(test_y) is np.ndarray and test_y.dtype == np.int32
    # arithmetic gives plain arrays and scalars, as on the evaluated values
    assert type(test_data[0] * 255) is np.ndarray and type(test_data[0].sum()) is np.float32
    error_images = [np.array(test_x[i]).reshape(28, -1) for i in [3, 5]]
    assert error_images[0].shape == (28, 28)
    # get_value() is a copy, get_value(borrow=True) the data itself
    copy = validation_data[0].get_value()
    copy[0, 0] = 5.0
    assert validation_data[0][0, 0] != 5.0
    assert np.shares_memory(validation_data[0].get_value(borrow=True), validation_data[0])


def test_layer_weights_answer_eval_get_value_and_set_value(conv_py):
    _, mini_batch_size = conv_py
    net = _basic_conv(mini_batch_size)
    # conv.py's plot_filters: filters = net.layers[layer].w.eval(); filters[j][0] is 5x5
    filters = net.layers[0].w.eval()
    assert type(filters) is np.ndarray and filters.shape == (20, 1, 5, 5)
    assert filters[3][0].shape == (5, 5)
    np.testing.assert_array_equal(net.layers[0].w.get_value(), filters)
    # set_value writes into the network, as a Theano shared variable's does
    w = net.layers[2].w
    new = np.random.RandomState(1).randn(30, 10).astype(np.float32)  # the book's floatX
    w.set_value(new)
    np.testing.assert_array_equal(net.layers[2].w, new)
    np.testing.assert_array_equal(w.get_value(), new)
    b = net.layers[1].b
    b.set_value(np.zeros(30))
    np.testing.assert_array_equal(net.layers[1].b.eval(), np.zeros(30))
    with pytest.raises(ValueError, match=r"shape \(30,\)"):
        b.set_value(np.zeros(31))
    assert [p.shape for p in net.params] == [
        (20, 1, 5, 5),
        (20,),
        (2880, 30),
        (30,),
        (30, 10),
        (10,),
    ]
    assert all(hasattr(p, "get_value") for p in net.params)


def test_an_ensemble_votes_with_test_mb_predictions(conv_py):
    # conv.py's ensemble(), without Theano: net.test_mb_predictions(i) is the book's
    (training_data, validation_data, test_data), mini_batch_size = conv_py
    nets = []
    for _ in range(2):
        net = _basic_conv(mini_batch_size)
        net.SGD(training_data, 1, mini_batch_size, 0.1, validation_data, test_data)
        nets.append(net)
    test_x, test_y = test_data
    for net in nets:
        net.test_predictions = list(np.concatenate([net.test_mb_predictions(i) for i in range(3)]))
        assert len(net.test_predictions) == 30
        np.testing.assert_array_equal(net.test_mb_predictions(1), net.predict(test_x[10:20]))
    all_test_predictions = list(zip(*[net.test_predictions for net in nets]))

    def plurality(p):
        return Counter(p).most_common(1)[0][0]

    plurality_test_predictions = [plurality(p) for p in all_test_predictions]
    test_y_eval = test_y.eval()
    error_locations = [j for j in range(30) if plurality_test_predictions[j] != test_y_eval[j]]
    assert 0 <= len(error_locations) <= 30


def test_sgd_without_validation_data_says_what_it_needs(conv_py):
    # the book's SGD unpacks validation_data; None used to fail inside, on None[0]
    (training_data, _, test_data), mini_batch_size = conv_py
    net = _basic_conv(mini_batch_size)
    with pytest.raises(ValueError, match="validation_data"):
        net.SGD(training_data, 1, mini_batch_size, 0.1, None, test_data)


def test_a_learning_rate_that_overflows_trains_on_as_theano_does(conv_py):
    # the book's Theano code never checks its numbers: nan weights, chance accuracy, and
    # every line still printed once
    (training_data, validation_data, test_data), mini_batch_size = conv_py
    net = _basic_conv(mini_batch_size)
    lines = []
    net.print_fn = lines.append
    # w <- w - eta (lmbda / batches) w: about -1700 w a step, past float32 in 12 steps
    net.SGD(training_data, 3, mini_batch_size, 10.0, validation_data, test_data, lmbda=1000.0)
    assert not np.all(np.isfinite(net.layers[0].w))
    assert lines.count("Training mini-batch number 0") == 1
    epochs = [line.split(":")[0] for line in lines if line.startswith("Epoch")]
    assert epochs == ["Epoch 0", "Epoch 1", "Epoch 2"]
    assert lines[-3] == "Finished training network." and net.history.epochs == 3
    # when the best epoch's weights are nan too, putting them back is no error (Ctrl-C
    # does it, and must end in KeyboardInterrupt, not in a complaint about nan)
    net.best_weights = net.model.get_weights()
    net.use_best_weights()
    assert not np.all(np.isfinite(net.layers[0].w))

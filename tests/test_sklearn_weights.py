"""``fit(sample_weight=)`` with scikit-learn's meaning: a batch's loss and penalty are
divided by the batch's total weight, so a weight of 2 counts a sample twice."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from nnscratch.sklearn import NNClassifier, NNRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(70, 4)
Y_CLASS = (X[:, 0] + X[:, 1] > 0).astype(int)
Y_REG = X @ np.array([1.0, 2.0, 0.0, -1.0])
WEIGHTS = RNG.randint(0, 4, 70).astype(float)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize(
    ("ours", "theirs", "y"),
    [(NNClassifier, MLPClassifier, Y_CLASS), (NNRegressor, MLPRegressor, Y_REG)],
)
def test_weighted_training_is_scikit_learns(solver, ours, theirs, y):
    settings = {
        "hidden_layer_sizes": (5,),
        "solver": solver,
        "max_iter": 10,
        "batch_size": 16,  # a short last batch, and batches of different total weight
        "alpha": 0.1,
        "random_state": 0,
    }
    a = ours(**settings).fit(X, y, sample_weight=WEIGHTS)
    b = theirs(**settings).fit(X, y, sample_weight=WEIGHTS)
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)
    assert a.loss_ == pytest.approx(b.loss_, rel=1e-9)


def test_a_weight_of_two_is_a_duplicated_sample():
    twice = np.repeat(np.arange(20), 2)
    settings = {"hidden_layer_sizes": (4,), "solver": "lbfgs", "alpha": 0.3, "max_iter": 8}
    settings["random_state"] = 1
    weighted = NNRegressor(**settings).fit(X[:20], Y_REG[:20], sample_weight=np.full(20, 2.0))
    duplicated = NNRegressor(**settings).fit(X[twice], Y_REG[twice])
    np.testing.assert_allclose(weighted.predict(X), duplicated.predict(X), rtol=1e-9)


def test_unit_weights_change_nothing_with_early_stopping():
    settings = {
        "hidden_layer_sizes": (6,),
        "early_stopping": True,
        "tol": 1e-2,
        "batch_size": 10,
        "learning_rate_init": 0.01,
        "random_state": 4,
    }
    a = NNRegressor(**settings).fit(X, Y_REG, sample_weight=np.ones(70))
    b = NNRegressor(**settings).fit(X, Y_REG)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.validation_scores_ == b.validation_scores_


def test_a_batch_of_zero_weights_takes_no_step_and_stays_finite():
    weights = np.zeros(70)
    weights[:10] = 1.0
    clf = NNClassifier((3,), solver="sgd", batch_size=10, shuffle=False, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y_CLASS, sample_weight=weights)
    assert np.isfinite(clf.loss_curve_).all()
    assert all(np.isfinite(w).all() for w in clf.coefs_)


def test_partial_fit_takes_weights_and_a_bad_shape_is_named():
    clf = NNClassifier((3,), random_state=0)
    clf.partial_fit(X, Y_CLASS, sample_weight=WEIGHTS, classes=[0, 1])
    NNRegressor((3,), random_state=0).partial_fit(X, Y_REG, sample_weight=WEIGHTS)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(5,\), expected \(70,\)"):
        NNClassifier().fit(X, Y_CLASS, sample_weight=np.ones(5))

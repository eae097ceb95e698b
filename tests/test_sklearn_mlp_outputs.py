"""What scikit-learn's ``test_mlp.py`` asks of ``MLPClassifier``/``MLPRegressor``'s outputs,
inputs and failures, asked of ``NNClassifier``/``NNRegressor``: probabilities, multilabel and
multi-output targets, a single class, float32 and sparse inputs, divergence and the Poisson
loss. The training behaviours are in test_sklearn_mlp.py (whose data helpers these use).

docs/sklearn.md lists the behaviours where the estimators deliberately differ.
"""

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import roc_auc_score

import nnscratch.sklearn
from nnscratch.sklearn import NNClassifier, NNRegressor
from test_sklearn_mlp import blobs, line, quiet


# -- outputs -----------------------------------------------------------------------------------
def test_predict_proba_and_log_proba_binary_and_multiclass():
    for classes in (2, 3):
        X, y = blobs(n=60, classes=classes)
        with quiet():
            clf = NNClassifier((5,), "logistic", random_state=1).fit(X, y)
        proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
        assert proba.shape == (60, classes)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_allclose(log_proba, np.log(proba))
        assert (log_proba.argmax(1) == proba.argmax(1)).all()
        if classes == 2:
            assert roc_auc_score(y, proba[:, 1]) > 0.99


def test_multilabel_indicator_y():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=4, random_state=1)
    clf = NNClassifier((30,), "logistic", solver="lbfgs", alpha=1e-5, max_iter=300)
    with quiet():
        clf.set_params(random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    assert clf.classes_.tolist() == [0, 1, 2, 3]
    assert clf.score(X, Y) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert np.abs(proba.sum(axis=1) - 1).max() > 0.1  # independent labels, not a softmax
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    stepwise = NNClassifier((30,), "logistic", solver="sgd", learning_rate_init=0.2, random_state=0)
    for _ in range(60):
        stepwise.partial_fit(X, Y, classes=[0, 1, 2, 3])
    assert stepwise.score(X, Y) > 0.6
    with quiet():
        NNClassifier((5,), early_stopping=True, max_iter=5).fit(X, Y).predict(X)


def test_multi_output_regression_with_lbfgs():
    X, Y = line(n=120, targets=3)
    reg = NNRegressor((30,), solver="lbfgs", max_iter=200, tol=1e-3, random_state=1).fit(X, Y)
    assert reg.predict(X).shape == (120, 3) and reg.score(X, Y) > 0.95


def test_single_class_y_predicts_that_class():
    X = np.random.RandomState(0).randn(12, 3)
    with quiet():
        clf = NNClassifier((3,), max_iter=5).fit(X, ["only"] * 12)
    assert clf.predict(X).tolist() == ["only"] * 12
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((12, 1)))


# -- data types and sparse inputs ------------------------------------------------------------
@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_data_trains_in_float32(make, dtype):
    X, y = blobs() if make is NNClassifier else line()
    with quiet():
        est = make((5, 3), max_iter=20, random_state=1).fit(X.astype(dtype), y)
    assert all(w.dtype == dtype for w in est.coefs_ + est.intercepts_)
    if make is NNRegressor:
        assert est.predict(X.astype(dtype)).dtype == dtype


@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
def test_float32_and_float64_agree(make):
    X, y = blobs(classes=3) if make is NNClassifier else line()
    settings = {"hidden_layer_sizes": (5, 3), "max_iter": 60, "random_state": 1, "tol": 0.1}
    with quiet():
        a = make(**settings).fit(X, y)
        b = make(**settings).fit(X.astype(np.float32), y)
    if make is NNClassifier:
        assert (a.predict(X) == b.predict(X.astype(np.float32))).all()
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-3)
    else:
        np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("container", [scipy.sparse.csr_matrix, scipy.sparse.csc_array])
def test_sparse_input_gives_the_dense_results(container):
    X, y = blobs(n=50, classes=2)
    X[X < 0] = 0
    dense = NNClassifier((8,), solver="lbfgs", random_state=1).fit(X, y)
    sparse = NNClassifier((8,), solver="lbfgs", random_state=1).fit(container(X), y)
    np.testing.assert_array_equal(sparse.predict(container(X)), dense.predict(X))
    np.testing.assert_allclose(sparse.predict_proba(container(X)), dense.predict_proba(X))


def test_sparse_input_limits(monkeypatch):
    X = scipy.sparse.random(40, 30, density=0.1, random_state=0, format="csr")
    y = np.arange(40) % 2
    monkeypatch.setattr(nnscratch.sklearn._network, "CHUNK_BYTES", 30 * 8 * 7)  # 7 rows
    with quiet():
        clf = NNClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), clf.predict_proba(X.toarray()))
    monkeypatch.setattr(nnscratch.sklearn._network, "MAX_DENSE_BYTES", 1000)
    with pytest.raises(ValueError, match=r"sparse 40 x 30 matrix.*9\.4 KiB.*MAX_DENSE_BYTES"):
        clf.fit(X, y)


# -- divergence --------------------------------------------------------------------------------
def test_huge_inputs_are_refused_with_scikit_learns_message():
    X = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    message = "Solver produced non-finite parameter weights. The input data may contain large"
    with pytest.raises(ValueError, match=message):
        NNRegressor().fit(X, np.arange(10.0))


def test_a_diverging_loss_with_early_stopping_is_recorded_as_nan():
    X, y = line(n=100)
    reg = NNRegressor(
        (50,), "identity", solver="sgd", learning_rate_init=5.0, early_stopping=True,
        max_iter=30, random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="Training diverged"):
        reg.fit(X * 100, y * 100)
    assert isinstance(reg.validation_scores_[-1], float) and np.isnan(reg.validation_scores_[-1])
    assert not np.isfinite(reg.loss_curve_[-1])
    assert all(np.isfinite(w).all() for w in reg.coefs_)  # the best weights, restored


# -- Poisson -----------------------------------------------------------------------------------
def test_poisson_loss_without_hidden_nonlinearity_is_the_glm():
    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 80)
    y = rng.poisson(np.exp(1.5 * x + 0.5))
    X = x.reshape(-1, 1)
    glm = PoissonRegressor(alpha=0, tol=1e-8).fit(X, y)
    reg = NNRegressor(
        (1,), "identity", loss="poisson", solver="lbfgs", alpha=0, tol=1e-8, random_state=0
    ).fit(X, y)
    assert reg.out_activation_ == "exp"
    np.testing.assert_allclose(reg.predict(X), glm.predict(X), rtol=1e-4)
    # the squared error's identity output is a straight line, not the GLM's exponential
    straight = NNRegressor((1,), "identity", solver="lbfgs", alpha=0, tol=1e-8, random_state=0).fit(
        X, y
    )
    assert straight.out_activation_ == "identity"
    assert not np.allclose(straight.predict(X), glm.predict(X), rtol=1e-4)
    with pytest.raises(ValueError, match="poisson loss needs targets >= 0"):
        NNRegressor(loss="poisson").fit(X, y - 5.0)

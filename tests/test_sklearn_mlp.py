"""What scikit-learn's own ``neural_network/tests/test_mlp.py`` asks of ``MLPClassifier`` and
``MLPRegressor``, asked of ``NNClassifier`` and ``NNRegressor``: one test (or more) per
behaviour, on our own data and with our own numbers.

docs/sklearn.md lists the behaviours where the estimators deliberately differ.
"""

import contextlib
import re
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network import _multilayer_perceptron as mlp_module

import nnscratch.sklearn
from nnscratch.sklearn import NNClassifier, NNRegressor

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def blobs(n=120, classes=3, features=6, seed=0):
    X, y = make_classification(
        n_samples=n,
        n_features=features,
        n_informative=4,
        n_redundant=0,
        n_classes=classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )
    return X, y


def line(n=100, targets=1, seed=0):
    X, y = make_regression(n_samples=n, n_features=4, n_targets=targets, noise=1, random_state=seed)
    return X, y / np.abs(y).max()


@contextlib.contextmanager
def quiet():
    """Ignore ConvergenceWarning inside a with-block (short runs on purpose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# -- the penalty, one step by hand, the gradient --------------------------------------------
def test_larger_alpha_gives_smaller_weights():
    X, y = blobs(classes=2)
    sums = []
    for alpha in (0.0, 0.5, 5.0):
        with quiet():
            clf = NNClassifier((8,), alpha=alpha, max_iter=80, random_state=2).fit(X, y)
        sums.append([np.abs(w).sum() for w in clf.coefs_])
    assert (np.diff(np.array(sums), axis=0) < 0).all()


def test_one_sgd_step_from_weights_set_by_hand():
    """coefs_ / intercepts_ assigned on an unfitted estimator, then one partial_fit: the
    step computed here with plain NumPy (logistic units, penalty alpha/2 ||W||^2 / n)."""
    X = np.array([[0.2, -0.4], [1.0, 0.5]])
    y = np.array([1, 0])
    W1, b1 = np.array([[0.3, -0.1, 0.2], [0.4, 0.1, -0.5]]), np.array([0.0, 0.1, -0.1])
    W2, b2 = np.array([[0.5], [-0.3], [0.2]]), np.array([0.05])
    clf = NNClassifier(
        (3,), "logistic", solver="sgd", learning_rate_init=0.5, alpha=0.2, momentum=0
    )
    clf.coefs_, clf.intercepts_ = [W1.copy(), W2.copy()], [b1.copy(), b2.copy()]
    clf.n_features_in_, clf.n_outputs_, clf.n_layers_, clf.out_activation_ = 2, 1, 3, "logistic"
    clf.partial_fit(X, y, classes=[0, 1])

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    h = sigmoid(X @ W1 + b1)
    p = sigmoid(h @ W2 + b2)
    d2 = (p - y[:, None]) / 2
    d1 = d2 @ W2.T * h * (1 - h)
    expected = [
        W1 - 0.5 * (X.T @ d1 + 0.2 * W1 / 2),
        W2 - 0.5 * (h.T @ d2 + 0.2 * W2 / 2),
        b1 - 0.5 * d1.sum(0),
        b2 - 0.5 * d2.sum(0),
    ]
    for got, want in zip(clf.coefs_ + clf.intercepts_, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    new_h = sigmoid(X @ expected[0] + expected[2])
    np.testing.assert_allclose(
        clf.predict_proba(X)[:, 1], sigmoid(new_h @ expected[1] + expected[3])[:, 0]
    )


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(
    ("make", "targets"),
    [
        (NNClassifier, "binary"),
        (NNClassifier, "multiclass"),
        (NNRegressor, "squared_error"),
        (NNRegressor, "poisson"),
    ],
)
def test_lbfgs_gradient_matches_central_differences(activation, make, targets):
    rng = np.random.RandomState(4)
    X = rng.rand(6, 5)
    if make is NNClassifier:
        y = np.arange(6) % (2 if targets == "binary" else 3)
        est = make((4,), activation, solver="lbfgs", alpha=1e-3, max_iter=1, random_state=0)
    else:
        y = rng.poisson(2.0, 6).astype(float)
        est = make((4,), activation, solver="lbfgs", loss=targets, alpha=1e-3, max_iter=1)
    with quiet():
        est.fit(X, y)
    T = est._validate_input(X, y, incremental=True, reset=False)[1].astype(float)
    theta = np.concatenate([a.ravel() for a in est.coefs_ + est.intercepts_])
    value, grad = est._loss_grad_lbfgs(theta.copy(), X, T)
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = 1e-6
        up = est._loss_grad_lbfgs(theta + step, X, T)[0]
        down = est._loss_grad_lbfgs(theta - step, X, T)[0]
        numeric[i] = (up - down) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    assert np.isfinite(value)


# -- lbfgs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("classes", [2, 3])
def test_lbfgs_classifies_and_keeps_the_label_dtype(classes):
    X, y = blobs(classes=classes, seed=1)
    labels = np.array(["a", "b", "c"])[y]
    for activation in ACTIVATIONS:
        clf = NNClassifier((20,), activation, solver="lbfgs", max_iter=100, random_state=1)
        clf.fit(X[:90], labels[:90])
        assert clf.score(X[:90], labels[:90]) > 0.95
        assert clf.predict(X[90:]).dtype == labels.dtype


def test_lbfgs_regression_fits_and_identity_is_a_linear_bottleneck():
    X, y = make_regression(n_samples=80, n_features=3, random_state=0)
    y = np.sin(y / 15)
    scores = {}
    for activation in ACTIVATIONS:
        reg = NNRegressor((20,), activation, solver="lbfgs", max_iter=200, random_state=1)
        with quiet():
            scores[activation] = reg.fit(X, y).score(X, y)
    assert scores["identity"] < 0.9
    assert min(scores["logistic"], scores["tanh"], scores["relu"]) > 0.97


@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
def test_max_fun_bounds_lbfgs_with_a_convergence_warning(make):
    X, y = blobs(classes=3) if make is NNClassifier else line()
    est = make((20,), solver="lbfgs", max_iter=150, max_fun=8, tol=0.0, random_state=1)
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge"):
        est.fit(X, y)
    assert est.n_iter_ <= 8
    assert len(est.loss_curve_) == est.n_iter_


# -- learning rates, momentum, stopping ------------------------------------------------------
def test_invscaling_and_constant_learning_rates_over_warm_starts():
    X, y = blobs(n=10, classes=2)
    for schedule in ("invscaling", "constant"):
        clf = NNClassifier(
            (3,), solver="sgd", learning_rate=schedule, power_t=0.3, max_iter=1, warm_start=True
        )
        with quiet():
            clf.fit(X, y)
            first = clf._optimizer.learning_rate
            clf.fit(X, y)
        assert clf.t_ == 20
        if schedule == "constant":
            assert clf._optimizer.learning_rate == first == clf.learning_rate_init
        else:
            assert clf._optimizer.learning_rate == pytest.approx(0.001 / 21**0.3, rel=1e-12)


def test_adaptive_learning_rate_divides_by_five_until_tiny():
    X, y = [[1, 2], [2, -1]], [0, 1]
    clf = NNClassifier(solver="sgd", learning_rate="adaptive", tol=0.5, max_iter=3000)
    clf.fit(X, y)
    assert clf.n_iter_ < 3000
    assert clf._optimizer.learning_rate < 1e-6
    # 0.001 / 5**k reaches 1e-6 after five divisions; the sixth plateau stops
    assert clf._optimizer.learning_rate == pytest.approx(0.001 / 5**5)


def test_a_tolerance_that_cannot_be_met_stops_early():
    clf = NNClassifier(solver="sgd", tol=0.5, max_iter=3000).fit([[1, 2], [2, -1]], [0, 1])
    assert clf.n_iter_ == clf.n_iter_no_change + 2  # the first epoch sets best_loss_


@pytest.mark.parametrize("patience", [1, 4, 20])
def test_n_iter_no_change_counts_the_plateau(patience):
    X, y = blobs(classes=2)
    clf = NNClassifier(solver="sgd", tol=0.05, n_iter_no_change=patience, max_iter=3000)
    clf.fit(X, y)
    assert clf._no_improvement_count == patience + 1
    assert clf.n_iter_ < 3000


def test_n_iter_no_change_inf_runs_every_epoch():
    X, y = blobs(n=40, classes=2)
    clf = NNClassifier((4,), solver="sgd", tol=1e9, n_iter_no_change=np.inf, max_iter=60)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(60\)"):
        clf.fit(X, y)
    assert clf.n_iter_ == 60 and clf._no_improvement_count == 59


def test_shuffle_changes_the_order_and_random_state_fixes_it():
    X, y = line(n=30)
    fits = {}
    for shuffle in (True, False):
        for copy in range(2):
            reg = NNRegressor((2,), batch_size=1, max_iter=1, shuffle=shuffle, random_state=5)
            with quiet():
                fits[shuffle, copy] = reg.fit(X, y).coefs_[0]
    np.testing.assert_array_equal(fits[True, 0], fits[True, 1])
    np.testing.assert_array_equal(fits[False, 0], fits[False, 1])
    assert not np.array_equal(fits[True, 0], fits[False, 0])


def test_verbose_prints_scikit_learns_lines(capsys):
    X, y = [[1, 2], [2, -1]], [0, 1]
    clf = NNClassifier((2,), solver="sgd", max_iter=2, verbose=True)
    with quiet():
        clf.fit(X, y)
    clf.partial_fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert all(re.fullmatch(r"Iteration \d, loss = \d+\.\d{8}", line) for line in out)


# -- early stopping --------------------------------------------------------------------------
@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
def test_early_stopping_records_scores_and_restores_the_best(make):
    X, y = blobs(classes=2) if make is NNClassifier else line()
    est = make((10,), solver="sgd", early_stopping=True, tol=0.01, max_iter=2000, random_state=0)
    est.fit(X, y)
    assert est.n_iter_ < 2000 and est.best_loss_ is None
    assert isinstance(est.validation_scores_, list) and len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert all(s < est.best_validation_score_ + 0.01 for s in est.validation_scores_[-2:])
    plain = make((10,), solver="sgd", tol=0.01, max_iter=2000, random_state=0).fit(X, y)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None
    assert plain.best_loss_ == min(plain.loss_curve_)


def held_out_labels(monkeypatch, X, y, seed=0, estimator=NNClassifier):
    """The labels of the rows that ``estimator.fit`` holds out for early stopping (seen by a
    spy on the ``train_test_split`` it calls: ours, or MLPClassifier's)."""
    module = nnscratch.sklearn._solvers if estimator is NNClassifier else mlp_module
    original, seen = module.train_test_split, []

    def spy(*arrays, **kwargs):
        parts = original(*arrays, **kwargs)
        seen.append(parts[3])  # X_train, X_val, y_train, y_val (encoded), ...
        return parts

    monkeypatch.setattr(module, "train_test_split", spy)
    clf = estimator(
        (2,), early_stopping=True, validation_fraction=0.2, max_iter=1, random_state=seed
    )
    with quiet():
        clf.fit(X, y)
    return sorted(clf._label_binarizer.inverse_transform(seen[0]).tolist())


def test_early_stopping_split_is_stratified_for_binary_y(monkeypatch):
    """The bug this fixes: the labels handed to the split were all 0 for binary y."""
    X = np.arange(40.0).reshape(-1, 1)
    y = np.array([0] * 30 + [1] * 10)
    assert held_out_labels(monkeypatch, X, y) == [0] * 6 + [1] * 2
    with pytest.raises(ValueError, match=r"least populated classes.*\['True'\]"):
        NNClassifier(early_stopping=True).fit([[1], [2], [3], [4]], [0, 0, 0, 1])


def test_early_stopping_split_of_multiclass_y_is_scikit_learns(monkeypatch):
    """scikit-learn stratifies only binary y; for 3+ classes the same random_state holds
    out the same rows as MLPClassifier, and a class too small to stratify is no error."""
    X = np.arange(50.0).reshape(-1, 1)
    y = np.array([0] * 30 + [1] * 15 + [2] * 5)
    for seed in range(3):
        theirs = held_out_labels(monkeypatch, X, y, seed, estimator=MLPClassifier)
        assert held_out_labels(monkeypatch, X, y, seed) == theirs
    with quiet():
        NNClassifier((2,), early_stopping=True, max_iter=2).fit(X[:20], [0] * 18 + [1, 2])


def test_early_stopping_with_string_and_multiclass_labels():
    X, y = blobs(classes=3)
    labels = np.array(["x", "y", "z"], dtype=object)[y]
    clf = NNClassifier((8,), early_stopping=True, max_iter=30, random_state=0)
    with quiet():
        clf.fit(X, labels)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert np.isfinite(clf.validation_scores_).all()


def test_validation_set_must_have_two_samples():
    with pytest.raises(ValueError, match="The validation set is too small"):
        NNRegressor(early_stopping=True).fit([[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
def test_feature_names_survive_early_stopping(make):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.RandomState(0).randn(20, 2), columns=["u", "v"])
    y = pd.Series(np.arange(20) % 2, name="t")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        make(early_stopping=True, validation_fraction=0.2, max_iter=5).fit(X, y)


# -- warm start and partial_fit --------------------------------------------------------------
def test_warm_start_refuses_other_classes():
    X, y = blobs(classes=3)
    clf = NNClassifier((3,), solver="lbfgs", warm_start=True, tol=1e-2, random_state=0)
    with quiet():
        clf.fit(X, y)
        clf.fit(X, y[::-1])  # the same classes, in another order: fine
    for other in (y % 2, y + 1, np.where(y == 2, 7, y)):
        message = (
            "warm_start can only be used where `y` has the same classes as in the previous "
            f"call to fit. Previously got [0 1 2], `y` has {np.unique(other)}"
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            clf.fit(X, other)


@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_warm_start_runs_max_iter_each_time(make, solver):
    X, y = blobs() if make is NNClassifier else line()
    est = make((5,), solver=solver, warm_start=True, max_iter=6, n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ == 6
    est.set_params(max_iter=9)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ == 9


@pytest.mark.parametrize("make", [NNClassifier, NNRegressor])
def test_warm_start_with_early_stopping_keeps_adding_scores(make):
    X, y = blobs() if make is NNClassifier else line()
    est = make((5,), warm_start=True, early_stopping=True, max_iter=5, random_state=0)
    with quiet():
        est.fit(X, y)
        before = len(est.validation_scores_)
        est.set_params(max_iter=8).fit(X, y)
    assert len(est.validation_scores_) > before


def test_partial_fit_is_fit_one_epoch_at_a_time():
    X, y = line(n=60)
    for momentum in (0.0, 0.8):
        common = {
            "solver": "sgd",
            "learning_rate_init": 0.05,
            "batch_size": 60,
            "momentum": momentum,
            "random_state": 2,
        }
        with quiet():
            fitted = NNRegressor((6,), max_iter=40, tol=0, **common).fit(X, y)
        stepwise = NNRegressor((6,), **common)
        for _ in range(40):
            stepwise.partial_fit(X, y)
        np.testing.assert_allclose(stepwise.predict(X), fitted.predict(X), rtol=1e-12)


def test_partial_fit_classification_learns_and_matches_fit():
    X, y = blobs(classes=3, seed=2)
    with quiet():
        fitted = NNClassifier((10,), solver="sgd", learning_rate_init=0.1, max_iter=60, tol=0)
        fitted.set_params(random_state=1).fit(X, y)
    stepwise = NNClassifier((10,), solver="sgd", learning_rate_init=0.1, random_state=1)
    for _ in range(60):
        stepwise.partial_fit(X, y, classes=[0, 1, 2])
    assert stepwise.score(X, y) > 0.95
    assert (stepwise.predict(X) == fitted.predict(X)).mean() > 0.95


def test_partial_fit_classes_rules():
    clf = NNClassifier(solver="sgd")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit([[1, 2]], [0])
    clf.partial_fit([[1, 2]], [0], classes=[0, 1])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit([[1, 2]], [0], classes=[1, 2])
    with pytest.raises(ValueError, match="`y` has classes not in"):
        NNClassifier(solver="sgd").partial_fit([[1, 2], [3, 4]], [1, 5], classes=[1, 2])
    # labels announced in classes= may come later
    late = NNClassifier(random_state=0)
    late.partial_fit([[1], [2], [3]], ["p", "q", "r"], classes=["p", "q", "r", "s"])
    late.partial_fit([[4]], ["s"])
    assert late.classes_.tolist() == ["p", "q", "r", "s"]
    assert not hasattr(NNClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(NNRegressor(solver="lbfgs"), "partial_fit")
    for make, data in ((NNRegressor, line()), (NNClassifier, blobs())):
        fitted = make((4,), early_stopping=True, max_iter=5, random_state=0)
        with quiet():
            fitted.fit(*data)
        with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
            fitted.partial_fit(*data)


def test_partial_fit_after_joblib_round_trip_trains_the_loaded_model(tmp_path):
    reg = NNRegressor((16,), learning_rate_init=0.01, random_state=0).fit([[1.0]], [3.0])
    joblib.dump(reg, tmp_path / "reg.joblib")
    loaded = joblib.load(tmp_path / "reg.joblib")
    for _ in range(300):
        loaded.partial_fit([[1.0]], [-1.0])
    np.testing.assert_allclose(loaded.predict([[1.0]]), [-1.0], atol=1e-3)
    assert loaded.coefs_[0] is loaded.model_.layers[0].params["kernel"]


def test_regressor_loss_is_keyword_only_and_a_parameter():
    """A deliberate difference (docs/sklearn.md): MLPRegressor's first positional parameter
    is ``loss``; ours keeps ``(hidden_layer_sizes, activation)`` first, as the classifier."""
    reg = NNRegressor((7,), "tanh", loss="poisson")
    assert (reg.hidden_layer_sizes, reg.activation, reg.loss) == ((7,), "tanh", "poisson")
    assert reg.get_params()["loss"] == "poisson"
    with pytest.raises(TypeError):
        NNRegressor((7,), "tanh", "poisson")

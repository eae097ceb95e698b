"""``NNClassifier`` and ``NNRegressor`` used as scikit-learn users use ``MLPClassifier``:
code written for scikit-learn (its examples' warning filters, ``joblib.dump`` of a fitted
model, changing a parameter before ``warm_start``), run side by side with scikit-learn's
own estimators where the two should agree.
"""

import copy
import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnscratch.sklearn import NNClassifier, NNRegressor

X, Y = make_moons(80, noise=0.2, random_state=0)


def round_trips(estimator):
    """``estimator`` back from pickle, from ``joblib.dump``/``load`` and from deepcopy."""
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    return [pickle.loads(pickle.dumps(estimator)), joblib.load(buffer), copy.deepcopy(estimator)]


# -- saving a fitted model ---------------------------------------------------------------
@pytest.mark.parametrize("Estimator", [NNClassifier, NNRegressor])
def test_an_lbfgs_fit_pickles_like_a_stochastic_one(Estimator):
    # lbfgs never runs the engine's fit loop; the model it trains must still pickle
    est = Estimator((5,), solver="lbfgs", max_iter=200, random_state=0).fit(X, Y)
    for restored in round_trips(est):
        np.testing.assert_array_equal(restored.predict(X), est.predict(X))
        assert restored.coefs_[0] is restored.model_.layers[0].params["kernel"]


def test_a_pipeline_with_an_lbfgs_network_survives_joblib(tmp_path):
    pipe = make_pipeline(StandardScaler(), NNClassifier((5,), solver="lbfgs", random_state=0))
    pipe.fit(X, Y)
    joblib.dump(pipe, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


def test_weights_set_by_hand_on_an_unfitted_estimator_pickle():
    clf = NNClassifier((3,))
    clf.coefs_ = [np.full((2, 3), 0.1), np.full((3, 1), -0.2)]
    clf.intercepts_ = [np.zeros(3), np.zeros(1)]
    clf.classes_ = np.array([0, 1])
    clf.n_features_in_, clf.n_outputs_, clf.n_layers_ = 2, 1, 3
    clf.out_activation_ = "logistic"
    expected = clf.predict_proba(X)
    for restored in round_trips(clf):
        np.testing.assert_array_equal(restored.predict_proba(X), expected)


# -- scikit-learn's warning filters --------------------------------------------------------
def fit_lbfgs_short(Estimator):
    Estimator((5,), solver="lbfgs", max_iter=2, random_state=0).fit(X, Y)


def fit_lbfgs_short_in_a_pipeline(Estimator):
    make_pipeline(StandardScaler(), Estimator((5,), solver="lbfgs", max_iter=2)).fit(X, Y)


def fit_lbfgs_few_evaluations(Estimator):
    Estimator((5,), solver="lbfgs", max_fun=3, random_state=0).fit(X, Y)


def fit_adam_short(Estimator):
    Estimator((5,), max_iter=2, random_state=0).fit(X, Y)


def partial_fit_big_batch(Estimator):
    Estimator((5,), batch_size=500, random_state=0).partial_fit(X, Y, classes=[0, 1])


def fit_column_y(Estimator):
    Estimator((5,), solver="lbfgs", random_state=0).fit(X, Y[:, None])


WARNING_CASES = [
    (fit_lbfgs_short, ConvergenceWarning),
    (fit_lbfgs_short_in_a_pipeline, ConvergenceWarning),
    (fit_lbfgs_few_evaluations, ConvergenceWarning),
    (fit_adam_short, ConvergenceWarning),
    (partial_fit_big_batch, UserWarning),
    (fit_column_y, DataConversionWarning),
]


@pytest.mark.parametrize(("fit", "category"), WARNING_CASES, ids=lambda x: x.__name__)
def test_scikit_learns_module_filter_silences_our_warnings(fit, category):
    # scikit-learn's examples (plot_mlp_training_curves, plot_mnist_filters) silence short
    # runs with module="sklearn"; it must match our warnings as it matches MLPClassifier's
    for Estimator in (MLPClassifier, NNClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", category=category, module="sklearn")
            fit(Estimator)  # raises if the filter did not match


@pytest.mark.parametrize(("fit", "category"), WARNING_CASES, ids=lambda x: x.__name__)
def test_the_same_warnings_are_still_raised(fit, category):
    for Estimator in (MLPClassifier, NNClassifier):
        with pytest.warns(category) as caught:
            fit(Estimator)
        assert {w.category for w in caught} <= {category, ConvergenceWarning}


# -- parameters changed after fit --------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "logistic", "identity"])
def test_a_changed_activation_is_the_one_used_next(activation):
    # scikit-learn reads `activation` at every forward pass: after set_params, predict
    # and a warm-started fit use the new function on the weights learned so far
    ours = NNClassifier((6,), max_iter=5, random_state=0, warm_start=True)
    theirs = MLPClassifier((6,), max_iter=5, random_state=0, warm_start=True)
    for est in (ours, theirs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, Y)
        est.set_params(activation=activation)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-10)
    for est in (ours, theirs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, Y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-10)


def test_a_changed_activation_reaches_the_regressor_and_partial_fit():
    ours = NNRegressor(hidden_layer_sizes=(6,), random_state=0).partial_fit(X, Y)
    theirs = MLPRegressor(hidden_layer_sizes=(6,), random_state=0).partial_fit(X, Y)
    for est in (ours, theirs):
        est.set_params(activation="tanh").partial_fit(X, Y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)


# -- early stopping ------------------------------------------------------------------------
def test_multiclass_early_stopping_follows_mlpclassifier():
    X3 = np.vstack([X, X[:20] + 3.0])
    y3 = np.r_[Y, np.full(20, 2)]
    ours = NNClassifier((6,), early_stopping=True, max_iter=30, random_state=0).fit(X3, y3)
    theirs = MLPClassifier((6,), early_stopping=True, max_iter=30, random_state=0).fit(X3, y3)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)


def test_multiclass_early_stopping_on_a_small_set_fits_as_in_mlpclassifier():
    # 20 rows and 3 classes: a stratified 10% split (2 rows) cannot hold every class
    X3, y3 = X[:20], np.arange(20) % 3
    for Estimator in (MLPClassifier, NNClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = Estimator((4,), early_stopping=True, max_iter=5, random_state=0).fit(X3, y3)
        assert len(clf.validation_scores_) == 5


# -- the types of the learned numbers ------------------------------------------------------
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_losses_are_numpy_floats_as_in_mlpclassifier(solver):
    # code written for MLPClassifier may call NumPy methods on them (clf.loss_.round(3))
    fitted = []
    for Estimator in (MLPClassifier, NNClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted.append(Estimator((4,), solver=solver, max_iter=3, random_state=0).fit(X, Y))
    theirs, ours = fitted
    for name in ("loss_", "best_loss_"):
        assert type(getattr(ours, name, None)) is type(getattr(theirs, name, None)), name
    if solver != "lbfgs":  # scikit-learn keeps no loss_curve_ for lbfgs
        assert [type(x) for x in ours.loss_curve_] == [type(x) for x in theirs.loss_curve_]
    assert ours.loss_.round(6) == pytest.approx(theirs.loss_.round(6))


def test_an_unknown_activation_set_after_fit_is_named_at_predict():
    clf = NNClassifier((4,), random_state=0).partial_fit(X, Y, classes=[0, 1])
    clf.set_params(activation="softmax")
    with pytest.raises(ValueError, match=r"activation must be one of .*'tanh'.*got 'softmax'"):
        clf.predict(X)


# -- scikit-learn's examples, as written -------------------------------------------------
# plot_mlp_training_curves.py: its seven learning strategies and its warning filter
STRATEGIES = [
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9, "nesterovs_momentum": False},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9, "nesterovs_momentum": True},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0.9, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "nesterovs_momentum": True},
    {"solver": "adam", "learning_rate_init": 0.01},
]


def test_plot_mlp_training_curves_gives_mlpclassifiers_curves():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import MinMaxScaler

    X_iris, y_iris = load_iris(return_X_y=True)
    X_iris = MinMaxScaler().fit_transform(X_iris)
    for param in STRATEGIES:
        curves = []
        for Estimator in (MLPClassifier, NNClassifier):
            mlp = Estimator(random_state=0, max_iter=40, **param)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
                mlp.fit(X_iris, y_iris)
            curves.append((mlp.score(X_iris, y_iris), mlp.loss_curve_))
        (their_score, theirs), (our_score, ours) = curves
        assert our_score == their_score, param
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, err_msg=str(param))


def test_plot_mlp_alpha_pipeline_with_lbfgs_and_early_stopping():
    # lbfgs ignores early_stopping in both libraries; the pipeline has no decision_function,
    # so the example colours the plane by predict_proba
    xx, yy = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    results = []
    for Estimator in (MLPClassifier, NNClassifier):
        clf = make_pipeline(
            StandardScaler(),
            Estimator(
                solver="lbfgs",
                alpha=1.0,
                random_state=1,
                max_iter=30,
                early_stopping=True,
                hidden_layer_sizes=[10, 10],
            ),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, Y)
        assert not hasattr(clf, "decision_function")
        results.append((clf.score(X, Y), clf.predict_proba(grid)[:, 1]))
    (their_score, theirs), (our_score, ours) = results
    assert our_score == their_score
    np.testing.assert_allclose(ours, theirs, rtol=1e-7)


def test_the_regressors_warnings_match_the_same_filters():
    for Estimator in (MLPRegressor, NNRegressor):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
            warnings.filterwarnings("ignore", category=DataConversionWarning, module="sklearn")
            Estimator(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=2).fit(X, Y[:, None])
            Estimator(hidden_layer_sizes=(5,), max_iter=2).fit(X, Y)

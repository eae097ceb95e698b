"""NNClassifier / NNRegressor beyond scikit-learn's generic checks: the same numbers as
MLPClassifier, the tools they must work in, and their own features."""

import pickle
import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from nnscratch.data import circles, moons
from nnscratch.engine.optimizers import SGD
from nnscratch.sklearn import NNClassifier, NNRegressor

matplotlib.use("Agg")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _copy_weights_into_sklearn(ours, theirs):
    theirs.coefs_ = [w.copy() for w in ours.coefs_]
    theirs.intercepts_ = [b.copy() for b in ours.intercepts_]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_follows_mlpclassifier_step_for_step(n_classes):
    """Full-batch SGD from the same weights: the same trajectory as scikit-learn.

    This pins down the meaning of alpha (L2 on the mean loss, divided by n) and the
    output layer (one logistic unit for two classes, softmax for more).
    """
    rng = np.random.RandomState(0)
    X = rng.standard_normal((60, 4))
    y = rng.randint(0, n_classes, 60)
    common = {
        "hidden_layer_sizes": (5,),
        "activation": "tanh",
        "alpha": 0.3,
        "tol": 0.0,
        "n_iter_no_change": 1000,
    }
    ours = NNClassifier(
        **common,
        optimizer="sgd",
        momentum=0.0,
        batch_size=None,
        learning_rate_init=0.1,
        max_iter=1,
        warm_start=True,
        random_state=0,
    ).fit(X, y)
    theirs = MLPClassifier(
        **common,
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        batch_size=60,
        learning_rate_init=0.1,
        max_iter=1,
        warm_start=True,
        random_state=0,
    ).fit(X, y)
    _copy_weights_into_sklearn(ours, theirs)
    ours.set_params(max_iter=25).fit(X, y)
    theirs.set_params(max_iter=25).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("n_targets", [1, 3])
def test_regressor_follows_mlpregressor_from_its_own_random_state(solver, n_targets):
    """The same random_state draws the same initial weights as scikit-learn, and the loss
    (half the squared error), alpha, mini-batches and shuffling are scikit-learn's: the
    weights after training agree to rounding."""
    rng = np.random.RandomState(1)
    X = rng.standard_normal((90, 3))
    y = X @ rng.standard_normal((3, n_targets)) + 0.1 * rng.standard_normal((90, n_targets))
    common = {
        "hidden_layer_sizes": (4,),
        "activation": "tanh",
        "alpha": 0.5,
        "solver": solver,
        "batch_size": 32,
        "learning_rate_init": 0.01,
        "max_iter": 12,
        "random_state": 3,
    }
    ours = NNRegressor(**common).fit(X, y[:, 0] if n_targets == 1 else y)
    theirs = MLPRegressor(**common).fit(X, y[:, 0] if n_targets == 1 else y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    assert ours.n_iter_ == theirs.n_iter_


def test_adam_matches_mlpclassifier_minibatch_free():
    """Adam with one full batch: the same bias-corrected steps as scikit-learn's."""
    X, y = moons(80)
    common = {
        "hidden_layer_sizes": (6,),
        "alpha": 1e-3,
        "tol": 0.0,
        "epsilon": 1e-8,
        "n_iter_no_change": 1000,
    }
    ours = NNClassifier(
        **common, batch_size=None, learning_rate_init=0.01, max_iter=1, warm_start=True
    ).fit(X, y)
    theirs = MLPClassifier(
        **common, batch_size=80, learning_rate_init=0.01, max_iter=1, warm_start=True
    ).fit(X, y)
    _copy_weights_into_sklearn(ours, theirs)
    ours.set_params(max_iter=30).fit(X, y)
    theirs.set_params(max_iter=30).fit(X, y)
    for a, b in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


def test_pipeline_with_scaler_learns_moons():
    X, y = moons()
    clf = make_pipeline(
        StandardScaler(), NNClassifier((10,), learning_rate_init=0.01, max_iter=300, random_state=0)
    )
    assert clf.fit(X, y).score(X, y) > 0.93


def test_string_labels_and_three_classes():
    rng = np.random.RandomState(0)
    centres = np.array([[0, 4], [4, 0], [-4, -4]])
    y_idx = rng.randint(0, 3, 150)
    X = centres[y_idx] + rng.standard_normal((150, 2))
    names = np.array(["cat", "dog", "emu"])
    clf = NNClassifier((8,), learning_rate_init=0.05, max_iter=100, random_state=0)
    clf.fit(X, names[y_idx])
    assert clf.classes_.tolist() == ["cat", "dog", "emu"]
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    assert set(clf.predict(X)) <= set(names)
    assert clf.score(X, names[y_idx]) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(X)).all()


def test_gridsearch_in_parallel_and_cross_val_score():
    X, y = moons()
    pipe = make_pipeline(
        StandardScaler(), NNClassifier(learning_rate_init=0.01, max_iter=150, random_state=0)
    )
    grid = GridSearchCV(pipe, {"nnclassifier__hidden_layer_sizes": [(1,), (10,)]}, cv=3, n_jobs=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.best_params_ == {"nnclassifier__hidden_layer_sizes": (10,)}
    scores = cross_val_score(
        NNClassifier((10,), learning_rate_init=0.01, max_iter=150, random_state=0), X, y, cv=3
    )
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_decision_boundary_display():
    X, y = circles()
    clf = NNClassifier((8,), "tanh", learning_rate_init=0.05, max_iter=200, random_state=0)
    clf.fit(X, y)
    disp = DecisionBoundaryDisplay.from_estimator(clf, X, response_method="predict_proba")
    assert disp.response.shape == disp.xx0.shape
    assert 0.0 <= disp.response.min() and disp.response.max() <= 1.0
    matplotlib.pyplot.close("all")


def test_pickle_and_clone():
    X, y = moons(60)
    clf = NNClassifier((4,), max_iter=20, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert not hasattr(fresh, "model_") and fresh.get_params() == clf.get_params()


def test_same_random_state_same_model_and_fit_is_idempotent():
    X, y = moons(100)
    a = NNClassifier((5,), max_iter=30, random_state=3).fit(X, y)
    b = NNClassifier((5,), max_iter=30, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    first = a.predict_proba(X)
    a.fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), first)


def test_convergence_warning_and_stopping_rule():
    X, y = moons(100)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(5\) reached"):
        clf = NNClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5
    assert clf.best_loss_ == min(clf.loss_curve_)
    # A tolerance no epoch can beat: stops as early as MLPClassifier does, without warning.
    settings = {"max_iter": 100, "tol": 1e3, "n_iter_no_change": 3, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = NNClassifier((5,), **settings).fit(X, y)
        reference = MLPClassifier((5,), **settings).fit(X, y)
    assert clf.n_iter_ == reference.n_iter_ == 5


def test_early_stopping_restores_best_validation_weights():
    X, y = moons(200)
    clf = NNClassifier(
        (10,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        learning_rate_init=0.05,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    assert clf.n_iter_ < 200


def test_partial_fit_needs_classes_first_then_learns():
    X, y = moons(200)
    clf = NNClassifier((10,), learning_rate_init=0.05, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(40):
        clf.partial_fit(X[:100], y[:100], classes=[0, 1])
        clf.partial_fit(X[100:], y[100:])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 80
    assert clf.score(X, y) > 0.85
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        clf.partial_fit(X[:5], [0, 1, 7, 0, 1])
    with pytest.raises(ValueError, match="early_stopping"):
        NNClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])


def test_warm_start_continues_training():
    X, y = moons(100)
    clf = NNClassifier((5,), max_iter=10, warm_start=True, random_state=0).fit(X, y)
    w = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 20 and clf.n_iter_ == 10
    assert not np.array_equal(w, clf.coefs_[0])
    assert clf.loss_curve_[10] < clf.loss_curve_[0]
    cold = NNClassifier((5,), max_iter=10, random_state=0).fit(X, y)
    cold.fit(X, y)
    assert len(cold.loss_curve_) == 10


def test_multi_output_regression_and_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.uniform(-1, 1, (120, 2)), columns=["a", "b"])
    Y = np.column_stack([X["a"] + X["b"], X["a"] - X["b"]])
    reg = NNRegressor((16,), "tanh", learning_rate_init=0.02, max_iter=300, random_state=0)
    reg.fit(X, Y)
    assert reg.feature_names_in_.tolist() == ["a", "b"]
    assert reg.n_outputs_ == 2 and reg.predict(X).shape == (120, 2)
    assert reg.score(X, Y) > 0.9
    assert NNRegressor((4,), max_iter=5).fit(X, Y[:, 0]).predict(X).shape == (120,)


def test_dtype_float32_and_engine_optimizer_object():
    X, y = moons(80)
    clf = NNClassifier((4,), max_iter=5, dtype="float32", random_state=0).fit(X, y)
    assert clf.model_.dtype == np.float32 and clf.predict_proba(X).dtype == np.float32
    opt = SGD(0.1, momentum=0.5)
    clf = NNClassifier((4,), optimizer=opt, max_iter=5, random_state=0).fit(X, y)
    assert opt.iterations == 0  # the estimator's parameter was copied, not trained
    assert clf.model_.optimizer.iterations == 5


def test_bad_parameters_are_named():
    X, y = moons(40)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be > 0, got \[3, 0\]"):
        NNClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'activation' parameter"):
        NNClassifier(activation="softsign").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'optimizer' parameter"):
        NNClassifier(optimizer="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        NNClassifier().fit(np.full((3, 2), np.nan), [0, 1, 0])
    with pytest.warns(UserWarning, match="larger than sample size.*batch_size=100, 40"):
        NNClassifier((2,), batch_size=100, max_iter=1).fit(X, y)


def test_diverging_training_is_a_value_error():
    X = np.array([[1e3, -1e3], [-1e3, 1e3], [2e3, 1e3], [-2e3, -1e3]])
    reg = NNRegressor((4,), optimizer="sgd", learning_rate_init=10.0, max_iter=50)
    with pytest.raises(ValueError, match=r"non-finite parameter weights.*diverged"):
        reg.fit(X, [1e3, -1e3, 5e2, 0])


@pytest.mark.parametrize(
    ("name", "cls", "extra"),
    [
        ("sgd", "SGD", {"momentum": 0.9, "nesterov": True}),
        ("adam", "Adam", {"beta_1": 0.9, "epsilon": 1e-8}),
        ("rmsprop", "RMSprop", {}),
        ("adagrad", "Adagrad", {}),
    ],
)
def test_optimizer_names_build_the_engine_optimizers(name, cls, extra):
    X, y = moons(60)
    clf = NNClassifier((4,), optimizer=name, learning_rate_init=0.03, max_iter=3).fit(X, y)
    opt = clf.model_.optimizer
    assert type(opt).__name__ == cls and opt.learning_rate == pytest.approx(0.03)
    for key, value in extra.items():
        assert getattr(opt, key) == value
    assert opt.iterations == 3  # one full batch (60 <= 200) per epoch

"""scikit-learn estimators over the nnscratch engine: ``NNClassifier`` and ``NNRegressor``.

They are ``MLPClassifier`` and ``MLPRegressor`` rebuilt on the engine: the same parameters
with the same meaning (``solver`` "adam", "sgd" or "lbfgs", the learning-rate schedules,
``alpha``, early stopping, ``warm_start``, ``partial_fit``), the same learned attributes
(``coefs_``, ``loss_curve_``, ``n_iter_``, ...), the same initial weights for the same
``random_state``, and scikit-learn's conventions, so they drop into a ``Pipeline``,
``GridSearchCV``, ``cross_val_score`` or ``DecisionBoundaryDisplay`` like any estimator:

>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from nnscratch.data import moons
>>> from nnscratch.sklearn import NNClassifier
>>> X, y = moons()
>>> clf = make_pipeline(StandardScaler(), NNClassifier((10,), learning_rate_init=0.01,
...                                                   max_iter=300, random_state=0))
>>> clf.fit(X, y).score(X, y) > 0.9
True

The trained network is kept as ``model_``, an engine
:class:`~nnscratch.engine.model.Sequential` of :class:`~nnscratch.engine.layers.Dense`
layers: ``summary()``, ``parameters()`` and saving work on it.

Where to read what
------------------
* :mod:`._params`: the parameters, their constraints and documentation;
* :mod:`._base`: ``fit`` step by step (first pass or continuation, initial weights);
* :mod:`._solvers`: scikit-learn's epoch loop around the engine's batches, and lbfgs;
* :mod:`._losses`: scikit-learn's losses and penalty as engine pieces;
* :mod:`._network`: ``coefs_``/``intercepts_`` as the engine's arrays, sparse inputs;
* :mod:`._classifier`, :mod:`._regressor`: what the outputs mean.

docs/sklearn.md lists every behaviour where these estimators deliberately differ from
scikit-learn's, with the reason.
"""

from __future__ import annotations

from ._classifier import NNClassifier
from ._network import CHUNK_BYTES, MAX_DENSE_BYTES
from ._regressor import NNRegressor

__all__ = ["CHUNK_BYTES", "MAX_DENSE_BYTES", "NNClassifier", "NNRegressor"]

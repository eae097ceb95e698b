"""Step 8: let scikit-learn choose the hidden layer's size, by cross-validation.

Step 4 looked at hidden sizes by eye, on the training data. The honest way to choose is
to score each size on data the network has not trained on. ``nnscratch.sklearn``'s
``NNClassifier`` is a scikit-learn estimator, so ``GridSearchCV`` can do that: for every
size it trains on 4/5 of the moons and scores on the held-out fifth, five times over,
in parallel (``n_jobs=-1``), then refits the best size on all the data::

    search = GridSearchCV(
        make_pipeline(StandardScaler(), NNClassifier(activation="tanh", ...)),
        {"nnclassifier__hidden_layer_sizes": [(1,), (2,), (3,), (4,), (5,), (20,), (50,)]},
        cv=5, n_jobs=-1)
    search.fit(X, y)

``NNClassifier`` takes ``MLPClassifier``'s parameters with their meaning, so the code
above is scikit-learn's with the class swapped. ``--solver lbfgs`` uses the full-batch
quasi-Newton solver that scikit-learn recommends for small data sets like this one (200
points): it needs no learning rate and usually converges in a few hundred iterations.

Run::

    python examples/08_sklearn_gridsearch.py
    python examples/08_sklearn_gridsearch.py --sizes 1 3 20 --max-iter 300 --cv 3
    python examples/08_sklearn_gridsearch.py --solver lbfgs --max-iter 500
"""

from __future__ import annotations

import argparse
import os
import warnings

import matplotlib
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.lab import style
from nnscratch.lab.boundary import plot_decision_boundary
from nnscratch.sklearn import NNClassifier

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1, 2, 3, 4, 5, 20, 50],
        help="hidden sizes to try (default 1 2 3 4 5 20 50)",
    )
    p.add_argument(
        "--solver",
        choices=["adam", "sgd", "lbfgs"],
        default="adam",
        help="MLPClassifier's solver (default adam)",
    )
    p.add_argument(
        "--max-iter", type=int, default=2000, help="epochs (lbfgs: iterations) per fit (2000)"
    )
    p.add_argument(
        "--learning-rate", type=float, default=0.01, help="adam's and sgd's (default 0.01)"
    )
    p.add_argument("--alpha", type=float, default=0.01, help="L2, sklearn's alpha (0.01)")
    p.add_argument(
        "--n-iter-no-change",
        type=int,
        default=50,
        help="stop after this many epochs without progress (default 50)",
    )
    p.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--n-jobs", type=int, default=-1, help="parallel fits (default -1: all)")
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    writable_folder(args.out, "--out folder")  # before the search, not after it
    X, y = moons()
    pipe = make_pipeline(
        StandardScaler(),
        NNClassifier(
            activation="tanh",
            solver=args.solver,
            learning_rate_init=args.learning_rate,
            alpha=args.alpha,
            max_iter=args.max_iter,
            n_iter_no_change=args.n_iter_no_change,
            random_state=args.seed,
        ),
    )
    grid = {"nnclassifier__hidden_layer_sizes": [(size,) for size in args.sizes]}
    search = GridSearchCV(pipe, grid, cv=args.cv, n_jobs=args.n_jobs)
    with warnings.catch_warnings():
        # A fit that uses all of max_iter warns; with a fixed budget per size that is fine.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)

    print(f"solver={args.solver}, alpha={args.alpha}, {args.cv}-fold cross-validation")
    print(f"{'hidden':>6}  {'mean accuracy':>13}  {'std':>6}")
    results = search.cv_results_
    for params, mean, std in zip(
        results["params"], results["mean_test_score"], results["std_test_score"]
    ):
        print(f"{params['nnclassifier__hidden_layer_sizes'][0]:>6}  {mean:>13.3f}  {std:>6.3f}")
    best = search.best_params_["nnclassifier__hidden_layer_sizes"][0]
    print(f"best hidden size: {best} (cross-validated accuracy {search.best_score_:.3f})")

    fig, ax = plt.subplots(figsize=(style.WIDTH, 6.5), layout="constrained")
    plot_decision_boundary(
        search.predict, X, y, ax=ax, title=f"GridSearchCV's choice: {best} hidden units"
    )
    path = style.save_figure(fig, os.path.join(args.out, "08_sklearn_gridsearch.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None

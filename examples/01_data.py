"""Step 1 of the article: generate the two-moons data set and look at it.

The tutorial starts with::

    np.random.seed(0)
    X, y = sklearn.datasets.make_moons(200, noise=0.20)
    plt.scatter(X[:,0], X[:,1], s=40, c=y, cmap=plt.cm.Spectral)

``nnscratch.data.moons()`` draws exactly those 200 points (the same seed, the same
generator), so every later step works on the article's data. The two classes interleave
like two crescents: no straight line separates them, which is why the article needs a
hidden layer.

Run::

    python examples/01_data.py            # writes nnscratch-out/examples/01_data.png
    python examples/01_data.py --show     # and opens a window
"""

from __future__ import annotations

import argparse
import os

import matplotlib

from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.lab.plots import data_figure
from nnscratch.lab.style import save_figure

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", type=int, default=200, help="points (default 200)")
    p.add_argument("--noise", type=float, default=0.20, help="noise (default 0.20)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    writable_folder(args.out, "--out folder")  # before training, not after it
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = moons(args.samples, noise=args.noise, seed=args.seed)
    print(f"X: {X.shape}, y: {y.shape}, classes: {sorted(set(y.tolist()))}")
    print(f"points per class: {[int((y == c).sum()) for c in (0, 1)]}")

    # The article's scatter(X[:, 0], X[:, 1], s=40, c=y, cmap=plt.cm.Spectral), in
    # nnscratch's figure style: the same colours, named axes and a legend of the classes.
    fig = data_figure(X, y, f"make_moons({args.samples}, noise={args.noise})", fig=plt.figure())
    path = save_figure(fig, os.path.join(args.out, "01_data.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None

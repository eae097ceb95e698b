"""``nnscratch demo``: the whole article in one go, as fast as the cores allow.

The plan, on a machine with a few cores:

1. start the worker processes, load both data sets and queue every network at once:
   the sweep over 1 2 3 4 10 20 50 200 hidden units on the moons and on the circles,
   plus the 3-unit runs at half the learning rate for the loss-curve comparison. The
   3-unit runs of the sweeps double as the ``moons`` command's runs, so nothing trains
   twice. The biggest networks go first, so the cores finish together;
2. meanwhile, in this process: the logistic regressions and the first figures;
3. as runs come back, each figure is drawn as soon as everything it shows is there (the
   workers also computed each network's decision regions, the costly part of a plot);
4. an ``index.html`` page with every figure and caption, and a short summary.
"""

from __future__ import annotations

import argparse
import html
import os
import time
from typing import Any

from ..lab.experiments import ARTICLE_HIDDEN_SIZES as DEMO_SIZES
from .output import Output, RunsProgress, note, run_accuracy, run_loss, stop_status, table

DATASETS = ("moons", "circles")
HIDDEN = 3  # the article's network


def demo_specs(passes: int) -> list[Any]:
    """The demo's runs: each sweep size on each data set, then the two half-rate runs."""
    from ..lab.network_runs import NetworkSpec

    specs = [NetworkSpec(ds, h, passes) for ds in DATASETS for h in DEMO_SIZES]
    specs += [NetworkSpec(ds, HIDDEN, passes, learning_rate=0.005) for ds in DATASETS]
    return specs


def run(args: argparse.Namespace) -> int:
    from ..lab import experiments, parallel, plots
    from ..lab.stopping import ctrl_c_stops

    start = time.perf_counter()
    out = Output(args)
    specs = demo_specs(args.passes)
    done: list[Any] = [None] * len(specs)
    drawn: set[str] = set()
    logreg: dict[str, Any] = {}
    interrupted = False
    # The first Ctrl-C only sets `stop`: the runs end after their current pass and what
    # is finished is still drawn, written and printed (marked as interrupted).
    with ctrl_c_stops() as stop:
        pool = parallel.worker_pool(args.jobs)
        progress = RunsProgress(specs, "demo", pool=pool)
        try:
            data = {ds: experiments.load_dataset(ds) for ds in DATASETS}
            futures = parallel.submit_runs(pool, specs, regions=True, data=data)
            for ds in DATASETS:
                if stop.requested():
                    break
                X, y = data[ds]
                fig = plots.data_figure(X, y, f"{ds}: {len(X)} points", fig=out.new_figure())
                out.save(fig, f"data-{ds}.png")
                drawn.add(f"data-{ds}.png")
                logreg[ds] = result = experiments.logistic_regression(ds)
                title = f"Logistic Regression (accuracy {result.train_accuracy:.1%})"
                fig = plots.boundary_figure(result.predict, X, y, title, fig=out.new_figure())
                out.save(fig, f"logreg-{ds}.png")
                drawn.add(f"logreg-{ds}.png")
            try:
                for _ in parallel.collect_runs(futures, done, pool, progress, stop=stop):
                    _draw_ready(out, specs, done, data, drawn)
            except parallel.RunsInterrupted:
                interrupted = True
        finally:
            pool.drop_queued()  # nothing is left to run; on an error, stop the workers now
            pool.shutdown(wait=True, cancel_futures=True)
            progress.close()
    seconds = time.perf_counter() - start
    sweeps = {
        ds: [r for r in _sweep_slice(done, d) if r is not None] for d, ds in enumerate(DATASETS)
    }
    comparisons = {ds: _comparison(done, d) for d, ds in enumerate(DATASETS)}
    finished = sum(1 for run in done if run is not None and run.complete)
    complete = finished == len(specs) and len(logreg) == len(DATASETS)
    # An interrupted demo never replaces the page of a complete one.
    index = os.path.join(out.dir, "index.html" if complete else "index-interrupted.html")
    shown = out.written()  # the page shows only the figures that were written
    page = _index_page(args, sweeps, comparisons, logreg, shown, seconds, finished, len(specs))
    if out.write_page(os.path.basename(index), page) is None:
        index = ""
    written = 0
    if out.json:
        written = out.finish(
            {
                "dataset": list(DATASETS),
                "complete": complete,
                "results": [run.to_json() for ds in DATASETS for run in sweeps[ds]],
                "comparison": [r.to_json() for r in comparisons.values() if r is not None],
                "logreg": [{"dataset": ds, **logreg[ds].to_json()} for ds in logreg],
                "index": index or None,
                "seconds": round(seconds, 3),
            }
        )
    else:
        _print_summary(sweeps, logreg, out, index, seconds)
        written = out.report_errors()
    status = stop_status([r for r in done if r is not None], args.command) or written
    if not complete:
        note(
            args.command,
            f"interrupted: {finished} of {len(specs)} networks finished; the page is {index} "
            "(index.html, if there is one, is from an earlier complete run and is untouched)",
        )
    return 130 if interrupted or not complete else status


def _sweep_slice(done: list[Any], d: int) -> list[Any]:
    """The sweep runs of data set number ``d`` (specs are laid out sweep by sweep)."""
    n = len(DEMO_SIZES)
    return done[d * n : (d + 1) * n]


def _comparison(done: list[Any], d: int) -> Any:
    """The half-learning-rate run of data set number ``d`` (after all the sweeps)."""
    return done[len(DATASETS) * len(DEMO_SIZES) + d]


def _draw_ready(
    out: Output, specs: list[Any], done: list[Any], data: dict[str, Any], drawn: set[str]
) -> None:
    """Draw every figure whose runs have all come back and that is not drawn yet."""
    from ..lab import plots

    for d, ds in enumerate(DATASETS):
        X, y = data[ds]
        sweep = _sweep_slice(done, d)
        name = f"sweep-{ds}.png"
        if name not in drawn and all(r is not None for r in sweep):
            fig = plots.sweep_figure(sweep, X, y, f"{ds}: hidden-layer sizes", out.new_figure())
            out.save(fig, name)
            drawn.add(name)
        run = sweep[DEMO_SIZES.index(HIDDEN)]
        comparison = _comparison(done, d)
        name = f"boundary-{ds}-h{HIDDEN}.png"
        if name not in drawn and run is not None:
            fig = plots.boundary_figure(run.regions, X, y, plots.run_title(run), out.new_figure())
            out.save(fig, name)
            drawn.add(name)
        name = f"loss-{ds}-h{HIDDEN}.png"
        if name not in drawn and run is not None and comparison is not None:
            out.save(plots.loss_curve_figure(run, comparison, fig=out.new_figure()), name)
            drawn.add(name)


def _print_summary(
    sweeps: dict[str, list[Any]],
    logreg: dict[str, Any],
    out: Output,
    index: str,
    seconds: float,
) -> None:
    moons = [r for r in sweeps["moons"] if r.hidden == HIDDEN]
    if moons:
        print(f"The article's network on moons (hidden size {HIDDEN}):")
        for line in moons[0].lines:
            print(line)
        print()
    for ds in DATASETS:
        base = f" (logistic regression: {logreg[ds].train_accuracy:.1%})" if ds in logreg else ""
        print(f"Hidden-size sweep on {ds}{base}:")
        for row in table(sweeps[ds]):
            print("  " + row)
        print()
    if index:
        print(f"{len(out.figures)} figures in {out.dir}; open {index}")
    else:
        print(f"{len(out.figures)} figures in {out.dir}; the index page could not be written")
    print(f"done in {seconds:.1f} s")


# -- the index page -------------------------------------------------------------------------
ARTICLE_URL = "http://www.wildml.com/2015/09/implementing-a-neural-network-from-scratch/"

# Every figure is 1000 pixels wide (nnscratch.lab.style), the width of the page's column:
# the page shows each one at its own size, so their text is as readable as the captions.
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 17px;
       line-height: 1.55; color: #1d1d1f; margin: 0; padding: 0 1.25rem 3rem; }
header, main { max-width: 1000px; margin: 0 auto; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 1.6rem 0 0.6rem; }
h2 { font-size: 1.5rem; margin: 2.6rem 0 0.4rem; padding-top: 0.6rem;
     border-top: 2px solid #ddd; }
h3 { font-size: 1.2rem; margin: 1.8rem 0 0.4rem; }
a { color: #0b5cad; }
nav { background: #f4f6f8; border: 1px solid #dde2e7; border-radius: 6px;
      padding: 0.6rem 1.2rem; margin: 1.2rem 0; }
nav h2 { font-size: 1.1rem; margin: 0.4rem 0; padding: 0; border: 0; }
nav ol { margin: 0.2rem 0 0.4rem; padding-left: 1.4rem; }
nav > ol { columns: 2; column-gap: 2.5rem; }
nav > ol > li { break-inside: avoid; margin-bottom: 0.4rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { display: block; width: 100%; max-width: 1000px; height: auto;
             outline: 1px solid #ddd; }
figcaption { font-size: 1rem; color: #333; margin-top: 0.5rem; max-width: 60rem; }
pre { background: #f6f6f6; padding: 0.8rem 1rem; overflow-x: auto; font-size: 0.95rem;
      line-height: 1.4; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-variant-numeric: tabular-nums; }
td, th { padding: 0.25rem 0.9rem; text-align: right; }
th { border-bottom: 1px solid #999; }
tr:nth-child(even) td { background: #f7f7f7; }
.settings { color: #444; }
.warning { background: #fff4e5; border-left: 4px solid #e8a33d; padding: 0.6rem 1rem; }
.missing { color: #8a4b00; font-style: italic; }
@media (max-width: 700px) { nav > ol { columns: 1; } }
"""

#: the steps of each data set's section: (anchor suffix, heading)
_STEPS = (
    ("data", "The data"),
    ("logreg", "Logistic regression"),
    ("network", f"A network with {HIDDEN} hidden units"),
    ("loss", "Why the loss zigzags"),
    ("sweep", "Varying the hidden layer size"),
)


def _figure(drawn: set[str], name: str, alt: str, caption: str) -> str:
    if name not in drawn:
        return (
            f"<p class='missing'>{html.escape(name)} is missing: the runs it shows did not "
            "finish, or it could not be written.</p>"
        )
    return (
        f'<figure><img src="{html.escape(name)}" alt="{html.escape(alt)}" width="1000">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _sweep_table(runs: list[Any]) -> str:
    rows = "".join(
        f"<tr><td>{r.hidden}</td><td>{run_loss(r)}</td><td>{run_accuracy(r)}</td>"
        f"<td>{html.escape(r.label or 'complete')}</td></tr>"
        for r in runs
    )
    return (
        "<table><tr><th>hidden units</th><th>final loss</th><th>training accuracy</th>"
        f"<th>run</th></tr>{rows}</table>"
    )


def _contents() -> str:
    items = []
    for ds in DATASETS:
        steps = "".join(
            f"<li><a href='#{ds}-{key}'>{html.escape(title)}</a></li>" for key, title in _STEPS
        )
        items.append(f"<li><a href='#{ds}'>{ds.capitalize()}</a><ol>{steps}</ol></li>")
    return f"<nav><h2>Contents</h2><ol>{''.join(items)}</ol></nav>"


def _index_page(
    args: argparse.Namespace,
    sweeps: dict[str, list[Any]],
    comparisons: dict[str, Any],
    logreg: dict[str, Any],
    drawn: set[str],
    seconds: float,
    finished: int,
    total: int,
) -> str:
    """The page of the whole run: a contents list, then each data set step by step."""
    from ..lab.network_runs import DATASETS as SIZES
    from ..lab.plots import behaviour

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>nnscratch: Implementing a Neural Network from Scratch, reproduced</title>",
        f"<style>{_STYLE}</style></head><body><header>",
        "<h1>Implementing a Neural Network from Scratch: the article, reproduced</h1>",
        f"<p>This page retraces WildML's <a href='{ARTICLE_URL}'>Implementing a Neural "
        "Network from Scratch in Python</a> step by step, on the article's two data sets: "
        "the data, the logistic-regression baseline, a network with one hidden layer, its "
        "loss, and the same network with hidden layers of every size.</p>",
        f"<p class='settings'>Every network: {args.passes} passes of full-batch gradient "
        "descent, learning rate 0.01 on the gradient summed over the points, L2 strength "
        "(<code>reg_lambda</code>) 0.01, initial weights after <code>np.random.seed(0)</code>."
        f" Made by <code>nnscratch demo</code> in {seconds:.1f} s. In every picture of the "
        "plane the background shows the class predicted there and the points are the "
        "training data, coloured by their class.</p>",
    ]
    if finished < total:
        parts.append(
            f"<p class='warning'><strong>Interrupted:</strong> {finished} of {total} networks "
            "finished. Figures of unfinished runs are missing; tables mark every run that "
            "stopped early.</p>"
        )
    parts.append(_contents())
    parts.append("</header><main>")
    for ds in DATASETS:
        n = SIZES[ds]
        parts.append(f"<h2 id='{ds}'>{ds.capitalize()}</h2>")
        parts.append(f"<h3 id='{ds}-data'>1. The data</h3>")
        parts.append(
            _figure(
                drawn,
                f"data-{ds}.png",
                f"the {ds} data: {n} points in two classes",
                f"{n} points in two classes, class 0 in dark red and class 1 in dark blue. "
                "No straight line separates them.",
            )
        )
        parts.append(f"<h3 id='{ds}-logreg'>2. Logistic regression</h3>")
        if ds in logreg:
            parts.append(
                _figure(
                    drawn,
                    f"logreg-{ds}.png",
                    f"logistic regression's straight boundary on the {ds}",
                    "scikit-learn's LogisticRegressionCV, the article's baseline, draws a "
                    f"straight boundary: {logreg[ds].train_accuracy:.1%} of the training "
                    "points end up on their own side of it.",
                )
            )
        else:
            parts.append("<p class='missing'>Not fitted: the demo was interrupted.</p>")
        run = next((r for r in sweeps[ds] if r.hidden == HIDDEN), None)
        parts.append(f"<h3 id='{ds}-network'>3. A network with {HIDDEN} hidden units</h3>")
        if run is not None and run.complete:
            parts.append("<pre>" + html.escape("\n".join(run.lines)) + "</pre>")
            parts.append(
                _figure(
                    drawn,
                    f"boundary-{ds}-h{HIDDEN}.png",
                    f"the {HIDDEN}-unit network's curved boundary on the {ds}",
                    f"{HIDDEN} tanh units and a softmax output: the boundary bends with the "
                    f"data ({run.train_accuracy:.1%} training accuracy, final loss "
                    f"{run.final_loss:.6f}). The lines above are the article's, printed "
                    "every 1000 passes.",
                )
            )
        else:
            parts.append("<p class='missing'>This run did not finish.</p>")
        parts.append(f"<h3 id='{ds}-loss'>4. Why the loss zigzags</h3>")
        comparison = comparisons.get(ds)
        caption = (
            "The loss of every pass, on a log scale (left) and over the last 40 passes "
            f"(right). Learning rate 0.01 on a gradient summed over {n} points is a step of "
            f"0.01 x {n} = {0.01 * n:g} on the mean loss."
        )
        if run is not None and run.complete:
            caption += f" At learning rate 0.01 (red) the loss {behaviour(run)}."
        if comparison is not None and comparison.complete:
            caption += (
                f" At learning rate 0.005 (blue, a step of {0.005 * n:g}) it "
                f"{behaviour(comparison)}; its final loss is {comparison.final_loss:.6f}."
            )
        parts.append(
            _figure(drawn, f"loss-{ds}-h{HIDDEN}.png", f"the loss of every pass, {ds}", caption)
        )
        parts.append(f"<h3 id='{ds}-sweep'>5. Varying the hidden layer size</h3>")
        parts.append(
            _figure(
                drawn,
                f"sweep-{ds}.png",
                f"decision boundaries for every hidden size, {ds}",
                "One network per hidden size, each panel titled with its final loss and "
                "training accuracy. One unit draws almost a straight line; a few units "
                "follow the shape of the data; large layers start to bend around single "
                "noisy points.",
            )
        )
        parts.append(_sweep_table(sweeps[ds]))
    parts.append("</main></body></html>")
    return "\n".join(parts)

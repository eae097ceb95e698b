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
from .output import (
    Output,
    RunsProgress,
    note,
    run_accuracy,
    run_loss,
    stop_status,
    table,
    write_page,
)

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
    page = _index_page(args, sweeps, comparisons, logreg, drawn, seconds, finished, len(specs))
    write_page(index, page)
    if out.json:
        out.finish(
            {
                "dataset": list(DATASETS),
                "complete": complete,
                "results": [run.to_json() for ds in DATASETS for run in sweeps[ds]],
                "comparison": [r.to_json() for r in comparisons.values() if r is not None],
                "logreg": [{"dataset": ds, **logreg[ds].to_json()} for ds in logreg],
                "index": index,
                "seconds": round(seconds, 3),
            }
        )
    else:
        _print_summary(sweeps, logreg, out, index, seconds)
    status = stop_status([r for r in done if r is not None], args.command)
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
    print(f"{len(out.figures)} figures in {out.dir}; open {index}")
    print(f"done in {seconds:.1f} s")


# -- the index page -------------------------------------------------------------------------
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; }
figure { margin: 1.5em 0; } img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.95em; } pre { background: #f6f6f6; padding: 0.8em; }
table { border-collapse: collapse; } td, th { padding: 0.2em 0.8em; text-align: right; }
th { border-bottom: 1px solid #999; }
"""


def _figure(drawn: set[str], name: str, caption: str) -> str:
    if name not in drawn:
        return f"<p><em>{html.escape(name)} was not drawn (the run did not finish).</em></p>"
    return (
        f'<figure><img src="{html.escape(name)}" alt="{html.escape(caption)}">'
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
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>nnscratch: the WildML article, reproduced</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Implementing a neural network from scratch: the article, reproduced</h1>",
        f"<p>{args.passes} passes of full-batch gradient descent per network, learning rate "
        "0.01 on the summed gradient, L2 0.01, seed 0. Made by <code>nnscratch demo</code> "
        f"in {seconds:.1f} s.</p>",
    ]
    if finished < total:
        parts.append(
            f"<p class='warning'><strong>Interrupted:</strong> {finished} of {total} networks "
            "finished. Figures of unfinished runs are missing; tables mark every run that "
            "stopped early.</p>"
        )
    from ..lab.experiments import DATASETS as SIZES
    from ..lab.plots import behaviour

    for ds in DATASETS:
        n = SIZES[ds]
        parts.append(f"<h2>{ds.capitalize()}</h2>")
        parts.append("<h3>1. The data</h3>")
        parts.append(
            _figure(
                drawn,
                f"data-{ds}.png",
                f"{n} points in two classes. No straight line separates them.",
            )
        )
        parts.append("<h3>2. Logistic regression</h3>")
        if ds in logreg:
            parts.append(
                _figure(
                    drawn,
                    f"logreg-{ds}.png",
                    "LogisticRegressionCV draws a straight boundary: "
                    f"{logreg[ds].train_accuracy:.1%} of the training points on the right side.",
                )
            )
        run = next((r for r in sweeps[ds] if r.hidden == HIDDEN), None)
        parts.append(f"<h3>3. A network with {HIDDEN} hidden units</h3>")
        if run is not None:
            parts.append("<pre>" + html.escape("\n".join(run.lines)) + "</pre>")
            parts.append(
                _figure(
                    drawn,
                    f"boundary-{ds}-h{HIDDEN}.png",
                    f"tanh hidden layer, softmax output: the boundary bends with the data "
                    f"({run.train_accuracy:.1%} training accuracy, final loss "
                    f"{run.final_loss:.6f}).",
                )
            )
        comparison = comparisons.get(ds)
        note = (
            "The loss of every pass. With learning rate 0.01 on a gradient summed over "
            f"{n} points, the step on the mean loss is 0.01 x {n} = {0.01 * n:g}. "
        )
        if run is not None:
            note += f"At the end the loss {behaviour(run)}."
        if comparison is not None:
            note += (
                f" At learning rate 0.005 it {behaviour(comparison)} "
                f"(final loss {comparison.final_loss:.6f})."
            )
        parts.append(_figure(drawn, f"loss-{ds}-h{HIDDEN}.png", note))
        parts.append("<h3>4. Varying the hidden layer size</h3>")
        parts.append(
            _figure(
                drawn,
                f"sweep-{ds}.png",
                "One network per hidden size. Small layers underfit; a few units capture "
                "the shape; large layers start to bend around single noisy points.",
            )
        )
        parts.append(_sweep_table(sweeps[ds]))
    parts.append("</body></html>")
    return "\n".join(parts)

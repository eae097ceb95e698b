"""The lab: the tutorials' experiments, plots, comparisons and the web playground.

* :mod:`nnscratch.lab.experiments`: each step of the WildML tutorial (data, logistic
  regression, the 2-H-2 network, the hidden-size sweep) as a function returning results;
* :mod:`nnscratch.lab.network_runs`: one run of the article's network, as data
  (``NetworkSpec`` in, ``NetworkRun`` out), which experiments and worker pools share;
* :mod:`nnscratch.lab.parallel`: many runs at once in worker processes;
* :mod:`nnscratch.lab.stopping`: Ctrl-C and a parent's stop end a run cleanly;
* :mod:`nnscratch.lab.plots`: matplotlib figures of those results (no pyplot state);
* :mod:`nnscratch.lab.style`: the one look of every figure, and the one figure saver;
* :mod:`nnscratch.lab.boundary`: the article's ``plot_decision_boundary`` for any predictor;
* :mod:`nnscratch.lab.mnist`, :mod:`nnscratch.lab.mnist_plots`: the book's MNIST runs and
  their figures;
* :mod:`nnscratch.lab.compare` (with ``compare_setup`` and ``compare_libraries``): the same
  network trained by nnscratch, scikit-learn, Keras and PyTorch from the same weights
  (``nnscratch compare``);
* :mod:`nnscratch.lab.web`: the interactive playground (server, session, page).

Everything here sits on top of the engine and the data sets; nothing here prints (the
command line in :mod:`nnscratch.cli` does).
"""

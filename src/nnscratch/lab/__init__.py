"""The lab: the tutorials' experiments, plots, comparisons and the web playground.

* :mod:`nnscratch.lab.experiments`: each step of the WildML tutorial (data, logistic
  regression, the 2-H-2 network, the hidden-size sweep) as a function returning results;
* :mod:`nnscratch.lab.plots`: matplotlib figures of those results (no pyplot state);
* :mod:`nnscratch.lab.mnist`: the book's MNIST runs and their figures;
* :mod:`nnscratch.lab.web`: the interactive playground (server, session, page);
* :mod:`nnscratch.lab.compare`: the same network trained by nnscratch, scikit-learn, Keras
  and PyTorch from the same weights (``nnscratch compare``);
* :mod:`nnscratch.lab.boundary`: the article's ``plot_decision_boundary`` for any predictor.

Everything here sits on top of the engine and the data sets; nothing here prints (the
command line in :mod:`nnscratch.cli` does).
"""

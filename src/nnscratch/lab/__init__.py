"""Experiments, plots and comparisons built on the engine and the facades.

* :mod:`nnscratch.lab.experiments`: each step of the WildML tutorial (data, logistic
  regression, the 2-H-2 network, the hidden-size sweep) as a function returning results;
* :mod:`nnscratch.lab.plots`: matplotlib figures of those results (no pyplot state);
* :mod:`nnscratch.lab.mnist`: the book's MNIST runs and their figures.

Nothing here prints; the command line (:mod:`nnscratch.cli`) does.
"""

"""The lab: the tutorials' experiments, plots, comparisons and the web playground.

Everything here sits on top of the engine and the data sets; nothing here prints (the
command line in :mod:`nnscratch.cli` does).
"""

"""Experiments, plots and comparisons built on the engine and the facades.

Functions here return data (and matplotlib figures); they never print. The command line
(:mod:`nnscratch.cli`) is what shows them.
"""

"""What every new layer's tests show of a model built with it: it trains (the loss falls),
prints in ``summary()``, and comes back from ``save``/``load_model`` predicting the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnscratch import load_model


def trains_prints_and_saves(model, x, y, folder: Path, capsys, epochs: int = 5) -> str:
    """Train ``model`` (compiled with Adam and the sparse cross-entropy) on ``(x, y)``,
    check the three, and return the summary's text."""
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=epochs, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    capsys.readouterr()
    model.summary()
    printed = capsys.readouterr().out
    model.save(folder / "m.nnscratch")
    np.testing.assert_array_equal(load_model(folder / "m.nnscratch").predict(x), model.predict(x))
    return printed

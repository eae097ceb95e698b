"""No silent wrong results and nothing lost: the engine's side of the reliability work."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from nnscratch import SGD, Sequential, TrainingDiverged, load_model
from nnscratch.layers import Dense


def _data(n=20):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    return x, (x[:, 0] > 0).astype(int)


def test_a_failed_fit_leaves_the_model_as_it_was():
    x, y = _data()
    model = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], seed=0)
    model.compile("sgd", "categorical_crossentropy")
    wide = np.hstack([x, x])  # 4 features, and labels that do not fit 2 outputs
    with pytest.raises(ValueError, match=r"labels \[5\] do not fit an output layer of 2 units"):
        model.fit(wide, np.full(len(x), 5), batch_size=4, verbose=0)
    assert not model.built  # not built for the 4-feature x of the failed call
    model.fit(x, y, batch_size=4, verbose=0)  # the corrected call works
    assert model.input_shape == (None, 2)


def test_a_divergence_on_the_very_last_update_is_caught():
    # One step at a huge rate: the loss before it is finite, the weights after it are not.
    x, y = _data()
    x, y = (
        x * 1000,
        1 - y,
    )  # confidently wrong: gradients of order 1e2, and 1e308 times them overflows
    model = Sequential([Dense(2, "softmax", input_dim=2)], seed=0)
    model.compile(SGD(1e308), "categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(TrainingDiverged, match="the loss became nan"):
        model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)  # back to the last finite weights
    assert np.isfinite(model.predict(x)).all()


def test_networks_too_big_for_this_machine_are_refused_before_allocating():
    with pytest.raises(ValueError, match=r"weight 'kernel' \(2, 100000000000\) .* would need"):
        Sequential([Dense(10**11, input_dim=2)])
    model = Sequential([Dense(10**7, input_dim=2), Dense(2, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    x, y = _data(200_000)
    with pytest.raises(ValueError, match="a training step on 200000 examples would need"):
        model.fit(x, y, batch_size=len(x), verbose=0)


def test_saving_names_the_target_respects_the_umask_and_fits_long_names(tmp_path):
    model = Sequential([Dense(2, "softmax", input_dim=2)], seed=0)
    model.compile("sgd", "categorical_crossentropy")
    long_name = tmp_path / ("m" * 240 + ".nnscratch")  # 250 characters: a legal name
    old = os.umask(0o022)
    try:
        model.save(long_name)
    finally:
        os.umask(old)
    assert stat.S_IMODE(long_name.stat().st_mode) == 0o644
    assert load_model(long_name).count_params() == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == [long_name.name]  # no temp left
    missing = tmp_path / "no-such-folder" / "m.nnscratch"
    with pytest.raises(FileNotFoundError) as info:
        model.save(missing)
    assert info.value.filename == str(missing)
    with pytest.raises(
        ValueError, match=r"must end in \.nnscratch, got \.h5 \(HDF5 is not supported\)"
    ):
        model.save(tmp_path / "m.h5")

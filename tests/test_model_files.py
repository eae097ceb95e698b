"""Model files are untrusted: bounded in memory and time before anything is parsed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnscratch import ModelFileError, Sequential, load_model
from nnscratch.layers import Dense


def _saved(tmp_path: Path) -> Path:
    model = Sequential([Dense(3, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    model.compile("adam", "categorical_crossentropy")
    model.fit(np.random.default_rng(0).normal(size=(8, 2)), [0, 1] * 4, epochs=1, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    return path


def _rewrite(path: Path, config=None, weights: bytes | None = None) -> None:
    with zipfile.ZipFile(path) as z:
        old_config, old_weights = z.read("config.json"), z.read("weights.npz")
    text = old_config if config is None else config
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("weights.npz", old_weights if weights is None else weights)
        z.writestr("config.json", text)


def _refused_quickly(path, match):
    start = time.monotonic()
    with pytest.raises(ModelFileError, match=match):
        load_model(path)
    assert time.monotonic() - start < 1.0


def test_a_fifo_and_a_device_are_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.nnscratch"
    os.mkfifo(fifo)
    _refused_quickly(fifo, "is a FIFO")
    _refused_quickly("/dev/zero", "character device")
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)


def test_weights_that_declare_more_than_the_architecture_are_refused_before_inflating(tmp_path):
    path = _saved(tmp_path)
    buffer = io.BytesIO()
    np.savez(buffer, **{"weights/0.kernel": np.zeros((4096, 4096))})  # 128 MiB of zeros
    _rewrite(path, weights=buffer.getvalue())
    assert path.stat().st_size < 2_000_000  # a bomb: small on disk
    _refused_quickly(path, r"weights\.npz declares 128(\.\d)? MiB but the architecture .* at most")


def test_a_bomb_is_refused_with_memory_bounded(tmp_path):
    # The same file, loaded in a process that may not use more than 400 MB in all.
    path = _saved(tmp_path)
    buffer = io.BytesIO()
    np.savez(buffer, **{"weights/0.kernel": np.zeros((8192, 8192))})  # 512 MiB inflated
    _rewrite(path, weights=buffer.getvalue())
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))\n"
        "from nnscratch import load_model, ModelFileError\n"
        "try:\n"
        f"    load_model({str(path)!r})\n"
        "except ModelFileError as exc:\n"
        "    print('refused:', exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "declares 512.0 MiB" in done.stdout


def test_deep_json_and_huge_numbers_are_clear_errors(tmp_path):
    path = _saved(tmp_path)
    _rewrite(path, config="[" * 200_000 + "]" * 200_000)
    _refused_quickly(path, "not valid JSON: .*nest")
    path = _saved(tmp_path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    config["training"]["iterations"] = 10**400
    _rewrite(path, config=json.dumps(config))
    with pytest.raises(ModelFileError, match=r"not valid JSON|iterations"):
        load_model(path)
    config["training"]["iterations"] = 2**70
    _rewrite(path, config=json.dumps(config))
    with pytest.raises(ModelFileError, match=r"iterations must be < 2\*\*63"):
        load_model(path)


def test_a_config_claiming_a_huge_network_is_refused_without_allocating(tmp_path):
    path = _saved(tmp_path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    config["layers"][1]["config"]["units"] = 10**12
    _rewrite(path, config=json.dumps(config))
    _refused_quickly(path, r"weight 'kernel' \(3, 1000000000000\) of layer 1 would need")

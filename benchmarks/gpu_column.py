"""The ``--device gpu`` column of ``bench_conv.py`` and ``bench_mnist.py``.

nnscratch on CuPy (``device="gpu"``, the engine's plain path on the GPU, see
``nnscratch.engine.backend``) against PyTorch on CUDA, one epoch each, with the same batch
sizes as the CPU table. It runs only where CuPy sees a GPU; otherwise it says, in one
line, why it was skipped. Each contestant's function returns ``(seconds, test accuracy)``
and synchronises its device before the clock stops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nnscratch.engine import backend

Run = Callable[[int], tuple[float, float]]


def why_not() -> str | None:
    """Why nnscratch cannot run on the GPU here (``None`` when it can)."""
    try:
        backend.namespace("gpu")
    except backend.DeviceUnavailable as exc:
        return str(exc)
    return None


def torch_cuda_missing() -> str | None:
    """Why PyTorch cannot run on CUDA here (``None`` when it can)."""
    try:
        import torch
    except ImportError:
        return "PyTorch is not installed (pip install 'nnscratch[compare]')"
    return None if torch.cuda.is_available() else "this PyTorch build sees no CUDA device"


def synchronize_torch() -> None:
    """Wait for PyTorch's queued CUDA work (timings end when the GPU is done)."""
    import torch

    torch.cuda.synchronize()


def section(title: str, ours: Run, theirs: Run, batches: Sequence[int]) -> list[dict[str, Any]]:
    """Print the GPU column for ``title`` and return its rows (empty when skipped)."""
    print(f"\n--device gpu, {title}, one epoch: nnscratch on CuPy, PyTorch on CUDA")
    reason = why_not()
    if reason is not None:
        print(f"  skipped: no GPU column on this machine ({reason})")
        return []
    torch_reason = torch_cuda_missing()
    rows = []
    for batch in batches:
        seconds, accuracy = ours(batch)
        row: dict[str, Any] = {"batch": batch, "nnscratch_s": seconds, "nnscratch_acc": accuracy}
        line = f"  batch {batch:>3}: nnscratch {seconds:.2f} s (test accuracy {accuracy:.4f})"
        if torch_reason is None:
            other, other_accuracy = theirs(batch)
            row.update(torch_s=other, torch_acc=other_accuracy)
            line += f", PyTorch {other:.2f} s ({other_accuracy:.4f}), ratio {seconds / other:.2f}"
        else:
            line += f"; PyTorch skipped ({torch_reason})"
        print(line)
        rows.append(row)
    return rows

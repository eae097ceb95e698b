"""Nothing lost at the end: signals, outputs that cannot be written, inputs too large.

Every case runs the real command in a subprocess, bounded in time:

* a killed parent (SIGKILL, SIGTERM) takes its worker processes with it; Ctrl-C sent to
  the parent's process alone ends the command promptly; Ctrl-C while a command is still
  importing its libraries is one line, not a traceback;
* an output folder that cannot be written (a file in the way, a read-only disk) is
  reported in one line before any training; a disk that fills up during the run still
  lets the results be printed first;
* huge sizes, a PNG declaring 100000 x 100000 pixels and an unreadable model file are one
  clear line each.

The disk cases mount a small tmpfs, which needs root (as in CI containers); elsewhere
they are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

ENV = {**os.environ, "MPLBACKEND": "Agg"}
LONG_SWEEP = ["sweep", "--hidden", "1", "3", "--passes", "400000", "--jobs", "2"]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nnscratch", *args]


def run(*args: str, timeout: float = 120, **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    env = {**ENV, **kwargs.pop("extra_env", {})}
    start = time.monotonic()
    done = subprocess.run(
        command(*args), capture_output=True, text=True, timeout=timeout, env=env, **kwargs
    )
    return done, time.monotonic() - start


def one_line(done: subprocess.CompletedProcess, status: int, *words: str) -> str:
    assert done.returncode == status, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- processes ----------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def started(args: list[str], lines: int = 1) -> subprocess.Popen:
    """Start a command in its own session; return once it printed ``lines`` on stderr."""
    proc = subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
        start_new_session=True,
    )  # fmt: skip
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    seen = 0
    while seen < lines and time.monotonic() < deadline:
        if selector.select(timeout=1):
            seen += bool(proc.stderr.readline())
    assert seen == lines, "the command printed nothing"
    return proc


@contextlib.contextmanager
def stopped_at_the_end(proc: subprocess.Popen):
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)  # reaps it and closes the pipes


needs_proc = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process table from /proc (Linux)"
)


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize(
    "args", [LONG_SWEEP, ["moons", "--passes", "400000"]], ids=["sweep", "moons"]
)
def test_workers_die_with_their_parent(args, sig, tmp_path):
    proc = started([*args, "--out", str(tmp_path), "--json"])
    with stopped_at_the_end(proc):
        deadline = time.monotonic() + 30
        workers = []
        while time.monotonic() < deadline and not workers:
            workers = children(proc.pid)
            time.sleep(0.2)
        assert workers, "no worker process started"
        os.kill(proc.pid, sig)  # the parent alone
        proc.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived their parent"


@needs_proc
def test_ctrl_c_to_the_parent_alone_ends_the_sweep_promptly(tmp_path):
    proc = started([*LONG_SWEEP, "--out", str(tmp_path), "--json"], lines=2)
    with stopped_at_the_end(proc):
        workers = children(proc.pid)
        start = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)  # not the process group: the workers get nothing
        out, err = proc.communicate(timeout=60)
        seconds = time.monotonic() - start
    assert proc.returncode == 130, err
    assert seconds < 30, f"took {seconds:.1f} s to stop"
    assert json.loads(out)["complete"] is False
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker ends last
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)]


def test_ctrl_c_while_a_command_is_still_loading_is_one_line(tmp_path):
    # compare shows its first progress line at once, then imports scikit-learn and
    # PyTorch for seconds: Ctrl-C lands in those imports.
    proc = started(["compare", "--out", str(tmp_path)])
    with stopped_at_the_end(proc):
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err.decode()
    assert err.decode().strip().splitlines()[-1] in (
        "nnscratch compare: interrupted",
        "nnscratch compare: interrupted while training nnscratch; the table shows the "
        "libraries that finished",
    )


# -- outputs ------------------------------------------------------------------------------
COMMANDS_WITH_OUT = [
    ["data"],
    ["moons", "--passes", "5000"],
    ["sweep", "--passes", "5000"],
    ["demo", "--passes", "5000"],
    ["compare", "--epochs", "5000"],
    ["mnist", "--data", "/no/mnist/here.pkl.gz"],  # the output is checked before the data
]


@pytest.mark.parametrize("args", COMMANDS_WITH_OUT, ids=lambda a: a[0])
def test_out_naming_a_file_is_refused_before_any_work(args, tmp_path):
    taken = tmp_path / "results.txt"
    taken.write_text("not a folder")
    done, seconds = run(*args, "--out", str(taken))
    one_line(done, 2, "--out", str(taken), "is a file")
    assert seconds < 20 and taken.read_text() == "not a folder"


def test_mnist_out_and_save_are_checked_before_loading_anything(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("x")
    missing_data = str(tmp_path / "no-mnist-here.pkl.gz")
    done, _ = run("mnist", "--out", str(taken), "--data", missing_data)
    one_line(done, 2, "--out", "is a file")
    done, _ = run("mnist", "--save", str(taken / "net.json"), "--data", missing_data)
    one_line(done, 2, "--save")


def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/proc/mounts").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a fresh tmpfs; ``small_disk(options)`` mounts it and returns it."""
    if not can_mount():
        pytest.skip("mounting a small tmpfs needs root (run the suite as root, e.g. in CI)")
    mounted = []

    def mount(options: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, timeout=30)


@pytest.mark.parametrize("args", COMMANDS_WITH_OUT, ids=lambda a: a[0])
def test_a_read_only_disk_is_refused_in_a_second(args, small_disk):
    disk = small_disk("ro,size=1m")
    done, seconds = run(*args, "--out", str(disk / "figures"))
    one_line(done, 2, "--out", str(disk / "figures"), "Read-only file system")
    assert seconds < 20


def test_a_full_disk_still_lets_compare_print_its_table(small_disk):
    disk = small_disk("size=64k")
    args = ["compare", "--epochs", "200", "--libraries", "nnscratch,scikit-learn"]
    done, _ = run(*args, "--out", str(disk))
    assert done.returncode == 1, done.stderr
    assert "library" in done.stdout and "nnscratch" in done.stdout  # the table came first
    assert "decision boundaries:" not in done.stdout
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("nnscratch compare: error: cannot write ")
    assert "No space left on device" in error and "Traceback" not in done.stderr
    assert [p.name for p in disk.iterdir()] == []  # no half-written file left


def test_a_full_disk_still_lets_sweep_print_its_table(small_disk):
    disk = small_disk("size=64k")
    done, _ = run("sweep", "--hidden", "1", "2", "--passes", "300", "--out", str(disk))
    assert done.returncode == 1, done.stderr
    rows = [line.split()[0] for line in done.stdout.splitlines()[2:4]]
    assert rows == ["1", "2"]
    assert "No space left on device" in done.stderr.strip().splitlines()[-1]
    assert [p.name for p in disk.iterdir()] == []


# -- inputs too large or unreadable ---------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["moons", "--hidden", "10000000000"],
        ["sweep", "--hidden", "3", "100000000000"],
        ["mnist", "--sizes", "784", "1000000000", "10"],
    ],
    ids=["moons", "sweep", "mnist"],
)
def test_sizes_that_cannot_fit_are_one_line(args, tmp_path):
    done, seconds = run(*args, "--out", str(tmp_path / "out"), timeout=60)
    one_line(done, 2, "needs about", "of memory", "available")
    assert seconds < 20


def huge_png(path: Path) -> Path:
    """A tiny PNG whose header declares 100000 x 100000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture
def saved_network(tmp_path):
    from nnscratch.nielsen import Network

    path = tmp_path / "net.json"
    Network([784, 5, 10]).save(path)
    return path


def test_a_png_declaring_ten_billion_pixels_is_refused_before_decoding(saved_network, tmp_path):
    image = huge_png(tmp_path / "huge.png")
    done, seconds = run("predict", "--model", str(saved_network), str(image), timeout=60)
    one_line(done, 2, "huge.png", "10,000,000,000 pixels")
    assert seconds < 20


def test_an_unreadable_model_file_is_one_line(saved_network, tmp_path, monkeypatch, capsys):
    image = huge_png(tmp_path / "digit.png")
    locked = tmp_path / "locked.json"
    locked.write_bytes(saved_network.read_bytes())
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked.chmod(0)
        done, _ = run("predict", "--model", str(locked), str(image), timeout=60)
        one_line(done, 2, "--model", "locked.json", "cannot read it (Permission denied)")
        return
    # root reads every file: make the open fail the way it fails for anyone else
    import nnscratch.untrusted
    from nnscratch.cli import main

    def refuse(path, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(nnscratch.untrusted, "open_regular", refuse)
    assert main(["predict", "--model", str(locked), str(image)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"nnscratch predict: error: --model {locked}: cannot read it (Permission denied)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_fifo_as_model_does_not_hang(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    done, seconds = run("predict", "--model", str(fifo), str(tmp_path / "x.png"), timeout=60)
    one_line(done, 2, "--model", "FIFO")
    assert seconds < 20


@pytest.fixture
def tiny_mnist(tmp_path):
    """A file in the format of the book's mnist.pkl.gz, with random pixels (fast)."""
    import gzip
    import pickle

    import numpy as np

    rng = np.random.RandomState(0)
    parts = tuple(
        (rng.uniform(0, 1, (n, 784)).astype(np.float32), rng.randint(0, 10, n))
        for n in (200, 20, 50)
    )
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as handle:
        pickle.dump(parts, handle, protocol=2)
    return path


def test_a_full_disk_still_lets_mnist_print_its_result(small_disk, tiny_mnist, tmp_path):
    disk = small_disk("size=64k")
    args = ["mnist", "--data", str(tiny_mnist), "--epochs", "1"]
    outputs = ["--out", str(disk / "figures"), "--save", str(disk / "net.json")]
    done, _ = run(*args, *outputs, extra_env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1].startswith("best test accuracy ")  # printed first
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert errors and all("No space left on device" in line for line in errors)
    assert "cannot save the network to" in errors[0]
    assert "Traceback" not in done.stderr

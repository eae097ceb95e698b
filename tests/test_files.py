"""The one atomic write (nnscratch.files): all or nothing, the target named in errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from nnscratch.files import atomic_write, writable_folder


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "a.bin"
    atomic_write(target, lambda f: f.write(b"one"))
    atomic_write(target, lambda f: f.write(b"two"))
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_a_failing_writer_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def boom(f):
        f.write("half")
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        atomic_write(target, boom, text=True)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_long_name_fits(tmp_path):
    target = tmp_path / ("m" * 240 + ".nnscratch")  # 250 characters: legal
    atomic_write(target, lambda f: f.write(b"x"))
    assert target.read_bytes() == b"x"


def test_the_umask_is_respected_and_a_replaced_mode_kept(tmp_path):
    old = os.umask(0o022)
    try:
        fresh = atomic_write(tmp_path / "fresh", lambda f: f.write(b"x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    kept = tmp_path / "kept"
    kept.write_bytes(b"")
    kept.chmod(0o640)
    atomic_write(kept, lambda f: f.write(b"y"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_errors_name_the_target(tmp_path):
    target = tmp_path / "missing-folder" / "a.bin"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(target, lambda f: f.write(b"x"))
    assert info.value.filename == str(target)
    made = atomic_write(target, lambda f: f.write(b"x"), make_folders=True)
    assert made.read_bytes() == b"x"


def test_a_temp_file_of_a_killed_writer_is_cleaned_up(tmp_path):
    # A process that dies (SIGKILL) mid-write leaves its temp file; its pid is gone.
    code = (
        "import os, sys, signal\n"
        "from nnscratch.files import atomic_write\n"
        "def w(f):\n"
        "    f.write(b'x' * 1000); f.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
        f"atomic_write({str(tmp_path / 'big.bin')!r}, w)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".nnscratch-tmp-")]
    assert len(leftovers) == 1
    atomic_write(tmp_path / "other.bin", lambda f: f.write(b"y"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.bin"]


def test_writable_folder(tmp_path):
    assert writable_folder(tmp_path / "new" / "deep").is_dir()
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        writable_folder(a_file, "output folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_writable_folder_refuses_a_read_only_one(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="cannot write into the output folder"):
            writable_folder(ro)
    finally:
        ro.chmod(0o700)

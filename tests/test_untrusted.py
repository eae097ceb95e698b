"""Untrusted files: FIFOs, devices, bombs, deep JSON, huge declared sizes, all refused fast."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from nnscratch import untrusted as U
from nnscratch.untrusted import UntrustedFileError

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")


@contextlib.contextmanager
def within(seconds: float):
    """Fail (instead of hanging) if the block takes longer than ``seconds``; check it too."""
    start = time.monotonic()
    if hasattr(signal, "setitimer"):

        def stop(signum, frame):
            raise TimeoutError(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, 10 * seconds)  # the hard stop, generous
    try:
        yield
    finally:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s, more than {seconds} s"


def refused(match: str, seconds: float = 1.0):
    """Expect an UntrustedFileError matching ``match`` within ``seconds``."""
    stack = contextlib.ExitStack()
    stack.enter_context(within(seconds))
    stack.enter_context(pytest.raises(UntrustedFileError, match=match))
    return stack


def gzip_bomb(total: int, piece: int = 1 << 20) -> bytes:
    """Gzip members of ``piece`` zero bytes, repeated: ``total`` bytes once inflated."""
    member = gzip.compress(bytes(piece), compresslevel=9, mtime=0)
    return member * (total // piece)


# ---------------------------------------------------------------------------------------
# open_regular / read_bytes
# ---------------------------------------------------------------------------------------


@posix_only
def test_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with refused(r"file .*pipe: is a FIFO \(named pipe\); expected a regular file"):
        U.open_regular(fifo, what="file", max_bytes=100)
    with refused("FIFO"):
        U.read_bytes(fifo, what="file", max_bytes=100)


@posix_only
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_devices_directories_and_sockets_are_refused(tmp_path):
    with refused(r"model file /dev/zero: is a character device; expected a regular file"):
        U.read_bytes("/dev/zero", what="model file", max_bytes=10**12)
    link = tmp_path / "zero.nnscratch"
    link.symlink_to("/dev/zero")
    with refused("is a character device"):
        U.read_bytes(link, what="model file", max_bytes=10**12)
    with refused("is a directory"):
        U.read_bytes(tmp_path, what="CSV file", max_bytes=100)
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with refused("is a socket"):
            U.read_bytes(sock_path, what="CSV file", max_bytes=100)


def test_size_cap_and_missing_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 101)
    with refused(r"data .*f\.bin: is 101 bytes; at most 100 bytes"):
        U.read_bytes(path, what="data", max_bytes=100)
    assert U.read_bytes(path, what="data", max_bytes=101) == b"x" * 101
    with pytest.raises(FileNotFoundError):
        U.read_bytes(tmp_path / "missing", what="data", max_bytes=100)
    with pytest.raises(ValueError, match="max_bytes must be an integer >= 0"):
        U.read_bytes(path, what="data", max_bytes=-1)


def test_a_file_growing_while_read_stops_at_the_cap(tmp_path):
    path = tmp_path / "growing"
    path.write_bytes(b"a" * 1000)
    with U.open_regular(path, what="log", max_bytes=1500) as stream:
        assert stream.read(10) == b"a" * 10
        with path.open("ab") as writer:  # another process appends meanwhile
            writer.write(b"b" * 10_000)
        with refused("grew while being read; at most 1.5 KiB"):
            stream.read()


def test_the_stream_seeks_and_reads_in_pieces(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * 4)
    with U.open_regular(path, what="f", max_bytes=1024) as stream:
        stream.seek(1000)
        assert stream.read(100) == (bytes(range(256)) * 4)[1000:]
        stream.seek(0)
        assert stream.read(3) == b"\0\1\2" and stream.tell() == 3


# ---------------------------------------------------------------------------------------
# gzip
# ---------------------------------------------------------------------------------------


def test_gzip_bomb_stops_at_the_cap():
    bomb = gzip_bomb(2**31)  # 2 GiB of zeros in about 2 MB
    assert len(bomb) < 5 * 2**20
    with refused(r"upload: decompresses past the limit; at most 1 MiB once decompressed"):
        U.gunzip(bomb, what="upload", max_bytes=2**20)
    with (
        refused("decompresses past the limit"),
        U.open_gunzip(io.BytesIO(bomb), what="upload", max_bytes=2**20) as stream,
    ):
        while stream.read(1 << 16):
            pass


def test_gzip_members_truncation_and_garbage():
    two = gzip.compress(b"hello ") + gzip.compress(b"world")
    assert U.gunzip(two, what="g", max_bytes=11) == b"hello world"
    assert U.gunzip(io.BytesIO(two), what="g", max_bytes=100) == b"hello world"
    with refused(r"g: is corrupt or truncated gzip data \(Compressed file ended"):
        U.gunzip(two[:-4], what="g", max_bytes=100)
    with refused("is corrupt or truncated gzip data"):
        U.gunzip(b"\x1f\x8b\x08\x00 this is no deflate stream", what="g", max_bytes=100)
    with refused("is corrupt or truncated gzip data"):
        U.gunzip(two + b"garbage!", what="g", max_bytes=100)


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="measures the address space in /proc (Linux)"
)
def test_memory_stays_bounded_under_an_address_space_limit(tmp_path):
    # A child process whose address space is limited to what it uses plus 400 MiB reads a
    # 4 GiB gzip bomb, a 256 TiB .npy header, a zip declaring 4 GiB and 200,000-deep JSON:
    # each must be refused (not a MemoryError) and quickly.
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip_bomb(2**32, piece=4 << 20))
    script = textwrap.dedent(
        f"""
        import io, resource, time, zipfile
        import numpy as np
        from nnscratch import untrusted as U

        def vm_size():
            for line in open("/proc/self/status"):
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
        limit = vm_size() + 400 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            np.ones(2**29)  # 4 GiB: the limit is real
        except MemoryError:
            print("limited")

        def attempt(name, call):
            start = time.monotonic()
            try:
                call()
            except U.UntrustedFileError as exc:
                print(name, "refused", round(time.monotonic() - start, 2), exc)
            except MemoryError:
                print(name, "MemoryError")

        with U.open_regular({str(bomb)!r}, what="bomb", max_bytes=2**26) as f:
            attempt("gzip", lambda: U.gunzip(f, what="bomb", max_bytes=2**26))
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {{"descr": "<f8", "fortran_order": False, "shape": (2**45,)}})
        header.seek(0)
        attempt("npy", lambda: U.read_npy(header, what="npy", max_bytes=2**26))
        attempt("json", lambda: U.load_json("[" * 200000 + "]" * 200000, what="json",
                                            max_bytes=2**20))
        """
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "limited", result.stdout
    for name in ("gzip", "npy", "json"):
        line = next(line for line in lines if line.startswith(name + " "))
        assert " refused " in line, line
        assert float(line.split()[2]) < 5.0, line  # 64 MiB of inflation at most, for gzip


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def test_deep_json_is_refused_before_parsing():
    deep = "[" * 200_000 + "]" * 200_000
    with refused(r"net\.json: is nested 200000 levels deep; at most 64 levels are accepted"):
        U.load_json(deep, what="net.json", max_bytes=10**6)
    deep_object = '{"a":' * 200_000 + "1" + "}" * 200_000
    with refused("nested 200000 levels"):
        U.load_json(deep_object.encode(), what="net.json", max_bytes=10**7)
    nested = U.load_json("[" * 64 + "]" * 64, what="j", max_bytes=1000)  # 64 is allowed
    for _ in range(63):
        (nested,) = nested
    assert nested == []
    # Brackets inside strings are text, not nesting.
    assert U.load_json('["[[[[", {"k": "}}\\"]]"}]', what="j", max_bytes=100, max_depth=2) == [
        "[[[[",
        {"k": '}}"]]'},
    ]
    assert U.json_depth(b"[" * 65 + b"]" * 65) == 65
    with refused("nested 65 levels deep"):
        U.load_json("[" * 65 + "]" * 65, what="j", max_bytes=1000)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"w": NaN}', "holds NaN; expected only finite numbers"),
        ('{"w": Infinity}', "holds Infinity"),
        ("[-Infinity]", "holds -Infinity"),
        ("[1e400]", "holds the number 1e400, too large for a float"),
        ("[" + "9" * 5000 + "]", "holds an integer of 5,000 digits; at most 64 digits"),
        ('{"iterations": 1' + "0" * 400 + "}", "integer of 401 digits"),
        ('{"a": 1,}', r"is not valid JSON \(Expecting property name .* line 1, column 9\)"),
        ("", r"is not valid JSON \(Expecting value at line 1, column 1\)"),
    ],
)
def test_json_numbers_and_syntax(text, match):
    with refused(match):
        U.load_json(text, what="config.json", max_bytes=10**6)


def test_json_size_and_encoding():
    assert U.load_json(b'\xef\xbb\xbf{"a": [1, 2.5, "\xc3\xa9"]}', what="j", max_bytes=100) == {
        "a": [1, 2.5, "é"]
    }
    with refused(r"j: is 101 characters; at most 100 bytes"):
        U.load_json(" " * 101, what="j", max_bytes=100)
    with refused(r"j: is 101 bytes; at most 100 bytes"):
        U.load_json(b" " * 101, what="j", max_bytes=100)
    with refused(r"j: is not UTF-8 \(byte 7"):
        U.load_json(b'{"a": "\xff"}', what="j", max_bytes=100)
    with pytest.raises(ValueError, match=r"max_depth must be an integer in 1\.\.500"):
        U.load_json("[]", what="j", max_bytes=100, max_depth=10_000)


# ---------------------------------------------------------------------------------------
# zip archives
# ---------------------------------------------------------------------------------------


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_sizes(data: bytes, size: int, *, local: bool = True) -> bytes:
    """Make every member declare ``size`` uncompressed bytes (central directory and,
    with ``local``, the local headers)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        if signature == b"PK\x03\x04" and not local:
            continue
        start = 0
        while (start := out.find(signature, start)) != -1:
            out[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(out)


def test_zip_declared_sizes_are_capped_before_inflating():
    data = make_zip({"config.json": b"{}", "weights.npz": b"w" * 1000})
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = U.check_zip(
        archive, what="m.nnscratch", max_member_bytes=1000, max_total_bytes=1002,
        names={"config.json", "weights.npz"},
    )  # fmt: skip
    assert [i.filename for i in infos] == ["config.json", "weights.npz"]
    with refused(r"m: member 'weights\.npz' declares 1,000 bytes; at most 999 bytes per member"):
        U.check_zip(archive, what="m", max_member_bytes=999, max_total_bytes=10**6)
    with refused(r"m: declares more than 1,001 bytes in all"):
        U.check_zip(archive, what="m", max_member_bytes=1000, max_total_bytes=1001)
    with refused(r"m: has an unexpected member 'weights\.npz'; expected config\.json"):
        U.check_zip(archive, what="m", max_member_bytes=10**6, max_total_bytes=10**6,
                    names={"config.json"})  # fmt: skip
    with refused(r"m: has 2 members; at most 1 are accepted"):
        U.check_zip(archive, what="m", max_member_bytes=10**6, max_total_bytes=10**6,
                    max_members=1)  # fmt: skip

    # A member declaring 4 GiB (a zip bomb's central directory) is refused at once.
    huge = zipfile.ZipFile(io.BytesIO(patch_sizes(data, 2**32 - 2, local=False)))
    with refused(r"declares 4\.0 GiB"):
        U.check_zip(huge, what="m", max_member_bytes=2**30, max_total_bytes=2**31)


def test_a_real_zip_bomb_and_a_member_that_lies():
    bomb = make_zip({"weights.npz": bytes(50 * 2**20)})  # 50 MiB of zeros, about 50 kB
    assert len(bomb) < 200_000
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    with refused("declares 50 MiB"):
        U.check_zip(archive, what="m", max_member_bytes=2**20, max_total_bytes=2**20)
    with refused("declares 50 MiB; at most 1 MiB"):
        U.open_member(archive, "weights.npz", what="m", max_bytes=2**20)
    # Declaring 100 bytes for 50 MiB: zipfile yields only the declared bytes, then the
    # CRC does not match.
    liar = zipfile.ZipFile(io.BytesIO(patch_sizes(bomb, 100)))
    U.check_zip(liar, what="m", max_member_bytes=100, max_total_bytes=100)
    with refused(r"m, member 'weights\.npz': is corrupt \(Bad CRC-32"):
        with U.open_member(liar, "weights.npz", what="m", max_bytes=100) as member:
            member.read()
    with refused(r"m: has no member 'other'"):
        U.open_member(liar, "other", what="m", max_bytes=100)


def test_duplicate_and_encrypted_members():
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a", b"1")
            archive.writestr("a", b"2")
    twice = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with refused(r"has the member 'a' twice"):
        U.check_zip(twice, what="m", max_member_bytes=10, max_total_bytes=10)
    data = bytearray(make_zip({"a": b"1"}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1  # the "encrypted" flag bit
    with refused("has an encrypted member 'a'"):
        U.check_zip(zipfile.ZipFile(io.BytesIO(bytes(data))), what="m", max_member_bytes=10,
                    max_total_bytes=10)  # fmt: skip


# ---------------------------------------------------------------------------------------
# .npy and .npz
# ---------------------------------------------------------------------------------------


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header_only(shape, descr="<f8") -> io.BytesIO:
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    buffer.seek(0)
    return buffer


def test_npy_header_and_a_256_tib_declaration():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    stream = io.BytesIO(npy_bytes(a))
    shape, dtype, fortran = U.npy_header(stream, what="a.npy")
    assert (shape, dtype, fortran) == ((3, 4), np.dtype("<f4"), False)
    assert stream.tell() == 128  # left at the data
    with refused(r"w: declares an array of shape \(35184372088832,\) float64: 256 TiB; at most"):
        U.read_npy(npy_header_only((2**45,)), what="w", max_bytes=2**30)
    with refused(r"declares an array of shape \(1000, 1000\) float64: 7\.6 MiB; at most 1 MiB"):
        U.check_array_size((1000, 1000), np.float64, what="w", max_bytes=2**20)
    with refused("declares the shape"):
        U.check_array_size((3, -1), np.float64, what="w", max_bytes=2**20)


def test_read_npy_reads_exactly_the_declared_array():
    for a in (
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3)),
        np.array(3.5),
        np.zeros((0, 5)),
    ):
        back = U.read_npy(io.BytesIO(npy_bytes(a)), what="a", max_bytes=1000)
        np.testing.assert_array_equal(back, a)
        assert back.dtype == a.dtype and back.flags.writeable
    good = npy_bytes(np.arange(10.0))
    with refused(r"a: is truncated: 40 of 80 bytes of the array"):
        U.read_npy(io.BytesIO(good[:-40]), what="a", max_bytes=1000)
    with refused("has bytes after the array"):
        U.read_npy(io.BytesIO(good + b"x"), what="a", max_bytes=1000)
    with refused(r"holds Python objects \(dtype object\)"):
        U.read_npy(npy_header_only((3,), descr="|O"), what="a", max_bytes=1000)
    with refused("has no valid .npy header"):
        U.read_npy(io.BytesIO(b"not an npy file at all"), what="a", max_bytes=1000)
    big_header = io.BytesIO()
    np.lib.format.write_array_header_2_0(
        big_header, {"descr": "<f8", "fortran_order": False, "shape": (1,) * 2000}
    )
    big_header.seek(0)
    with refused("has no valid .npy header"):
        U.read_npy(big_header, what="a", max_bytes=1000)


def test_load_npz(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, kernel=np.ones((3, 2)), bias=np.zeros(2, np.float32))
    arrays = U.load_npz(path, what="weights", max_array_bytes=48, max_total_bytes=56,
                        names={"kernel", "bias"})  # fmt: skip
    assert list(arrays) == ["kernel", "bias"]
    np.testing.assert_array_equal(arrays["kernel"], np.ones((3, 2)))
    with refused(r"weights .*w\.npz, array 'kernel': declares an array of shape \(3, 2\)"):
        U.load_npz(path, what="weights", max_array_bytes=47, max_total_bytes=10**6)
    with refused(r"has an unexpected member 'kernel\.npy'; expected bias\.npy"):
        U.load_npz(path, what="weights", max_array_bytes=100, max_total_bytes=100,
                   names={"bias"})  # fmt: skip
    (tmp_path / "no.npz").write_bytes(b"PK\x03\x04 not really")
    with refused(r"is not an \.npz \(zip\) archive"):
        U.load_npz(tmp_path / "no.npz", what="weights", max_array_bytes=10, max_total_bytes=10)
    # A stream works too (a member of an outer archive).
    outer = zipfile.ZipFile(io.BytesIO(make_zip({"weights.npz": path.read_bytes()})))
    with U.open_member(outer, "weights.npz", what="m", max_bytes=10**6) as member:
        inner = U.load_npz(member, what="weights.npz in m", max_array_bytes=100,
                           max_total_bytes=100)  # fmt: skip
    np.testing.assert_array_equal(inner["bias"], np.zeros(2))


# ---------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels (its data is not even there)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


def test_images_are_sized_before_decoding(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    small = tmp_path / "digit.png"
    Image.new("L", (28, 28)).save(small)
    assert U.check_image_pixels(small, max_pixels=784) == (28, 28)
    with refused(r"image .*digit\.png: is 28x28 = 784 pixels; at most 783 pixels"):
        U.check_image_pixels(small, max_pixels=783)

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(100_000, 100_000))
    with refused(r"image .*bomb\.png: declares 10,000,000,000 pixels; at most 4,000,000"):
        U.check_image_pixels(bomb, max_pixels=4_000_000)
    medium = tmp_path / "medium.png"
    medium.write_bytes(png_header(5000, 5000))
    with refused(r"is 5000x5000 = 25,000,000 pixels"):
        U.open_image(medium, what="image", max_pixels=1_000_000, max_bytes=10**6)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(UntrustedFileError, match="is not an image Pillow can read") as caught:
        U.check_image_pixels(text, max_pixels=10**6)
    assert "notes.png" in str(caught.value) and "BytesIO" not in str(caught.value)


def test_the_error_survives_pickling_and_is_a_value_error():
    import pickle

    err = UntrustedFileError("CSV file a.csv", "is a FIFO (named pipe)", "expected a regular file")
    back = pickle.loads(pickle.dumps(err))
    assert (
        str(back) == str(err) == "CSV file a.csv: is a FIFO (named pipe); expected a regular file"
    )
    assert isinstance(back, ValueError) and back.accepted == "expected a regular file"
    assert json.dumps(str(err))  # one plain line

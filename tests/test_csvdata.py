"""CSV points: header optional, clear per-line errors, strict numbers, bounded files."""

import io
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest

from nnscratch.data import load_csv, moons
from nnscratch.data.csvdata import is_header, parse_number
from nnscratch.untrusted import UntrustedFileError


def test_reads_points_with_and_without_header(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n0.5,-1.25,1\n\n# a comment\n 2 , 3e-1 , 0\n-7,8,2.0\n")
    X, y = load_csv(path)
    np.testing.assert_array_equal(X, [[0.5, -1.25], [2.0, 0.3], [-7.0, 8.0]])
    np.testing.assert_array_equal(y, [1, 0, 2])
    assert X.dtype == np.float64 and y.dtype == np.int64

    path.write_text("0.5,-1.25,1\r\n2,0.3,0\r\n")  # no header, Windows line ends
    X, y = load_csv(path)
    assert X.shape == (2, 2) and y.tolist() == [1, 0]


def test_round_trip_of_a_toy_data_set_and_options(tmp_path):
    X, y = moons(50, seed=1)
    path = tmp_path / "moons.csv"
    lines = ["x1;x2;label"] + [f"{float(a)!r};{float(b)!r};{c}" for (a, b), c in zip(X, y)]
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")  # with a byte-order mark
    X2, y2 = load_csv(path, delimiter=";", dtype=np.float32)
    np.testing.assert_array_equal(X2, X.astype(np.float32))
    np.testing.assert_array_equal(y2, y)
    assert X2.dtype == np.float32


def test_more_feature_columns_and_streams():
    X, y = load_csv(io.StringIO("a,b,c,label\n1,2,3,4\n"))
    assert X.shape == (1, 3) and y.tolist() == [4]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x1,x2,label\n1,2,0\n3,4\n", r"line 3: expected 3 fields \(x1, x2, label\), got 2"),
        ("1,2,0\n1,2,0,5\n", r"line 2: expected 3 fields"),
        ("x1,x2,label\n1,abc,0\n", r"line 2: field 2 \('abc'\) is not a number"),
        ("1,2,0\n0.5,nan,1\n", r"line 2: field 2 is 'nan'; expected a finite number"),
        ("1,inf,0\n", r"line 1: field 2 is 'inf'"),
        ("1,2,0\n\n1,2,1.5\n", r"line 3: the label '1.5' must be a whole number >= 0"),
        ("1,2,-1\n", r"line 1: the label '-1' must be a whole number >= 0"),
        ("1,2,cat\n", r"line 1: the label 'cat' is not a number"),
        ("1,oops,0\n2,3,1\n", r"line 1: field 2 \('oops'\) is not a number"),  # not a header
        ("x1,x2,label\n", r"no data rows"),
        ("", r"no data rows"),
        ("5\n", r"line 1: expected at least 2 fields"),
        ("label\n1\n", r"line 1: the header has 1 column"),
    ],
)
def test_errors_name_the_line(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as info:
        load_csv(path)
    assert str(path) in str(info.value)


def test_bad_arguments():
    with pytest.raises(ValueError, match="delimiter must be a single character"):
        load_csv(io.StringIO("1,2,0\n"), delimiter=",,")
    with pytest.raises(ValueError, match="floating-point dtype"):
        load_csv(io.StringIO("1,2,0\n"), dtype=np.int32)
    with pytest.raises(FileNotFoundError):
        load_csv("/nonexistent/points.csv")


# ---------------------------------------------------------------------------------------
# Strict numbers, the header decision, and files that are not what they seem
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0.0), ("-1.5", -1.5), ("+2", 2.0), (".5", 0.5), ("7.", 7.0), ("1e3", 1000.0),
     ("-2.5E-2", -0.025), ("007", 7.0)],
)  # fmt: skip
def test_parse_number_accepts_plain_decimal_notation(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["1_000", "\u0661\u0662", "\uff11", "0x10", "1e", "e5", "--1", "+-1", "1.2.3", " 1", "1 ",
     "", ".", "1,5", "½", "١.٥"],
)  # fmt: skip
def test_parse_number_refuses_everything_else(text):
    assert parse_number(text) is None


def test_non_finite_words_are_numbers_so_that_they_are_refused_as_such():
    assert math.isnan(parse_number("NaN")) and parse_number("-inf") == -math.inf
    assert parse_number("1e999") == math.inf  # too large: refused as not finite below
    assert not is_header(["1", "nan", "0"], where="w")


def test_is_header_decides_and_reports_a_mixed_first_row():
    assert is_header(["x1", "x2", "label"], where="w")
    assert is_header(["1_000", "x", "y"], where="w")  # no field is a number
    assert not is_header(["0.5", "-1", "1"], where="w")
    with pytest.raises(ValueError, match=r"^up\.csv, line 3: field 2 \('oops'\) is not a number$"):
        is_header(["1", "oops", "0"], where="up.csv, line 3")
    with pytest.raises(ValueError, match=r"^w: the label 'cat' is not a number$"):
        is_header(["1", "2", "cat"], where="w")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x1,x2,label\n1_000,2,0\n", r"line 2: field 1 \('1_000'\) is not a number"),
        ("1,2,0\n\u0661,2,0\n", r"line 2: field 1 \('\u0661'\) is not a number"),
        ("1,2,0\n1,2,\u0661\n", r"line 2: the label '\u0661' is not a number"),
        ("1,2,0\n0x10,2,0\n", r"line 2: field 1 \('0x10'\) is not a number"),
        ("1_000,2,0\n", r"line 1: field 1 \('1_000'\) is not a number"),  # not a header either
        ("1,1e999,0\n", r"line 1: field 2 is '1e999'; expected a finite number"),
    ],
)
def test_numbers_parse_strictly(tmp_path, text, match):
    path = tmp_path / "strict.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_csv(path)


def test_undecodable_bytes_name_the_file_and_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"x1,x2,label\n1,2,0\n1,2\xe9,1\n")
    with pytest.raises(ValueError, match=r"latin1\.csv, line 3: byte 4 \(b'\\xe9'\) is not UTF-8"):
        load_csv(path)


def test_a_field_over_the_csv_limit_is_a_clear_error(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("1,2,0\n1," + "9" * 200_000 + ",0\n")
    with pytest.raises(ValueError, match=r"long\.csv, line 2: field 2 is 200,000 characters long"):
        load_csv(path)
    path.write_text('1,2,0\n1,"2,0\n')  # an unclosed quote keeps the rest of the line
    with pytest.raises(ValueError, match=r"line 2: expected 3 fields \(x1, x2, label\), got 2"):
        load_csv(path)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")
def test_fifos_devices_and_oversized_files_are_refused_at_once(tmp_path):
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(UntrustedFileError, match=r"CSV file .*points\.csv: is a FIFO"):
        load_csv(fifo)
    if Path("/dev/zero").exists():
        with pytest.raises(UntrustedFileError, match="CSV file /dev/zero: is a character device"):
            load_csv("/dev/zero")
    assert time.monotonic() - start < 1.0
    big = tmp_path / "big.csv"
    big.write_text("1,2,0\n" * 100)
    with pytest.raises(ValueError, match=r"big\.csv: is 600 bytes; at most 599 bytes"):
        load_csv(big, max_bytes=599)
    assert load_csv(big, max_bytes=600)[0].shape == (100, 2)


def test_binary_streams_and_every_line_ending():
    X, y = load_csv(io.BytesIO(b"\xef\xbb\xbfx1,x2,label\r0.5,1,0\r\n2,3,1\n"))
    assert X.tolist() == [[0.5, 1.0], [2.0, 3.0]] and y.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"<stream>, line 3: field 1 \('x'\) is not a number"):
        load_csv(io.StringIO("1,2,0\r2,3,1\rx,1,0\n"))

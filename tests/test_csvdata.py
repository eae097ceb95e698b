"""CSV points: header optional, clear per-line errors."""

import io

import numpy as np
import pytest

from nnscratch.data import load_csv, moons


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

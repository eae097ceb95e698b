"""Tables of numbers and booleans as inputs: ``np.asarray`` of a pandas table with float
and bool columns (``pd.get_dummies`` makes them) is an object array, which ``fit``,
``predict`` and ``Normalization.adapt`` take as numbers; anything else in an object array
is refused with the value that is not a number."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import Sequential
from nnscratch.layers import Dense, Normalization


def table() -> np.ndarray:
    values = np.empty((30, 3), dtype=object)
    values[:, 0] = np.linspace(0.0, 3.0, 30).tolist()
    values[:, 1] = [bool(i % 2) for i in range(30)]
    values[:, 2] = [i % 3 == 0 for i in range(30)]
    return values


def test_a_table_of_numbers_and_booleans_is_numeric():
    x = table()
    as_float = x.astype(float)
    norm = Normalization()
    norm.adapt(x)
    np.testing.assert_array_equal(norm.mean, as_float.mean(axis=0))
    model = Sequential([norm, Dense(1)], seed=0)
    model.compile("sgd", "mse")
    y = as_float[:, 0] * 2
    model.fit(x, y, epochs=2, batch_size=10)
    np.testing.assert_array_equal(model.predict(x), model.predict(as_float))


def test_pandas_get_dummies():
    pd = pytest.importorskip("pandas")
    frame = pd.get_dummies(
        pd.DataFrame({"origin": ["USA", "Europe", "Japan"] * 10, "hp": np.arange(30.0)}),
        columns=["origin"],
    )
    model = Sequential([Dense(1, input_dim=4)], seed=0)
    model.compile("sgd", "mse")
    model.fit(frame, np.arange(30.0), epochs=1, batch_size=10)
    np.testing.assert_array_equal(model.predict(frame), model.predict(frame.astype(float)))


@pytest.mark.parametrize(
    ("odd", "says"),
    [
        ("a", "holding 'a' \\(str\\)"),
        ("1.5", "holding '1.5' \\(str\\)"),
        (None, "holding None \\(NoneType\\)"),
    ],
)
def test_anything_else_is_named(odd, says):
    x = table()
    x[4, 1] = odd
    model = Sequential([Dense(1, input_dim=3)], seed=0)
    with pytest.raises(TypeError, match=f"x must be numeric, got an object array {says}"):
        model.predict(x)
    with pytest.raises(TypeError, match=r"Normalization\.adapt needs a non-empty numeric array"):
        Normalization().adapt(x)


def test_a_table_of_the_wrong_width_says_so():
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    with pytest.raises(ValueError, match="x has 3 features but the model expects 2"):
        model.predict(table())

"""The saved notebooks show a learner the tutorials' lines, not Keras' per-step lines.

``notebooks/01_article*.ipynb`` were saved while the article's runs printed
``1/1 - 0s - 384us/step - loss: 0.4324`` (``Sequential.evaluate(verbose="auto")`` prints in
Jupyter) between the article's "Loss after iteration" lines: hundreds of lines per cell on
GitHub. The runs call ``evaluate(..., verbose=0)`` now, and the notebooks were saved
again; this keeps them that way.
"""

import nbformat
import pytest

from test_notebooks import LANGUAGES, NAMES, notebook_path


def step_lines(name: str, lang: str) -> list[str]:
    nb = nbformat.read(notebook_path(name, lang), as_version=4)
    return [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "stream"
        for line in out.get("text", "").splitlines()
        if "/step - loss" in line
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_saved_outputs_have_no_keras_step_lines(name, lang):
    assert step_lines(name, lang) == []

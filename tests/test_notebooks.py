"""The notebooks the site offers: a teacher can run them anywhere.

The conversion itself (``book/_ext/booksite/teacher.py``) is checked on small
cells; then every notebook of the built site is run from top to bottom in a
fresh kernel that cannot import myst-nb or Sphinx.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from booksite.teacher import References, convert_code, convert_markdown

# --- the conversion ------------------------------------------------------------


def test_glue_calls_and_checks_go_and_the_rest_stays() -> None:
    source = (
        "%config InlineBackend.figure_formats = ['svg', 'png']\n"
        "from myst_nb import glue\n"
        "n = 3\n"
        'glue("n", n, display=False)\n'
        "assert n == 3\n"
        "for k in range(2):\n"
        "    assert k < n\n"
        "if n:\n"
        '    glue("m", n + 1, display=False)\n'
        "    m = n + 1\n"
        'glue("shown", n * 2)\n'
        "n"
    )
    code = convert_code(source)
    assert code == (
        "%config InlineBackend.figure_formats = ['svg', 'png']\n"
        "n = 3\n"
        "if n:\n"
        "    pass\n"
        "    m = n + 1\n"
        "display(n * 2)\n"
        "n"
    )


def test_a_cell_of_checks_only_becomes_empty() -> None:
    source = (
        'assert 1 + 1 == 2\nglue("x", 1, display=False)\nfor i in []:\n    assert i'
    )
    assert convert_code(source) == ""


def test_roles_become_the_text_the_book_shows() -> None:
    refs = References(
        titles={"weight-sharing": "Weight sharing"},
        sections={"sec-cost": "What it costs"},
        numbers={"fig-band": "Fig. 3.1", "tab-price": "Table 3.2"},
        equations={"eq-conv": "1.2"},
        citations={"goodfellow2016": ("Goodfellow et al.", "2016")},
    )
    glue = {
        "n": {"data": {"text/plain": "42"}},
        "ratio": {"data": {"text/plain": "'1.0e-09'"}},
        "x": {"data": {"text/plain": "0.123456"}},
        "sentence": {"data": {"text/plain": "<Markdown>", "text/markdown": "**Yes**."}},
    }
    text = (
        "(sec-label)=\n"
        "% a comment\n"
        "See {doc}`weight-sharing`, {doc}`that page <weight-sharing>`, "
        "{ref}`sec-cost`, {numref}`fig-band`, {numref}`Table %s <tab-price>`, "
        "{eq}`eq-conv`, {cite}`goodfellow2016` and {cite:t}`goodfellow2016`: "
        "{glue:text}`n` and {glue:text}`ratio` and {glue:text}`x:.2f`. "
        "{glue:md}`sentence`"
    )
    assert convert_markdown(text, glue, refs) == (
        "See *Weight sharing*, *that page*, What it costs, Fig. 3.1, Table 3.2, "
        "(1.2), (Goodfellow et al., 2016) and Goodfellow et al. (2016): 42 and "
        "1.0e-09 and 0.12. **Yes**."
    )


def test_directives_become_plain_markdown() -> None:
    refs = References(equations={"eq-a": "2.1"})
    text = (
        "$$\nx = 1\n$$ (eq-a)\n\n"
        "```{exercise-start}\n:label: ex-a\n```\n\nDo it.\n\n```{exercise-end}\n```\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n\nDone.\n\n"
        "```{solution-end}\n```\n\n"
        "```{admonition} Careful\n:class: warning\nTimes vary.\n```\n\n"
        "```{code-block} console\n$ nox -s bench\n```\n"
    )
    out = convert_markdown(text, {}, refs)
    assert "$$\nx = 1\n\\tag{2.1}\n$$" in out
    assert "**Exercise 1**\n\nDo it." in out
    assert "**Solution**\n\nDone." in out
    assert "> **Careful**\n>\n> Times vary." in out
    assert "```console\n$ nox -s bench\n```" in out
    assert "{" not in out.replace("\\tag{2.1}", "")


def test_the_preface_names_what_the_code_imports() -> None:
    from booksite.teacher import requirements

    code = [
        "%config InlineBackend.figure_formats = ['svg']\nimport numpy as np\nimport json",
        "from skimage import data\nfrom convmat.book import markdown_table",
        "from IPython.display import Markdown\nimport sklearn.datasets",
    ]
    assert requirements(code) == ["convmat", "numpy", "scikit-image", "scikit-learn"]


# --- every notebook of the built site ---------------------------------------------

MYST_LEFTOVERS = re.compile(r"\{[a-z:-]+\}`|^(```|:::)\{|\(\w[\w-]*\)=$", re.MULTILINE)


def _notebooks(site: Path) -> list[Path]:
    notebooks = sorted((site / "_sources").glob("*.ipynb"))
    assert len(notebooks) >= 7, notebooks
    return notebooks


@pytest.mark.site
def test_notebooks_show_no_myst_and_hold_no_checks(built_site: Path) -> None:
    for path in _notebooks(built_site):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        preface = notebook["cells"][0]["source"]
        assert "CC BY 4.0" in preface, path.name
        assert "`convmat`" in preface, (path.name, preface)  # what to install
        assert "{requirements}" not in preface, path.name
        for cell in notebook["cells"]:
            source = (
                "".join(cell["source"])
                if isinstance(cell["source"], list)
                else cell["source"]
            )
            if cell["cell_type"] == "markdown":
                assert not MYST_LEFTOVERS.search(source), (path.name, source[:300])
            else:
                assert "myst_nb" not in source, (path.name, source)
                assert "glue(" not in source, (path.name, source)
                assert not re.search(r"^\s*assert\b", source, re.MULTILINE), (
                    path.name,
                    source,
                )


@pytest.mark.site
@pytest.mark.parametrize(
    "name",
    [
        p.stem
        for p in sorted((Path(__file__).parents[1] / "book").glob("*.md"))
        if "kernelspec:" in p.read_text(encoding="utf-8")
    ],
)
def test_each_notebook_runs_in_a_clean_kernel_without_myst_nb(
    built_site: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    # Importing any of the build's own packages fails in the kernel.
    blocked = tmp_path / "blocked"
    for module in ("myst_nb", "myst_parser", "sphinx", "jupyter_cache", "jupytext"):
        (blocked / module).mkdir(parents=True)
        (blocked / module / "__init__.py").write_text(
            f"raise ImportError('{module} is not installed where teachers run this')\n",
            encoding="utf-8",
        )
    monkeypatch.setenv("PYTHONPATH", str(blocked))
    monkeypatch.delenv("MATPLOTLIBRC", raising=False)
    notebook = nbformat.read(built_site / "_sources" / f"{name}.ipynb", as_version=4)
    work = tmp_path / "work"  # a folder of its own, as a teacher's download
    work.mkdir()
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

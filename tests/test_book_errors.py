"""A failing page reads as a book error, and a changed package runs pages again.

Each test builds a small throw-away book with the repository's ``conf.py``
(the arguments of ``nox -s docs``), so it runs the book's own extension.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from project import ROOT
from sitebuild import sphinx_build

pytestmark = pytest.mark.site

FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---
"""


def small_book(tmp_path: Path, page: str) -> Path:
    src = tmp_path / "book"
    src.mkdir(exist_ok=True)
    (src / "index.md").write_text(
        "# A small book\n\n```{toctree}\npage\n```\n", encoding="utf-8"
    )
    (src / "page.md").write_text(FRONT_MATTER + page, encoding="utf-8")
    return src


BROKEN = """\
# A page that breaks

Some text first.

```{code-cell} ipython3
x = 1
```

```{code-cell} ipython3
y = 2
z = y / (x - 1)
```
"""


def test_a_failing_cell_reads_as_a_book_error_not_a_crash(tmp_path: Path) -> None:
    src = small_book(tmp_path, BROKEN)
    result = sphinx_build(src, tmp_path / "html")
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    # Where: the page and the line of the file that raised.
    text = (src / "page.md").read_text(encoding="utf-8")
    line = text.splitlines().index("z = y / (x - 1)") + 1
    assert re.search(rf"page\.md:{line}: (WARNING|ERROR): ", log), log
    # What: the cell, the exception, the failing line, IPython's traceback.
    assert "ZeroDivisionError: division by zero" in log
    assert "in cell 2, line 2 of the cell" in log
    assert "z = y / (x - 1)" in log
    # Not Sphinx's crash dump, not a file inside the site, no colour codes.
    assert "Exception occurred" not in log
    assert "report" not in log.lower(), log
    assert "\x1b[" not in log
    assert not (tmp_path / "html" / "reports").exists()


def test_a_page_that_failed_fails_again_on_the_next_build(tmp_path: Path) -> None:
    src = small_book(tmp_path, BROKEN)
    first = sphinx_build(src, tmp_path / "html")
    assert first.returncode != 0
    second = sphinx_build(src, tmp_path / "html")  # nothing changed since
    log = second.stdout + second.stderr
    assert second.returncode != 0, log
    assert "ZeroDivisionError" in log


ANSWER_PAGE = """\
# The answer

```{code-cell} ipython3
import convmat
from myst_nb import glue

glue("answer", convmat.answer(), display=False)
```

The answer is {glue:text}`answer`.
"""


def test_editing_a_package_function_runs_the_pages_again(tmp_path: Path) -> None:
    # A copy of the package, which the kernels import instead of the real one.
    package = tmp_path / "src" / "convmat"
    shutil.copytree(
        ROOT / "src" / "convmat", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    init = package / "__init__.py"
    original = init.read_text(encoding="utf-8")
    init.write_text(original + "\n\ndef answer():\n    return 42\n", encoding="utf-8")
    src = small_book(tmp_path, ANSWER_PAGE)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    out = tmp_path / "html"

    def build() -> tuple[str, str]:
        result = sphinx_build(
            src, out, env=env, extra=("-D", f"booksite_package={package}")
        )
        log = result.stdout + result.stderr
        assert result.returncode == 0, log
        html = (out / "page.html").read_text(encoding="utf-8")
        return log, " ".join(re.sub(r"<[^>]+>", " ", html).split())

    log, html = build()
    assert "Executing notebook" in log
    assert "The answer is 42" in html
    log, html = build()  # nothing changed: every output from the cache
    assert "Executing notebook" not in log, log
    init.write_text(original + "\n\ndef answer():\n    return 43\n", encoding="utf-8")
    log, html = build()  # the package changed: the page runs again
    assert "Executing notebook" in log, log
    assert "The answer is 43" in html
    caches = list((tmp_path / ".jupyter_cache").glob("convmat-*"))
    assert len(caches) == 1, caches  # the cache of the old package is gone

"""A failing cell reads as a book error: the page, the cell, the exception, the line.

Why: with ``nb_execution_raise_on_error`` myst-nb raises out of Sphinx, which
prints its crash dump and asks the reader to report a bug to Sphinx.  Instead
``conf.py`` lets myst-nb log the failure as a warning (``-W`` still fails the
build, after every page has been tried), and this filter rewrites that
warning: where in the Markdown file the failing line is, which cell, which
exception, and IPython's traceback without its colour codes.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CELL_SOURCE = re.compile(
    r"An error occurred while executing the following cell:\n-{10,}\n(.*?)\n-{10,}\n",
    re.DOTALL,
)
# IPython names the frame of a cell "Cell In[3], line 2" (the last is innermost
# within the page's own code).
CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
EXCEPTION_LINE = re.compile(
    r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b.*)$"
)
CODE_CELL = re.compile(r"^(`{3,}|~{3,})\{code-cell\}", re.MULTILINE)


@dataclass(frozen=True)
class CellFailure:
    """What went wrong, found in myst-nb's message."""

    source: str  # the failing cell's code
    exception: str  # "ZeroDivisionError: division by zero"
    line_in_cell: int | None  # 1-based, where the cell raised (or called in)
    traceback: str  # IPython's traceback, plain text


def parse_failure(message: str) -> CellFailure | None:
    """Read myst-nb's "Executing notebook failed" message; None if it is not one."""
    text = ANSI.sub("", message)
    found = CELL_SOURCE.search(text)
    if found is None:
        return None
    source = found.group(1)
    rest = text[found.end() :]
    # nbclient's message ends with the kernel's traceback; Python's own
    # traceback of nbclient may follow it, and is of no use to a reader.
    rest = rest.split("\nTraceback (most recent call last):")[0]
    rest = rest.split("\nnbclient.exceptions.")[0].strip("\n")
    exceptions = [m.group(1) for m in map(EXCEPTION_LINE.match, rest.splitlines()) if m]
    lines = CELL_LINE.findall(rest)
    return CellFailure(
        source=source,
        exception=exceptions[-1].strip() if exceptions else "an exception",
        line_in_cell=int(lines[-1]) if lines else None,
        traceback=rest,
    )


def locate(page_text: str, failure: CellFailure) -> tuple[int | None, int | None]:
    """(cell number, line in the file) of the failing line; None where not found."""
    position = page_text.find(failure.source)
    if position < 0 or not failure.source.strip():
        return None, None
    cell = len(CODE_CELL.findall(page_text[:position]))
    first_line = page_text.count("\n", 0, position) + 1
    offset = (failure.line_in_cell or 1) - 1
    return cell, first_line + offset


def book_error(page: str, page_text: str, failure: CellFailure) -> tuple[str, str]:
    """The message and its location ``page:line`` for a failing cell."""
    cell, line = locate(page_text, failure)
    where = f"cell {cell}" if cell else "a cell"
    if failure.line_in_cell:
        where += f", line {failure.line_in_cell} of the cell"
    failing = ""
    if failure.line_in_cell:
        lines = failure.source.splitlines()
        if failure.line_in_cell <= len(lines):
            failing = f"\n    {lines[failure.line_in_cell - 1].strip()}"
    indented = "\n".join(
        "    " + row for row in failure.traceback.rstrip().splitlines()
    )
    message = (
        f"the page's code failed: {failure.exception}\n"
        f"  in {where}:{failing}\n"
        f"  IPython's traceback:\n{indented}"
    )
    location = f"{page}:{line}" if line else page
    return message, location


class RewriteCellFailures(logging.Filter):
    """Turn myst-nb's execution warnings into book errors (see the module)."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if getattr(record, "subtype", None) != "exec":
            return True
        if message.startswith("Notebook exception traceback saved in"):
            return False  # the same traceback again, from a file inside the site
        if not message.startswith("Executing notebook failed"):
            return True
        failure = parse_failure(message)
        docname = getattr(record, "docname", None)
        if failure is None or docname is None:
            return True
        self.app.env.booksite_failed_pages.add(docname)
        path = Path(self.app.env.doc2path(docname))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return True
        try:
            page = path.relative_to(self.app.confdir).as_posix()
        except ValueError:  # a book outside the configuration folder
            page = str(path)
        message, location = book_error(page, text, failure)
        record.msg, record.args = message, ()
        record.location = location
        return True


def install_filter(app: Sphinx) -> None:
    """On Sphinx's handlers: they see every warning, buffered ones included."""
    rewrite = RewriteCellFailures(app)
    for handler in logging.getLogger("sphinx").handlers:
        handler.addFilter(rewrite)


def remove_reports(app: Sphinx, exception: Exception | None = None) -> None:
    """myst-nb saves a failing page's traceback as ``reports/<page>.err.log``
    inside the site, where it would be published; the log already holds it.
    """
    shutil.rmtree(Path(app.outdir) / "reports", ignore_errors=True)


def init_failed_pages(app: Sphinx) -> None:
    if not hasattr(app.env, "booksite_failed_pages"):
        app.env.booksite_failed_pages = set()


def read_failed_pages_again(
    app: Sphinx, env: BuildEnvironment, added: set, changed: set, removed: set
) -> list[str]:
    """A page whose code failed is read (and run) again by the next build.

    Sphinx re-reads a page only when its source changes; without this, the
    build after a failed one would say "succeeded" and run nothing.
    """
    failed = getattr(env, "booksite_failed_pages", set())
    env.booksite_failed_pages = set()
    return sorted((failed & env.found_docs) - changed - added)


def merge_failed_pages(
    app: Sphinx, env: BuildEnvironment, docnames: set, other: BuildEnvironment
) -> None:
    """Parallel reading: keep the failures the other process saw."""
    env.booksite_failed_pages |= getattr(other, "booksite_failed_pages", set())


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", init_failed_pages)
    app.connect("builder-inited", install_filter)
    app.connect("builder-inited", remove_reports)
    app.connect("build-finished", remove_reports)
    app.connect("env-get-outdated", read_failed_pages_again)
    app.connect("env-merge-info", merge_failed_pages)

"""Re-read a page when a file it reads while it runs changes.

Why: Sphinx re-reads a page when its own text changes, not when a data file
its code opens does; ``booksite_page_files`` in ``conf.py`` names those files
(relative to the repository root) per page.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx


def note_page_files(app: Sphinx, docname: str, source: list[str]) -> None:
    for path in app.config.booksite_page_files.get(docname, []):
        app.env.note_dependency(str(Path(app.confdir) / path))


def setup(app: Sphinx) -> None:
    app.add_config_value("booksite_page_files", {}, "env", dict)
    app.connect("source-read", note_page_files)

"""Every page's executed notebook, offered for download.

Why: a reader (a teacher) should get the page as a notebook with its outputs,
the same bytes from every build; the theme's download menu offers
``_sources/<page>.ipynb`` next to the page's Markdown source.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sphinx.application import Sphinx


def _executed_notebook(path: Path, cache: Path) -> bytes:
    """The executed notebook of one page, with outputs and stable cell ids.

    myst-nb writes ``jupyter_execute/<page>.ipynb`` with outputs only when it
    ran the page outside the cache (``execution_mode: force``); a page run
    through the execution cache is written without them, and its outputs are
    merged in from the cache with the call myst-nb itself uses.  Cell ids (jupytext draws random ones) become the
    first 12 hex digits of the SHA-256 of the cell's type and source, with
    ``-2``, ``-3``... for repeats, so that two builds give the same bytes.
    """
    import nbformat
    from jupyter_cache import get_cache

    notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    ran_here = any(cell.get("execution_count") for cell in code)
    if code and not ran_here:  # taken from the cache (pages run with
        try:  # `execution_mode: force` are written with their outputs)
            _, notebook = get_cache(str(cache)).merge_match_into_notebook(notebook)
        except KeyError:
            msg = f"{path.name}: the execution cache {cache} holds no run of it"
            raise RuntimeError(msg) from None
    data = json.loads(nbformat.writes(notebook))
    seen: dict[str, int] = {}
    for cell in data["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        key = f"{cell.get('cell_type', '')}\n{source}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        cell["id"] = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _notebook_of(app, pagename: str) -> Path | None:
    """The notebook myst-nb wrote for a page, or None for a plain page."""
    config = getattr(app.env, "mystnb_config", None)
    if config is None:
        return None
    path = Path(config.output_folder) / f"{pagename}.ipynb"
    return path if path.is_file() else None


def _notebook_button(app, pagename, templatename, context, doctree) -> None:
    """Offer ``_sources/<page>.ipynb`` in the theme's download menu."""
    if _notebook_of(app, pagename) is not None:
        context["ipynb_source"] = f"{pagename}.ipynb"


def _ship_notebooks(app, exception) -> None:
    """Write every page's executed notebook to ``_sources/<page>.ipynb``."""
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.env.mystnb_config.execution_cache_path)
    for pagename in sorted(app.env.found_docs):
        path = _notebook_of(app, pagename)
        if path is None:
            continue
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        # myst-nb rewrites `path` whenever it reads the page again; otherwise the
        # notebook already shipped is current (a no-op rebuild stays fast).
        if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_executed_notebook(path, cache))


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _notebook_button, priority=400)
    app.connect("build-finished", _ship_notebooks)

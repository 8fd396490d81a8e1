"""Sphinx configuration of the convmat book.

Build with the configuration directory set to the repository root::

    sphinx-build -c . -W --keep-going book _build/html

(``nox -s docs`` does exactly that).  The site must build and be read with no
network: MathJax is copied from ``node_modules`` (installed by ``npm ci``) into
the site itself, nothing is fetched from a CDN and intersphinx is not used.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path


def _commit_time() -> int:
    """When the sources were committed: the date of the site, never the clock.

    ``SOURCE_DATE_EPOCH`` wins when it is set (the reproducible-builds
    convention); otherwise the commit time of ``HEAD``; outside a git checkout,
    the date of the first edition, so that a build never reads the clock.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 1764288000  # 2025-11-28, the first edition


# The commit's time stamps the site (the copyright year) and everything that
# records a date, matplotlib's SVG files included: kernels inherit it.
COMMIT_TIME = _commit_time()
os.environ["SOURCE_DATE_EPOCH"] = str(COMMIT_TIME)
# The figure style (and `svg.hashsalt`, which makes SVG ids stable) for every
# kernel; found from this file, not from the folder sphinx-build runs in.
os.environ.setdefault(
    "MATPLOTLIBRC", str(Path(__file__).parent / "book" / "matplotlibrc")
)

project = "Convolution as Matrix Multiplication"
author = "the convmat authors"
copyright = f"{datetime.datetime.fromtimestamp(COMMIT_TIME, datetime.UTC).year}, the convmat authors"
release = "0.1.0"
language = "en"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
]

exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "README.md",
    "matplotlibrc",
    "_includes",
]
# Not nitpicky: without intersphinx (which would fetch inventories from the web)
# the numpy-style type descriptions of the API reference cannot resolve.  Broken
# references to the book's own pages, labels, equations and citations still warn.
nitpicky = False

# --- MyST and myst-nb --------------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "substitution",
]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_render_markdown_format = "myst"

# --- citations -----------------------------------------------------------------
bibtex_bibfiles = ["book/references.bib"]
bibtex_default_style = "alpha"
bibtex_reference_style = "author_year"

# --- API reference (numpy-style docstrings) -----------------------------------
autodoc_typehints = "description"
# Show numpy's ArrayLike by name, not as the union of protocols it stands for.
autodoc_type_aliases = {"ArrayLike": "ArrayLike", "npt.ArrayLike": "ArrayLike"}
autodoc_member_order = "bysource"
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# --- doctest builder -------------------------------------------------------------
doctest_global_setup = "import numpy as np\nimport convmat"
# Every ">>>" example the reader sees is run, the API reference included.
doctest_test_doctest_blocks = "default"

# --- HTML --------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Convolution as Matrix Multiplication"
html_static_path = ["book/_static"]
html_css_files = ["convmat.css"]
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
html_show_sphinx = False
html_copy_source = True

# MathJax 4, served from the site itself.  npm installs it (`npm ci`, pinned in
# package-lock.json); `_copy_mathjax` below copies the files it needs.
mathjax_path = "mathjax/tex-chtml.js"
mathjax4_config = {
    "loader": {"paths": {"fonts": "[mathjax]/fonts"}},
    "options": {"menuOptions": {"settings": {"enrich": False}}},
}

_MATHJAX_FILES = {
    # source (under node_modules)          -> destination (under _static/mathjax)
    "mathjax/tex-chtml.js": "tex-chtml.js",
    "mathjax/input/tex/extensions": "input/tex/extensions",
    "mathjax/a11y": "a11y",
    "mathjax/ui": "ui",
    "mathjax/sre/speech-worker.js": "sre/speech-worker.js",
    "mathjax/sre/mathmaps": "sre/mathmaps",
    "@mathjax/mathjax-newcm-font/chtml": "fonts/mathjax-newcm-font/chtml",
    "@mathjax/mathjax-newcm-font/chtml.js": "fonts/mathjax-newcm-font/chtml.js",
}
_NODE_MODULES = Path(__file__).parent / "node_modules"


def _copy_mathjax(app, exception) -> None:
    """Copy the pruned MathJax tree into the HTML output (no CDN at view time)."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for source, dest in _MATHJAX_FILES.items():
        src = _NODE_MODULES / source
        dst = target / dest
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def _check_mathjax(app) -> None:
    if app.builder.format != "html":
        return
    missing = [s for s in _MATHJAX_FILES if not (_NODE_MODULES / s).exists()]
    if missing:
        msg = (
            "MathJax is served from the site itself but is not installed: "
            f"missing {missing[0]!r} under node_modules. Run `npm ci` in the "
            "repository root (nox -s docs does this for you)."
        )
        raise RuntimeError(msg)


def _quiet_kernel_transport() -> None:
    """Stop ipykernel warning about TCP without encryption on every kernel start."""
    try:
        import zmq
        from jupyter_client.manager import KernelManager
    except ImportError:  # pragma: no cover - both come with myst-nb
        return
    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is not None and hasattr(zmq, "has") and zmq.has("curve"):
        trait.default_value = "auto"


def _stable_equation_labels() -> None:
    """Label numbered ``\\begin{align}`` equations by position, not by uuid4.

    myst-parser gives every numbered amsmath environment a random uuid4 label,
    which lands in the HTML as ``id="equation-<uuid>"``: two builds of the same
    sources would never be identical.  ``<docname>-amsmath-<n>`` (the n-th such
    environment of the page) is unique in the book and the same in every build.
    """
    from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer

    if not hasattr(SphinxRenderer, "_random_label"):  # pragma: no cover
        return  # a newer myst-parser; `nox -s reproducible` tells if ids vary

    def _label(self) -> str:
        self._convmat_equations = getattr(self, "_convmat_equations", 0) + 1
        return f"{self.sphinx_env.docname}-amsmath-{self._convmat_equations}"

    SphinxRenderer._random_label = _label


def _singlehtml_like_html(app) -> None:
    """Let the one-page HTML build (the PDF edition's source) render every node.

    Sphinx uses a builder's own node handlers *instead of* the "html" ones as
    soon as one extension registers any for it; sphinx-exercise registers
    "singlehtml" handlers, so myst-nb's hidden code cells would crash that build.
    """
    if app.builder.name == "singlehtml":
        handlers = app.registry.translation_handlers
        single = handlers.setdefault("singlehtml", {})
        for node, pair in handlers.get("html", {}).items():
            single.setdefault(node, pair)


# --- executed notebooks, offered for download on every page --------------------


def _executed_notebook(path: Path, cache: Path) -> bytes:
    """The executed notebook of one page, with outputs and stable cell ids.

    myst-nb writes ``jupyter_execute/<page>.ipynb`` with outputs only when it
    ran the page outside the cache (``execution_mode: force``); a page run
    through the execution cache is written without them, and its outputs are
    merged in from the cache with the call myst-nb itself uses.  Cell ids (jupytext draws random ones) become the
    first 12 hex digits of the SHA-256 of the cell's type and source, with
    ``-2``, ``-3``... for repeats, so that two builds give the same bytes.
    """
    import hashlib
    import json

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


# Files that pages read while they run: a page is read (and run) again when one
# of its files changes, not only when its own text does.
DATA_DEPENDENCIES = {
    "performance": ["book/data/bench-latest.json"],
    "price-of-the-matrix": ["book/data/chapter-timings.json"],
    "going-further": ["book/data/chapter-timings.json"],
}


def _note_data_dependencies(app, docname, source) -> None:
    for path in DATA_DEPENDENCIES.get(docname, []):
        app.env.note_dependency(str(Path(__file__).parent / path))


def _biblio_listitems(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the ARIA role their list requires.

    docutils marks each citation ``role="doc-biblioentry"`` inside a
    ``role="list"``; that role is deprecated and axe-core reports the list as
    having no valid children (a critical violation). ``listitem`` is what a
    list expects, and screen readers announce the entries as list items.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app) -> None:
    _quiet_kernel_transport()
    _stable_equation_labels()
    app.connect("builder-inited", _singlehtml_like_html)
    app.connect("builder-inited", _check_mathjax)
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _biblio_listitems)
    app.connect("html-page-context", _notebook_button, priority=400)
    app.connect("build-finished", _ship_notebooks)
    app.connect("source-read", _note_data_dependencies)

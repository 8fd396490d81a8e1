"""Sphinx configuration of the convmat book.

Build with the configuration directory set to the repository root::

    sphinx-build -c . -W --keep-going book _build/html

(``nox -s docs`` does exactly that).  The site must build and be read with no
network: formulas are typeset at build time by MathJax from ``node_modules``
(installed by ``npm ci``; book/_ext/prerender_math.py), nothing is fetched from
a CDN and intersphinx is not used.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent
# The book's own Sphinx extension (book/_ext/booksite) and what the noxfile and
# the tools share: paths, the version (tools/project.py).
sys.path[:0] = [str(ROOT / "book" / "_ext"), str(ROOT / "tools")]
from project import VERSION, source_date_epoch

# The time of the last commit stands for "now": matplotlib figures and anything
# else that stamps a date are the same in every build of a commit; kernels
# started by myst-nb inherit it, and Sphinx takes the copyright year from it.
os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch())
YEAR = time.gmtime(int(os.environ["SOURCE_DATE_EPOCH"])).tm_year
# The figure style (and `svg.hashsalt`, which makes SVG ids stable) for every
# kernel; found from this file, not from the folder sphinx-build runs in.
os.environ.setdefault("MATPLOTLIBRC", str(ROOT / "book" / "matplotlibrc"))

project = "Convolution as Matrix Multiplication"
author = "the convmat authors"
copyright = f"{YEAR}, the convmat authors"
release = VERSION
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
    "booksite",  # book/_ext/booksite: this book's own hooks, one per purpose
    "prerender_math",  # formulas typeset at build time: no math JavaScript
    "lean_pages",  # no icon script, deferred scripts, sized images, descriptions
]

exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "README.md",
    "matplotlibrc",
    "_includes",
    "_ext",
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
# Filled by book/_ext/booksite/citation.py: {{ bibtex }} on the citation page.
myst_substitutions: dict[str, str] = {}
nb_execution_mode = "cache"
nb_execution_timeout = 300
# A failing cell is logged, not raised: -W still fails the build, after every
# page was tried, and book/_ext/booksite/errors.py words it as a book error
# (page, line, cell, exception) instead of Sphinx's crash dump.
nb_execution_raise_on_error = False
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
html_favicon = "book/_static/favicon.svg"
html_domain_indices = False  # one module: the API reference is its index
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # Under the copyright line of every page: the licenses and how to cite.
    "extra_footer": (
        '<p>Text and figures: <a href="https://creativecommons.org/licenses/by/4.0/">'
        "CC BY 4.0</a>. Code: BSD-3-Clause. "
        '<a href="citation.html">License and how to cite</a>.</p>'
    ),
}
html_show_sphinx = False
html_copy_source = True

# Files that pages read while they run: a page is read (and run) again when one
# of its files changes, not only when its own text does (book/_ext/booksite).
booksite_page_files = {
    "performance": ["book/data/bench-latest.json"],
    "price-of-the-matrix": ["book/data/chapter-timings.json"],
    "circulant-and-fft": ["book/data/chapter-timings.json"],
    "how-libraries-compute": ["book/data/chapter-timings.json"],
}

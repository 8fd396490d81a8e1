"""MathJax 4, served from the site itself.

Why: the site must be read with no network, so no CDN.  npm installs MathJax
(``npm ci``, pinned in ``package-lock.json``); these hooks check it is there
before the build starts and copy the files it needs into ``_static/mathjax``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

FILES = {
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


def _node_modules(app: Sphinx) -> Path:
    return Path(app.confdir) / "node_modules"


def check_installed(app: Sphinx) -> None:
    """Why: fail at the start with the fix, not after every page has run."""
    if app.builder.format != "html":
        return
    missing = [s for s in FILES if not (_node_modules(app) / s).exists()]
    if missing:
        msg = (
            "MathJax is served from the site itself but is not installed: "
            f"missing {missing[0]!r} under node_modules. Run `npm ci` in the "
            "repository root (nox -s docs does this for you)."
        )
        raise RuntimeError(msg)


def copy_into_site(app: Sphinx, exception: Exception | None) -> None:
    """Why: the pages load MathJax from ``_static/mathjax``, not from a CDN."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for source, dest in FILES.items():
        src = _node_modules(app) / source
        dst = target / dest
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", check_installed)
    app.connect("build-finished", copy_into_site)

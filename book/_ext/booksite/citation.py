"""The "How to cite" page's BibTeX entry, made from CITATION.cff at build time.

Why: the citation is written once, in ``CITATION.cff`` (which GitHub and
reference managers read); the BibTeX entry on the site adds the version and
the year of this build, so none of the three is typed twice.  The page shows it
through the MyST substitution ``{{ bibtex }}``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config

CONTENT_LICENSE = "CC BY 4.0"


def bibtex_entry(citation: dict, version: str, year: int) -> str:
    """A BibTeX ``@misc`` entry for the book, as the page shows it."""
    authors = " and ".join(
        "{" + a["name"] + "}"
        if "name" in a
        else f"{a.get('family-names', '')}, {a.get('given-names', '')}"
        for a in citation.get("authors", [])
    )
    fields = {
        "title": "{" + citation["title"] + "}",
        "author": authors,
        "year": str(year),
        "note": (
            f"Version {version}. Text and figures: {CONTENT_LICENSE}; "
            f"code: {citation.get('license', 'BSD-3-Clause')}"
        ),
    }
    body = ",\n".join(f"  {key:<6} = {{{value}}}" for key, value in fields.items())
    return f"@misc{{convmat{year},\n{body}\n}}"


def add_bibtex(app: Sphinx, config: Config) -> None:
    path = Path(app.confdir) / "CITATION.cff"
    citation = yaml.safe_load(path.read_text(encoding="utf-8"))
    # conf.py sets SOURCE_DATE_EPOCH (the last commit) before any extension loads.
    year = time.gmtime(int(os.environ["SOURCE_DATE_EPOCH"])).tm_year
    entry = bibtex_entry(citation, config.release, year)
    config.myst_substitutions = {
        **config.myst_substitutions,
        "bibtex": f"```bibtex\n{entry}\n```",
    }


def setup(app: Sphinx) -> None:
    app.connect("config-inited", add_bibtex)

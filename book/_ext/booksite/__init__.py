"""The book's own Sphinx extension: every hook the build needs, one per purpose.

``conf.py`` holds settings only; each module here holds one reason to reach
into the build, and says why in its docstring:

- `notebooks`: offer each page as a notebook a teacher can run anywhere
  (made by `teacher`), and each figure as a PNG;
- `dependencies`: re-read a page when a data file it reads changes;
- `package_cache`: run the pages again when the package changes;
- `errors`: a failing cell reads as a book error, not a Sphinx crash;
- `figures`: the same figure layout in every build (byte-reproducible SVGs);
- `stable_ids`: the same ids in every build (byte-reproducible sites);
- `kernels`: quiet the kernel's start-up warning;
- `singlehtml`: let the one-page build (the PDF's source) render every node;
- `aria`: give bibliography entries a role their list accepts (axe-core);
- `citation`: the BibTeX entry of the "How to cite" page, from CITATION.cff.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from . import (
    aria,
    citation,
    dependencies,
    errors,
    figures,
    kernels,
    notebooks,
    package_cache,
    singlehtml,
    stable_ids,
)

MODULES = (
    aria,
    citation,
    dependencies,
    errors,
    figures,
    kernels,
    notebooks,
    package_cache,
    singlehtml,
    stable_ids,
)


def setup(app: Sphinx) -> dict[str, object]:
    for module in MODULES:
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

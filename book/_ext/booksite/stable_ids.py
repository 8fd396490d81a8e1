"""The same ids in every build, so that two builds give the same bytes.

Why: myst-parser gives every numbered amsmath environment a random uuid4
label, which lands in the HTML as ``id="equation-<uuid>"``; two builds of the
same sources would never be identical (``nox -s reproducible`` checks this).
"""

from __future__ import annotations

from sphinx.application import Sphinx


def label_equations_by_position() -> None:
    """``<docname>-amsmath-<n>``: the n-th such environment of the page."""
    from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer

    if not hasattr(SphinxRenderer, "_random_label"):  # pragma: no cover
        return  # a newer myst-parser; `nox -s reproducible` tells if ids vary

    def _label(self) -> str:
        self._convmat_equations = getattr(self, "_convmat_equations", 0) + 1
        return f"{self.sphinx_env.docname}-amsmath-{self._convmat_equations}"

    SphinxRenderer._random_label = _label


def setup(app: Sphinx) -> None:
    label_equations_by_position()

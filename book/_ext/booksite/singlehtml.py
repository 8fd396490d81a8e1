"""Let the one-page HTML build (the PDF edition's source) render every node.

Why: Sphinx uses a builder's own node handlers *instead of* the "html" ones as
soon as one extension registers any for it; sphinx-exercise registers
"singlehtml" handlers, so myst-nb's hidden code cells would crash that build.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def inherit_html_handlers(app: Sphinx) -> None:
    if app.builder.name == "singlehtml":
        handlers = app.registry.translation_handlers
        single = handlers.setdefault("singlehtml", {})
        for node, pair in handlers.get("html", {}).items():
            single.setdefault(node, pair)


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", inherit_html_handlers)

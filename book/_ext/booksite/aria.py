"""Give bibliography entries the ARIA role their list requires.

Why: docutils marks each citation ``role="doc-biblioentry"`` inside a
``role="list"``; that role is deprecated and axe-core reports the list as
having no valid children (a critical violation). ``listitem`` is what a list
expects, and screen readers announce the entries as list items.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def biblio_listitems(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", biblio_listitems)

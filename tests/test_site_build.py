"""The built site: self-contained, and a broken page fails the build loudly.

These tests run sphinx-build with the same arguments as ``nox -s docs``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sitebuild import ROOT, sphinx_build

pytestmark = pytest.mark.site

FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---
"""


def text_of(html: str) -> str:
    """The text of an HTML page, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def small_book(tmp_path: Path, page: str) -> Path:
    """A two-page book: an index with a toctree and the page under test."""
    src = tmp_path / "book"
    src.mkdir()
    (src / "index.md").write_text(
        "# A small book\n\n```{toctree}\nbroken\n```\n", encoding="utf-8"
    )
    (src / "broken.md").write_text(FRONT_MATTER + page, encoding="utf-8")
    shutil.copy(ROOT / "book" / "references.bib", src / "references.bib")
    return src


def build_output(tmp_path: Path, page: str) -> tuple[int, str]:
    src = small_book(tmp_path, page)
    result = sphinx_build(src, tmp_path / "html")
    return result.returncode, result.stdout + result.stderr


def test_a_page_that_builds_cleanly_passes(tmp_path: Path) -> None:
    """The control: the same small book with a correct page builds."""
    code, log = build_output(
        tmp_path,
        "# Fine\n\n```{code-cell} ipython3\nfrom myst_nb import glue\n"
        "glue('answer', 6 * 7, display=False)\n```\n\n"
        "The answer is {glue:text}`answer`.\n",
    )
    assert code == 0, log
    html = (tmp_path / "html" / "broken.html").read_text(encoding="utf-8")
    assert "The answer is 42" in text_of(html)


def test_a_failing_cell_fails_the_build_and_names_the_page(tmp_path: Path) -> None:
    code, log = build_output(
        tmp_path,
        "# Broken\n\n```{code-cell} ipython3\n1 / 0\n```\n",
    )
    assert code != 0
    assert "broken" in log
    assert "ZeroDivisionError" in log


def test_a_broken_cross_reference_fails_the_build_and_names_the_page(
    tmp_path: Path,
) -> None:
    code, log = build_output(
        tmp_path,
        "# Broken\n\nSee {ref}`no-such-label`.\n",
    )
    assert code != 0
    assert re.search(r"broken\.md:\d+: (WARNING|ERROR).*no-such-label", log), log


def test_a_glue_key_no_cell_defines_fails_the_build(tmp_path: Path) -> None:
    code, log = build_output(
        tmp_path,
        "# Broken\n\n```{code-cell} ipython3\nx = 1\n```\n\n"
        "Value: {glue:text}`never_glued`.\n",
    )
    assert code != 0
    assert re.search(r"broken\.md:\d+: (WARNING|ERROR).*never_glued", log), log


def test_a_missing_citation_fails_the_build(tmp_path: Path) -> None:
    code, log = build_output(tmp_path, "# Broken\n\nAs shown by {cite}`nobody2099`.\n")
    assert code != 0
    assert re.search(r"broken\.md:\d+: (WARNING|ERROR).*nobody2099", log), log


def test_a_formula_is_typeset_when_the_page_is_built(tmp_path: Path) -> None:
    """The control for the next test: good TeX arrives as CHTML and MathML."""
    code, log = build_output(
        tmp_path, "# Fine\n\nA square, $x^2$, and\n\n$$y = x^2$$\n"
    )
    assert code == 0, log
    html = (tmp_path / "html" / "broken.html").read_text(encoding="utf-8")
    assert html.count("<mjx-container") == 2, html
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html
    assert "$" not in text_of(html).split("A square")[1][:40]


def test_a_tex_error_fails_the_build_and_names_the_page(tmp_path: Path) -> None:
    code, log = build_output(
        tmp_path, "# Broken\n\nSee $\\frac{1}{2$ and $\\nosuchmacro$.\n"
    )
    assert code != 0
    assert re.search(r"broken:\d+: Missing close brace", log), log
    assert "Undefined control sequence \\nosuchmacro" in log, log


# --- the real book ----------------------------------------------------------

ASSET = re.compile(
    r"<(?:script|img|link|iframe|source|audio|video)\b[^>]*?"
    r"\b(?:src|href)=\"(https?:)?//[^\"]*\"",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert pages, "the site has no pages"
    offenders = {
        str(p.relative_to(built_site)): ASSET.findall(p.read_text(encoding="utf-8"))
        for p in pages
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, offenders
    css = "\n".join(p.read_text(encoding="utf-8") for p in built_site.rglob("*.css"))
    assert not re.search(r"@import\s+url\(\s*['\"]?https?://", css)
    assert not re.search(r"url\(\s*['\"]?https?://[^)]*\.(woff2?|ttf|otf)", css)


def test_math_is_typeset_at_build_time(built_site: Path) -> None:
    """Formulas arrive typeset (CHTML with hidden MathML); no math script ships."""
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert "<mjx-container" in index  # the first page has math, typeset
    assert "<mjx-assistive-mml" in index  # the MathML, for screen readers
    assert "<math " in index
    assert "\\(" not in index
    assert "prerender-math:" not in index
    pages = {p.name: p.read_text(encoding="utf-8") for p in built_site.glob("*.html")}
    scripts = {n for n, t in pages.items() if re.search(r"<script[^>]*mathjax", t)}
    assert not scripts, scripts
    assert re.search(r'href="_static/math/mathjax\.css(\?v=\w+)?"', index)
    css = (built_site / "_static" / "math" / "mathjax.css").read_text(encoding="utf-8")
    fonts = sorted((built_site / "_static" / "math" / "fonts").glob("*.woff2"))
    named = set(re.findall(r'url\("fonts/([\w.-]+)"\)', css))
    assert named == {f.name for f in fonts}, named ^ {f.name for f in fonts}
    # cut to the characters the book uses: the full fonts weigh 1.8 MB
    assert sum(f.stat().st_size for f in fonts) < 150_000


def test_the_first_page_shows_a_value_computed_by_the_package(
    built_site: Path,
) -> None:
    import convmat

    index = text_of((built_site / "index.html").read_text(encoding="utf-8"))
    assert f"version {convmat.__version__}" in index
    rows, cols = convmat.conv_matrix_symbolic((2,), (4,)).shape
    assert f"that matrix has {rows} rows and {cols} columns" in index


def test_every_executed_page_offers_its_notebook_with_outputs(
    built_site: Path,
) -> None:
    import json

    pages = [
        p
        for p in sorted((ROOT / "book").glob("*.md"))
        if "kernelspec:" in p.read_text(encoding="utf-8")
    ]
    assert len(pages) >= 7, [p.name for p in pages]
    for page in pages:
        html = (built_site / f"{page.stem}.html").read_text(encoding="utf-8")
        assert f'href="_sources/{page.stem}.ipynb"' in html, page.stem
        notebook = json.loads(
            (built_site / "_sources" / f"{page.stem}.ipynb").read_text(encoding="utf-8")
        )
        code = [
            c
            for c in notebook["cells"]
            if c["cell_type"] == "code"
            # the data a page reads, added for teachers; the book never ran it
            and not "".join(c["source"]).startswith("# The data this page reads")
        ]
        assert code, page.stem
        assert all(c["execution_count"] for c in code), page.stem
        assert any(c["outputs"] for c in code), page.stem


def pages_of(site: Path) -> list[str]:
    """The pages a reader reaches from index.html (not files an earlier build left)."""
    from browser import crawl

    return crawl(site).pages


def test_pages_carry_no_weight_they_do_not_need(built_site: Path) -> None:
    """No icon script; search scripts only on the search page; scripts deferred."""
    pages = {
        p: (built_site / p).read_text(encoding="utf-8") for p in pages_of(built_site)
    }
    assert "search.html" in pages, sorted(pages)
    assert len(pages) >= 8, sorted(pages)
    for name, html in pages.items():
        head = html.split("</head>")[0]
        assert "fontawesome.js" not in html, name
        search = re.findall(r"<script[^>]*(searchtools|searchindex)\.js", head)
        assert bool(search) == (name == "search.html"), (name, search)
        blocking = [
            tag
            for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head)
            if "defer" not in tag and "async" not in tag
        ]
        if name != "search.html":  # its scripts run in order, as Sphinx wrote them
            assert all("documentation_options.js" in t for t in blocking), blocking
        assert re.search(r'<link rel="icon" href="_static/favicon\.svg"', head), name
        description = re.search(r'<meta name="description" content="([^"]+)"', head)
        assert description, name
        assert len(description.group(1)) >= 40, name


def test_stylesheets_keep_only_rules_the_site_can_use(built_site: Path) -> None:
    """The theme's stylesheet is cut to what pages and scripts name; ours are whole."""
    import pydata_sphinx_theme

    static = built_site / "_static"
    shipped = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"
    ).read_text(encoding="utf-8")
    cut = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(cut) < len(shipped) / 2, (len(cut), len(shipped))
    # a component no page shows goes; what every page uses, and the dark
    # mode that a script switches on, stay
    assert ".ablog-post" in shipped
    assert ".ablog-post" not in cut
    for kept in (".bd-article", ".bd-sidebar-primary", "html[data-theme=dark]"):
        assert kept in cut, kept
    for own in ("convmat.css", "explorer.css", "explorer2d.css"):
        source = ROOT / "book" / "_static" / own
        assert (static / own).read_bytes() == source.read_bytes(), own


def test_every_image_has_a_size_and_later_ones_load_lazily(built_site: Path) -> None:
    for page in (built_site / p for p in pages_of(built_site)):
        images = re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))
        for i, tag in enumerate(images):
            assert re.search(r'width="\d+" height="\d+"', tag), (page.name, tag)
            assert ('loading="lazy"' in tag) == (i > 0), (page.name, i, tag)


def test_no_image_is_a_raster_wrapped_in_svg_twice(built_site: Path) -> None:
    """Rasters are PNG or JPEG files; an SVG may hold one small raster, not copies."""
    shown = {
        name
        for page in (built_site / p for p in pages_of(built_site))
        for name in re.findall(r'src="_images/([\w.-]+\.svg)"', page.read_text("utf-8"))
    }
    assert shown, "no SVG figure found"
    for svg in sorted(built_site / "_images" / name for name in shown):
        rasters = re.findall(
            r'xlink:href="data:image/png;base64,([^"]+)"', svg.read_text("utf-8")
        )
        assert len(rasters) == len(set(rasters)), f"{svg.name} embeds one image twice"
        assert sum(map(len, rasters)) < 60_000, f"{svg.name}: a photograph inside SVG"


def test_the_icon_font_holds_only_the_icons_used(built_site: Path) -> None:
    static = built_site / "_static"
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    fonts = re.findall(r"src:url\(\.\./icons/([\w.-]+\.woff2)\)", css)
    assert "fa-solid-900.woff2" in fonts, "the theme's icons come from the cut fonts"
    assert "vendor/fontawesome/webfonts" not in css
    for name in fonts:
        size = (static / "icons" / name).stat().st_size
        assert size < 10_000, (name, size)  # the theme's full font: 115 kB
    assert ".fa-bars{" in css or ".fa-bars," in css  # the menu button's icon stays
    assert ".fa-flask{" not in css  # an icon no page shows is gone


# --- every kind of assert in the pages can fail ------------------------------
#
# Each case builds one real page of the book (in a copy of book/ whose index
# lists only that page) after breaking the package or the data it checks, the
# way a bug would: a wrong formula, a wrong number. The build must fail with an
# AssertionError and name the page. The break is made at the start of the
# page's last hidden cell (the cell of its asserts), so the visible cells run
# unbroken and it is the assert, not some other error, that catches it.

WRONG_OUTPUT_SIZE = """\
import convmat._params as _p


def _forgets_right_padding(input_size, kernel_size, pads, stride, dilation):
    return tuple((n + lo - d * (k - 1) - 1) // s + 1
                 for n, k, (lo, hi), s, d in zip(input_size, kernel_size, pads, stride, dilation))


_p._output_sizes = _forgets_right_padding
# what the old check compared (output_shape with conv_matrix's rows) still agrees:
assert output_shape(2, 6, padding=1)[0] == conv_matrix(np.ones(2), 6, padding=1).shape[0]
"""

FLIPPED_DIRECT = """\
import convmat._direct as _d

_right, _depth = _d.correlate_padded, [0]


def _flipped(xp, w, *rest):  # flips the filter once (the batched path recurses)
    _depth[0] += 1
    try:
        return _right(xp, w[..., ::-1] if _depth[0] == 1 else w, *rest)
    finally:
        _depth[0] -= 1


_d.correlate_padded = _flipped
"""

NO_BIASES = """\
def conv_layer_params(w, *, bias=True):  # forgets the biases
    return int(np.prod(w))
"""


def one_page_book(tmp_path: Path, page: str, break_before_asserts: str) -> Path:
    """book/ copied, reduced to ``page``, with code run before its asserts."""
    src = tmp_path / "book"
    shutil.copytree(ROOT / "book", src)
    for other in src.glob("*.md"):
        if other.stem not in {page, "index"}:
            other.unlink()
    (src / "index.md").write_text(
        f"# One page\n\n```{{toctree}}\n{page}\n```\n", encoding="utf-8"
    )
    path = src / f"{page}.md"
    text = path.read_text(encoding="utf-8")
    marker = "```{code-cell} ipython3\n:tags: [remove-cell]\n"
    at = text.rindex(marker) + len(marker)
    path.write_text(text[:at] + break_before_asserts + text[at:], encoding="utf-8")
    return src


def assert_build_fails_at_an_assert(tmp_path: Path, src: Path, page: str) -> None:
    result = sphinx_build(src, tmp_path / "html")
    log = result.stdout + result.stderr
    # Sphinx may put the cell's traceback in a file it names instead of the log
    saved = re.search(r"traceback has been saved in:\s*(\S+)", log)
    if saved and Path(saved[1]).is_file():
        log += Path(saved[1]).read_text(encoding="utf-8", errors="replace")
    assert result.returncode != 0, log[-3000:]
    assert f"{page}.md" in log, log[-3000:]
    assert "AssertionError" in log, log[-3000:]


@pytest.mark.parametrize(
    ("page", "wrong", "kind"),
    [
        (
            "padding-stride-dilation",
            WRONG_OUTPUT_SIZE,
            "output size against windows counted",
        ),
        ("convolution-by-hand", FLIPPED_DIRECT, "two independent routes agree"),
        ("weight-sharing", NO_BIASES, "a number the page states"),
    ],
)
def test_a_wrong_formula_breaks_the_build_at_an_assert(
    tmp_path: Path, page: str, wrong: str, kind: str
) -> None:
    src = one_page_book(tmp_path, page, wrong)
    assert_build_fails_at_an_assert(tmp_path, src, page)


def test_a_wrong_stored_measurement_breaks_the_build_at_an_assert(
    tmp_path: Path,
) -> None:
    """The text's claims about the committed timings are checked against them."""
    import json

    page = "price-of-the-matrix"
    src = one_page_book(tmp_path, page, "")
    stored = src / "data" / "chapter-timings.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    for row in data["matrix_routes"]["rows"]:
        row["build"] = row["sparse"] / 10  # building faster than applying: false
    stored.write_text(json.dumps(data), encoding="utf-8")
    assert_build_fails_at_an_assert(tmp_path, src, page)


def test_every_page_states_the_licenses_and_links_how_to_cite(built_site: Path) -> None:
    pages = sorted(built_site.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "https://creativecommons.org/licenses/by/4.0/" in html, page.name
        assert "BSD-3-Clause" in html, page.name
        assert 'href="citation.html"' in html, page.name


def test_the_citation_page_gives_bibtex_made_from_citation_cff(
    built_site: Path,
) -> None:
    import time

    import yaml
    from project import VERSION, source_date_epoch

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    page = text_of((built_site / "citation.html").read_text(encoding="utf-8"))
    year = time.gmtime(source_date_epoch()).tm_year
    assert f"@misc{{convmat{year}," in "".join(page.split())  # highlighted
    assert cff["title"] in page
    assert f"Version {VERSION}." in page
    assert "cff-version:1.2.0" in "".join(page.split())  # the file itself too
    # One year everywhere: the footer's copyright is the build's (last commit).
    assert f"Copyright {year}, the convmat authors" in page


def test_every_figure_is_also_offered_as_png(built_site: Path) -> None:
    pages = 0
    for page in sorted(built_site.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        figures = re.findall(r'<img[^>]+src="_images/[0-9a-f]{64}\.svg"', html)
        if not figures:
            continue
        pages += 1
        links = re.findall(r'href="(_images/png/[^"]+\.png)"', html)
        assert len(links) == len(figures), page.name
        for link in links:
            assert (built_site / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", link
    assert pages >= 4

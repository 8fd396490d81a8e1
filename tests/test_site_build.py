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


def test_math_is_served_from_the_site(built_site: Path) -> None:
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert "\\(" in index  # the first page has math
    assert 'src="_static/mathjax/tex-chtml.js' in index
    assert (built_site / "_static/mathjax/tex-chtml.js").is_file()
    assert (built_site / "_static/mathjax/fonts/mathjax-newcm-font/chtml.js").is_file()
    assert "[mathjax]/fonts" in index  # fonts from the site, not from a CDN


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
            "matrix-multiplication",
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

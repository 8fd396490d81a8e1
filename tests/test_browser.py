"""The site as readers see it: every page loaded in Chromium, and the explorer.

The built site (``built_site``, built exactly as ``nox -s docs`` does; or the
folder CONVMAT_SITE names) is served on a free localhost port and crawled from
``index.html``; each page is loaded once in one headless Chromium, and the
tests below assert on what that visit recorded: console errors, failed or
off-site requests, typeset math, images, links and anchors, axe-core, the
width on a phone.  Screenshots at 1280 and 375 px wide land in
``_build/screenshots/``.

Where Chromium is not installed the tests are skipped with a message, except
under CI (the CI environment variable set), where they fail.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import numpy as np
import pytest
from browser import (
    DESKTOP,
    NEXT_FRAME,
    PHONE,
    SCREENSHOTS,
    LinkParser,
    LocalOnly,
    PageVisit,
    Recorder,
    SiteMap,
    axe_violations,
    crawl,
    serve,
    visit,
)
from conftest import require_chromium
from project import ROOT

import convmat

pytestmark = pytest.mark.browser

MATRIX_PAGE = "matrix-multiplication.html"
EXPLORER_PAGE = "padding-stride-dilation.html"  # the page with the 1-D explorer
SNIPPET = ROOT / "book" / "_includes" / "explorer.md"


# --- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_map(site: Path) -> SiteMap:
    return crawl(site)


@pytest.fixture(scope="module")
def guard(site: Path, chromium: Any) -> Iterator[LocalOnly]:
    """A browser context on the served site that lets nothing leave localhost."""
    with serve(site) as base_url:
        context = chromium.new_context(viewport=DESKTOP, color_scheme="light")
        try:
            yield LocalOnly(context, base_url)
        finally:
            context.close()


@pytest.fixture(scope="module")
def visits(guard: LocalOnly, site_map: SiteMap) -> dict[str, PageVisit]:
    """Every page visited once; old screenshots are replaced."""
    from axe_playwright_python.sync_playwright import Axe

    for old in SCREENSHOTS.glob("*.png") if SCREENSHOTS.is_dir() else ():
        old.unlink()
    axe = Axe()
    start = time.perf_counter()
    records = {page: visit(guard, site_map, page, axe=axe) for page in site_map.pages}
    elapsed = time.perf_counter() - start
    print(f"visited {len(records)} pages in {elapsed:.1f} s")
    for page, seen in records.items():
        print(f"  {page}: {seen.seconds}")
    return records


def report(problems: dict[str, list[Any]]) -> str:
    """One line per problem, grouped by page."""
    lines = []
    for page, items in problems.items():
        lines.append(f"{page}:")
        lines.extend(f"    {item}" for item in items)
    return "\n".join(lines)


def failing(visits: dict[str, PageVisit], attribute: str) -> dict[str, list[Any]]:
    return {
        p: getattr(v, attribute) for p, v in visits.items() if getattr(v, attribute)
    }


# --- the checks have teeth: a deliberately broken site ------------------------

BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title>
<link rel="icon" href="data:,"></head>
<body><main>
<h1>A broken page</h1>
<p>Raw math $$x^2$$ left in the text.</p>
<p><span class="math">\\(y\\)</span> never typeset.</p>
<img src="missing.png">
<img src="http://example.com/remote.png" alt="a remote image">
<p><a href="other.html#nowhere">a missing anchor</a>,
<a href="gone.html">a missing page</a>, <a href="other.html#here">fine</a>.</p>
<div style="width: 900px">too wide for a phone</div>
<script>console.error("boom");</script>
</main></body></html>
"""


def test_the_checks_catch_a_broken_page(chromium: Any, tmp_path: Path) -> None:
    """The control: every check below fires on a page made to fail it."""
    (tmp_path / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    (tmp_path / "other.html").write_text(
        '<!doctype html><html lang="en"><head><title>Other</title></head>'
        '<body><h1 id="here">Other</h1></body></html>',
        encoding="utf-8",
    )
    from axe_playwright_python.sync_playwright import Axe

    site_map = crawl(tmp_path)
    assert site_map.pages == ["index.html", "other.html"]
    with serve(tmp_path) as base_url:
        context = chromium.new_context(viewport=DESKTOP)
        try:
            guard = LocalOnly(context, base_url)
            seen = visit(guard, site_map, "index.html", axe=Axe(), screenshots=False)
        finally:
            context.close()
    assert any("boom" in e for e in seen.console_errors), seen.console_errors
    assert any("missing.png" in r for r in seen.failed_requests), seen
    assert seen.offsite_requests == ["http://example.com/remote.png"]
    assert any("$$x^2$$" in r for r in seen.math["raw"]), seen.math
    assert seen.math["untypeset"] == ["\\(y\\)"]
    images = {i["src"]: i for i in seen.images}
    assert images["missing.png"]["alt"] is None
    assert images["missing.png"]["naturalWidth"] == 0
    assert any("'nowhere'" in link for link in seen.links), seen.links
    assert any("gone.html" in link for link in seen.links), seen.links
    assert not any("#here" in link for link in seen.links)
    assert {v["id"] for v in seen.axe} >= {"image-alt"}
    assert seen.phone_width["scrollWidth"] > seen.phone_width["innerWidth"] + 1
    assert any("div" in c for c in seen.phone_width["culprits"])


def test_without_chromium_the_tests_skip_locally_and_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nowhere = tmp_path / "no-chromium"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_chromium(nowhere)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        require_chromium(nowhere)


# --- every page of the site ---------------------------------------------------


def test_the_crawl_reaches_the_pages_of_the_book(site_map: SiteMap) -> None:
    assert site_map.pages[0] == "index.html"
    assert "search.html" in site_map.pages  # the search form leads there
    assert len(site_map.pages) >= 3, site_map.pages


def test_no_page_logs_a_console_error(visits: dict[str, PageVisit]) -> None:
    problems = failing(visits, "console_errors")
    if any("/favicon.ico" in e for errors in problems.values() for e in errors):
        hint = (
            "the browser asks for /favicon.ico because the pages declare no "
            "icon: set html_favicon in conf.py"
        )
        problems["hint"] = [hint]
    assert not problems, report(problems)


def test_no_request_fails(visits: dict[str, PageVisit]) -> None:
    problems = failing(visits, "failed_requests")
    assert not problems, report(problems)


def test_no_request_leaves_localhost(visits: dict[str, PageVisit]) -> None:
    problems = failing(visits, "offsite_requests")
    assert not problems, report(problems)


def test_math_is_typeset(visits: dict[str, PageVisit]) -> None:
    problems = {}
    for page, seen in visits.items():
        math = seen.math
        found = [f"not typeset: {t}" for t in math["untypeset"]]
        found += [f"raw TeX in the text: {t}" for t in math["raw"]]
        if math["elements"] and not math["typeset"]:
            found.append(f"{math['elements']} math elements but no mjx-container")
        if found:
            problems[page] = found
    assert not problems, report(problems)
    assert any(v.math["typeset"] for v in visits.values()), "no page has any math"


def test_every_image_has_alt_text_and_loads(visits: dict[str, PageVisit]) -> None:
    problems = {}
    for page, seen in visits.items():
        found = [
            f"{i['src']}: alt={i['alt']!r}, naturalWidth={i['naturalWidth']}"
            for i in seen.images
            if not (i["alt"] or "").strip() or i["naturalWidth"] <= 0
        ]
        if found:
            problems[page] = found
    assert not problems, report(problems)


def test_every_internal_link_and_anchor_resolves(
    visits: dict[str, PageVisit], site_map: SiteMap
) -> None:
    problems = failing(visits, "links")
    assert not problems, report(problems)
    # and the static HTML agrees (links a script might remove are checked too)
    static = {}
    base = "http://127.0.0.1/"
    for page in site_map.pages:
        parser = LinkParser()
        parser.feed((site_map.root / page).read_text(encoding="utf-8"))
        found = [
            problem
            for href in parser.hrefs
            if (problem := site_map.check_link(urljoin(base + page, href), base))
        ]
        if found:
            static[page] = found
    assert not static, report(static)


def test_axe_finds_no_serious_or_critical_violation(
    visits: dict[str, PageVisit],
) -> None:
    problems = {
        page: [
            f"{v['id']} ({v['impact']}): {v['help']}: {'; '.join(v['nodes'])}"
            for v in seen.axe
        ]
        for page, seen in visits.items()
        if seen.axe
    }
    assert not problems, report(problems)


def test_the_layout_holds_on_a_phone(visits: dict[str, PageVisit]) -> None:
    problems = {}
    for page, seen in visits.items():
        width = seen.phone_width
        if width["scrollWidth"] > width["innerWidth"] + 1:
            scrolls = (
                f"the page scrolls sideways: {width['scrollWidth']} px wide "
                f"in a {width['innerWidth']} px window"
            )
            problems[page] = [scrolls, *width["culprits"]]
    assert not problems, report(problems)


def test_screenshots_of_every_page_are_saved(visits: dict[str, PageVisit]) -> None:
    for seen in visits.values():
        assert len(seen.screenshots) == 2, seen.page
        for shot in seen.screenshots:
            assert shot.stat().st_size > 1000, shot


# --- search ------------------------------------------------------------------


SEARCH_DONE = """
() => {
  const box = document.querySelector("#search-results");
  if (!box) return false;
  return box.querySelector("ul.search li") !== null
    || /Search finished|did not match/.test(box.textContent);
}
"""


def test_search_finds_toeplitz_on_the_matrix_page(
    guard: LocalOnly, site_map: SiteMap
) -> None:
    if not (site_map.root / MATRIX_PAGE).is_file():
        pytest.skip(f"{MATRIX_PAGE} is not in the site yet: nothing to find")
    record = PageVisit("search.html?q=Toeplitz")
    guard.offsite = record.offsite_requests
    tab = guard.context.new_page()
    Recorder(tab, record)
    try:
        tab.goto(guard.base_url + "search.html?q=Toeplitz")
        tab.wait_for_function(SEARCH_DONE, timeout=20000)
        results = tab.locator("#search-results ul.search li")
        hrefs = results.locator("a").evaluate_all("(as) => as.map((a) => a.href)")
        text = tab.locator("#search-results").inner_text()
    finally:
        tab.close()
    errors = [e for e in record.console_errors if "/favicon.ico" not in e]
    assert not errors, errors
    assert not record.failed_requests, record.failed_requests
    assert not record.offsite_requests, record.offsite_requests
    assert hrefs, f"searching for Toeplitz found nothing: {text}"
    assert any(re.search(rf"/{re.escape(MATRIX_PAGE)}(\?|#|$)", h) for h in hrefs), (
        hrefs
    )
    assert "toeplitz" in text.lower()


# --- the matrix explorer -----------------------------------------------------


def snippet_html() -> str:
    """The HTML of book/_includes/explorer.md (its ```{raw} html``` block)."""
    text = SNIPPET.read_text(encoding="utf-8")
    match = re.search(r"```\{raw\} html\n(.*?)\n```", text, re.DOTALL)
    assert match, f"{SNIPPET} has no raw html block"
    return match.group(1)


def explorer_pages(site_map: SiteMap) -> list[str]:
    return [
        page
        for page in site_map.pages
        if 'class="convmat-explorer"' in (site_map.root / page).read_text("utf-8")
    ]


def test_the_options_page_shows_the_explorer(site_map: SiteMap) -> None:
    if not (site_map.root / EXPLORER_PAGE).is_file():
        pytest.skip(f"{EXPLORER_PAGE} is not in the site yet")
    assert EXPLORER_PAGE in explorer_pages(site_map)
    assert (site_map.root / "_static" / "explorer.js").is_file()


@pytest.fixture(scope="module")
def explorer(guard: LocalOnly, site_map: SiteMap) -> Iterator[Any]:
    """A tab showing the explorer: on its page of the site if one includes it,
    otherwise on a stand-in page (the snippet alone) served at the site root."""
    pages = explorer_pages(site_map)
    if EXPLORER_PAGE in pages:
        url = guard.base_url + EXPLORER_PAGE
    elif pages:
        url = guard.base_url + pages[0]
    else:
        url = guard.base_url + "__explorer__.html"
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<title>Matrix explorer</title><link rel="icon" href="data:,">'
            f"</head><body><main><h1>Matrix explorer</h1>{snippet_html()}"
            "</main></body></html>"
        )
        guard.context.route(
            url, lambda route: route.fulfill(body=page, content_type="text/html")
        )
    record = PageVisit("explorer")
    guard.offsite = record.offsite_requests
    tab = guard.context.new_page()
    tab.recorder = Recorder(tab, record)  # travels with the tab, for axe_violations
    tab.goto(url)
    # built when it comes near the screen (test_explorers_are_built_only_near_the_screen)
    tab.locator(".convmat-explorer").first.scroll_into_view_if_needed()
    tab.locator(".convmat-explorer button.cmx-out").first.wait_for()
    yield tab
    tab.close()
    # (a missing /favicon.ico is reported by test_no_page_logs_a_console_error)
    errors = [e for e in record.console_errors if "/favicon.ico" not in e]
    assert not errors, errors
    assert not record.failed_requests, record.failed_requests
    assert not record.offsite_requests, record.offsite_requests


# The theme's sticky header and skip link would cover part of an element
# screenshot; hide them while one is taken.
HIDE_CHROME = (
    ".bd-header, .bd-header-article, .skip-link, .bd-header-announcement"
    " {visibility: hidden}"
)

STATE = """
(root) => {
  const all = (sel) => [...root.querySelectorAll(sel)];
  return {
    outputs: all("button.cmx-out").length,
    matrix: all("table.cmx-matrix tbody tr").map(
      (tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())),
    rowsOn: all("table.cmx-matrix tr.cmx-row-on").map((tr) => +tr.dataset.row),
    pressed: all("button.cmx-out[aria-pressed='true']").map((b) => +b.dataset.row),
    hits: all("tr.cmx-row-on td.cmx-hit").map((td) => [+td.dataset.col, +td.dataset.tap]),
    heads: all("thead th.cmx-hit").map((th) => +th.dataset.col),
    window: all(".cmx-input .cmx-window").map((c) => ({
      pos: +c.dataset.pos,
      col: c.dataset.col === undefined ? null : +c.dataset.col,
      text: c.textContent.trim(),
    })),
    focused: document.activeElement && root.contains(document.activeElement)
      ? document.activeElement.dataset.row ?? null : null,
    description: root.querySelector(".cmx-description").textContent,
    shape: root.querySelector(".cmx-shape").textContent,
  };
}
"""


def configure(tab: Any, setting: tuple[int, int, int, int, int]) -> Any:
    """Set (n, k, padding, stride, dilation) through the labelled controls.

    Returns the explorer's root element (a Playwright Locator).
    """
    n, k, padding, stride, dilation = setting
    root = tab.locator(".convmat-explorer").first
    root.get_by_label("Input length n").fill(str(n))
    root.get_by_label("Kernel size k").select_option(str(k))
    root.get_by_label("Padding p (zeros)").select_option(str(padding))
    root.get_by_label("Stride s").select_option(str(stride))
    root.get_by_label("Dilation d").select_option(str(dilation))
    return root


def plain(name: str) -> str:
    """``w_{2}`` (LaTeX, as convmat writes it) -> ``w2`` (as the explorer shows it)."""
    return re.sub(r"_\{(\d+)\}", r"\1", name).replace(" ", "")


SETTINGS = [
    # n, k, padding, stride, dilation
    (4, 2, 0, 1, 1),  # the lecture example: a 3 x 4 Toeplitz matrix
    (6, 3, 1, 1, 1),
    (7, 3, 0, 2, 1),
    (8, 3, 2, 1, 2),
    (9, 4, 3, 3, 2),
    (10, 3, 1, 2, 3),
    (3, 1, 3, 1, 1),  # rows that read nothing but padding
    (16, 7, 6, 1, 1),
]


@pytest.mark.parametrize(
    "setting", SETTINGS, ids="n{0[0]}-k{0[1]}-p{0[2]}-s{0[3]}-d{0[4]}".format
)
def test_the_explorer_highlights_what_conv_index_says(
    explorer: Any, setting: tuple[int, int, int, int, int]
) -> None:
    n, k, padding, stride, dilation = setting
    options = {"padding": padding, "stride": stride, "dilation": dilation}
    root = configure(explorer, setting)
    (n_out,) = convmat.output_shape(k, n, **options)
    index = convmat.conv_index((k,), (n,), **options)
    numeric = convmat.conv_matrix(np.arange(1, k + 1), (n,), **options)
    symbolic = convmat.conv_matrix_symbolic(k, n, **options)

    state = root.evaluate(STATE)
    assert state["outputs"] == n_out
    assert state["matrix"] == [[plain(e) for e in row] for row in symbolic]
    assert f"{n_out} \u00d7 {n}" in state["shape"]

    buttons = root.locator("button.cmx-out")
    for i in range(n_out):
        buttons.nth(i).click()
        state = root.evaluate(STATE)
        mine = index.rows == i
        cols, taps = index.cols[mine].tolist(), index.taps[mine].tolist()
        assert state["pressed"] == [i]
        assert state["rowsOn"] == [i]
        assert sorted(map(tuple, state["hits"])) == sorted(zip(cols, taps, strict=True))
        assert [c for c, _ in sorted(state["hits"])] == np.flatnonzero(
            numeric[i]
        ).tolist()
        assert [numeric[i, c] for c, t in sorted(state["hits"])] == [
            t + 1 for _, t in sorted(state["hits"])
        ]
        assert sorted(state["heads"]) == sorted(cols)
        # the window: k cells of the padded input, from position i*stride, of
        # which those inside the input are exactly the columns of row i
        window = state["window"]
        assert len(window) == k
        assert window[0]["pos"] == i * stride
        inside = [c["col"] for c in window if c["col"] is not None]
        assert inside == sorted(cols)
        assert all(c["text"] == "0" for c in window if c["col"] is None)
        assert f"b{i + 1} = " in state["description"]


def test_the_explorer_is_driven_by_the_keyboard(explorer: Any) -> None:
    root = configure(explorer, (6, 3, 1, 1, 1))
    buttons = root.locator("button.cmx-out")
    buttons.nth(0).click()
    buttons.nth(0).press("ArrowRight")
    state = root.evaluate(STATE)
    assert state["pressed"] == [1]
    assert state["focused"] == "1"
    assert "b2 = " in state["description"]
    explorer.keyboard.press("End")
    state = root.evaluate(STATE)
    assert state["pressed"] == [5]
    assert state["focused"] == "5"
    explorer.keyboard.press("Home")
    assert root.evaluate(STATE)["pressed"] == [0]
    # one tab stop for the outputs: the chosen one
    tab_stops = buttons.evaluate_all("(bs) => bs.map((b) => b.tabIndex)")
    assert tab_stops == [0, -1, -1, -1, -1, -1]
    live = root.locator(".cmx-description")
    assert live.get_attribute("aria-live") == "polite"


def test_the_explorer_explains_settings_with_no_output(explorer: Any) -> None:
    with pytest.raises(ValueError, match="kernel larger than the padded input"):
        convmat.output_shape(5, 2)  # a kernel of 5 over an input of 2
    root = configure(explorer, (2, 5, 0, 1, 1))
    state = root.evaluate(STATE)
    assert state["outputs"] == 0
    assert state["matrix"] == []
    assert "No output" in state["shape"]
    configure(explorer, (6, 3, 1, 1, 1))
    assert root.evaluate(STATE)["outputs"] == 6


def test_the_explorer_fits_a_phone_and_is_accessible(explorer: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    root = configure(explorer, (16, 7, 6, 1, 1))
    root.locator("button.cmx-out").nth(3).click()
    try:
        explorer.set_viewport_size(PHONE)
        root.scroll_into_view_if_needed()
        sizes = explorer.evaluate(
            """() => {
              const box = document.querySelector(".convmat-explorer .cmx-matrix-box");
              return {page: document.scrollingElement.scrollWidth,
                      window: innerWidth,
                      box: box.clientWidth, table: box.scrollWidth};
            }"""
        )
        assert sizes["page"] <= sizes["window"] + 1, sizes
        assert sizes["table"] > sizes["box"], "the wide matrix scrolls in its box"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        root.screenshot(path=SCREENSHOTS / "explorer-phone.png", style=HIDE_CHROME)
        serious = axe_violations(
            explorer, Axe(), explorer.recorder, context=".convmat-explorer"
        )
        assert not serious, serious
        # the theme's dark mode (what its switch sets), contrast only
        explorer.evaluate(
            "() => { const d = document.documentElement.dataset;"
            " d.theme = 'dark'; d.mode = 'dark'; }"
        )
        explorer.evaluate(NEXT_FRAME)
        root.screenshot(path=SCREENSHOTS / "explorer-phone-dark.png", style=HIDE_CHROME)
        serious = axe_violations(
            explorer,
            Axe(),
            explorer.recorder,
            context=".convmat-explorer",
            rules=["color-contrast"],
        )
        assert not serious, serious
    finally:
        explorer.evaluate(
            "() => { const d = document.documentElement.dataset;"
            " d.theme = 'light'; d.mode = 'light'; }"
        )
        explorer.set_viewport_size(DESKTOP)
    configure(explorer, (6, 3, 1, 1, 1))
    root.locator("button.cmx-out").nth(2).click()
    root.screenshot(path=SCREENSHOTS / "explorer-desktop.png", style=HIDE_CHROME)


# --- work deferred until the reader comes near it (page speed on a phone) -----

EXPLORERS = ".convmat-explorer, .convmat-explorer2d"
DEFERRED_STATE = """(selector) => Array.from(document.querySelectorAll(selector)).map((root) => ({
    top: root.getBoundingClientRect().top / window.innerHeight,
    built: root.querySelector("button") !== null,
}))"""


def test_explorers_are_built_only_near_the_screen(
    guard: LocalOnly, site_map: SiteMap
) -> None:
    """An explorer far down a page costs its first view nothing; near, it works."""
    pages = [
        page
        for page in site_map.pages
        if re.search(
            r'class="convmat-explorer(2d)?"', (site_map.root / page).read_text("utf-8")
        )
    ]
    if not pages:
        pytest.skip("no page of the site shows an explorer yet")
    far_seen = 0
    for page in pages:
        tab = guard.context.new_page()
        tab.set_viewport_size(PHONE)
        try:
            tab.goto(guard.base_url + page, wait_until="load")
            tab.wait_for_timeout(500)
            for state in tab.evaluate(DEFERRED_STATE, EXPLORERS):
                if state["top"] > 3:  # more than two screens below the first
                    far_seen += 1
                    assert not state["built"], (
                        f"{page}: an explorer far below was built"
                    )
            for i in range(tab.locator(EXPLORERS).count()):
                root = tab.locator(EXPLORERS).nth(i)
                root.scroll_into_view_if_needed()
                root.locator("button").first.wait_for(timeout=10000)
        finally:
            tab.close()
    assert far_seen, f"no explorer lies below the first screens of {pages}"

"""The two-dimensional matrix explorer in Chromium, checked against conv_index.

The explorer (book/_static/explorer2d.js) is loaded on its page of the built
site (or, if no page includes it yet, on a stand-in page holding the snippet
book/_includes/explorer2d.md), driven through its labelled controls, and
every cell of the matrix it draws is compared with `convmat.conv_index`
computed here in Python: an independent implementation of the same rule.
Screenshots at 1280 and 375 px wide, light and dark, land in
``_build/screenshots/explorer2d-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from browser import (
    DESKTOP,
    NEXT_FRAME,
    PHONE,
    SCREENSHOTS,
    LocalOnly,
    PageVisit,
    Recorder,
    axe_violations,
    crawl,
    serve,
)
from project import ROOT

import convmat

pytestmark = pytest.mark.browser

PAGE = "two-dimensions.html"
SNIPPET = ROOT / "book" / "_includes" / "explorer2d.md"
ROOT_CLASS = 'class="convmat-explorer2d"'

# The theme's sticky header and skip link would cover part of an element
# screenshot; hide them while one is taken.
HIDE_CHROME = (
    ".bd-header, .bd-header-article, .skip-link, .bd-header-announcement"
    " {visibility: hidden}"
)


def snippet_html() -> str:
    """The HTML of the snippet (its ```{raw} html``` block)."""
    text = SNIPPET.read_text(encoding="utf-8")
    match = re.search(r"```\{raw\} html\n(.*?)\n```", text, re.DOTALL)
    assert match, f"{SNIPPET} has no raw html block"
    return match.group(1)


@pytest.fixture(scope="module")
def explorer_page(site: Any) -> str | None:
    """The page of the site that shows the explorer (None: none does yet)."""
    pages = [
        page
        for page in crawl(site).pages
        if ROOT_CLASS in (site / page).read_text(encoding="utf-8")
    ]
    if PAGE in pages:
        return PAGE
    return pages[0] if pages else None


@pytest.fixture(scope="module")
def tab(site: Any, chromium: Any, explorer_page: str | None) -> Iterator[Any]:
    """A tab showing the explorer, with nothing allowed to leave localhost."""
    with serve(site) as base_url:
        context = chromium.new_context(viewport=DESKTOP, color_scheme="light")
        guard = LocalOnly(context, base_url)
        if explorer_page is not None:
            url = base_url + explorer_page
        else:
            url = base_url + "__explorer2d__.html"
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                '<title>Matrix explorer</title><link rel="icon" href="data:,">'
                f"</head><body><main><h1>Matrix explorer</h1>{snippet_html()}"
                "</main></body></html>"
            )
            context.route(
                url, lambda route: route.fulfill(body=page, content_type="text/html")
            )
        record = PageVisit("explorer2d")
        guard.offsite = record.offsite_requests
        page_tab = context.new_page()
        page_tab.recorder = Recorder(page_tab, record)  # for axe_violations
        try:
            page_tab.goto(url)
            # built when it comes near the screen (test_built_only_near_the_screen)
            page_tab.locator(".convmat-explorer2d").first.scroll_into_view_if_needed()
            page_tab.locator(".convmat-explorer2d button.cm2-out").first.wait_for()
            yield page_tab
        finally:
            context.close()
    errors = [e for e in record.console_errors if "/favicon.ico" not in e]
    assert not errors, errors
    assert not record.failed_requests, record.failed_requests
    assert not record.offsite_requests, record.offsite_requests


def test_the_two_dimensions_page_shows_the_explorer(explorer_page: str | None) -> None:
    assert explorer_page == PAGE


# --- reading the explorer ----------------------------------------------------

STATE = """
(root) => {
  const all = (sel) => [...root.querySelectorAll(sel)];
  const num = (v) => (v === undefined || v === "" ? null : +v);
  return {
    data: {...root.dataset},
    outputs: all("button.cm2-out").map((b) => +b.dataset.row),
    inputs: all("button.cm2-in").map((b) => +b.dataset.col),
    cells: all("table.cm2-matrix tbody td").map((td) => [
      +td.dataset.row, +td.dataset.col, num(td.dataset.tap), td.textContent.trim()]),
    rowsOn: all("table.cm2-matrix tbody tr.cm2-row-on").map((tr) => +tr.dataset.row),
    colsOn: [...new Set(all("table.cm2-matrix tbody td.cm2-col-on")
      .map((td) => +td.dataset.col))],
    hits: all("table.cm2-matrix tbody td.cm2-hit").map((td) => [
      +td.dataset.row, +td.dataset.col, num(td.dataset.tap)]),
    headCols: all("table.cm2-matrix thead th.cm2-hit").map((th) => +th.dataset.col),
    headRows: all("table.cm2-matrix tbody th.cm2-hit").map((th) => +th.dataset.row),
    pressedOut: all("button.cm2-out[aria-pressed='true']").map((b) => +b.dataset.row),
    pressedIn: all("button.cm2-in[aria-pressed='true']").map((b) => +b.dataset.col),
    readers: all("button.cm2-out.cm2-reads").map((b) => [+b.dataset.row, +b.dataset.tap]),
    window: all(".cm2-input .cm2-window").map((c) => ({
      pi: +c.dataset.pi, pj: +c.dataset.pj, col: num(c.dataset.col),
      tap: +c.dataset.tap, pad: c.classList.contains("cm2-window-pad"),
      text: c.querySelector(".cm2-main").textContent.trim(),
    })),
    padTaps: all(".cm2-kernel .cm2-tap-pad").map((c) => +c.dataset.tap),
    focused: document.activeElement && root.contains(document.activeElement)
      ? {row: num(document.activeElement.dataset.row),
         col: num(document.activeElement.dataset.col)} : null,
    description: root.querySelector(".cm2-description").textContent,
    shape: root.querySelector(".cm2-shape").textContent,
    blockRows: all("table.cm2-matrix tbody tr.cm2-block-end").map((tr) => +tr.dataset.row),
    blockCols: all("table.cm2-matrix thead tr:last-child th.cm2-block-end")
      .map((th) => +th.dataset.col),
  };
}
"""

KEYS = ("h", "w", "kh", "kw", "ph", "pw", "sh", "sw", "dh", "dw")


def configure(tab: Any, setting: dict[str, int], entries: str = "symbols") -> Any:
    """Set the explorer's menus (by their labels) and the kind of entries."""
    root = tab.locator(".convmat-explorer2d").first
    labels = {
        "h": "Input height h",
        "w": "Input width w",
        "kh": "Kernel height kh",
        "kw": "Kernel width kw",
        "ph": "Padding top and bottom ph",
        "pw": "Padding left and right pw",
        "sh": "Stride down sh",
        "sw": "Stride across sw",
        "dh": "Dilation down dh",
        "dw": "Dilation across dw",
    }
    for key in KEYS:
        control = root.get_by_label(labels[key], exact=True)
        assert control.get_attribute("data-setting") == key
        control.select_option(str(setting[key]))
    root.locator(f"input[data-setting='entries'][value='{entries}']").check()
    return root


def pair(a: int, b: int) -> str:
    """The explorer's data attribute for one option: "a" or "a,b"."""
    return str(a) if a == b else f"{a},{b}"


def options(s: dict[str, int]) -> dict[str, Any]:
    """The keyword arguments of convmat for a setting, padding on both sides."""
    return {
        "padding": ((s["ph"], s["ph"]), (s["pw"], s["pw"])),
        "stride": (s["sh"], s["sw"]),
        "dilation": (s["dh"], s["dw"]),
    }


def symbol(letter: str, flat: int, width: int) -> str:
    """``symbol("w", 4, 3)`` -> ``"w2,2"``: 1-based row, column, as shown."""
    return f"{letter}{flat // width + 1},{flat % width + 1}"


def setting_of(text: str) -> dict[str, int]:
    values = [int(v) for v in text.split()]
    return dict(zip(KEYS, values, strict=True))


SETTINGS = [
    # h w kh kw ph pw sh sw dh dw
    "3 3 2 2 0 0 1 1 1 1",  # the page's example: a 4 x 9 doubly block Toeplitz
    "4 5 3 3 1 1 1 1 1 1",  # padding 1 keeps the size
    "5 4 2 3 0 1 1 1 1 1",  # non-square everything, padding on one axis
    "6 6 3 3 0 0 2 2 1 1",  # stride 2
    "5 6 2 2 0 0 1 1 2 2",  # dilation 2
    "6 5 3 2 2 1 2 1 1 2",  # padding, stride and dilation differ per axis
    "4 6 1 4 0 2 1 3 1 1",  # a 1 x 4 kernel, horizontal stride 3
    "6 3 4 1 3 0 1 1 2 1",  # a 4 x 1 dilated kernel, windows in the padding
    "2 2 1 2 1 1 1 1 1 1",  # outputs that read the padding only
    "6 6 3 3 1 1 3 2 3 2",  # large strides and dilations together
    "1 6 1 2 0 0 1 1 1 1",  # a single image row: one block row
]


@pytest.mark.parametrize("text", SETTINGS, ids=lambda t: t.replace(" ", ""))
def test_every_cell_is_what_conv_index_says(tab: Any, text: str) -> None:
    s = setting_of(text)
    kernel, image = (s["kh"], s["kw"]), (s["h"], s["w"])
    n_taps, n_cols = s["kh"] * s["kw"], s["h"] * s["w"]
    h_out, w_out = convmat.output_shape(kernel, image, **options(s))
    index = convmat.conv_index(kernel, image, **options(s))
    assert index.shape == (h_out * w_out, n_cols)
    expected = np.full(index.shape, -1)
    expected[index.rows, index.cols] = index.taps

    root = configure(tab, s)
    state = root.evaluate(STATE)
    data = state["data"]
    assert (data["h"], data["w"], data["kh"], data["kw"]) == tuple(
        str(s[k]) for k in ("h", "w", "kh", "kw")
    )
    assert data["padding"] == pair(s["ph"], s["pw"])
    assert data["stride"] == pair(s["sh"], s["sw"])
    assert data["dilation"] == pair(s["dh"], s["dw"])
    assert data["entries"] == "symbols"
    assert state["outputs"] == list(range(h_out * w_out))
    assert state["inputs"] == list(range(n_cols))
    rows = h_out * w_out
    assert f"= {rows} \u00d7 {n_cols}" in state["shape"]

    # every cell: its place, its tap, its text
    drawn = np.full(index.shape, -2)
    for row, col, tap, text_shown in state["cells"]:
        assert drawn[row, col] == -2, f"cell ({row}, {col}) drawn twice"
        drawn[row, col] = -1 if tap is None else tap
        want = "0" if tap is None else symbol("w", tap, s["kw"])
        assert text_shown == want, (row, col, tap)
    np.testing.assert_array_equal(drawn, expected)

    # the block lines: after every output row, after every image row
    assert state["blockRows"] == list(range(w_out - 1, rows, w_out))
    assert state["blockCols"] == list(range(s["w"] - 1, n_cols, s["w"]))

    # the same cells as the numbers of the example kernel 1, 2, ..., kh*kw
    root = configure(tab, s, entries="numbers")
    numeric = convmat.conv_matrix(
        np.arange(1, n_taps + 1).reshape(kernel), image, **options(s)
    )
    shown = np.zeros(index.shape, dtype=int)
    for row, col, _, text_shown in root.evaluate(STATE)["cells"]:
        shown[row, col] = int(text_shown)
    np.testing.assert_array_equal(shown, numeric)
    assert root.evaluate("(r) => r.dataset.entries") == "numbers"
    configure(tab, s)


def outputs_to_check(rows: int) -> list[int]:
    """A few outputs: the first, the last, and two in between."""
    return sorted({0, rows // 3, (2 * rows) // 3, rows - 1})


@pytest.mark.parametrize("text", SETTINGS, ids=lambda t: t.replace(" ", ""))
def test_an_output_shows_its_row_its_window_and_the_taps_in_the_padding(
    tab: Any, text: str
) -> None:
    s = setting_of(text)
    kernel, image = (s["kh"], s["kw"]), (s["h"], s["w"])
    h_out, w_out = convmat.output_shape(kernel, image, **options(s))
    index = convmat.conv_index(kernel, image, **options(s))
    root = configure(tab, s)
    buttons = root.locator("button.cm2-out")
    for r in outputs_to_check(h_out * w_out):
        buttons.nth(r).click()
        state = root.evaluate(STATE)
        mine = index.rows == r
        cols, taps = index.cols[mine].tolist(), index.taps[mine].tolist()
        assert state["pressedOut"] == [r]
        assert state["pressedIn"] == []
        assert state["data"]["selectedRow"] == str(r)
        assert state["rowsOn"] == [r]
        assert sorted(map(tuple, state["hits"])) == sorted(
            (r, c, t) for c, t in zip(cols, taps, strict=True)
        )
        assert sorted(state["headCols"]) == sorted(cols)
        assert state["headRows"] == [r]

        # the window: kh x kw cells of the padded input, tap (ti, tj) at
        # (i*sh + ti*dh, j*sw + tj*dw); those inside the image are the
        # columns of row r, with the same taps, the others are padding
        i, j = divmod(r, w_out)
        window = {(c["pi"], c["pj"]): c for c in state["window"]}
        assert len(window) == s["kh"] * s["kw"]
        in_padding = []
        for t in range(s["kh"] * s["kw"]):
            ti, tj = divmod(t, s["kw"])
            cell = window[(i * s["sh"] + ti * s["dh"], j * s["sw"] + tj * s["dw"])]
            assert cell["tap"] == t
            if cell["pad"]:
                assert cell["col"] is None
                assert cell["text"] == "0"
                in_padding.append(t)
            else:
                assert (cell["col"], t) in zip(cols, taps, strict=True)
                assert cell["text"] == symbol("a", cell["col"], s["w"])
        assert len(in_padding) + len(cols) == s["kh"] * s["kw"]
        assert sorted(state["padTaps"]) == in_padding

        # the sentence: b_{i,j} = w·a + ..., taps in the order of the kernel
        terms = " + ".join(
            f"{symbol('w', t, s['kw'])}\u00b7{symbol('a', c, s['w'])}"
            for t, c in sorted(zip(taps, cols, strict=True))
        )
        assert f"b{i + 1},{j + 1} = {terms or '0'}." in state["description"]
        for t in in_padding:
            assert symbol("w", t, s["kw"]) in state["description"].split(". ", 1)[1]


@pytest.mark.parametrize("text", SETTINGS, ids=lambda t: t.replace(" ", ""))
def test_an_input_shows_its_column_and_the_outputs_that_read_it(
    tab: Any, text: str
) -> None:
    s = setting_of(text)
    kernel, image = (s["kh"], s["kw"]), (s["h"], s["w"])
    index = convmat.conv_index(kernel, image, **options(s))
    root = configure(tab, s)
    buttons = root.locator("button.cm2-in")
    n_cols = s["h"] * s["w"]
    for c in sorted({0, n_cols // 2, n_cols - 1, (s["h"] // 2) * s["w"] + 1}):
        if c >= n_cols:
            continue
        buttons.nth(c).click()
        state = root.evaluate(STATE)
        mine = index.cols == c
        rows, taps = index.rows[mine].tolist(), index.taps[mine].tolist()
        assert state["pressedIn"] == [c]
        assert state["pressedOut"] == []
        assert state["data"]["selectedCol"] == str(c)
        assert state["colsOn"] == [c]
        assert state["rowsOn"] == []
        assert sorted(map(tuple, state["hits"])) == sorted(
            (r, c, t) for r, t in zip(rows, taps, strict=True)
        )
        assert sorted(map(tuple, state["readers"])) == sorted(
            zip(rows, taps, strict=True)
        )
        assert sorted(state["headRows"]) == sorted(rows)
        assert state["headCols"] == [c]
        assert state["window"] == []
        a = symbol("a", c, s["w"])
        if rows:
            assert f"{a} is read by {len(rows)} output" in state["description"]
            assert f"Column {c + 1} of M" in state["description"]
        else:
            assert f"{a} is read by no output" in state["description"]


def test_the_settings_are_published_and_an_output_survives_a_change(tab: Any) -> None:
    s = setting_of("4 5 3 3 1 1 1 1 1 1")
    root = configure(tab, s)
    root.locator("button.cm2-out").nth(7).click()  # b2,3 of a 4 x 5 output
    assert "b2,3 = " in root.evaluate(STATE)["description"]
    root.get_by_label("Stride down sh", exact=True).select_option("2")
    state = root.evaluate(STATE)
    # 2 x 5 outputs now; the choice keeps its place (row 2, column 3)
    assert state["data"]["stride"] == "2,1"
    assert state["pressedOut"] == [7]
    assert "b2,3 = " in state["description"]
    assert len(state["outputs"]) == 10


def test_a_click_in_the_matrix_chooses_its_row_or_column(tab: Any) -> None:
    root = configure(tab, setting_of("4 5 3 3 1 1 1 1 1 1"))
    root.locator("table.cm2-matrix td[data-row='9'][data-col='3']").click()
    state = root.evaluate(STATE)
    assert state["pressedOut"] == [9]
    assert state["rowsOn"] == [9]
    assert "b2,5 = " in state["description"]
    root.locator("table.cm2-matrix thead th[data-col='12']").click()
    state = root.evaluate(STATE)
    assert state["pressedIn"] == [12]
    assert state["colsOn"] == [12]
    assert "a3,3 is read by 9 outputs" in state["description"]


def test_the_explorer_is_driven_by_the_keyboard(tab: Any) -> None:
    s = setting_of("4 5 3 3 1 1 1 1 1 1")  # 4 x 5 outputs
    root = configure(tab, s)
    outputs = root.locator("button.cm2-out")
    outputs.nth(0).click()
    outputs.nth(0).press("ArrowRight")
    state = root.evaluate(STATE)
    assert state["pressedOut"] == [1]
    assert state["focused"] == {"row": 1, "col": None}
    tab.keyboard.press("ArrowDown")
    assert root.evaluate(STATE)["pressedOut"] == [6]
    tab.keyboard.press("End")
    state = root.evaluate(STATE)
    assert state["pressedOut"] == [19]
    assert "b4,5 = " in state["description"]
    tab.keyboard.press("Home")
    assert root.evaluate(STATE)["pressedOut"] == [0]
    # one tab stop per grid: the chosen output, and the first input
    stops = outputs.evaluate_all("(bs) => bs.map((b) => b.tabIndex)")
    assert stops == [0] + [-1] * 19
    inputs = root.locator("button.cm2-in")
    assert inputs.evaluate_all("(bs) => bs.map((b) => b.tabIndex)") == [0] + [-1] * 19
    # Tab from the chosen output leaves the grid for the matrix's box
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.className") == (
        "cm2-scroll cm2-matrix-box"
    )
    # the inputs: arrows move, Enter and Space are the buttons' own
    inputs.nth(0).focus()
    tab.keyboard.press("ArrowDown")
    state = root.evaluate(STATE)
    assert state["pressedIn"] == [5]
    assert state["focused"] == {"row": None, "col": 5}
    tab.keyboard.press("ArrowLeft")  # at the left edge: stays
    assert root.evaluate(STATE)["pressedIn"] == [5]
    assert root.locator(".cm2-description").get_attribute("aria-live") == "polite"


def test_the_explorer_explains_settings_with_no_output(tab: Any) -> None:
    s = setting_of("2 6 4 2 0 0 1 1 1 1")
    with pytest.raises(ValueError, match="kernel larger than the padded input"):
        convmat.output_shape((4, 2), (2, 6))  # kernel 4 x 2, image 2 x 6
    root = configure(tab, s)
    state = root.evaluate(STATE)
    assert state["outputs"] == []
    assert state["cells"] == []
    assert "No output" in state["shape"]
    assert "spans 4 rows but the padded input has 2" in state["shape"]
    assert (state["data"]["hOut"], state["data"]["wOut"]) == ("0", "5")
    configure(tab, setting_of("4 5 3 3 1 1 1 1 1 1"))
    assert len(root.evaluate(STATE)["outputs"]) == 20


def shot(tab: Any, root: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=SCREENSHOTS / f"explorer2d-{name}.png", style=HIDE_CHROME)


def set_theme(tab: Any, theme: str) -> None:
    tab.evaluate(
        "(t) => { const d = document.documentElement.dataset; d.theme = t; d.mode = t; }",
        theme,
    )
    tab.evaluate(NEXT_FRAME)


def test_the_explorer_fits_a_phone_is_accessible_and_readable_in_dark_mode(
    tab: Any,
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    root = configure(tab, setting_of("6 6 3 3 1 1 1 1 1 1"))
    root.locator("button.cm2-out").nth(7).click()
    shot(tab, root, "desktop")
    serious = axe_violations(tab, Axe(), tab.recorder, context=".convmat-explorer2d")
    assert not serious, serious
    try:
        set_theme(tab, "dark")
        root.locator("button.cm2-in").nth(14).click()
        shot(tab, root, "desktop-dark")
        tab.set_viewport_size(PHONE)
        tab.evaluate(NEXT_FRAME)
        root.scroll_into_view_if_needed()
        sizes = tab.evaluate(
            """() => {
              const box = document.querySelector(".convmat-explorer2d .cm2-matrix-box");
              return {page: document.scrollingElement.scrollWidth,
                      window: innerWidth,
                      box: box.clientWidth, table: box.scrollWidth};
            }"""
        )
        assert sizes["page"] <= sizes["window"] + 1, sizes
        assert sizes["table"] > sizes["box"], "the wide matrix scrolls in its box"
        shot(tab, root, "phone-dark")
        serious = axe_violations(
            tab,
            Axe(),
            tab.recorder,
            context=".convmat-explorer2d",
            rules=["color-contrast"],
        )
        assert not serious, serious
        set_theme(tab, "light")
        root.locator("button.cm2-out").nth(7).click()
        shot(tab, root, "phone")
        serious = axe_violations(
            tab, Axe(), tab.recorder, context=".convmat-explorer2d"
        )
        assert not serious, serious
    finally:
        set_theme(tab, "light")
        tab.set_viewport_size(DESKTOP)

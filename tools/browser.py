"""Drive Chromium over the built site: serve it, crawl it, visit every page.

Shared by the browser tests and by ``release.py check`` (so nothing here
imports pytest; the fixtures live in ``tests/conftest.py``): a static crawl
of the site from ``index.html``, and `visit`, which loads one page and records
everything the browser tests assert on (console errors, failed or off-site
requests, math, images, links, axe-core violations, width on a phone,
screenshots).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from project import BUILD, CHROMIUM
from sitebuild import serve

__all__ = [
    "CHROMIUM",
    "DESKTOP",
    "NEXT_FRAME",
    "PHONE",
    "SCREENSHOTS",
    "LinkParser",
    "LocalOnly",
    "PageVisit",
    "Recorder",
    "SiteMap",
    "axe_violations",
    "crawl",
    "serve",
    "visit",
]

SCREENSHOTS = BUILD / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
LOCAL_HOSTS = ("127.0.0.1", "localhost")
SERIOUS = ("serious", "critical")


# --- a static crawl of the built site ----------------------------------------


class LinkParser(HTMLParser):
    """Collect the hrefs, form actions and ids/names of one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        elif tag == "form" and values.get("action"):
            self.hrefs.append(values["action"] or "")


@dataclass
class SiteMap:
    """The pages reachable from ``index.html`` and the ids of every HTML file."""

    root: Path
    pages: list[str] = field(default_factory=list)  # paths relative to root
    _ids: dict[Path, set[str]] = field(default_factory=dict)

    def ids(self, file: Path) -> set[str]:
        """The ids (and ``<a name>``) of an HTML file of the site."""
        if file not in self._ids:
            parser = LinkParser()
            parser.feed(file.read_text(encoding="utf-8", errors="replace"))
            self._ids[file] = parser.ids
        return self._ids[file]

    def file_of(self, url: str, base_url: str) -> Path | None:
        """The file a URL on the local server maps to (None: not on the server)."""
        parts = urlsplit(url)
        if parts.hostname not in LOCAL_HOSTS or not url.startswith(base_url):
            return None
        path = unquote(parts.path)[len(urlsplit(base_url).path) :]
        target = self.root / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        return target

    def check_link(self, url: str, base_url: str) -> str | None:
        """Why a link on the local site is broken, or None if it resolves."""
        target = self.file_of(url, base_url)
        if target is None:
            return None
        if not target.is_file():
            return f"{url}: no such file {target.relative_to(self.root)}"
        fragment = unquote(urlsplit(url).fragment)
        if fragment and target.suffix == ".html" and fragment not in self.ids(target):
            return f"{url}: no id {fragment!r} in {target.relative_to(self.root)}"
        return None


def crawl(root: Path) -> SiteMap:
    """Every HTML page of the site reachable from ``index.html`` (links, forms)."""
    site = SiteMap(root)
    base = "http://127.0.0.1/"
    todo, seen = ["index.html"], {"index.html"}
    while todo:
        page = todo.pop(0)
        site.pages.append(page)
        parser = LinkParser()
        parser.feed((root / page).read_text(encoding="utf-8", errors="replace"))
        for href in parser.hrefs:
            url = urljoin(base + page, href)
            target = site.file_of(url, base)
            if target is None or target.suffix != ".html" or not target.is_file():
                continue
            rel = target.relative_to(root).as_posix()
            if rel not in seen:
                seen.add(rel)
                todo.append(rel)
    site.pages.sort(key=lambda p: (p != "index.html", p))
    return site


# --- one visit of one page ---------------------------------------------------


@dataclass
class PageVisit:
    """What the browser saw on one page."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)
    math: dict[str, Any] = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)
    axe: list[dict[str, Any]] = field(default_factory=list)
    phone_width: dict[str, Any] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # time per step


# MathJax is loaded with `defer`: wait until it has started, then until it has
# typeset the page (its startup promise), then until its fonts are in.
WAIT_FOR_MATH = """
async () => {
  // Sphinx sets window.MathJax (the configuration) on pages with math only
  if (!window.MathJax || document.querySelector(".math") === null) return;
  const t0 = performance.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (performance.now() - t0 > 15000) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  await document.fonts.ready;
}
"""

# Math: every element Sphinx marks as math holds MathJax output, and no raw
# TeX delimiter is left in the visible text (code and preformatted output,
# which may print LaTeX source on purpose, are not prose).
MATH_STATE = r"""
() => {
  const maths = [...document.querySelectorAll(".math")];
  const untypeset = maths
    .filter((m) => !m.querySelector("mjx-container"))
    .map((m) => m.textContent.trim().slice(0, 80));
  const skip = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  const tex = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !tex.test(node.nodeValue)) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    raw.push(node.nodeValue.trim().slice(0, 80));
  }
  return {
    elements: maths.length,
    typeset: document.querySelectorAll("mjx-container").length,
    untypeset: untypeset,
    raw: raw,
  };
}
"""

# Images: load lazy ones too, then report alt text and natural width.
IMAGE_STATE = """
async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  const settle = (img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve, { once: true });
    img.addEventListener("error", resolve, { once: true });
    setTimeout(resolve, 10000);
  });
  await Promise.all(images.map(settle));
  return images.map((img) => ({
    src: img.getAttribute("src"),
    alt: img.getAttribute("alt"),
    naturalWidth: img.naturalWidth,
  }));
}
"""

LINKS = """
() => [...document.querySelectorAll("a[href]")]
  .map((a) => a.href)
  .filter((href) => href.startsWith("http:") || href.startsWith("https:"))
"""

SAME_PAGE_ID = """
(id) => document.getElementById(id) !== null
  || document.getElementsByName(id).length > 0
"""

# The page's own horizontal scroll at phone width, and what sticks out: the
# outermost elements whose right edge passes the viewport while no ancestor
# scrolls or clips them.
PHONE_WIDTH = """
() => {
  const width = window.innerWidth;
  const culprits = [];
  // inside a box that scrolls or clips, or fixed (off-canvas drawers): not
  // part of the page's own width
  const clipped = (el) => {
    if (getComputedStyle(el).position === "fixed") return true;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible" || style.position === "fixed") return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || clipped(el)) continue;
    const parent = el.parentElement;
    if (parent && parent.getBoundingClientRect().right > width + 1) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    culprits.push(name + " (right edge " + Math.round(box.right) + " px)");
    if (culprits.length >= 5) break;
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: width,
    culprits: culprits,
  };
}
"""

NEXT_FRAME = (
    "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
)


def screenshot_name(page: str, kind: str) -> Path:
    """``matrix-multiplication.html`` -> ``_build/screenshots/matrix-multiplication-desktop.png``."""
    stem = page.removesuffix(".html").replace("/", "__")
    return SCREENSHOTS / f"{stem}-{kind}.png"


class Recorder:
    """Record a tab's console errors and failed requests into a `PageVisit`.

    While `paused` (axe-core is running) nothing is recorded: axe 4.12 fetches
    a stylesheet's relative ``@import`` against the page's URL instead of the
    stylesheet's (dequelabs/axe-core#5268), so on every Sphinx page it asks
    for a ``/basic.css`` that does not exist. That 404 is axe's, not the site's.
    """

    def __init__(self, tab: Any, record: PageVisit) -> None:
        self.record = record
        self.paused = False
        tab.on("console", self._console)
        tab.on("pageerror", self._pageerror)
        tab.on("requestfailed", self._requestfailed)
        tab.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error" and not self.paused:
            where = message.location.get("url") or ""
            self.record.console_errors.append(f"{message.text} [{where}]")

    def _pageerror(self, error: Any) -> None:
        self.record.console_errors.append(f"uncaught: {error}")

    def _requestfailed(self, request: Any) -> None:
        if not self.paused:
            self.record.failed_requests.append(f"{request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not self.paused:
            self.record.failed_requests.append(
                f"{response.url}: HTTP {response.status}"
            )


def axe_violations(
    tab: Any,
    axe: Any,
    recorder: Recorder | None = None,
    context: str | None = None,
    rules: list[str] | None = None,
) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the tab (or a part of it).

    ``rules`` restricts the run to those axe rule ids.
    """
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    if recorder is not None:
        recorder.paused = True
    try:
        result = axe.run(tab, context=context, options=options)
        tab.evaluate(NEXT_FRAME)
    finally:
        if recorder is not None:
            recorder.paused = False
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                f"{', '.join(n['target'])}: {n.get('failureSummary', '')}".replace(
                    "\n", " "
                )[:300]
                for n in v["nodes"][:5]
            ],
        }
        for v in result.response["violations"]
        if v["impact"] in SERIOUS
    ]


def visit(
    guard: LocalOnly,
    site: SiteMap,
    page_path: str,
    *,
    axe: Any = None,
    screenshots: bool = True,
) -> PageVisit:
    """Load one page in a new tab of ``guard.context``; record what the tests check."""
    record = PageVisit(page_path)
    guard.offsite = record.offsite_requests
    base_url = guard.base_url
    tab = guard.context.new_page()
    tab.set_viewport_size(DESKTOP)
    recorder = Recorder(tab, record)
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        record.seconds[step] = round(now - clock[0], 2)
        clock[0] = now

    try:
        url = urljoin(base_url, page_path)
        tab.goto(url, wait_until="load")
        lap("load")
        tab.evaluate(WAIT_FOR_MATH)
        lap("math")
        record.images = tab.evaluate(IMAGE_STATE)
        tab.wait_for_load_state("networkidle")
        lap("images")
        record.math = tab.evaluate(MATH_STATE)

        for link in dict.fromkeys(tab.evaluate(LINKS)):
            if site.file_of(link, base_url) is None:
                record.external_links.append(link)
                continue
            problem = site.check_link(link, base_url)
            same_page = link.split("#")[0] == url.split("#")[0]
            fragment = unquote(urlsplit(link).fragment)
            if problem and same_page and fragment:
                # an anchor added by a script on this very page
                problem = None if tab.evaluate(SAME_PAGE_ID, fragment) else problem
            if problem:
                record.links.append(problem)
        lap("links")

        if axe is not None:
            record.axe = axe_violations(tab, axe, recorder)
            lap("axe")

        if screenshots:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = screenshot_name(page_path, "desktop")
            tab.screenshot(path=shot, full_page=True)
            record.screenshots.append(shot)
            lap("desktop screenshot")

        tab.set_viewport_size(PHONE)
        tab.evaluate(NEXT_FRAME)
        record.phone_width = tab.evaluate(PHONE_WIDTH)
        if screenshots:
            shot = screenshot_name(page_path, "phone")
            tab.screenshot(path=shot, full_page=True)
            record.screenshots.append(shot)
        lap("phone")
    finally:
        tab.close()
    return record


class LocalOnly:
    """A browser context whose requests may only go to the local server.

    Every other request is aborted and its URL appended to ``offsite`` (which
    `visit` points at the record of the page being visited).
    """

    def __init__(self, context: Any, base_url: str) -> None:
        self.context = context
        # Generous: a shared 2-core machine may be busy building the book too.
        context.set_default_timeout(120_000)
        self.base_url = base_url
        self.offsite: list[str] = []
        # Only URLs outside the server match, so local requests are never
        # stopped on their way (routing every request through Python would
        # slow each page down).
        context.route(re.compile(f"^(?!{re.escape(base_url)})"), self._handle)

    def _handle(self, route: Any) -> None:
        self.offsite.append(route.request.url)
        route.abort("blockedbyclient")

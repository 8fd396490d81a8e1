"""Print the one-page HTML edition of the book to PDF with headless Chromium.

``nox -s pdf`` builds the book with Sphinx's ``singlehtml`` builder (same
sources, same execution cache as the site) and runs this script on it::

    python tools/pdf.py _build/pdf/singlehtml _build/pdf/convmat-book.pdf

The page is served over HTTP; its formulas were typeset when it was built
(book/_ext/prerender_math.py), so printing waits only for fonts and images.
Print styles are applied: no navigation, each chapter on a new page, code
wrapped instead of cut off, a code cell kept with its output, figures small
enough not to leave half a page blank, solutions unfolded, plumbing code left
folded away, the API reference as a compact appendix at the end, and a table of
contents (clickable, with page numbers and its formulas typeset; the PDF also
gets bookmarks).  Chromium prints A4 with the book's title in the header and
page numbers in the footer.  It prints twice: the first print tells on which
page each section starts, the second writes those numbers into the contents.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from project import source_date_epoch
from sitebuild import CHROMIUM, serve

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
html { font-size: 10pt; }
body { background: white !important; }
/* the site's chrome: navigation, buttons, search, footers */
.bd-header, .bd-header-announcement, .bd-sidebar-primary, .bd-sidebar-secondary,
.header-article, .bd-footer, .bd-footer-article, .bd-footer-content,
.prev-next-area, .prev-next-footer, #pst-back-to-top, .skip-link, .search-button,
.copybtn, a.headerlink, .toctree-wrapper > p.caption, .bd-search, #jb-print-docs-body, .sidebar-toggle,
.primary-toggle, .secondary-toggle, #pst-skip-link, .pst-scrollable-table-container::after
  { display: none !important; }
.bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
.bd-article-container, .bd-article
  { display: block !important; max-width: none !important; width: auto !important;
    margin: 0 !important; padding: 0 !important; overflow: visible !important; }
/* chapters start on a new page; headings stay with what follows */
.convmat-chapter { break-before: page; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
h1 { font-size: 2.2rem; margin-top: 0 !important; }
.convmat-chapter-title { font-size: 1.9rem !important; margin: 0 0 1rem !important; }
.convmat-section-title { font-size: 1.4rem !important; margin-top: 1.6rem !important; }
figure, .cell_output img, table, .admonition, mjx-container[display="true"],
.math, .highlight, div.amsmath, div.cell_input, .cell_output > .output,
.cell_output figure, .cell_output pre { break-inside: avoid; }
/* code stays with the start of its output; an output of several parts (text,
   a table, a figure) may continue on the next page rather than leave this
   one half blank; an output without visible code is free to start a page */
div.cell_input { break-after: avoid; page-break-after: avoid; }
div.cell_input + div.cell_output { break-before: avoid; page-break-before: avoid; }
/* a worked solution is read like the text around it: it may continue overleaf */
.solution.admonition { break-inside: auto; }
/* figures at most a third of a page high: one that does not fit in what is
   left of a page moves to the next and must not leave half a page blank */
figure img, .cell_output img { max-height: 85mm; width: auto !important;
  max-width: 100% !important; object-fit: contain; }
figure, .cell_output { margin-top: 0.4rem; margin-bottom: 0.4rem; }
/* the box of the last exercise of a chapter ends with the chapter: its bottom
   margin must not spill onto an otherwise empty page */
.convmat-chapter .admonition:last-child, .convmat-chapter section:last-child
  { margin-bottom: 0 !important; padding-bottom: 0 !important; }
p, li { orphans: 3; widows: 3; }
/* code and printed output wrap at the margin instead of being cut off */
pre, .highlight pre, .output pre, .cell_output pre {
  white-space: pre-wrap !important; overflow-wrap: anywhere !important;
  word-break: break-word; overflow: visible !important; max-height: none !important;
  font-size: 0.82rem; line-height: 1.3;
}
div.cell_input, div.cell_output, .highlight { overflow: visible !important; }
/* wide formulas and tables shrink to the page instead of scrolling */
mjx-container[display="true"] { overflow: visible !important; }
.pst-scrollable-table-container, .table-wrapper { overflow: visible !important; }
table { font-size: 0.9rem; }
img, svg, figure img { max-width: 100% !important; height: auto; }
figure { text-align: center; }
figcaption, figcaption * { color: #333 !important; }
/* folded plumbing code is not part of the printed book */
details.hide.above-input, details.hide.below-input > summary { display: none !important; }
details.hide.below-input[open] > summary, details.hide summary { display: none !important; }
/* links: dark text, no underlines; the table of contents */
a { color: inherit !important; text-decoration: none !important; }
#convmat-titlepage { break-after: page; }
.convmat-title { font-size: 2.6rem; font-weight: 700; line-height: 1.2; margin: 3rem 0 0.5rem; }
#convmat-toc h2 { font-size: 1.5rem; margin: 0 0 1rem; }
#convmat-toc ol { list-style: none; padding-left: 0; margin: 0; }
#convmat-toc ol ol { padding-left: 1.6rem; margin-bottom: 0.4rem; }
#convmat-toc li { margin: 0.15rem 0; }
#convmat-toc a { display: flex; align-items: baseline; gap: 0.4rem; }
#convmat-toc .toc-label { flex: 0 1 auto; }
#convmat-toc .toc-leader { flex: 1 1 auto; border-bottom: 1px dotted #999; }
#convmat-toc .toc-page { flex: 0 0 auto; min-width: 2em; text-align: right;
  font-variant-numeric: tabular-nums; }
/* the API reference: an appendix, set compactly */
.convmat-appendix { font-size: 0.8rem; line-height: 1.3; }
.convmat-appendix .convmat-chapter-title::before { content: "Appendix: "; }
.convmat-appendix dl.py { margin: 0.3rem 0 0.9rem !important; }
.convmat-appendix dl.py > dt { font-size: 0.85rem; padding: 0.1rem 0.3rem !important;
  margin: 0 !important; }
.convmat-appendix dl.py > dd { margin-left: 1rem !important; }
.convmat-appendix dd p, .convmat-appendix dd ul, .convmat-appendix dd dl,
.convmat-appendix dd .field-list { margin-top: 0.15rem !important;
  margin-bottom: 0.25rem !important; }
.convmat-appendix .rubric { font-size: 0.85rem; margin: 0.4rem 0 0.1rem !important; }
.convmat-appendix pre, .convmat-appendix .highlight pre { font-size: 0.7rem;
  line-height: 1.2; padding: 0.3rem 0.5rem !important; margin: 0.2rem 0 !important; }
.convmat-appendix .highlight, .convmat-appendix div.doctest { margin: 0.2rem 0 !important; }
.convmat-appendix section > section { break-before: auto; }
/* a reference is looked up, not read through: long examples may break */
.convmat-appendix .highlight, .convmat-appendix pre, .convmat-appendix div.doctest,
.convmat-appendix dl.py, .convmat-appendix dd { break-inside: auto !important; }
#convmat-toc > ol > li { font-weight: 600; margin-top: 0.5rem; }
#convmat-toc > ol > li li { font-weight: 400; }
#convmat-edition { color: #555; margin: 0 0 3rem; font-size: 1.1rem; }
"""

# Formulas arrive typeset (CHTML, at build time): count them, and wait until
# the fonts they use are in.
WAIT_FOR_MATH = """
async () => {
  await document.fonts.ready;
  return {
    math: document.querySelectorAll(".math").length,
    typeset: document.querySelectorAll(".math mjx-container").length,
  };
}
"""

# Every image loaded (lazy ones forced) and every font in use ready.
SETTLED = """
async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null :
    new Promise((r) => { img.onload = img.onerror = r; })));
  await document.fonts.ready;
}
"""

# Arrange the page for print: mark chapters, unfold solutions, build the
# table of contents from the chapter (h1) and section (h2) headings.
PREPARE = """
(edition) => {
  // singlehtml inlines each page after a <span id="document-NAME">, with its
  // headings demoted by the toctree depth: find chapters by those markers.
  const chapters = [...document.querySelectorAll('span[id^="document-"]')]
    .map((s) => s.nextElementSibling)
    .filter((e) => e && e.tagName === "SECTION");
  const heading = (section) =>
    section.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > h5");
  chapters.forEach((c) => {
    c.classList.add("convmat-chapter");
    const h = heading(c);
    if (h) h.classList.add("convmat-chapter-title");
    c.querySelectorAll(":scope > section").forEach((s) => {
      const sh = heading(s);
      if (sh) sh.classList.add("convmat-section-title");
    });
  });
  // solutions and other dropdowns: open (a reader of paper cannot click)
  document.querySelectorAll("details:not(.hide)").forEach((d) => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach((e) => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("button.toggle-button").forEach((b) => b.remove());
  // lazy images: load them all before printing
  document.querySelectorAll("img").forEach((img) => { img.loading = "eager"; });
  // the API reference (its two pages): appendices, after everything else
  for (const name of ["api", "api-book"]) {
    const api = chapters.find((c) => c.previousElementSibling &&
      c.previousElementSibling.id === "document-" + name);
    if (!api) continue;
    api.classList.add("convmat-appendix");
    const marker = api.previousElementSibling;
    const last = chapters[chapters.length - 1];
    if (last !== api) {
      last.after(marker, api);
      chapters.splice(chapters.indexOf(api), 1);
      chapters.push(api);
    }
  }
  // an entry shows the heading as it is, formulas included (typeset)
  const label = (h) => {
    const c = h.cloneNode(true);
    c.querySelectorAll("a.headerlink").forEach((a) => a.remove());
    c.querySelectorAll("[id]").forEach((e) => e.removeAttribute("id"));
    const span = document.createElement("span");
    span.className = "toc-label";
    span.innerHTML = c.innerHTML.trim();
    return span;
  };
  // singlehtml repeats ids ("overview" in every chapter): each entry links
  // to an anchor of its own, so that its link and its page number are right
  let anchors = 0;
  const link = (target, h) => {
    const anchor = document.createElement("span");
    anchor.id = "convmat-toc-" + (++anchors);
    target.prepend(anchor);
    target = anchor;
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#" + target.id;
    const leader = document.createElement("span");
    leader.className = "toc-leader";
    const page = document.createElement("span");
    page.className = "toc-page";
    page.dataset.target = target.id;
    page.textContent = "000";  // the width of the number, filled in later
    a.append(label(h), leader, page);
    li.appendChild(a);
    return li;
  };
  const toc = document.createElement("nav");
  toc.id = "convmat-toc";
  toc.innerHTML = "<h2>Contents</h2>";
  const top = document.createElement("ol");
  const intro = document.querySelector("article section");
  for (const c of [intro, ...chapters]) {
    const h = c && heading(c);
    if (!h) continue;
    const li = link(c, h);
    const subs = [...c.querySelectorAll(":scope > section")].filter(heading);
    if (subs.length) {
      const ol = document.createElement("ol");
      subs.forEach((s) => ol.appendChild(link(s, heading(s))));
      li.appendChild(ol);
    }
    top.appendChild(li);
  }
  toc.appendChild(top);
  // a title page: the book's title, the edition, the contents
  const titlePage = document.createElement("div");
  titlePage.id = "convmat-titlepage";
  const title = document.createElement("div");
  title.className = "convmat-title";
  title.textContent = document.title.split(" — ")[0].split(" | ")[0];
  const note = document.createElement("p");
  note.id = "convmat-edition";
  note.textContent = edition;
  titlePage.append(title, note, toc);
  intro.before(titlePage);
  return {
    chapters: chapters.length,
    targets: [...toc.querySelectorAll(".toc-page")].map((p) => p.dataset.target),
  };
}
"""

# Write the page numbers found in the first print into the contents.
FILL_PAGES = """
(pages) => {
  const missing = [];
  document.querySelectorAll("#convmat-toc .toc-page").forEach((p) => {
    const n = pages[p.dataset.target];
    if (n === undefined) missing.push(p.dataset.target);
    p.textContent = n === undefined ? "" : String(n);
  });
  return missing;
}
"""

# Anything still cut off after the print styles: report it.
OVERFLOW = """
() => {
  const out = [];
  for (const el of document.querySelectorAll("pre, mjx-container[display='true'], table, img, figure")) {
    const box = el.getBoundingClientRect();
    const parent = el.closest("article") || document.body;
    if (box.width > 0 && box.right > parent.getBoundingClientRect().right + 2) {
      out.push(el.tagName.toLowerCase() + ": " + (el.textContent || el.getAttribute("src") || "").trim().slice(0, 60));
    }
  }
  return out;
}
"""

HEADER = (
    '<div style="font-size:8px;width:100%;padding:0 16mm;color:#777;'
    'font-family:sans-serif;text-align:right">{title}</div>'
)
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#777;'
    'font-family:sans-serif"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


def print_pdf(folder: Path, pdf: Path, *, title: str, edition: str) -> list[str]:
    """Print ``folder/index.html`` to ``pdf``; return the problems seen."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with serve(folder) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            context = browser.new_context(viewport={"width": 900, "height": 1200})

            def guard(route) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    problems.append(f"off-site request blocked: {route.request.url}")
                    route.abort("blockedbyclient")

            context.route("**/*", guard)
            page = context.new_page()
            # singlehtml pages link a search index that only the html builder writes
            page.route("**/searchindex.js", lambda r: r.fulfill(body="", status=200))
            page.on(
                "requestfailed",
                lambda r: problems.append(f"failed request: {r.url} {r.failure}"),
            )
            page.on(
                "response",
                lambda r: (
                    problems.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400
                    else None
                ),
            )
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console: {m.text}") if m.type == "error" else None
                ),
            )
            # The whole book is one long page: on a loaded 2-core machine loading,
            # typesetting and settling take far longer than Playwright's 30 s.
            page.set_default_timeout(300_000)
            page.emulate_media(media="print")
            page.goto(base + "index.html", wait_until="load")
            math = page.evaluate(WAIT_FOR_MATH)
            if math["typeset"] < math["math"]:
                problems.append(
                    f"only {math['typeset']} of {math['math']} formulas typeset"
                )
            page.add_style_tag(content=PRINT_CSS)
            layout = page.evaluate(PREPARE, edition)
            # Wait for what printing needs: every image decoded and every font in
            # use loaded. (Not "networkidle": Chromium may leave font requests it
            # no longer needs pending forever, so the network never goes idle.)
            page.evaluate(SETTLED)
            # MathJax re-measures nothing on print; give layout one more frame.
            page.evaluate("() => new Promise((r) => requestAnimationFrame(r))")
            problems += [f"wider than the page: {o}" for o in page.evaluate(OVERFLOW)]
            pdf.parent.mkdir(parents=True, exist_ok=True)
            options = {
                "format": "A4",
                "print_background": True,
                "display_header_footer": True,
                "header_template": HEADER.format(title=title),
                "footer_template": FOOTER,
                "margin": {
                    "top": "18mm",
                    "bottom": "18mm",
                    "left": "16mm",
                    "right": "16mm",
                },
                "outline": True,
                "tagged": True,
            }
            # First print: where does each section start?  The contents hold
            # three-digit placeholders, so the numbers move nothing.
            page.pdf(path=str(pdf), **options)
            pages = page_numbers(pdf, layout["targets"])
            missing = page.evaluate(FILL_PAGES, pages)
            problems += [f"no page number for the contents entry #{m}" for m in missing]
            page.pdf(path=str(pdf), **options)
            fix_dates(pdf)
            print(
                f"printed {layout['chapters']} chapters, {math['typeset']} formulas "
                f"to {pdf} ({pdf.stat().st_size / 2**20:.1f} MiB)"
            )
        finally:
            browser.close()
    return problems


def page_numbers(pdf: Path, targets: list[str]) -> dict[str, int]:
    """The page (1-based, as the footer counts) of each link target in the PDF.

    Chromium writes a named destination for every element a link points to;
    the contents link to every chapter and section.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    found = {}
    for name, dest in reader.named_destinations.items():
        key = str(name).lstrip("/")
        if key in targets:
            found[key] = reader.get_destination_page_number(dest) + 1
    return found


def fix_dates(pdf: Path) -> None:
    """Stamp the PDF with the commit's time instead of the time it was printed.

    Chromium writes the print time as CreationDate and ModDate; nothing else in
    its output changes from run to run.  The new date has the same length, so
    the byte offsets of the PDF's cross-reference table stay valid.
    """
    epoch = source_date_epoch()
    stamp = time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(epoch)).encode()
    data = pdf.read_bytes()

    def replace(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        return match.group(1) + (stamp if len(old) == len(stamp) else old) + b")"

    pattern = rb"(/(?:CreationDate|ModDate) \()(D:[0-9]{14}[^)]*)\)"
    pdf.write_bytes(re.sub(pattern, replace, data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("singlehtml", type=Path, help="the singlehtml build folder")
    parser.add_argument("pdf", type=Path, help="the PDF file to write")
    parser.add_argument("--title", default="Convolution as Matrix Multiplication")
    parser.add_argument("--edition", default="", help="line under the title")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM} (set CONVMAT_CHROMIUM)")
        return 2
    problems = print_pdf(
        args.singlehtml, args.pdf, title=args.title, edition=args.edition
    )
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

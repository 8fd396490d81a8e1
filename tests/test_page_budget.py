"""Every page of the book is fast on a phone: Lighthouse's mobile profile as the budget.

The built site is served gzip-compressed (as GitHub Pages or Read the Docs
serve it) and Lighthouse (npm, pinned in tools/lighthouse/package-lock.json)
runs each page three times with Debian's Chromium: simulated slow 4G and a 4x
slower CPU.  These machines are shared and noisy: a page whose median of three
falls short is run twice more, and the median of its five runs decides.  A
page fails when its median performance is below 90, its
accessibility, best practices or SEO below 100, or its first visit transfers
more than 300 KB.  The per-page table is printed and written to
``_build/page-budget.txt``.

Where Chromium, node or Lighthouse is missing the tests are skipped with a
message, except under CI, where they fail.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from browser import crawl
from budget import BUDGET, LIGHTHOUSE, MAX_BYTES, lighthouse, serve_compressed, table
from conftest import require_chromium
from project import BUILD, node_command

pytestmark = [pytest.mark.browser, pytest.mark.budget]

RUNS = int(os.environ.get("CONVMAT_LIGHTHOUSE_RUNS", "3"))


def require_lighthouse() -> None:
    require_chromium()
    problem = None
    try:
        node_command("node")
    except RuntimeError as error:
        problem = str(error)
    if problem is None and not (LIGHTHOUSE / "node_modules" / "lighthouse").is_dir():
        problem = (
            "Lighthouse is not installed: `npm ci --prefix tools/lighthouse` "
            "(nox -s tests does this)"
        )
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"the page budget cannot be checked under CI: {problem}")
    pytest.skip(f"page budget skipped: {problem}")


def test_a_page_short_of_the_budget_is_measured_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Noise: a page whose median of three is short gets two more runs."""
    import budget

    planned = {"fast.html": [99, 98, 99, 99, 99], "noisy.html": [95, 81, 84, 96, 97]}
    asked: list[tuple[list[str], int]] = []

    def fake_audit(base_url: str, pages: list[str], runs: int) -> list[dict[str, Any]]:
        start = 0 if not asked else 3
        asked.append((pages, runs))
        return [
            {
                "page": page,
                "run": start + r + 1,
                "scores": {"performance": planned[page][start + r]},
                "lcp": 2000.0,
                "tbt": 100.0,
                "bytes": 1000,
                "failing": [],
                "runtimeError": None,
            }
            for page in pages
            for r in range(runs)
        ]

    monkeypatch.setattr(budget, "_audit", fake_audit)
    fast, noisy = budget.lighthouse("http://x/", ["fast.html", "noisy.html"])
    assert asked == [(["fast.html", "noisy.html"], 3), (["noisy.html"], 2)]
    assert fast.performance == [99, 98, 99]
    assert noisy.performance == [95, 81, 84, 96, 97]
    assert noisy.median_performance == 95


HEAVY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Heavy</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<script src="heavy.js"></script></head>
<body><main><h1>A heavy page</h1><p>Its script weighs more than the budget.</p>
</main></body></html>
"""


def test_the_budget_catches_a_heavy_page(tmp_path: Path) -> None:
    """The control: a page over the byte budget, with no description, fails."""
    require_lighthouse()
    (tmp_path / "index.html").write_text(HEAVY_PAGE, encoding="utf-8")
    # random bytes in base64 do not compress below 3/4: about 400 kB served
    noise = base64.b64encode(os.urandom(MAX_BYTES + 100_000)).decode("ascii")
    (tmp_path / "heavy.js").write_text(f"/*{noise}*/", encoding="utf-8")
    with serve_compressed(tmp_path) as base:
        [score] = lighthouse(base, ["index.html"], runs=1)
    problems = score.problems()
    print(table([score]))
    assert score.bytes > MAX_BYTES, score
    assert any("KB transferred" in p for p in problems), problems
    assert any("meta-description" in p for p in problems), problems
    assert any(p.startswith("seo ") for p in problems), problems


@pytest.fixture(scope="module")
def scores(site: Path) -> list[Any]:
    require_lighthouse()
    pages = crawl(site).pages
    with serve_compressed(site) as base:
        found = lighthouse(base, pages, runs=RUNS)
    report = table(found)
    print(f"\nLighthouse, mobile, median of {RUNS} runs (more where short):\n{report}")
    out = BUILD / "page-budget.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")
    return found


def test_every_page_is_within_the_budget(scores: list[Any]) -> None:
    problems = {s.page: s.problems() for s in scores if s.problems()}
    lines = [f"{page}:\n    " + "\n    ".join(p) for page, p in problems.items()]
    budget = ", ".join(f"{k} >= {v}" for k, v in BUDGET.items())
    assert not problems, (
        f"over budget ({budget}, <= {MAX_BYTES // 1000} KB):\n"
        + "\n".join(lines)
        + "\n\n"
        + table(scores)
    )

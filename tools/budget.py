"""Measure the built site as a phone sees it: Lighthouse over a compressed server.

`serve_compressed` serves a folder the way GitHub Pages or Read the Docs do:
text files gzip-compressed when the browser accepts it (fonts and images as
they are, they are compressed already), with ``Content-Length`` so that the
bytes Lighthouse counts are the bytes that would cross the network.
`lighthouse` runs ``tools/lighthouse/audit.mjs`` (Lighthouse pinned by that
folder's package-lock.json, installed by ``npm ci``) with Debian's Chromium and
returns one record per page: the median performance of the runs, the scores,
LCP, TBT and bytes.  ``python tools/budget.py [site] [runs]`` prints the table.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from project import CHROMIUM, node_command

LIGHTHOUSE = Path(__file__).parent / "lighthouse"
COMPRESSIBLE = {".html", ".js", ".css", ".svg", ".json", ".txt", ".inv", ".xml"}

# The budget: a page fails below these scores (performance: median of the
# runs) or above this many bytes transferred on a first visit.
BUDGET = {
    "performance": 90,
    "accessibility": 100,
    "best-practices": 100,
    "seo": 100,
}
MAX_BYTES = 300 * 1000


class _CompressingHandler(SimpleHTTPRequestHandler):
    """Serve files, gzip-compressed where that pays, quietly."""

    cache: dict[Path, bytes]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()
        body = self.cache.get(path)
        if body is None:
            body = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
            self.cache[path] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        from io import BytesIO

        return BytesIO(body)


@contextmanager
def serve_compressed(folder: Path) -> Iterator[str]:
    """Serve ``folder`` compressed on a free localhost port; yield its base URL."""
    handler = functools.partial(_CompressingHandler, directory=str(folder))
    _CompressingHandler.cache = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class PageScore:
    """What Lighthouse measured on one page (performance: median of the runs)."""

    page: str
    performance: list[int] = field(default_factory=list)
    scores: dict[str, int | None] = field(default_factory=dict)
    lcp: list[float] = field(default_factory=list)
    tbt: list[float] = field(default_factory=list)
    bytes: int = 0
    failing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def median_performance(self) -> float:
        return statistics.median(self.performance) if self.performance else 0

    def problems(self) -> list[str]:
        """Why this page is over budget (empty: within it)."""
        found = list(self.errors)
        if self.median_performance < BUDGET["performance"]:
            found.append(
                f"performance {self.median_performance:g} < {BUDGET['performance']} "
                f"(runs {self.performance})"
            )
        for name, least in BUDGET.items():
            score = self.scores.get(name)
            if name != "performance" and (score is None or score < least):
                found.append(f"{name} {score} < {least}")
        if self.bytes > MAX_BYTES:
            found.append(
                f"{self.bytes / 1000:.0f} KB transferred > {MAX_BYTES // 1000}"
            )
        return found + self.failing


def _audit(base_url: str, pages: list[str], runs: int) -> list[dict[str, Any]]:
    """Run ``tools/lighthouse/audit.mjs``: one record per run of every page."""
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    result = subprocess.run(
        node_command(
            "node", str(LIGHTHOUSE / "audit.mjs"), base_url, str(runs), *pages
        ),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=LIGHTHOUSE,
    )
    if result.returncode != 0:
        msg = f"Lighthouse failed (exit {result.returncode}):\n{result.stderr[-4000:]}"
        raise RuntimeError(msg)
    return [
        json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")
    ]


def lighthouse(
    base_url: str, pages: list[str], runs: int = 3, more_runs: int = 2
) -> list[PageScore]:
    """Run Lighthouse ``runs`` times on every page; one PageScore per page.

    A shared machine is noisy: a page whose median performance falls short of
    the budget is run ``more_runs`` times more, and the median of all its runs
    decides.  (The other scores and the bytes come from the first run; they do
    not vary.)
    """
    records = {page: PageScore(page) for page in pages}

    def add(runs_seen: list[dict[str, Any]], first: bool) -> None:
        for run in runs_seen:
            score = records[run["page"]]
            if run["runtimeError"]:
                score.errors.append(f"run {run['run']}: {run['runtimeError']}")
                continue
            score.performance.append(run["scores"].get("performance") or 0)
            score.lcp.append(run["lcp"])
            score.tbt.append(run["tbt"])
            if first and run["run"] == 1:
                score.scores = run["scores"]
                score.bytes = int(run["bytes"])
                score.failing = run["failing"]

    add(_audit(base_url, pages, runs), first=True)
    short = [
        page
        for page, score in records.items()
        if score.performance and score.median_performance < BUDGET["performance"]
    ]
    if short and more_runs > 0:
        add(_audit(base_url, short, more_runs), first=False)
    return list(records.values())


def table(scores: list[PageScore]) -> str:
    """The per-page table: median performance, the other scores, LCP, TBT, KB."""
    head = (
        f"{'page':<32} {'perf':>5} {'runs':>12} {'a11y':>4} {'bp':>4} {'seo':>4}"
        f" {'LCP s':>6} {'TBT ms':>6} {'KB':>5}"
    )
    lines = [head, "-" * len(head)]
    for s in scores:
        runs = "/".join(str(p) for p in s.performance)
        lcp = statistics.median(s.lcp) / 1000 if s.lcp else float("nan")
        tbt = statistics.median(s.tbt) if s.tbt else float("nan")
        lines.append(
            f"{s.page:<32} {s.median_performance:>5g} {runs:>12}"
            f" {s.scores.get('accessibility')!s:>4} {s.scores.get('best-practices')!s:>4}"
            f" {s.scores.get('seo')!s:>4} {lcp:>6.2f} {tbt:>6.0f} {s.bytes / 1000:>5.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else Path("_build/html")
    runs = int(argv[1]) if len(argv) > 1 else 3
    pages = argv[2:] or sorted(p.name for p in site.glob("*.html"))
    with serve_compressed(site) as base:
        scores = lighthouse(base, pages, runs)
    print(table(scores))
    for s in scores:
        for problem in s.problems():
            print(f"{s.page}: {problem}")
    return 1 if any(s.problems() for s in scores) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main(sys.argv[1:]))

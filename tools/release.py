"""Pack the release bundle of the book, and check an unpacked bundle in Chromium.

``nox -s release`` builds the site (with the PDF edition linked) and then runs::

    python tools/release.py pack --site _build/release/html --out _build/release
    python tools/release.py check _build/release/convmat-book-<version>.tar.gz

``pack`` writes ``convmat-book-<version>.tar.gz`` holding ``site/`` (the HTML
site, Sphinx's private ``.doctrees`` left out), ``notebooks/`` (one executed
notebook per page, the ``_sources/<page>.ipynb`` that every page offers for
download, written by ``book/_ext/booksite``), a ``README.txt`` and ``SHA256SUMS``
(every file of the bundle; ``sha256sum -c SHA256SUMS`` after unpacking), and
next to the archive a ``SHA256SUMS`` of the archive itself.  The archive is
deterministic: sorted entries, fixed owner and times (``SOURCE_DATE_EPOCH``),
no gzip timestamp, so the same site gives the same bytes.

``check`` unpacks the archive into a new temporary folder, verifies the
checksums, serves ``site/`` over HTTP on a free port and loads the index and
one chapter in headless Chromium: no failed or off-site request, no console
error, every formula typeset, every local link resolving; the PDF edition
(when the index links it) must download.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path

from project import ROOT, VERSION, source_date_epoch

NAME = "convmat-book"
PDF_NAME = "convmat-book.pdf"
EPOCH = source_date_epoch()
SKIPPED = {".doctrees"}


def source_revision() -> str:
    """``git describe`` of the working tree ("-dirty" with uncommitted changes)."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def bundle_files(site: Path) -> dict[str, bytes]:
    """Every file of the bundle (relative path -> bytes), before SHA256SUMS."""
    files: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if path.is_file() and not SKIPPED.intersection(rel.parts):
            files[f"site/{rel.as_posix()}"] = path.read_bytes()
    # The executed notebooks the site offers for download, again at the top.
    for path in sorted((site / "_sources").rglob("*.ipynb")):
        rel = path.relative_to(site / "_sources")
        files[f"notebooks/{rel.as_posix()}"] = path.read_bytes()
    # The licenses (code: BSD-3-Clause; text and figures: CC BY 4.0) and how to cite.
    for name in ("LICENSE", "CITATION.cff"):
        files[name] = (ROOT / name).read_bytes()
    pdf = "site/" + PDF_NAME
    files["README.txt"] = readme(has_pdf=pdf in files).encode("utf-8")
    return files


def readme(*, has_pdf: bool) -> str:
    pdf_line = (
        f"  site/{PDF_NAME}   the whole book as one PDF (linked from the index)\n"
        if has_pdf
        else ""
    )
    return (
        f"Convolution as Matrix Multiplication - the book, version {VERSION}\n"
        f"built from convmat sources {source_revision()}\n\n"
        "  site/           the web site: serve this folder over HTTP, e.g.\n"
        "                  python3 -m http.server --directory site 8000\n"
        "                  and open http://127.0.0.1:8000/ (it needs no network)\n"
        f"{pdf_line}"
        "  notebooks/      one executed Jupyter notebook per page, outputs included\n"
        "  SHA256SUMS      checksums of every file: sha256sum -c SHA256SUMS\n"
        "  LICENSE         the license of the code (BSD-3-Clause): the convmat\n"
        "                  package and the code of every page and notebook\n"
        "  CITATION.cff    how to cite the book (also its page 'How to cite')\n\n"
        "The text and figures of the book are licensed under the Creative Commons\n"
        "Attribution 4.0 International license (CC BY 4.0):\n"
        "https://creativecommons.org/licenses/by/4.0/\n"
    )


def sha256sums(files: dict[str, bytes]) -> str:
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in sorted(files.items())
    )


def _tarinfo(name: str, *, size: int = 0, directory: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if directory:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = size
        info.mode = 0o644
    return info


def _directories(names: Iterable[str]) -> list[str]:
    dirs = set()
    for name in names:
        parts = name.split("/")[:-1]
        dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(dirs)


def write_archive(files: dict[str, bytes], archive: Path, top: str) -> None:
    """A deterministic ``.tar.gz`` of ``files`` under the folder ``top``."""
    names = sorted(files)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tarinfo(top, directory=True))
        for d in _directories(names):
            tar.addfile(_tarinfo(f"{top}/{d}", directory=True))
        for name in names:
            data = files[name]
            tar.addfile(_tarinfo(f"{top}/{name}", size=len(data)), io.BytesIO(data))
    archive.parent.mkdir(parents=True, exist_ok=True)
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        gz.write(buffer.getvalue())


def pack(site: Path, out: Path) -> Path:
    """Write ``<out>/convmat-book-<version>.tar.gz`` and ``<out>/SHA256SUMS``."""
    if not (site / "index.html").is_file():
        msg = f"`--site` {site} holds no built site (no index.html)"
        raise SystemExit(msg)
    top = f"{NAME}-{VERSION}"
    files = bundle_files(site)
    if not any(n.startswith("notebooks/") for n in files):
        msg = f"`--site` {site} holds no executed notebook (_sources/*.ipynb)"
        raise SystemExit(msg)
    files["SHA256SUMS"] = sha256sums(files).encode("utf-8")
    archive = out / f"{top}.tar.gz"
    write_archive(files, archive, top)
    outside = {archive.name: archive.read_bytes()}
    (out / "SHA256SUMS").write_text(sha256sums(outside), encoding="utf-8")
    pages = sum(1 for n in files if n.startswith("site/") and n.endswith(".html"))
    books = sum(1 for n in files if n.startswith("notebooks/"))
    size = archive.stat().st_size / 2**20
    print(
        f"wrote {archive} ({size:.1f} MiB): {pages} HTML pages, {books} notebooks, "
        f"{'a PDF edition' if f'site/{PDF_NAME}' in files else 'no PDF'}"
    )
    return archive


# --- check ----------------------------------------------------------------------


def verify_sums(folder: Path) -> list[str]:
    """Problems found checking ``folder/SHA256SUMS`` (missing, changed, extra)."""
    problems = []
    listed = set()
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed.add(name)
        path = folder / name
        if not path.is_file():
            problems.append(f"SHA256SUMS lists a missing file: {name}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"checksum mismatch: {name}")
    present = {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    }
    extra = present - listed - {"SHA256SUMS"}
    problems += [f"file not in SHA256SUMS: {name}" for name in sorted(extra)]
    return problems


def check_notebooks(folder: Path) -> list[str]:
    """Every notebook parses, has code cells and was executed (has outputs)."""
    problems = []
    notebooks = sorted((folder / "notebooks").rglob("*.ipynb"))
    if not notebooks:
        return ["the bundle has no notebooks/"]
    for path in notebooks:
        rel = path.relative_to(folder)
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        page = (
            folder
            / "site"
            / path.relative_to(folder / "notebooks").with_suffix(".html")
        )
        if not page.is_file():
            problems.append(f"{rel}: no page {page.relative_to(folder)} in the site")
        if code and not any(c.get("outputs") or c.get("execution_count") for c in code):
            problems.append(f"{rel}: not executed (no cell has run)")
    return problems


def pick_chapter(site: Path) -> str | None:
    """The first page the index's table of contents links to (a chapter)."""
    index = (site / "index.html").read_text(encoding="utf-8")
    skip = {"index.html", "genindex.html", "search.html"}
    for href in re.findall(r'class="reference internal" href="([^"#]+\.html)', index):
        if href not in skip and (site / href).is_file():
            return href
    return None


def check_in_browser(site: Path) -> list[str]:
    """Load the index and one chapter from a local server; list what went wrong."""
    from browser import CHROMIUM, LocalOnly, crawl, serve, visit
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        return [f"Chromium not found at {CHROMIUM} (set CONVMAT_CHROMIUM)"]
    problems: list[str] = []
    sitemap = crawl(site)
    chapter = pick_chapter(site)
    pages = ["index.html", *([chapter] if chapter else [])]
    index_html = (site / "index.html").read_text(encoding="utf-8")
    links_pdf = f'href="{PDF_NAME}"' in index_html
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            context = browser.new_context()
            guard = LocalOnly(context, base)
            for page in pages:
                seen = visit(guard, sitemap, page, screenshots=False)
                problems += [f"{page}: {e}" for e in seen.console_errors]
                problems += [f"{page}: failed {r}" for r in seen.failed_requests]
                problems += [f"{page}: off-site {r}" for r in seen.offsite_requests]
                problems += [f"{page}: broken link {r}" for r in seen.links]
                problems += [
                    f"{page}: formula not typeset: {m}"
                    for m in seen.math.get("untypeset", [])
                ]
                problems += [
                    f"{page}: image did not load: {i['src']}"
                    for i in seen.images
                    if not i["naturalWidth"]
                ]
                print(
                    f"  {page}: {seen.math.get('typeset', 0)} formulas, "
                    f"{len(seen.images)} images, {len(seen.failed_requests)} failed "
                    "requests"
                )
            if links_pdf:
                response = context.request.get(base + PDF_NAME)
                kind = response.headers.get("content-type", "")
                if response.status != 200 or "pdf" not in kind:
                    problems.append(f"{PDF_NAME}: HTTP {response.status} ({kind})")
                else:
                    print(f"  {PDF_NAME}: {len(response.body()) / 2**20:.1f} MiB")
        finally:
            browser.close()
    return problems


def unpack(archive: Path, dest: Path) -> None:
    """Unpack the release archive into ``dest``: plain files and folders only.

    Written out rather than ``extractall(filter="data")``, which Python 3.11
    gained only in 3.11.4 (Debian 12 ships 3.11.2): a member with an absolute
    path, a ``..`` part, or a type other than file or folder is refused.
    """
    dest = Path(dest)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if member.name.startswith("/") or ".." in parts:
                msg = f"{archive.name}: refusing the member {member.name!r}"
                raise ValueError(msg)
            target = dest.joinpath(*parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has data
                target.write_bytes(source.read())
            else:
                msg = f"{archive.name}: {member.name!r} is not a file or a folder"
                raise ValueError(msg)


def check(archive: Path) -> int:
    """Unpack ``archive`` into a new folder and check it; 0 when all is well."""
    with tempfile.TemporaryDirectory(prefix="convmat-unpacked-") as tmp:
        unpack(archive, Path(tmp))
        tops = list(Path(tmp).iterdir())
        if len(tops) != 1 or not tops[0].is_dir():
            print(f"PROBLEM: {archive.name} should hold one folder, holds {tops}")
            return 1
        folder = tops[0]
        print(f"unpacked {archive.name} into {folder}")
        problems = verify_sums(folder) + check_notebooks(folder)
        problems += check_in_browser(folder / "site")
    for problem in problems:
        print("PROBLEM:", problem)
    if not problems:
        print(f"{archive.name}: checksums, notebooks and pages in Chromium all fine")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_pack = sub.add_parser("pack", help="write the release archive")
    p_pack.add_argument("--site", type=Path, required=True)
    p_pack.add_argument("--out", type=Path, required=True)
    p_check = sub.add_parser("check", help="unpack an archive and check it")
    p_check.add_argument("archive", type=Path)
    args = parser.parse_args(argv)
    if args.command == "pack":
        pack(args.site, args.out)
        return 0
    return check(args.archive)


if __name__ == "__main__":
    sys.exit(main())

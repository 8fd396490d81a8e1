"""Reproducible releases: the helpers of ``nox -s reproducible/release/pdf``.

The fast tests check the packing and comparing helpers on small files.  The
``site`` test builds a small book with what made builds differ before (a
numbered ``align`` environment, an SVG figure) twice, from two source folders
with different paths and separate execution caches, and wants identical sites.
The whole book is compared by ``nox -s reproducible`` (two full builds).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest
from pdf import fix_dates
from release import (
    bundle_files,
    sha256sums,
    unpack,
    verify_sums,
    write_archive,
)
from reproducible import compare_trees, diff_excerpt
from sitebuild import ROOT, sphinx_build


def _small_bundle(tmp_path: Path) -> dict[str, bytes]:
    site = tmp_path / "site"
    (site / "_static").mkdir(parents=True)
    (site / ".doctrees").mkdir()
    (site / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    (site / "_static" / "a.css").write_text("p{}", encoding="utf-8")
    (site / ".doctrees" / "index.doctree").write_bytes(b"private")
    (site / "_sources").mkdir()
    (site / "_sources" / "index.md").write_text("# T", encoding="utf-8")
    (site / "_sources" / "index.ipynb").write_text('{"cells": []}', encoding="utf-8")
    files = bundle_files(site)
    files["SHA256SUMS"] = sha256sums(files).encode()
    return files


def test_the_bundle_holds_site_notebooks_readme_and_checksums(tmp_path: Path) -> None:
    files = _small_bundle(tmp_path)
    assert set(files) == {
        "site/index.html",
        "site/_static/a.css",
        "site/_sources/index.md",
        "site/_sources/index.ipynb",
        "notebooks/index.ipynb",
        "README.txt",
        "LICENSE",
        "CITATION.cff",
        "SHA256SUMS",
    }
    digest = hashlib.sha256(b"<p>hi</p>").hexdigest()
    assert f"{digest}  site/index.html\n" in files["SHA256SUMS"].decode()


def test_the_bundle_carries_the_licenses_and_the_citation(tmp_path: Path) -> None:
    files = _small_bundle(tmp_path)
    assert files["LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert files["CITATION.cff"] == (ROOT / "CITATION.cff").read_bytes()
    readme = files["README.txt"].decode()
    assert "BSD-3-Clause" in readme
    assert "CC BY 4.0" in readme


def test_the_archive_is_byte_identical_when_packed_twice(tmp_path: Path) -> None:
    files = _small_bundle(tmp_path)
    first, second = tmp_path / "1" / "a.tar.gz", tmp_path / "2" / "a.tar.gz"
    write_archive(files, first, "book-1.0")
    write_archive(files, second, "book-1.0")
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        members = tar.getmembers()
    assert {m.mtime for m in members} == {members[0].mtime}
    assert {(m.uid, m.gid, m.uname) for m in members} == {(0, 0, "")}
    assert all(m.name.startswith("book-1.0") for m in members)


def test_unpacked_checksums_verify_and_catch_tampering(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    write_archive(_small_bundle(tmp_path), archive, "book")
    out = tmp_path / "out"
    unpack(archive, out)
    folder = out / "book"
    assert verify_sums(folder) == []
    (folder / "site" / "index.html").write_text("<p>changed</p>", encoding="utf-8")
    (folder / "site" / "extra.html").write_text("", encoding="utf-8")
    problems = verify_sums(folder)
    assert "checksum mismatch: site/index.html" in problems
    assert "file not in SHA256SUMS: site/extra.html" in problems


@pytest.mark.parametrize("name", ["../escaped.txt", "/absolute.txt", "a/../../b.txt"])
def test_unpack_refuses_members_outside_the_folder(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ValueError, match="refusing the member"):
        unpack(archive, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


def test_unpack_refuses_links(tmp_path: Path) -> None:
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("book/passwd")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="not a file or a folder"):
        unpack(archive, tmp_path / "out")


def test_compare_trees_ignores_doctrees_and_reports_each_difference(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for tree, text in ((a, "one"), (b, "two")):
        (tree / ".doctrees").mkdir(parents=True)
        (tree / ".doctrees" / "env.pickle").write_text(text, encoding="utf-8")
        (tree / "same.html").write_text("<p>same</p>", encoding="utf-8")
        (tree / "page.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    (a / "only-a.svg").write_text("", encoding="utf-8")
    assert compare_trees(a, b) == (["only-a.svg"], [], ["page.html"])
    excerpt = diff_excerpt(a / "page.html", b / "page.html")
    assert "-one</p>" in excerpt
    assert "+two</p>" in excerpt


def test_pdf_dates_are_replaced_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # 2025-11-28
    pdf = tmp_path / "x.pdf"
    original = (
        b"%PDF-1.4\n<</CreationDate (D:20261128203936+00'00')"
        b" /ModDate (D:20261128203937+00'00')>>\n"
    )
    pdf.write_bytes(original)
    fix_dates(pdf)
    fixed = pdf.read_bytes()
    assert len(fixed) == len(original), "xref offsets must not move"
    assert b"2026112820393" not in fixed
    assert fixed.count(b"(D:20251128000000+00'00')") == 2


# --- a small book, built twice ----------------------------------------------

PAGE = """\
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

# Equations and a figure

\\begin{align}
b_1 &= a_1 w_1 + a_2 w_2 \\\\
b_2 &= a_2 w_1 + a_3 w_2
\\end{align}

```{code-cell} ipython3
%config InlineBackend.figure_formats = ["svg"]
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)
fig, ax = plt.subplots()
ax.plot(rng.standard_normal(20))
plt.show()
```
"""


@pytest.mark.site
def test_two_builds_from_different_paths_are_identical(tmp_path: Path) -> None:
    sites = []
    for where in ("a", "another/deeper/folder"):
        src = tmp_path / where / "book"
        src.mkdir(parents=True)
        (src / "index.md").write_text(
            "# A small book\n\n```{toctree}\npage\n```\n", encoding="utf-8"
        )
        (src / "page.md").write_text(PAGE, encoding="utf-8")
        shutil.copy(ROOT / "book" / "references.bib", src / "references.bib")
        out = tmp_path / where / "_build" / "html"  # its own execution cache
        result = sphinx_build(src, out)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        sites.append(out)
    first, second = sites
    page = (first / "page.html").read_text(encoding="utf-8")
    assert "equation-page-amsmath-1" in page, "counter-based equation labels"
    assert list(first.rglob("*.svg")), "the figure is an SVG"
    only_a, only_b, differ = compare_trees(first, second)
    details = "\n".join(diff_excerpt(first / r, second / r) for r in differ)
    assert (only_a, only_b, differ) == ([], [], []), details

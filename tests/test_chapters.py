"""Every chapter page teaches one idea at a readable length, with exercises.

The chapter pages are those of the "The book" table of contents on the index
page.  Each has at most 3,500 words of prose and at least two exercises, and
every solution computes its answer and asserts it in a cell, so that a wrong
solution breaks the build.  Prose is what a reader reads as text: the page's
Markdown without its front matter, code cells, raw HTML, comments and targets;
a formula or a role (a glued number, a link) counts as one word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from project import ROOT

BOOK = ROOT / "book"
MAX_PROSE_WORDS = 3500
MIN_EXERCISES = 2

FENCE = re.compile(r"^(`{3,}|~{3,})(\{([\w:-]+)\})?")
# Directives whose body is prose the reader reads; any other fenced block
# (code cells, raw HTML, math, includes, toctrees) is not prose.
PROSE_BLOCKS = {
    None,  # a plain fence is never prose; kept out below
    "exercise-start",
    "solution-start",
    "admonition",
    "note",
    "tip",
    "important",
    "warning",
    "seealso",
    "hint",
    "dropdown",
}


def chapter_pages() -> list[str]:
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```\{toctree\}\n:caption: The book\n(.*?)```", index, re.S)
    assert block, "index.md has a toctree captioned 'The book'"
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith(":")
    ]


def prose(text: str) -> str:
    """The text of a MyST page that a reader reads as prose."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    kept: list[str] = []
    open_blocks: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        fence = FENCE.match(line.strip())
        if fence:
            marks, _, name = fence.groups()
            if open_blocks and line.strip() == open_blocks[-1][0]:
                open_blocks.pop()
                continue
            if name is not None or not open_blocks:
                open_blocks.append((marks, name))
                continue
        if any(name is None or name not in PROSE_BLOCKS for _, name in open_blocks):
            continue
        stripped = line.strip()
        if stripped.startswith("%") or re.fullmatch(r"\(.*\)=|:[\w-]+:.*", stripped):
            continue
        kept.append(line)
    body = "\n".join(kept)
    body = re.sub(r"\$\$.*?\$\$", " formula ", body, flags=re.S)
    body = re.sub(r"\$[^$\n]+\$", " formula ", body)
    return re.sub(r"\{[\w:-]+\}`[^`]*`", " role ", body)


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.,-]*", text))


def solutions(text: str) -> dict[str, str]:
    found = re.findall(r"```\{solution-start\} ([\w-]+)\n(.*?)```\{solution-end\}", text, re.S)
    return dict(found)


def test_the_prose_counter_skips_code_math_and_markup() -> None:
    page = (
        "---\nkernelspec:\n  name: python3\n---\n\n(label)=\n# A title\n\n"
        "Two words $x^2 + y$ and {glue:text}`key`.\n\n"
        "```{code-cell} ipython3\nprint('not prose at all')\n```\n\n"
        "% a comment\n```{raw} html\n<p>not prose</p>\n```\n\n"
        "```{exercise-start}\n:label: ex-a\n```\n\nDo it.\n\n```{exercise-end}\n```\n"
    )
    # "A title", "Two words", formula, "and", role, "Do it.": 2+2+1+1+1+2
    assert word_count(prose(page)) == 9


@pytest.mark.parametrize("page", chapter_pages())
def test_a_chapter_page_is_short_enough_to_teach_one_idea(page: str) -> None:
    words = word_count(prose((BOOK / f"{page}.md").read_text(encoding="utf-8")))
    assert words <= MAX_PROSE_WORDS, f"{page}.md has {words} words of prose"


@pytest.mark.parametrize("page", chapter_pages())
def test_a_chapter_page_has_exercises_with_checked_solutions(page: str) -> None:
    text = (BOOK / f"{page}.md").read_text(encoding="utf-8")
    labels = re.findall(r"```\{exercise-start\}\n:label: ([\w-]+)", text)
    assert len(labels) >= MIN_EXERCISES, f"{page}.md has {len(labels)} exercises"
    answers = solutions(text)
    for label in labels:
        assert label in answers, f"{page}.md: exercise {label} has no solution"
        assert re.search(r"```\{code-cell\}[^\n]*\n(?:.*\n)*?.*\bassert\b", answers[label]), (
            f"{page}.md: the solution of {label} asserts nothing it computes"
        )

"""The package face: about twenty concepts, a map of them, no private imports."""

import re
from pathlib import Path

import pytest

import convmat
import convmat.book
import convmat.experiment

BOOK = Path(__file__).resolve().parents[1] / "book"


def test_the_face_holds_about_twenty_names() -> None:
    assert 18 <= len(convmat.__all__) <= 26
    assert sorted(convmat.__all__) == convmat.__all__


@pytest.mark.parametrize("module", [convmat, convmat.book, convmat.experiment])
def test_every_public_name_exists_and_is_documented(module) -> None:
    for name in module.__all__:
        obj = getattr(module, name)
        assert callable(obj) or not name.islower(), name
        # the module's docstring maps the concepts to these names
        if module is not convmat.experiment:
            assert f"`{name}`" in module.__doc__, name


def test_plumbing_left_the_face() -> None:
    for name in ("markdown_table", "format_bytes", "timing_enabled", "place"):
        assert name not in convmat.__all__
        assert not hasattr(convmat, name)


def test_help_opens_with_the_map() -> None:
    first = convmat.__doc__.splitlines()
    assert first[0] == "convmat: a convolution is a matrix multiplication."
    assert len(first) > 10


@pytest.mark.parametrize("page", sorted(BOOK.glob("*.md")), ids=lambda p: p.name)
def test_pages_import_only_public_names(page: Path) -> None:
    private = re.findall(r"convmat\._(?!_)\w+", page.read_text(encoding="utf-8"))
    assert private == []

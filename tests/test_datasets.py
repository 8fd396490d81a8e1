"""Tests for convmat._datasets: the standard input sizes."""

import dataclasses
import re
from pathlib import Path

import pytest

from convmat._datasets import (
    CIFAR10,
    HD,
    IMAGENET_VGG,
    MNIST,
    STANDARD_INPUTS,
    InputSize,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"
BIB_KEYS = set(
    re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), re.MULTILINE)
)


@pytest.mark.parametrize(
    ("size", "shape", "features"),
    [
        (MNIST, (1, 28, 28), 784),
        (CIFAR10, (3, 32, 32), 3072),
        (IMAGENET_VGG, (3, 224, 224), 150_528),
        (HD, (3, 720, 1280), 2_764_800),
    ],
)
def test_book_sizes(size, shape, features):
    assert size.shape == shape
    assert size.features == features
    assert size.url.startswith("http")
    assert size.reference


def test_sources_are_bibliography_keys():
    assert [s.source for s in STANDARD_INPUTS] == [
        "lecun1998",
        "krizhevsky2009",
        "simonyan2015",
        "smpte296",
    ]
    assert {s.source for s in STANDARD_INPUTS} <= BIB_KEYS


def test_standard_inputs_smallest_first():
    features = [s.features for s in STANDARD_INPUTS]
    assert features == sorted(features)
    assert len({s.name for s in STANDARD_INPUTS}) == len(STANDARD_INPUTS)


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        MNIST.channels = 3  # type: ignore[misc]


def test_custom_size():
    size = InputSize("tiny", 2, 3, 4, None, "https://example.org")
    assert size.shape == (2, 3, 4)
    assert size.features == 24
    assert size.reference == ""


def test_size_not_int():
    with pytest.raises(TypeError, match="`height` must be an int"):
        InputSize("x", 1, 2.0, 3, None, "")


def test_size_bool():
    with pytest.raises(TypeError, match="`channels` must be an int"):
        InputSize("x", True, 2, 3, None, "")


def test_size_too_small():
    with pytest.raises(ValueError, match="`width` must be >= 1"):
        InputSize("x", 1, 2, 0, None, "")

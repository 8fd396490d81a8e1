"""Standard input sizes, as named data, so that the book never types them by hand."""

from __future__ import annotations

__all__ = [
    "CIFAR10",
    "HD",
    "IMAGENET_VGG",
    "MNIST",
    "STANDARD_INPUTS",
    "InputSize",
]

from dataclasses import dataclass

from ._params import check_int


@dataclass(frozen=True)
class InputSize:
    """The size of one input image, with where that size is documented.

    Parameters
    ----------
    name : str
        Display name, e.g. ``"CIFAR-10"``.
    channels, height, width : int
        Number of colour channels and spatial size in pixels (all >= 1).
    source : str or None
        Citation key in the book's bibliography (``book/references.bib``), or
        ``None`` when the size comes from a standard that is not in it.
    url : str
        Where the size can be checked.
    reference : str
        The same source written out for humans (author, year, title).

    Attributes
    ----------
    shape : tuple of int
        ``(channels, height, width)``, the PyTorch (C, H, W) layout.
    features : int
        ``channels * height * width``: the number of inputs a fully connected
        layer sees when the image is flattened.

    Raises
    ------
    TypeError
        If a size is not an integer.
    ValueError
        If a size is smaller than 1.

    See Also
    --------
    convmat.book.layer_comparison : dense against convolutional layers at these sizes.

    Examples
    --------
    >>> from convmat.book import CIFAR10, InputSize
    >>> CIFAR10.shape
    (3, 32, 32)
    >>> CIFAR10.features
    3072
    >>> InputSize("tiny", 1, 2, 3, None, "https://example.org").features
    6
    """

    name: str
    channels: int
    height: int
    width: int
    source: str | None
    url: str
    reference: str = ""

    def __post_init__(self) -> None:
        for field in ("channels", "height", "width"):
            # numpy integers are ints too; stored as Python ints
            object.__setattr__(self, field, check_int(getattr(self, field), field))

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(channels, height, width)``."""
        return (self.channels, self.height, self.width)

    @property
    def features(self) -> int:
        """``channels * height * width``."""
        return self.channels * self.height * self.width


MNIST = InputSize(
    name="MNIST",
    channels=1,
    height=28,
    width=28,
    source="lecun1998",
    url="http://yann.lecun.com/exdb/mnist/",
    reference=(
        "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning "
        "applied to document recognition: 28 x 28 grey-level digits"
    ),
)
"""MNIST handwritten digits: 1 x 28 x 28 grey images (784 features)."""

CIFAR10 = InputSize(
    name="CIFAR-10",
    channels=3,
    height=32,
    width=32,
    source="krizhevsky2009",
    url="https://www.cs.toronto.edu/~kriz/cifar.html",
    reference=(
        "Krizhevsky (2009), Learning Multiple Layers of Features from Tiny "
        "Images, technical report: 32 x 32 colour images"
    ),
)
"""CIFAR-10: 3 x 32 x 32 colour images (3,072 features)."""

IMAGENET_VGG = InputSize(
    name="ImageNet (VGG)",
    channels=3,
    height=224,
    width=224,
    source="simonyan2015",
    url="https://arxiv.org/abs/1409.1556",
    reference=(
        "Simonyan & Zisserman (2015), Very Deep Convolutional Networks for "
        "Large-Scale Image Recognition, ICLR: fixed-size 224 x 224 RGB input"
    ),
)
"""The VGG networks' input: 3 x 224 x 224 RGB crops (150,528 features)."""

HD = InputSize(
    name="HD 720p",
    channels=3,
    height=720,
    width=1280,
    source="smpte296",
    url="https://doi.org/10.5594/SMPTE.ST296.2012",
    reference=(
        "SMPTE ST 296:2012, 1280 x 720 Progressive Image Sample Structure "
        "(colorimetry per ITU-R BT.709)"
    ),
)
"""An HD (720p) RGB video frame: 3 x 720 x 1280 (2,764,800 features)."""

STANDARD_INPUTS: tuple[InputSize, ...] = (MNIST, CIFAR10, IMAGENET_VGG, HD)
"""The four sizes above, smallest first."""

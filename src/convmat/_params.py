"""Normalising convolution options and the output-size arithmetic.

Every public function of convmat accepts PyTorch's options (``padding``,
``stride``, ``dilation``, ``padding_mode``) in several spellings. This module
turns them into one canonical form, checks them, and computes output sizes, so
that the direct convolution, the index map and the transposed convolution all
agree on what an option means.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Literal, NamedTuple

import numpy as np

__all__ = ["output_shape"]

PaddingMode = Literal["zeros", "circular", "reflect", "replicate"]
PaddingString = Literal["valid", "same", "full"]

_PADDING_MODES = ("zeros", "circular", "reflect", "replicate")
_PADDING_STRINGS = ("valid", "same", "full")
#: ``np.pad`` mode for each PyTorch ``padding_mode``.
NP_PAD_MODE = {
    "zeros": "constant",
    "circular": "wrap",
    "reflect": "reflect",
    "replicate": "edge",
}


def _is_int(value: object) -> bool:
    """True for Python and NumPy integers, False for bools (a common typo)."""
    return isinstance(value, int | np.integer) and not isinstance(
        value, bool | np.bool_
    )


def check_int(value: object, name: str, *, minimum: int = 1) -> int:
    """`value` as a Python int >= `minimum`; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"`{name}` must be an int, got {type(value).__name__}"
        raise TypeError(msg)
    value = int(value)
    if value < minimum:
        msg = f"`{name}` must be >= {minimum}, got {value}"
        raise ValueError(msg)
    return value


def normalize_ints(value: object, ndim: int, name: str) -> tuple[int, ...]:
    """An int or a tuple of ``ndim`` ints, each >= 1 (stride, dilation)."""
    values = value if isinstance(value, tuple | list) else (value,) * ndim
    if len(values) != ndim:
        msg = f"`{name}` must be an int or a tuple of {ndim} ints, got {value!r}"
        raise ValueError(msg)
    for v in values:
        if not _is_int(v):
            msg = f"`{name}` must contain ints, got {value!r}"
            raise TypeError(msg)
        if v < 1:
            msg = f"`{name}` must be >= 1, got {value!r}"
            raise ValueError(msg)
    return tuple(operator.index(v) for v in values)


def normalize_shape(shape: object, name: str) -> tuple[int, ...]:
    """An int or a tuple of non-negative ints (an array shape)."""
    values = (shape,) if _is_int(shape) else shape
    if not isinstance(values, tuple | list) or not all(_is_int(v) for v in values):
        msg = f"`{name}` must be an int or a tuple of ints, got {shape!r}"
        raise TypeError(msg)
    if any(v < 1 for v in values):
        msg = f"`{name}` must contain sizes >= 1, got {shape!r}"
        raise ValueError(msg)
    return tuple(operator.index(v) for v in values)


def _pair(value: object, name: str) -> tuple[int, int]:
    """One axis of padding: an int (both sides) or a (before, after) pair."""
    if _is_int(value):
        return (operator.index(value), operator.index(value))
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(_is_int(v) for v in value)
    ):
        return (operator.index(value[0]), operator.index(value[1]))
    msg = f"`{name}` has an invalid entry {value!r}: expected an int or a pair"
    raise ValueError(msg)


def normalize_padding(
    padding: object,
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """Padding as one ``(before, after)`` pair per spatial axis.

    Accepted: an int; a string ``"valid"``, ``"same"`` or ``"full"``; in 1-D a
    ``(left, right)`` pair; in 2-D an ``(ph, pw)`` pair or
    ``((top, bottom), (left, right))``.
    """
    ndim = len(kernel_size)
    if isinstance(padding, str):
        if padding not in _PADDING_STRINGS:
            msg = (
                f"`padding` must be an int, a tuple or one of {_PADDING_STRINGS}, "
                f"got {padding!r}"
            )
            raise ValueError(msg)
        if padding == "valid":
            return ((0, 0),) * ndim
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation, strict=True)]
        if padding == "full":
            return tuple((t, t) for t in totals)
        if any(s != 1 for s in stride):
            msg = f"`padding='same'` requires `stride=1`, got stride={stride!r}"
            raise ValueError(msg)
        return tuple((t // 2, t - t // 2) for t in totals)
    if _is_int(padding):
        pads = ((operator.index(padding),) * 2,) * ndim
    elif isinstance(padding, tuple | list):
        if ndim == 1 and len(padding) == 2 and all(_is_int(v) for v in padding):
            pads = (_pair(padding, "padding"),)
        elif len(padding) == ndim:
            pads = tuple(_pair(p, "padding") for p in padding)
        else:
            msg = (
                f"`padding` must have one entry per spatial axis ({ndim}), "
                f"got {padding!r}"
            )
            raise ValueError(msg)
    else:
        msg = f"`padding` must be an int, a tuple or a string, got {padding!r}"
        raise TypeError(msg)
    if any(p < 0 for pair in pads for p in pair):
        msg = f"`padding` must be non-negative, got {padding!r}"
        raise ValueError(msg)
    return pads


def check_padding_mode(padding_mode: object) -> str:
    """Validate ``padding_mode`` (PyTorch's names)."""
    if padding_mode not in _PADDING_MODES:
        msg = f"`padding_mode` must be one of {_PADDING_MODES}, got {padding_mode!r}"
        raise ValueError(msg)
    return str(padding_mode)


def _output_sizes(
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    pads: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[int, ...]:
    """Dumoulin & Visin's formula per axis; error when an axis has no output."""
    out = []
    for n, k, (lo, hi), s, d in zip(
        input_size, kernel_size, pads, stride, dilation, strict=True
    ):
        span = d * (k - 1) + 1
        if n + lo + hi < span:
            msg = (
                f"kernel larger than the padded input: dilated kernel size {span} "
                f"> padded input size {n + lo + hi} (input {n}, padding {(lo, hi)})"
            )
            raise ValueError(msg)
        out.append((n + lo + hi - span) // s + 1)
    return tuple(out)


def output_shape(
    input_shape: int | tuple[int, ...],
    kernel_size: int | tuple[int, ...],
    *,
    padding: int | tuple | str = 0,
    stride: int | tuple[int, ...] = 1,
    dilation: int | tuple[int, ...] = 1,
) -> tuple[int, ...]:
    """Spatial output shape of a convolution.

    Applies, per spatial axis, the output-size formula of Dumoulin and
    Visin (2016) (the one PyTorch documents for ``Conv1d``/``Conv2d``).

    Parameters
    ----------
    input_shape : int or tuple of int
        Spatial input shape ``(n,)`` or ``(h, w)``; an int means ``(n,)``.
        Channels are not part of it.
    kernel_size : int or tuple of int
        Kernel size; an int is used for every axis.
    padding : int, tuple or {"valid", "same", "full"}, optional
        An int (both sides of every axis), a ``(left, right)`` pair in 1-D, an
        ``(ph, pw)`` pair or ``((top, bottom), (left, right))`` in 2-D.
        ``"valid"`` is no padding, ``"same"`` pads ``dilation*(k-1)`` in total
        with the extra element after (right/bottom, as PyTorch) and requires
        ``stride=1``, ``"full"`` pads ``dilation*(k-1)`` on both sides.
    stride, dilation : int or tuple of int, optional
        Step between outputs and spacing between taps, each >= 1.

    Returns
    -------
    tuple of int
        ``floor((n + p_left + p_right - dilation*(k-1) - 1) / stride) + 1``
        for each axis.

    Raises
    ------
    ValueError
        If ``stride`` or ``dilation`` is < 1, ``padding`` is negative or an
        unknown string, ``"same"`` is asked with ``stride > 1``, or the dilated
        kernel is larger than the padded input.
    TypeError
        If a size, ``stride`` or ``dilation`` is not an int.

    See Also
    --------
    conv1d, conv2d : The convolutions whose output this predicts.

    Notes
    -----
    With ``p = p_left + p_right`` and ``k' = dilation*(k-1) + 1`` the dilated
    kernel size, the kernel fits ``n + p - k' + 1`` times into the padded
    input; every ``stride``-th placement is kept.

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
    deep learning", arXiv:1603.07285, 2016.

    Examples
    --------
    >>> from convmat import output_shape
    >>> output_shape(4, 2)
    (3,)
    >>> output_shape((224, 224), 3, padding=1)
    (224, 224)
    >>> output_shape((5, 5), 3, stride=2)
    (2, 2)
    >>> output_shape(6, 4, padding="same")
    (6,)
    """
    shape = normalize_shape(input_shape, "input_shape")
    ndim = len(shape)
    kernel = normalize_ints(kernel_size, ndim, "kernel_size")
    strides = normalize_ints(stride, ndim, "stride")
    dilations = normalize_ints(dilation, ndim, "dilation")
    pads = normalize_padding(padding, kernel, strides, dilations)
    return _output_sizes(shape, kernel, pads, strides, dilations)


class ConvSpec(NamedTuple):
    """Every option of one convolution, checked and in canonical form."""

    multichannel: bool
    out_channels: int  # 1 for the single-channel form
    in_channels: int
    input_size: tuple[int, ...]  # spatial
    kernel_size: tuple[int, ...]
    output_size: tuple[int, ...]  # spatial
    pads: tuple[tuple[int, int], ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding_mode: str

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Full input shape, with the channel axis in the multi-channel form."""
        if self.multichannel:
            return (self.in_channels, *self.input_size)
        return self.input_size

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """Full weight shape: ``(C_out, C_in, *k)``, or ``k`` in the single form."""
        if self.multichannel:
            return (self.out_channels, self.in_channels, *self.kernel_size)
        return self.kernel_size

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Full output shape, with the channel axis in the multi-channel form."""
        if self.multichannel:
            return (self.out_channels, *self.output_size)
        return self.output_size


def conv_spec(
    weight_shape: tuple[int, ...],
    input_shape: tuple[int, ...],
    *,
    padding: object,
    stride: object,
    dilation: object,
    padding_mode: object,
    ndim: int | None = None,
    names: tuple[str, str] = ("w", "x"),
) -> ConvSpec:
    """Check a weight shape against an input shape and normalise the options.

    ``ndim`` (1 or 2) is the number of spatial axes when the caller knows it
    (``conv1d``/``conv2d``); otherwise it is read from ``weight_shape``:
    ``(k,)`` and ``(C_out, C_in, k)`` are 1-D, ``(kh, kw)`` and
    ``(C_out, C_in, kh, kw)`` are 2-D. ``names`` are the caller's names for the
    weight and the input, used in error messages.
    """
    w_name, x_name = names
    weight_shape = tuple(weight_shape)
    input_shape = tuple(input_shape)
    if ndim is None:
        ndim = {1: 1, 2: 2, 3: 1, 4: 2}.get(len(weight_shape))
        if ndim is None:
            msg = (
                f"`{w_name}` must have shape (k,), (kh, kw), (C_out, C_in, k) or "
                f"(C_out, C_in, kh, kw), got shape {weight_shape}"
            )
            raise ValueError(msg)
    if len(input_shape) == ndim:
        multichannel = False
        expected_w = ndim
    elif len(input_shape) == ndim + 1:
        multichannel = True
        expected_w = ndim + 2
    else:
        msg = (
            f"`{x_name}` must have {ndim} (spatial) or {ndim + 1} (channels first) "
            f"dimensions, got shape {input_shape}"
        )
        raise ValueError(msg)
    if len(weight_shape) != expected_w:
        form = "(C_in, *spatial)" if multichannel else "spatial only"
        msg = (
            f"`{w_name}` must have {expected_w} dimensions for an input of shape "
            f"{input_shape} ({form}), got shape {weight_shape}"
        )
        raise ValueError(msg)
    if any(s < 1 for s in weight_shape) or any(s < 1 for s in input_shape):
        msg = (
            f"`{w_name}` and `{x_name}` must have no empty axis, got shapes "
            f"{weight_shape} and {input_shape}"
        )
        raise ValueError(msg)
    if multichannel:
        c_out, c_in = weight_shape[:2]
        if input_shape[0] != c_in:
            msg = (
                f"channel mismatch: `{w_name}` has C_in={c_in} (shape {weight_shape}) "
                f"but `{x_name}` has {input_shape[0]} channels (shape {input_shape})"
            )
            raise ValueError(msg)
        kernel = weight_shape[2:]
        size = input_shape[1:]
    else:
        c_out = c_in = 1
        kernel = weight_shape
        size = input_shape
    strides = normalize_ints(stride, ndim, "stride")
    dilations = normalize_ints(dilation, ndim, "dilation")
    pads = normalize_padding(padding, kernel, strides, dilations)
    mode = check_padding_mode(padding_mode)
    if mode in ("circular", "reflect"):
        for n, (lo, hi) in zip(size, pads, strict=True):
            limit = n if mode == "circular" else n - 1
            if max(lo, hi) > limit:
                msg = (
                    f"`padding` {(lo, hi)} too large for `padding_mode={mode!r}` "
                    f"on an axis of size {n}: at most {limit} per side"
                )
                raise ValueError(msg)
    out = _output_sizes(size, kernel, pads, strides, dilations)
    return ConvSpec(
        multichannel, c_out, c_in, size, kernel, out, pads, strides, dilations, mode
    )


def check_dtype(a: np.ndarray, name: str) -> None:
    """Only real numbers (integers and floats) are convolved."""
    if a.dtype.kind not in "iuf":
        msg = f"`{name}` must hold real numbers (integer or float), got dtype {a.dtype}"
        raise TypeError(msg)


def prod(shape: tuple[int, ...]) -> int:
    """Product of a shape as a Python int (no overflow)."""
    return math.prod(shape)

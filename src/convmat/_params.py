"""The one rule for arguments: every function of convmat checks them here.

The rule, stated once (the API reference repeats it):

- Order. Functions that *compute* on data take PyTorch's positional order,
  ``x, w, bias, stride, padding, dilation, groups`` (transposes:
  ``g, w, bias, stride, padding, output_padding, groups, dilation``).
  Functions that *describe* a convolution (its matrix, index map, operator,
  output shape, cost) take the weight first, then the input shape:
  ``(w, input_shape, ...)``, with the options as keywords.
- Array or shape. Wherever only a shape matters, an array is accepted in its
  place and stands for its ``.shape``.
- Ints. A *shape* given as an int ``n`` is the one-axis shape ``(n,)``, as
  in numpy (``np.zeros(4)``); an *option* given as an int (``stride``,
  ``padding``, ``dilation``, ``output_padding``, a pooling window) applies to
  every spatial axis, as in PyTorch. NumPy integers are ints everywhere;
  bools are not.
- Padding. An int (both sides of every axis), a string (``"valid"``,
  ``"same"``, ``"full"``), or a tuple with one entry per spatial axis, each
  an int (both sides) or a ``(before, after)`` pair, as PyTorch's
  ``padding=(ph, pw)``. In 1-D, ``(left, right)`` padding is ``((left,
  right),)``.
- Shapes of data. ``x`` is ``spatial``, ``(C_in, *spatial)`` or
  ``(N, C_in, *spatial)`` (a batch); ``w`` is ``kernel`` (with a
  single-channel ``x``) or ``(C_out, C_in // groups, *kernel)``; a bias is
  one value per output channel, shape ``(C_out,)`` (a scalar or ``(1,)`` for
  the single-channel form).
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
Padding = int | str | tuple[int | tuple[int, int], ...]
IntOrTuple = int | tuple[int, ...]

#: Default of every ``max_bytes`` keyword (1 GiB): see `convmat._guards`.
MAX_BYTES = 2**30

_PADDING_MODES = ("zeros", "circular", "reflect", "replicate")
_PADDING_STRINGS = ("valid", "same", "full")
#: ``np.pad`` mode for each PyTorch ``padding_mode``.
NP_PAD_MODE: dict[str, Literal["constant", "wrap", "reflect", "edge"]] = {
    "zeros": "constant",
    "circular": "wrap",
    "reflect": "reflect",
    "replicate": "edge",
}


def is_int(value: object) -> bool:
    """True for Python and NumPy integers, False for bools (a common typo)."""
    return isinstance(value, numbers.Integral) and not isinstance(
        value, bool | np.bool_
    )


def check_int(value: object, name: str, *, minimum: int = 1) -> int:
    """`value` as a Python int >= `minimum`; bools and floats are refused."""
    if not is_int(value):
        msg = f"`{name}` must be an int, got {type(value).__name__}"
        raise TypeError(msg)
    number = operator.index(value)  # type: ignore[arg-type]
    if number < minimum:
        msg = f"`{name}` must be >= {minimum}, got {number}"
        raise ValueError(msg)
    return number


def normalize_ints(
    value: object, ndim: int, name: str, *, minimum: int = 1
) -> tuple[int, ...]:
    """An option: an int for every axis, or a tuple of ``ndim`` ints."""
    values = value if isinstance(value, tuple | list) else (value,) * ndim
    if len(values) != ndim:
        msg = f"`{name}` must be an int or a tuple of {ndim} ints, got {value!r}"
        raise ValueError(msg)
    numbers_: list[int] = []
    for v in values:
        if not is_int(v):
            msg = f"`{name}` must contain ints, got {value!r}"
            raise TypeError(msg)
        numbers_.append(operator.index(v))  # type: ignore[arg-type]
        if numbers_[-1] < minimum:
            msg = f"`{name}` must be >= {minimum}, got {value!r}"
            raise ValueError(msg)
    return tuple(numbers_)


def normalize_shape(shape: object, name: str) -> tuple[int, ...]:
    """A shape: an int ``n`` is ``(n,)``; a tuple or list holds sizes >= 1."""
    values = (shape,) if is_int(shape) else shape
    if not isinstance(values, tuple | list) or not all(is_int(v) for v in values):
        msg = f"`{name}` must be an int or a tuple of ints, got {shape!r}"
        raise TypeError(msg)
    if any(v < 1 for v in values):
        msg = f"`{name}` must contain sizes >= 1, got {shape!r}"
        raise ValueError(msg)
    return tuple(operator.index(v) for v in values)


def shape_of(value: object, name: str) -> tuple[int, ...]:
    """Array or shape: an ndarray stands for its shape, else `normalize_shape`."""
    if isinstance(value, np.ndarray):
        return normalize_shape(value.shape, name)
    if is_int(value) or (
        isinstance(value, tuple | list) and all(is_int(v) for v in value)
    ):
        return normalize_shape(value, name)
    msg = (
        f"`{name}` must be an array, an int or a tuple of ints, "
        f"got {type(value).__name__}"
    )
    raise TypeError(msg)


def _pair(value: object) -> tuple[int, int] | None:
    """One axis of padding: an int (both sides) or a (before, after) pair."""
    if is_int(value):
        return (operator.index(value), operator.index(value))  # type: ignore[arg-type]
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(is_int(v) for v in value)
    ):
        return (operator.index(value[0]), operator.index(value[1]))
    return None


def normalize_padding(
    padding: object,
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """Padding as one ``(before, after)`` pair per spatial axis.

    Accepted: an int; a string ``"valid"``, ``"same"`` or ``"full"``; a tuple
    with one entry per spatial axis, each an int or a ``(before, after)``
    pair (PyTorch's ``(ph, pw)``; in 1-D ``((left, right),)``).
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
    if is_int(padding):
        p = operator.index(padding)  # type: ignore[arg-type]
        pads: tuple[tuple[int, int], ...] = ((p, p),) * ndim
    elif isinstance(padding, tuple | list):
        if len(padding) != ndim:
            hint = ""
            if ndim == 1 and len(padding) == 2:
                hint = f"; for (left, right) padding in 1-D write ({tuple(padding)},)"
            msg = (
                f"`padding` must have one entry per spatial axis ({ndim}), "
                f"got {padding!r}{hint}"
            )
            raise ValueError(msg)
        pairs = [_pair(p) for p in padding]
        if any(p is None for p in pairs):
            msg = (
                f"`padding` has an invalid entry in {padding!r}: expected an int "
                "or a (before, after) pair of ints per axis"
            )
            raise ValueError(msg)
        pads = tuple(p for p in pairs if p is not None)
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


class ConvSpec(NamedTuple):
    """Every option of one convolution, checked and in canonical form."""

    multichannel: bool
    out_channels: int  # 1 for the single-channel form
    in_channels: int  # all of them (C_in), not per group
    input_size: tuple[int, ...]  # spatial
    kernel_size: tuple[int, ...]
    output_size: tuple[int, ...]  # spatial
    pads: tuple[tuple[int, int], ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding_mode: str
    groups: int = 1
    batch: int | None = None  # N, or None without a batch axis

    @property
    def group_in(self) -> int:
        """Input channels each output channel reads, ``C_in // groups``."""
        return self.in_channels // self.groups

    @property
    def group_out(self) -> int:
        """Output channels of each group, ``C_out // groups``."""
        return self.out_channels // self.groups

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Input shape of one sample, with the channel axis in the multi form."""
        if self.multichannel:
            return (self.in_channels, *self.input_size)
        return self.input_size

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """``(C_out, C_in // groups, *k)``, or ``k`` in the single form."""
        if self.multichannel:
            return (self.out_channels, self.group_in, *self.kernel_size)
        return self.kernel_size

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Output shape of one sample, with the channel axis in the multi form."""
        if self.multichannel:
            return (self.out_channels, *self.output_size)
        return self.output_size

    @property
    def rows(self) -> int:
        """Rows of the matrix: the size of one sample's output."""
        return self.out_channels * math.prod(self.output_size)

    @property
    def cols(self) -> int:
        """Columns of the matrix: the size of one sample's input."""
        return self.in_channels * math.prod(self.input_size)


def conv_spec(
    weight_shape: tuple[int, ...],
    input_shape: tuple[int, ...],
    *,
    padding: object,
    stride: object,
    dilation: object,
    padding_mode: object = "zeros",
    groups: object = 1,
    ndim: int | None = None,
    names: tuple[str, str] = ("w", "x"),
    batch: bool = False,
) -> ConvSpec:
    """Check a weight shape against an input shape and normalise the options.

    ``ndim`` (1 or 2) is the number of spatial axes when the caller knows it
    (``conv1d``/``conv2d``); otherwise it is read from ``weight_shape``:
    ``(k,)`` and ``(C_out, C_in // groups, k)`` are 1-D, ``(kh, kw)`` and
    ``(C_out, C_in // groups, kh, kw)`` are 2-D. With ``batch`` the input may
    carry a leading batch axis ``(N, C_in, *spatial)``. ``names`` are the
    caller's names for the weight and the input, used in error messages.
    """
    w_name, x_name = names
    weight_shape = tuple(weight_shape)
    input_shape = tuple(input_shape)
    n_groups = check_int(groups, "groups")
    if ndim is None:
        ndim = {1: 1, 2: 2, 3: 1, 4: 2}.get(len(weight_shape))
        if ndim is None:
            msg = (
                f"`{w_name}` must have shape (k,), (kh, kw), (C_out, C_in, k) or "
                f"(C_out, C_in, kh, kw), got shape {weight_shape}"
            )
            raise ValueError(msg)
    n_batch = None
    if len(input_shape) == ndim:
        multichannel = False
    elif len(input_shape) == ndim + 1:
        multichannel = True
    elif batch and len(input_shape) == ndim + 2:
        multichannel = True
        n_batch, input_shape = input_shape[0], input_shape[1:]
    else:
        forms = f"{ndim} (spatial) or {ndim + 1} (channels first)"
        if batch:
            forms = (
                f"{ndim} (spatial), {ndim + 1} (channels first) or {ndim + 2} (batch)"
            )
        what = "" if batch else " (one sample: no batch axis)"
        msg = f"`{x_name}` must have {forms} dimensions{what}, got shape {input_shape}"
        raise ValueError(msg)
    expected_w = ndim + 2 if multichannel else ndim
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
    if n_batch is not None and n_batch < 1:
        msg = f"`{x_name}` must have a batch of at least 1, got {n_batch}"
        raise ValueError(msg)
    if multichannel:
        c_out, c_in_group = weight_shape[:2]
        c_in = input_shape[0]
        if c_out % n_groups:
            msg = (
                f"`groups`={n_groups} must divide the output channels of `{w_name}`,"
                f" got C_out={c_out} (shape {weight_shape})"
            )
            raise ValueError(msg)
        if c_in != c_in_group * n_groups:
            msg = (
                f"channel mismatch: `{x_name}` has {c_in} channels (shape "
                f"{input_shape}) but `{w_name}` of shape {weight_shape} with "
                f"groups={n_groups} expects C_in = {c_in_group} * {n_groups} = "
                f"{c_in_group * n_groups}"
            )
            raise ValueError(msg)
        kernel = weight_shape[2:]
        size = input_shape[1:]
    else:
        if n_groups != 1:
            msg = (
                f"`groups`={n_groups} needs channels: `{w_name}` of shape "
                f"(C_out, C_in // groups, *kernel), got shape {weight_shape}"
            )
            raise ValueError(msg)
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
        multichannel,
        c_out,
        c_in,
        size,
        kernel,
        out,
        pads,
        strides,
        dilations,
        mode,
        n_groups,
        n_batch,
    )


def output_shape(
    w: object,
    input_shape: object,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> tuple[int, ...]:
    """Output shape of a convolution.

    Applies, per spatial axis, the output-size formula of Dumoulin and
    Visin (2016) (the one PyTorch documents for ``Conv1d``/``Conv2d``).

    Parameters
    ----------
    w : array or tuple of int
        The weight or its shape: ``(k,)``, ``(kh, kw)`` (spatial only) or
        ``(C_out, C_in // groups, *kernel)``. An int ``k`` is ``(k,)``.
    input_shape : array or tuple of int
        The input or its shape: spatial only (``(n,)``, ``(h, w)``, an int
        ``n`` is ``(n,)``), ``(C_in, *spatial)``, or ``(N, C_in, *spatial)``.
    stride, dilation : int or tuple of int, optional
        Step between outputs and spacing between taps, each >= 1; an int
        applies to every axis.
    padding : int, tuple or {"valid", "same", "full"}, optional
        An int (both sides of every axis), or one entry per axis, each an int
        or a ``(before, after)`` pair. ``"valid"`` is no padding, ``"same"``
        pads ``dilation*(k-1)`` in total with the extra element after
        (right/bottom, as PyTorch) and requires ``stride=1``, ``"full"`` pads
        ``dilation*(k-1)`` on both sides.
    groups : int, optional
        Channel groups, as for `conv2d`.

    Returns
    -------
    tuple of int
        The shape of ``conv(x, w)``: the input's form with ``C_out`` for
        ``C_in`` and, for each spatial axis,
        ``floor((n + p_before + p_after - dilation*(k-1) - 1) / stride) + 1``.

    Raises
    ------
    ValueError
        If the shapes do not go together, ``stride`` or ``dilation`` is < 1,
        ``padding`` is negative or an unknown string, ``"same"`` is asked
        with ``stride > 1``, or the dilated kernel is larger than the padded
        input.
    TypeError
        If a size, ``stride`` or ``dilation`` is not an int.

    See Also
    --------
    conv1d, conv2d : The convolutions whose output this predicts.

    Notes
    -----
    With ``p = p_before + p_after`` and ``k' = dilation*(k-1) + 1`` the
    dilated kernel size, the kernel fits ``n + p - k' + 1`` times into the
    padded input; every ``stride``-th placement is kept.

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
    deep learning", arXiv:1603.07285, 2016.

    Examples
    --------
    >>> from convmat import output_shape
    >>> output_shape(2, 4)
    (3,)
    >>> output_shape((3, 3), (224, 224), padding=1)
    (224, 224)
    >>> output_shape((64, 3, 3, 3), (8, 3, 224, 224), stride=2)
    (8, 64, 111, 111)
    >>> output_shape(4, 6, padding="same")
    (6,)
    """
    spec = conv_spec(
        shape_of(w, "w"),
        shape_of(input_shape, "input_shape"),
        padding=padding,
        stride=stride,
        dilation=dilation,
        groups=groups,
        names=("w", "input_shape"),
        batch=True,
    )
    if spec.batch is None:
        return spec.out_shape
    return (spec.batch, *spec.out_shape)


def check_dtype(a: np.ndarray, name: str) -> None:
    """Only real numbers (integers and floats) are convolved."""
    if a.dtype.kind not in "iuf":
        msg = f"`{name}` must hold real numbers (integer or float), got dtype {a.dtype}"
        raise TypeError(msg)


def check_bias(bias: object, channels: int, multichannel: bool) -> np.ndarray | None:
    """A bias: shape ``(C_out,)``; a scalar or ``(1,)`` in the single form."""
    if bias is None:
        return None
    b = np.asarray(bias)
    check_dtype(b, "bias")
    allowed = [(channels,)] if multichannel else [(), (1,)]
    if b.shape not in allowed:
        expected = " or ".join(str(s) for s in allowed)
        msg = f"`bias` must have shape {expected}, got shape {b.shape}"
        raise ValueError(msg)
    return b


def prod(shape: tuple[int, ...]) -> int:
    """Product of a shape as a Python int (no overflow)."""
    return math.prod(shape)

"""Guards before big allocations: estimate the bytes first, refuse above a limit.

A dense matrix for a VGG-sized layer needs terabytes; numpy would fail with a
`MemoryError` after trying, and some sparse and index builds would run for
seconds on intermediate arrays first. Every builder of a matrix or an index
map therefore asks here first. The estimates are arithmetic on the checked
options (one ``n_out x k`` table per axis), so a refusal costs microseconds
and touches no memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._format import format_bytes
from ._index import axis_positions
from ._params import ConvSpec, check_int

_INT32_MAX = int(np.iinfo(np.int32).max)


def describe(spec: ConvSpec) -> str:
    """The matrix the user asked for, in their terms: weight, input, size."""
    return (
        f"a {spec.weight_shape} weight over a {spec.input_shape} input "
        f"({spec.rows:,} x {spec.cols:,})"
    )


def grid_size(spec: ConvSpec) -> int:
    """(output, input channel, tap) triples, taps in padding included."""
    return (
        spec.out_channels
        * spec.group_in
        * math.prod(spec.output_size)
        * math.prod(spec.kernel_size)
    )


def stored_taps(spec: ConvSpec, *, exact: bool = True) -> int:
    """Non-zeros before merging: the taps that read the input (not padding).

    With ``exact=False`` the grid size, an upper bound that costs nothing:
    the guards try it first and count only when it is above the limit.
    """
    if spec.padding_mode != "zeros" or not exact:
        return grid_size(spec)
    inside = 1
    for axis in range(len(spec.input_size)):
        inside *= int(axis_positions(spec, axis)[1].sum())
    return spec.out_channels * spec.group_in * inside


def index_bytes(spec: ConvSpec, *, exact: bool = True) -> int:
    """Peak bytes of `conv_index`: int64 grids, their mask, the selected triples."""
    return grid_size(spec) * (3 * 8 + 1) + stored_taps(spec, exact=exact) * 3 * 8


def dense_bytes(spec: ConvSpec, itemsize: int) -> int:
    """Bytes of the dense matrix (the index map it is filled from is smaller)."""
    return spec.rows * spec.cols * itemsize


def csr_bytes(spec: ConvSpec, itemsize: int, *, exact: bool = True) -> int:
    """Bytes of the CSR matrix itself: data, column indices, row pointers."""
    nnz = stored_taps(spec, exact=exact)
    index = 4 if max(nnz, spec.cols) <= _INT32_MAX else 8
    return nnz * (itemsize + index) + (spec.rows + 1) * index


def sparse_bytes(spec: ConvSpec, itemsize: int, *, exact: bool = True) -> int:
    """Peak bytes of building the CSR matrix.

    Zero padding: the arrays are written in place, so the result is the
    peak. Other modes: the index map, flat positions, values and the sort
    that sums taps landing on the same entry come first.
    """
    result = csr_bytes(spec, itemsize, exact=exact)
    if spec.padding_mode == "zeros":
        return result
    stored = stored_taps(spec, exact=exact)
    return result + index_bytes(spec, exact=exact) + stored * (3 * 8 + 2 * itemsize)


def refuse_above(
    estimate: Callable[[bool], tuple[int, int]],
    max_bytes: int,
    what: str,
    hint: Callable[[], str] | None = None,
) -> None:
    """Raise a ValueError naming `what` and its size when it needs > `max_bytes`.

    ``estimate(exact)`` returns ``(size, peak)``: the bytes of what the user
    asked for (the matrix itself) and of building it (with the arrays it is
    built from). It is called with ``exact=False`` first, an upper bound in
    O(1); only above the limit are the taps counted. The message states both
    sizes when they differ; `hint`, the way out, is worked out only then.
    """
    limit = check_int(max_bytes, "max_bytes", minimum=0)
    if estimate(False)[1] <= limit:
        return
    size, peak = estimate(True)
    if peak <= limit:
        return
    needs = f"would take {size:,} bytes ({format_bytes(size)})"
    if peak != size:
        needs += f" and about {peak:,} bytes ({format_bytes(peak)}) to build"
    msg = (
        f"{what} {needs}, more than `max_bytes`={limit:,} "
        f"({format_bytes(limit)}).{hint() if hint else ''} Pass a larger "
        "`max_bytes` to build it anyway."
    )
    raise ValueError(msg)

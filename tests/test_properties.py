"""Property tests: the chain of independent checks over random options.

Each example draws a 1-D or 2-D convolution (with or without channels) with
random sizes, padding (ints, pairs, strings), stride, dilation and padding
mode, and checks one link of the chain:

direct == explicit loops (== torch), dense matrix == direct, sparse == dense,
symbolic == dense pattern, transpose == matrix transpose == gradient.
"""

import itertools
from typing import NamedTuple

import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given
from hypothesis import strategies as st

from convmat import (
    conv1d,
    conv2d,
    conv_matrix,
    conv_matrix_symbolic,
    conv_transpose1d,
    conv_transpose2d,
    output_shape,
)
from convmat.book import tap_names

NP_MODE = {
    "zeros": "constant",
    "circular": "wrap",
    "reflect": "reflect",
    "replicate": "edge",
}


class Case(NamedTuple):
    """One convolution: shapes and options, all valid."""

    ndim: int
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    options: dict
    pads: tuple[tuple[int, int], ...]  # the padding spelled out per axis

    @property
    def conv(self):
        return conv1d if self.ndim == 1 else conv2d

    @property
    def multichannel(self):
        return len(self.input_shape) > self.ndim


@st.composite
def cases(draw, *, modes=tuple(NP_MODE), multichannel=None, strings=True):
    """Random valid convolutions with at most a few hundred matrix entries."""
    ndim = draw(st.sampled_from([1, 2]))
    multi = draw(st.booleans()) if multichannel is None else multichannel
    size = st.integers(1, 7 if ndim == 1 else 5)
    spatial = tuple(draw(size) for _ in range(ndim))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    mode = draw(st.sampled_from(modes))
    kind = draw(
        st.sampled_from(
            ["int", "pairs", "same", "full", "valid"][: 5 if strings else 2]
        )
    )
    if kind == "same":
        stride = (1,) * ndim
    totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
    if kind == "int":
        p = draw(st.integers(0, 2))
        padding, pads = p, ((p, p),) * ndim
    elif kind == "pairs":
        pads = tuple(
            (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(ndim)
        )
        padding = pads
    elif kind == "same":
        padding, pads = "same", tuple((t // 2, t - t // 2) for t in totals)
    elif kind == "full":
        padding, pads = "full", tuple((t, t) for t in totals)
    else:
        padding, pads = "valid", ((0, 0),) * ndim
    for n, (lo, hi), t in zip(spatial, pads, totals, strict=True):
        assume(n + lo + hi >= t + 1)
        if mode == "circular":
            assume(max(lo, hi) <= n)
        if mode == "reflect":
            assume(max(lo, hi) <= n - 1)
    if multi:
        c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        input_shape = (c_in, *spatial)
        weight_shape = (c_out, c_in, *kernel)
    else:
        input_shape, weight_shape = spatial, kernel
    options = {
        "padding": padding,
        "stride": stride,
        "dilation": dilation,
        "padding_mode": mode,
    }
    for name, value in [("stride", stride), ("dilation", dilation)]:
        # an int stands for the same value on every axis
        if len(set(value)) == 1 and (ndim == 1 or draw(st.booleans())):
            options[name] = value[0]
    return Case(ndim, input_shape, weight_shape, options, pads)


def coords(shape):
    """Entries spelling their coordinates: 10*i + j (+ 100*c ...)."""
    grids = np.indices(shape)
    return np.tensordot(10 ** np.arange(len(shape))[::-1], grids, axes=1)


def kernel(shape):
    """Small distinct signed integers: w.flat[t] = t + 1, alternating sign."""
    n = int(np.prod(shape))
    return ((np.arange(n) + 1) * (-1) ** np.arange(n)).reshape(shape)


def loop_conv(x, w, case):
    """Explicit loops over every output, channel and tap: the definition."""
    ndim = case.ndim
    x = x.reshape(-1, *x.shape[-ndim:])
    w = w.reshape(-1, x.shape[0], *w.shape[-ndim:])
    xp = np.pad(x, [(0, 0), *case.pads], mode=NP_MODE[case.options["padding_mode"]])
    stride = np.broadcast_to(case.options["stride"], (ndim,))
    dilation = np.broadcast_to(case.options["dilation"], (ndim,))
    out = [
        (xp.shape[1 + a] - dilation[a] * (w.shape[2 + a] - 1) - 1) // stride[a] + 1
        for a in range(ndim)
    ]
    y = np.zeros((w.shape[0], *out), dtype=np.result_type(x, w))
    for o, pos in itertools.product(range(w.shape[0]), np.ndindex(*out)):
        for c, tap in itertools.product(range(x.shape[0]), np.ndindex(*w.shape[2:])):
            src = [pos[a] * stride[a] + tap[a] * dilation[a] for a in range(ndim)]
            y[(o, *pos)] += w[(o, c, *tap)] * xp[(c, *src)]
    return y if case.multichannel else y[0]


@given(cases())
def test_direct_equals_loops(case):
    x = coords(case.input_shape)
    w = kernel(case.weight_shape)
    y = case.conv(x, w, **case.options)
    np.testing.assert_array_equal(y, loop_conv(x, w, case))
    assert y.shape[-case.ndim :] == output_shape(
        case.weight_shape[-case.ndim :],
        case.input_shape[-case.ndim :],
        padding=case.options["padding"],
        stride=case.options["stride"],
        dilation=case.options["dilation"],
    )


@given(cases())
def test_dense_matrix_equals_direct(case):
    x = coords(case.input_shape)
    w = kernel(case.weight_shape)
    m = conv_matrix(w, case.input_shape, **case.options)
    np.testing.assert_array_equal(
        m @ x.ravel(), case.conv(x, w, **case.options).ravel()
    )


@given(cases(), st.integers(0, 2**32 - 1))
def test_sparse_equals_dense_exactly(case, seed):
    w = np.random.default_rng(seed).standard_normal(case.weight_shape)
    dense = conv_matrix(w, case.input_shape, **case.options)
    sparse = conv_matrix(w, case.input_shape, format="sparse", **case.options)
    assert sparse.has_canonical_format
    assert sparse.nnz == np.count_nonzero(dense)
    np.testing.assert_array_equal(sparse.toarray(), dense)


@given(cases(multichannel=False))
def test_single_channel_equals_scipy_correlate(case):
    x = coords(case.input_shape).astype(float)
    w = kernel(case.weight_shape).astype(float)
    options = case.options
    assume(np.all(np.array(options["dilation"]) == 1))
    xp = np.pad(x, case.pads, mode=NP_MODE[options["padding_mode"]])
    expected = scipy.signal.correlate(xp, w, mode="valid")
    step = tuple(
        slice(None, None, s) for s in np.broadcast_to(options["stride"], (case.ndim,))
    )
    np.testing.assert_allclose(case.conv(x, w, **options), expected[step], atol=1e-9)


@given(cases(modes=("circular",), strings=False), st.data())
def test_circular_commutes_with_roll(case, data):
    # stride 1 and total padding dilation*(k-1): output shape == input shape
    ndim = case.ndim
    spatial = case.input_shape[-ndim:]
    ks = case.weight_shape[-ndim:]
    dil = np.broadcast_to(case.options["dilation"], (ndim,))
    pads = []
    for n, k, d in zip(spatial, ks, dil, strict=True):
        total = int(d) * (k - 1)
        lo = data.draw(st.integers(0, total))
        assume(max(lo, total - lo) <= n)
        pads.append((lo, total - lo))
    options = dict(case.options, stride=1, padding=pads)
    shifts = tuple(data.draw(st.integers(-3, 3)) for _ in range(ndim))
    axes = tuple(range(-ndim, 0))
    x = coords(case.input_shape)
    w = kernel(case.weight_shape)
    y = case.conv(x, w, **options)
    y_rolled = case.conv(np.roll(x, shifts, axis=axes), w, **options)
    np.testing.assert_array_equal(y_rolled, np.roll(y, shifts, axis=axes))


@given(cases(modes=("zeros",)))
def test_transpose_equals_matrix_transpose(case):
    ndim = case.ndim
    options = dict(case.options)
    del options["padding_mode"]
    m = conv_matrix(kernel(case.weight_shape), case.input_shape, **case.options)
    out = case.conv(
        coords(case.input_shape), kernel(case.weight_shape), **case.options
    ).shape
    stride = np.broadcast_to(options["stride"], (ndim,))
    dil = np.broadcast_to(options["dilation"], (ndim,))
    op = tuple(
        int(n - ((o - 1) * s - lo - hi + d * (k - 1) + 1))
        for n, o, k, (lo, hi), s, d in zip(
            case.input_shape[-ndim:],
            out[-ndim:],
            case.weight_shape[-ndim:],
            case.pads,
            stride,
            dil,
            strict=True,
        )
    )
    # output_padding must be < max(stride, dilation); otherwise the shape is
    # not reachable by a transposed convolution (PyTorch has the same rule)
    assume(all(p < max(s, d) for p, s, d in zip(op, stride, dil, strict=True)))
    g = coords(out)
    transpose = conv_transpose1d if ndim == 1 else conv_transpose2d
    xt = transpose(g, kernel(case.weight_shape), output_padding=op, **options)
    assert xt.shape == case.input_shape
    np.testing.assert_array_equal(xt.ravel(), m.T @ g.ravel())
    # the dot test <conv(x), g> == <x, conv_transpose(g)>
    x = coords(case.input_shape) - 7
    y = case.conv(x, kernel(case.weight_shape), **case.options)
    assert np.vdot(y, g) == np.vdot(x, xt)


@given(cases())
def test_symbolic_positions_equal_dense_pattern(case):
    w = 2 ** np.arange(int(np.prod(case.weight_shape))).reshape(case.weight_shape)
    dense = conv_matrix(w, case.input_shape, **case.options)
    sym = conv_matrix_symbolic(case.weight_shape, case.input_shape, **case.options)
    value = dict(
        zip(
            tap_names(case.weight_shape).ravel().tolist(),
            w.ravel().tolist(),
            strict=True,
        )
    )
    np.testing.assert_array_equal(sym != "0", dense != 0)
    for (i, j), entry in np.ndenumerate(sym):
        if entry != "0":
            assert sum(value[t] for t in entry.split(" + ")) == dense[i, j]


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@given(cases(multichannel=True))
def test_equals_torch(case):
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    x = coords(case.input_shape).astype(float)
    w = kernel(case.weight_shape).astype(float)
    tx = torch.from_numpy(x)[None]
    flat = [p for pair in reversed(case.pads) for p in pair]
    mode = case.options["padding_mode"]
    xp = f.pad(tx, flat, mode="constant" if mode == "zeros" else mode)
    conv = f.conv1d if case.ndim == 1 else f.conv2d
    expected = conv(
        xp,
        torch.from_numpy(w),
        stride=case.options["stride"],
        dilation=case.options["dilation"],
    )[0].numpy()
    np.testing.assert_array_equal(case.conv(x, w, **case.options), expected)

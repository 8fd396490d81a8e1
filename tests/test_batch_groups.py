"""Batches, channel groups and biases: PyTorch's shapes, in every form.

Each check compares two independent computations: the direct convolution
against explicit loops (the definition, written here again), the matrix
forms against the direct convolution one sample at a time, and everything
against PyTorch when it is installed.
"""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convmat import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_fft,
    conv_index,
    conv_matrix,
    conv_matrix_symbolic,
    conv_taps,
    conv_transpose1d,
    conv_transpose2d,
    global_max_pool,
    im2col,
    matrix_cost,
    max_pool2d,
    output_shape,
)

NP_MODE = {
    "zeros": "constant",
    "circular": "wrap",
    "reflect": "reflect",
    "replicate": "edge",
}


def loop_conv(x, w, bias, *, groups, pads, stride, dilation, mode):
    """The definition with explicit loops: batch, groups, every tap."""
    ndim = w.ndim - 2
    n = x.shape[0]
    c_out, c_group = w.shape[:2]
    per_group = c_out // groups
    xp = np.pad(x, [(0, 0), (0, 0), *pads], mode=NP_MODE[mode])
    out = [
        (xp.shape[2 + a] - dilation[a] * (w.shape[2 + a] - 1) - 1) // stride[a] + 1
        for a in range(ndim)
    ]
    y = np.zeros((n, c_out, *out), dtype=np.result_type(x, w))
    for b, o in itertools.product(range(n), range(c_out)):
        first = (o // per_group) * c_group  # the first input channel of o's group
        for pos in itertools.product(*(range(m) for m in out)):
            total = 0 if bias is None else bias[o]
            for c in range(c_group):
                for tap in itertools.product(*(range(k) for k in w.shape[2:])):
                    src = tuple(
                        pos[a] * stride[a] + tap[a] * dilation[a] for a in range(ndim)
                    )
                    total += w[(o, c, *tap)] * xp[(b, first + c, *src)]
            y[(b, o, *pos)] = total
    return y


@st.composite
def grouped(draw, *, modes=tuple(NP_MODE)):
    """A random batched, grouped convolution with small shapes."""
    ndim = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 3))
    c_group, o_group = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    batch = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 6 if ndim == 1 else 4)) for _ in range(ndim))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    pads = tuple(
        (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(ndim)
    )
    mode = draw(st.sampled_from(modes))
    for n, (lo, hi), k, d in zip(spatial, pads, kernel, dilation, strict=True):
        assume(n + lo + hi >= d * (k - 1) + 1)
        assume(mode != "circular" or max(lo, hi) <= n)
        assume(mode != "reflect" or max(lo, hi) <= n - 1)
    x_shape = (batch, groups * c_group, *spatial)
    w_shape = (groups * o_group, c_group, *kernel)
    options = {
        "stride": stride,
        "padding": pads,
        "dilation": dilation,
        "groups": groups,
        "padding_mode": mode,
    }
    return ndim, x_shape, w_shape, options


def data(shape, seed):
    """Small signed integers: exact arithmetic, any summation order."""
    return np.random.default_rng(seed).integers(-9, 10, shape)


@given(grouped(), st.integers(0, 2**16))
def test_batched_grouped_conv_equals_loops(case, seed):
    ndim, x_shape, w_shape, options = case
    x, w, bias = data(x_shape, seed), data(w_shape, seed + 1), data(w_shape[0], 2)
    conv = conv1d if ndim == 1 else conv2d
    y = conv(x, w, bias, **options)
    expected = loop_conv(
        x,
        w,
        bias,
        groups=options["groups"],
        pads=options["padding"],
        stride=options["stride"],
        dilation=options["dilation"],
        mode=options["padding_mode"],
    )
    np.testing.assert_array_equal(y, expected)
    assert y.shape == output_shape(
        w, x, **{k: v for k, v in options.items() if k != "padding_mode"}
    )
    # the other algorithms agree, batch and groups included
    np.testing.assert_array_equal(conv_taps(x, w, bias, **options), expected)
    np.testing.assert_allclose(conv_fft(x, w, bias, **options), expected, atol=1e-8)


@given(grouped(), st.integers(0, 2**16))
def test_grouped_matrix_is_the_convolution(case, seed):
    ndim, x_shape, w_shape, options = case
    x, w = data(x_shape, seed), data(w_shape, seed + 1)
    conv = conv1d if ndim == 1 else conv2d
    y = conv(x, w, **options)
    m = conv_matrix(w, x_shape[1:], **options)
    for b in range(x_shape[0]):  # one sample at a time: M maps one sample
        np.testing.assert_array_equal(m @ x[b].ravel(), y[b].ravel())
    s = conv_matrix(w, x[0], format="sparse", **options)
    np.testing.assert_array_equal(s.toarray(), m)
    cost = matrix_cost(w, x[0], **options)
    assert cost.nonzeros >= np.count_nonzero(m)
    assert cost.filter_entries == w.size


@given(grouped(modes=("zeros",)), st.integers(0, 2**16))
def test_grouped_symbolic_and_index_match_dense(case, seed):
    _, x_shape, w_shape, options = case
    w = np.arange(1, np.prod(w_shape) + 1).reshape(w_shape)  # every tap non-zero
    m = conv_matrix(w, x_shape[1:], **options)
    sym = conv_matrix_symbolic(w_shape, x_shape[1:], **options)
    np.testing.assert_array_equal(sym != "0", m != 0)
    idx = conv_index(w, x_shape[1:], **options)
    rebuilt = np.zeros(idx.shape, dtype=w.dtype)
    rebuilt[idx.rows, idx.cols] = w.ravel()[idx.taps]
    np.testing.assert_array_equal(rebuilt, m)


@given(grouped(modes=("zeros",)), st.integers(0, 2**16))
def test_batched_grouped_transpose_is_the_matrix_transpose(case, seed):
    ndim, x_shape, w_shape, options = case
    del options["padding_mode"]
    transpose = conv_transpose1d if ndim == 1 else conv_transpose2d
    out = output_shape(w_shape, x_shape, **options)
    g, w = data(out, seed), data(w_shape, seed + 1)
    m = conv_matrix(w, x_shape[1:], **options)
    op = tuple(
        n - ((o - 1) * s - lo - hi + d * (k - 1) + 1)
        for n, o, k, (lo, hi), s, d in zip(
            x_shape[2:],
            out[2:],
            w_shape[2:],
            options["padding"],
            options["stride"],
            options["dilation"],
            strict=True,
        )
    )
    assume(
        all(
            p < max(s, d)
            for p, s, d in zip(op, options["stride"], options["dilation"], strict=True)
        )
    )
    bias = data(x_shape[1], 3)
    xt = transpose(g, w, bias, output_padding=op, **options)
    assert xt.shape == x_shape
    for b in range(x_shape[0]):
        expected = (m.T @ g[b].ravel()).reshape(x_shape[1:]) + bias.reshape(
            -1, *(1,) * ndim
        )
        np.testing.assert_array_equal(xt[b], expected)


class TestShapes:
    def test_depthwise_matrix_is_block_diagonal(self):
        w = np.arange(1, 7).reshape(3, 1, 2)
        m = conv_matrix(w, (3, 4), groups=3)
        for o, c in itertools.product(range(3), range(3)):
            block = m[3 * o : 3 * o + 3, 4 * c : 4 * c + 4]
            assert np.any(block) == (o == c)

    def test_bias_of_one_channel_in_every_form(self):
        x, w = np.arange(5.0), np.array([1.0, -1.0])
        for form in (conv1d, conv_taps, conv_fft):
            np.testing.assert_allclose(form(x, w, [2.0]), form(x, w) + 2)
        np.testing.assert_array_equal(
            conv_transpose1d(x, w, [2.0]), conv_transpose1d(x, w) + 2
        )

    def test_batch_of_one_equals_no_batch(self):
        x, w = data((3, 6, 5), 0), data((4, 3, 2, 2), 1)
        np.testing.assert_array_equal(conv2d(x[None], w)[0], conv2d(x, w))
        np.testing.assert_array_equal(im2col(x[None], w)[0], im2col(x, w))

    def test_pooling_keeps_the_batch(self):
        x = data((2, 3, 4, 6), 0)
        for pool in (max_pool2d, avg_pool2d):
            pooled = pool(x, 2)
            assert pooled.shape == (2, 3, 2, 3)
            np.testing.assert_array_equal(pooled[1], pool(x[1], 2))
        assert global_max_pool(x).shape == (2, 3)

    def test_groups_errors(self):
        with pytest.raises(ValueError, match="`groups`=2 must divide"):
            conv1d(np.ones((2, 5)), np.ones((3, 1, 2)), groups=2)
        with pytest.raises(ValueError, match=r"channel mismatch.*groups=2"):
            conv2d(np.ones((3, 4, 4)), np.ones((2, 1, 2, 2)), groups=2)
        with pytest.raises(TypeError, match="`groups` must be an int"):
            conv1d(np.ones((2, 5)), np.ones((2, 1, 2)), groups=2.0)
        with pytest.raises(ValueError, match="`groups`=2 must divide C_out"):
            conv_transpose1d(np.ones((3, 5)), np.ones((3, 1, 2)), groups=2)

    def test_the_matrix_refuses_a_batch(self):
        with pytest.raises(ValueError, match="one sample: no batch axis"):
            conv_matrix(np.ones((2, 3, 3)), (4, 3, 8))


class TestTorch:
    """Batches and groups against PyTorch (skipped when torch is absent)."""

    @given(grouped(), st.integers(0, 2**16))
    def test_conv(self, case, seed):
        torch = pytest.importorskip("torch")
        import torch.nn.functional as tf

        ndim, x_shape, w_shape, options = case
        x, w = data(x_shape, seed) * 1.0, data(w_shape, seed + 1) * 1.0
        bias = data(w_shape[0], 2) * 1.0
        xt = torch.from_numpy(x)
        pad = [p for pair in reversed(options["padding"]) for p in pair]
        if options["padding_mode"] == "zeros":
            xt = tf.pad(xt, pad)
        else:
            mode = {
                "circular": "circular",
                "reflect": "reflect",
                "replicate": "replicate",
            }
            xt = tf.pad(xt, pad, mode=mode[options["padding_mode"]])
        torch_conv = tf.conv1d if ndim == 1 else tf.conv2d
        expected = torch_conv(
            xt,
            torch.from_numpy(w),
            torch.from_numpy(bias),
            options["stride"],
            0,
            options["dilation"],
            options["groups"],
        ).numpy()
        conv = conv1d if ndim == 1 else conv2d
        np.testing.assert_allclose(conv(x, w, bias, **options), expected, atol=1e-9)

    @given(grouped(modes=("zeros",)), st.integers(0, 2**16))
    def test_transpose(self, case, seed):
        torch = pytest.importorskip("torch")
        import torch.nn.functional as tf

        ndim, x_shape, w_shape, options = case
        assume(all(lo == hi for lo, hi in options["padding"]))  # torch: symmetric only
        padding = tuple(lo for lo, _ in options["padding"])
        del options["padding_mode"]
        out = output_shape(w_shape, x_shape, **options)
        for o, s, p, d, k in zip(
            out[2:],
            options["stride"],
            padding,
            options["dilation"],
            w_shape[2:],
            strict=True,
        ):
            assume((o - 1) * s - 2 * p + d * (k - 1) + 1 > 0)  # torch: no empty output
        g, w = data(out, seed) * 1.0, data(w_shape, seed + 1) * 1.0
        bias = data(x_shape[1], 3) * 1.0
        torch_t = tf.conv_transpose1d if ndim == 1 else tf.conv_transpose2d
        expected = torch_t(
            torch.from_numpy(g),
            torch.from_numpy(w),
            torch.from_numpy(bias),
            options["stride"],
            padding,
            0,
            options["groups"],
            options["dilation"],
        ).numpy()
        transpose = conv_transpose1d if ndim == 1 else conv_transpose2d
        y = transpose(
            g,
            w,
            bias,
            options["stride"],
            padding,
            0,
            options["groups"],
            options["dilation"],
        )
        np.testing.assert_allclose(y, expected, atol=1e-9)

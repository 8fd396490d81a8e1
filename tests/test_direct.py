"""Tests for the direct convolution `conv1d` / `conv2d`."""

import itertools

import numpy as np
import pytest
import scipy.signal

from convmat import conv1d, conv2d, output_shape

MODES = ["zeros", "circular", "reflect", "replicate"]
NP_MODE = {
    "zeros": "constant",
    "circular": "wrap",
    "reflect": "reflect",
    "replicate": "edge",
}


def coords(*shape):
    """Array whose entries spell their coordinates: x[i, j] = 10*i + j."""
    grids = np.indices(shape)
    weights = 10 ** np.arange(len(shape))[::-1]
    return np.tensordot(weights, grids, axes=1)


def loop_conv(x, w, *, pads, stride, dilation, mode):
    """Explicit slow loops: the textbook definition, multi-channel N-D."""
    ndim = w.ndim - 2
    xp = np.pad(x, [(0, 0), *pads], mode=NP_MODE[mode])
    out = [
        (xp.shape[1 + a] - dilation[a] * (w.shape[2 + a] - 1) - 1) // stride[a] + 1
        for a in range(ndim)
    ]
    y = np.zeros((w.shape[0], *out), dtype=np.result_type(x, w))
    for o in range(w.shape[0]):
        for pos in itertools.product(*(range(n) for n in out)):
            total = 0
            for c in range(w.shape[1]):
                for tap in itertools.product(*(range(k) for k in w.shape[2:])):
                    src = tuple(
                        pos[a] * stride[a] + tap[a] * dilation[a] for a in range(ndim)
                    )
                    total += w[(o, c, *tap)] * xp[(c, *src)]
            y[(o, *pos)] = total
    return y


class TestConv1d:
    def test_lecture_example(self):
        x = np.array([1, 2, 3, 4])
        w = np.array([1, 10])
        np.testing.assert_array_equal(conv1d(x, w), [21, 32, 43])

    def test_flip_against_numpy(self):
        x = coords(9)
        w = np.array([1, 3, 7])
        np.testing.assert_array_equal(conv1d(x, w), np.convolve(x, w[::-1], "valid"))

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, 2, ((0, 2),), "same", "full", "valid"])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (1, 2), (3, 2)])
    def test_against_loop(self, mode, padding, stride, dilation):
        if padding == "same" and stride > 1:
            pytest.skip("same needs stride 1")
        if mode == "reflect" and padding == "full" and dilation == 2:
            pytest.skip("reflect padding must be smaller than the input")
        x = coords(2, 7)
        w = coords(3, 2, 3) - 50
        y = conv1d(
            x, w, padding=padding, stride=stride, dilation=dilation, padding_mode=mode
        )
        lo, hi = _pads(padding, 3, dilation)
        expected = loop_conv(
            x, w, pads=[(lo, hi)], stride=(stride,), dilation=(dilation,), mode=mode
        )
        np.testing.assert_array_equal(y, expected)

    @pytest.mark.parametrize("mode", MODES)
    def test_against_scipy_correlate(self, mode):
        rng = np.random.default_rng(0)
        x = rng.standard_normal(11)
        w = rng.standard_normal(4)
        y = conv1d(x, w, padding=((2, 1),), padding_mode=mode)
        xp = np.pad(x, (2, 1), mode=NP_MODE[mode])
        np.testing.assert_allclose(
            y, scipy.signal.correlate(xp, w, mode="valid"), rtol=1e-12, atol=1e-12
        )

    def test_bias(self):
        x = coords(2, 5)
        w = coords(3, 2, 2)
        y = conv1d(x, w, bias=np.array([100, 200, 300]))
        np.testing.assert_array_equal(y, conv1d(x, w) + np.array([[100], [200], [300]]))

    def test_scalar_bias(self):
        np.testing.assert_array_equal(conv1d([1, 2, 3], [1, 1], bias=5), [8, 10])

    def test_dtype(self):
        assert conv1d(np.arange(4), np.ones(2, dtype=np.int64)).dtype == np.int64
        assert (
            conv1d(np.arange(4, dtype=np.float32), np.ones(2, np.float32)).dtype
            == np.float32
        )
        assert conv1d(np.arange(4), np.ones(2)).dtype == np.float64

    def test_nan_propagates(self):
        x = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
        y = conv1d(x, np.array([1.0, 1.0]))
        np.testing.assert_array_equal(np.isnan(y), [True, True, False, False])

    def test_list_input(self):
        np.testing.assert_array_equal(conv1d([1, 2, 3], [1, -1]), [-1, -1])


def _pads(padding, k, dilation):
    if isinstance(padding, tuple):
        return padding[0]
    if padding == "valid":
        return (0, 0)
    total = dilation * (k - 1)
    if padding == "full":
        return (total, total)
    if padding == "same":
        return (total // 2, total - total // 2)
    return (padding, padding)


class TestConv2d:
    def test_identity_kernel(self):
        x = coords(4, 5)
        np.testing.assert_array_equal(conv2d(x, np.ones((1, 1), int)), x)

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, (1, 0), ((0, 1), (2, 1)), "same"])
    @pytest.mark.parametrize(
        ("stride", "dilation"), [(1, 1), (2, 1), ((1, 2), (2, 1)), (2, 2)]
    )
    def test_against_loop(self, mode, padding, stride, dilation):
        if padding == "same" and stride != 1:
            pytest.skip("same needs stride 1")
        x = coords(2, 6, 7)
        w = coords(2, 2, 3, 2) - 500
        y = conv2d(
            x, w, padding=padding, stride=stride, dilation=dilation, padding_mode=mode
        )
        st = stride if isinstance(stride, tuple) else (stride, stride)
        dil = dilation if isinstance(dilation, tuple) else (dilation, dilation)
        if padding == "same":
            pads = [_pads("same", k, d) for k, d in zip((3, 2), dil, strict=True)]
        elif isinstance(padding, int):
            pads = [(padding, padding)] * 2
        elif isinstance(padding[0], int):
            pads = [(p, p) for p in padding]
        else:
            pads = list(padding)
        expected = loop_conv(x, w, pads=pads, stride=st, dilation=dil, mode=mode)
        np.testing.assert_array_equal(y, expected)
        assert y.shape[1:] == output_shape(
            (3, 2), (6, 7), padding=padding, stride=stride, dilation=dilation
        )

    def test_single_channel_against_scipy(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((6, 8))
        w = rng.standard_normal((3, 2))
        np.testing.assert_allclose(
            conv2d(x, w, padding=1),
            scipy.signal.correlate(np.pad(x, 1), w, mode="valid"),
            rtol=1e-12,
            atol=1e-12,
        )
        np.testing.assert_allclose(
            conv2d(x, w), scipy.signal.correlate2d(x, w, mode="valid"), rtol=1e-12
        )

    def test_bias(self):
        x = coords(3, 4, 4)
        w = coords(2, 3, 2, 2)
        y = conv2d(x, w, bias=[1, 2])
        np.testing.assert_array_equal(
            y - conv2d(x, w), np.ones_like(y) * [[[1]], [[2]]]
        )


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
class TestTorch:
    """Equality with PyTorch (skipped when torch is not installed)."""

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, 2, "same", "valid"])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (1, 2)])
    @pytest.mark.parametrize("k", [3, 4])
    def test_conv1d(self, mode, padding, stride, dilation, k):
        torch = pytest.importorskip("torch")
        if padding == "same" and stride > 1:
            pytest.skip("same needs stride 1")
        rng = np.random.default_rng(2)
        x = rng.standard_normal((3, 9))
        w = rng.standard_normal((2, 3, k))
        b = rng.standard_normal(2)
        y = conv1d(
            x,
            w,
            b,
            padding=padding,
            stride=stride,
            dilation=dilation,
            padding_mode=mode,
        )
        expected = _torch_conv(
            torch,
            1,
            x,
            w,
            b,
            padding=padding,
            stride=stride,
            dilation=dilation,
            mode=mode,
        )
        np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10)

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, (1, 2), "same"])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), ((2, 1), 1), (1, (1, 2))])
    @pytest.mark.parametrize("k", [(3, 3), (2, 4)])
    def test_conv2d(self, mode, padding, stride, dilation, k):
        torch = pytest.importorskip("torch")
        if padding == "same" and stride != 1:
            pytest.skip("same needs stride 1")
        rng = np.random.default_rng(3)
        x = rng.standard_normal((2, 7, 8))
        w = rng.standard_normal((3, 2, *k))
        b = rng.standard_normal(3)
        y = conv2d(
            x,
            w,
            b,
            padding=padding,
            stride=stride,
            dilation=dilation,
            padding_mode=mode,
        )
        expected = _torch_conv(
            torch,
            2,
            x,
            w,
            b,
            padding=padding,
            stride=stride,
            dilation=dilation,
            mode=mode,
        )
        np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10)


def _torch_conv(torch, ndim, x, w, b, *, padding, stride, dilation, mode):
    """PyTorch's result; non-zero modes go through F.pad as nn.ConvNd does."""
    f = torch.nn.functional
    conv = f.conv1d if ndim == 1 else f.conv2d
    tx = torch.from_numpy(x)[None]
    tw, tb = torch.from_numpy(w), torch.from_numpy(b)
    if mode == "zeros":
        return conv(tx, tw, tb, padding=padding, stride=stride, dilation=dilation)[0]
    # Explicit padding for F.pad: last axis first, (left, right) per axis.
    ks = w.shape[2:]
    dil = dilation if isinstance(dilation, tuple) else (dilation,) * ndim
    if padding == "same":
        pads = [_pads("same", k, d) for k, d in zip(ks, dil, strict=True)]
    elif padding == "valid":
        pads = [(0, 0)] * ndim
    elif isinstance(padding, int):
        pads = [(padding, padding)] * ndim
    else:
        pads = [(p, p) for p in padding]
    flat = [p for pair in reversed(pads) for p in pair]
    tmode = {"circular": "circular", "reflect": "reflect", "replicate": "replicate"}
    xp = f.pad(tx, flat, mode=tmode[mode])
    return conv(xp, tw, tb, stride=stride, dilation=dilation)[0]


class TestErrors:
    def test_x_ndim(self):
        with pytest.raises(
            ValueError, match=r"`x` must have 1 .* got shape \(1, 2, 3, 4\)"
        ):
            conv1d(np.zeros((1, 2, 3, 4)), np.zeros(2))

    def test_x_ndim_2d(self):
        with pytest.raises(ValueError, match=r"`x` must have 2 .* got shape \(5,\)"):
            conv2d(np.zeros(5), np.zeros((2, 2)))

    def test_w_ndim(self):
        with pytest.raises(
            ValueError, match=r"`w` must have 3 dimensions .* got shape \(2,\)"
        ):
            conv1d(np.zeros((1, 5)), np.zeros(2))

    def test_w_ndim_single(self):
        with pytest.raises(
            ValueError, match=r"`w` must have 1 dimensions .* got shape \(1, 1, 2\)"
        ):
            conv1d(np.zeros(5), np.zeros((1, 1, 2)))

    def test_channel_mismatch(self):
        with pytest.raises(
            ValueError, match=r"channel mismatch: `x` has 3 channels .* C_in = 2"
        ):
            conv2d(np.zeros((3, 5, 5)), np.zeros((1, 2, 3, 3)))

    def test_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"kernel larger than the padded input"):
            conv1d(np.zeros(3), np.zeros(5))

    def test_kernel_fits_with_padding(self):
        assert conv1d(np.zeros(3), np.zeros(5), padding=1).shape == (1,)

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_stride_dilation_zero(self, name):
        with pytest.raises(ValueError, match=rf"`{name}` must be >= 1, got 0"):
            conv2d(np.zeros((5, 5)), np.zeros((2, 2)), **{name: 0})

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_stride_dilation_float(self, name):
        with pytest.raises(TypeError, match=rf"`{name}` must contain ints, got 2.0"):
            conv1d(np.zeros(5), np.zeros(2), **{name: 2.0})

    def test_unknown_padding(self):
        with pytest.raises(ValueError, match=r"`padding` must be .* got 'half'"):
            conv1d(np.zeros(5), np.zeros(2), padding="half")

    def test_unknown_padding_mode(self):
        with pytest.raises(
            ValueError, match=r"`padding_mode` must be one of .* got 'wrap'"
        ):
            conv1d(np.zeros(5), np.zeros(2), padding=1, padding_mode="wrap")

    def test_negative_padding(self):
        with pytest.raises(ValueError, match=r"`padding` must be non-negative, got -2"):
            conv1d(np.zeros(5), np.zeros(2), padding=-2)

    def test_same_with_stride(self):
        with pytest.raises(ValueError, match=r"`padding='same'` requires `stride=1`"):
            conv2d(np.zeros((5, 5)), np.zeros((2, 2)), padding="same", stride=2)

    def test_circular_too_large(self):
        with pytest.raises(
            ValueError, match=r"too large for `padding_mode='circular'`"
        ):
            conv1d(np.zeros(3), np.zeros(2), padding=4, padding_mode="circular")

    def test_reflect_too_large(self):
        with pytest.raises(ValueError, match=r"too large for `padding_mode='reflect'`"):
            conv1d(np.zeros(3), np.zeros(2), padding=3, padding_mode="reflect")

    @pytest.mark.parametrize(
        "bad",
        [
            np.array([True, False, True]),
            np.ones(3, complex),
            np.array([1, "a", None], dtype=object),
            np.array(["1", "2", "3"]),
        ],
    )
    def test_bad_dtype_x(self, bad):
        with pytest.raises(TypeError, match=r"`x` must hold real numbers .* got dtype"):
            conv1d(bad, np.ones(2))

    def test_bad_dtype_w(self):
        with pytest.raises(
            TypeError, match=r"`w` must hold real numbers .* got dtype bool"
        ):
            conv1d(np.ones(3), np.array([True, False]))

    def test_bad_dtype_bias(self):
        with pytest.raises(
            TypeError, match=r"`bias` must hold real numbers .* complex128"
        ):
            conv1d(np.ones(3), np.ones(2), bias=1j)

    def test_bias_shape(self):
        with pytest.raises(
            ValueError, match=r"`bias` must have shape \(2,\), got shape \(3,\)"
        ):
            conv1d(np.ones((1, 5)), np.ones((2, 1, 2)), bias=np.ones(3))

    def test_bias_shape_single_channel(self):
        # one channel: a scalar or PyTorch's (C_out,) = (1,)
        y = conv2d(np.ones((3, 3)), np.ones((2, 2)), bias=[1.0])
        np.testing.assert_array_equal(y, conv2d(np.ones((3, 3)), np.ones((2, 2)), 1.0))
        with pytest.raises(
            ValueError, match=r"`bias` must have shape \(\) or \(1,\), got shape \(2,\)"
        ):
            conv2d(np.ones((3, 3)), np.ones((2, 2)), bias=[1.0, 2.0])

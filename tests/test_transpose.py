"""Tests for the transposed convolution."""

import numpy as np
import pytest

from convmat import (
    conv1d,
    conv2d,
    conv_matrix,
    conv_transpose1d,
    conv_transpose2d,
    output_shape,
)


def coords(*shape):
    """x[i, j, ...] = 10*i + j ... so a wrong entry shows where it came from."""
    grids = np.indices(shape)
    return np.tensordot(10 ** np.arange(len(shape))[::-1], grids, axes=1)


def _matching_output_padding(n, n_out, k, *, pads, stride, dilation):
    """output_padding that makes the transposed output size equal ``n``."""
    return n - ((n_out - 1) * stride - pads[0] - pads[1] + dilation * (k - 1) + 1)


class TestConvTranspose1d:
    def test_example(self):
        w = np.array([1, 2])
        g = np.array([1, 10, 100])
        np.testing.assert_array_equal(conv_transpose1d(g, w), [1, 12, 120, 200])

    @pytest.mark.parametrize("padding", [0, 1, ((2, 0),), "full"])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (3, 2), (1, 3)])
    @pytest.mark.parametrize("n", [7, 8, 9])
    def test_matrix_transpose(self, padding, stride, dilation, n):
        w = coords(2, 3, 3) + 1
        options = {"padding": padding, "stride": stride, "dilation": dilation}
        (n_out,) = output_shape(3, n, **options)
        total = dilation * 2
        pads = (
            (total, total)
            if padding == "full"
            else padding[0]
            if isinstance(padding, tuple)
            else (padding, padding)
        )
        op = _matching_output_padding(
            n, n_out, 3, pads=pads, stride=stride, dilation=dilation
        )
        g = coords(2, n_out)
        m = conv_matrix(w, (3, n), **options)
        y = conv_transpose1d(g, w, output_padding=op, **options)
        assert y.shape == (3, n)
        np.testing.assert_array_equal(y.ravel(), m.T @ g.ravel())

    def test_dot_test(self):
        rng = np.random.default_rng(4)
        x = rng.standard_normal((2, 10))
        w = rng.standard_normal((3, 2, 4))
        y = conv1d(x, w, padding=2, stride=2)
        g = rng.standard_normal(y.shape)
        xt = conv_transpose1d(g, w, padding=2, stride=2)
        assert xt.shape == x.shape
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, xt), rtol=1e-12)

    def test_bias(self):
        y = conv_transpose1d([[1, 2]], [[[1], [1]]], bias=[10, 20])
        np.testing.assert_array_equal(y, [[11, 12], [21, 22]])

    def test_torch(self):
        torch = pytest.importorskip("torch")
        rng = np.random.default_rng(5)
        g = rng.standard_normal((3, 6))
        w = rng.standard_normal((3, 2, 4))
        b = rng.standard_normal(2)
        for stride, padding, op, dilation in [
            (1, 0, 0, 1),
            (2, 1, 1, 1),
            (3, 2, 2, 2),
            (1, 3, 1, 2),
        ]:
            expected = torch.nn.functional.conv_transpose1d(
                torch.from_numpy(g)[None],
                torch.from_numpy(w),
                torch.from_numpy(b),
                stride=stride,
                padding=padding,
                output_padding=op,
                dilation=dilation,
            )[0].numpy()
            y = conv_transpose1d(
                g,
                w,
                b,
                stride=stride,
                padding=padding,
                output_padding=op,
                dilation=dilation,
            )
            np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10)


class TestConvTranspose2d:
    @pytest.mark.parametrize("padding", [0, 1, ((1, 0), (0, 2))])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), ((2, 1), (1, 2)), (2, 2)])
    def test_matrix_transpose(self, padding, stride, dilation):
        shape = (2, 7, 6)
        w = coords(3, 2, 2, 3) + 1
        options = {"padding": padding, "stride": stride, "dilation": dilation}
        out = output_shape((2, 3), shape[1:], **options)
        st = stride if isinstance(stride, tuple) else (stride, stride)
        dil = dilation if isinstance(dilation, tuple) else (dilation, dilation)
        pads = [(padding, padding)] * 2 if isinstance(padding, int) else list(padding)
        op = tuple(
            _matching_output_padding(n, o, k, pads=p, stride=s, dilation=d)
            for n, o, k, p, s, d in zip(
                shape[1:], out, (2, 3), pads, st, dil, strict=True
            )
        )
        g = coords(3, *out)
        m = conv_matrix(w, shape, **options)
        y = conv_transpose2d(g, w, output_padding=op, **options)
        assert y.shape == shape
        np.testing.assert_array_equal(y.ravel(), m.T @ g.ravel())

    def test_single_channel(self):
        g = coords(3, 3)
        w = np.array([[1, 2], [3, 4]])
        np.testing.assert_array_equal(
            conv_transpose2d(g, w).ravel(), conv_matrix(w, (4, 4)).T @ g.ravel()
        )

    def test_torch(self):
        torch = pytest.importorskip("torch")
        rng = np.random.default_rng(6)
        g = rng.standard_normal((3, 5, 4))
        w = rng.standard_normal((3, 2, 3, 2))
        expected = torch.nn.functional.conv_transpose2d(
            torch.from_numpy(g)[None],
            torch.from_numpy(w),
            stride=(2, 1),
            padding=(1, 0),
            output_padding=(1, 0),
            dilation=(1, 2),
        )[0].numpy()
        y = conv_transpose2d(
            g, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2)
        )
        np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10)

    def test_gradient_finite_differences(self):
        rng = np.random.default_rng(7)
        x = rng.standard_normal((2, 5, 5))
        w = rng.standard_normal((2, 2, 3, 3))
        g = rng.standard_normal(conv2d(x, w, stride=2, padding=1).shape)
        grad = conv_transpose2d(g, w, stride=2, padding=1)
        eps = 1e-6
        for index in [(0, 0, 0), (1, 2, 3), (0, 4, 4)]:
            step = np.zeros_like(x)
            step[index] = eps
            f_plus = np.sum(g * conv2d(x + step, w, stride=2, padding=1))
            f_minus = np.sum(g * conv2d(x - step, w, stride=2, padding=1))
            np.testing.assert_allclose(
                (f_plus - f_minus) / (2 * eps), grad[index], rtol=1e-6
            )


class TestErrors:
    def test_g_ndim(self):
        with pytest.raises(ValueError, match=r"`g` must have 1 .* got 4"):
            conv_transpose1d(np.zeros((1, 1, 1, 3)), np.zeros(2))

    def test_w_ndim(self):
        with pytest.raises(
            ValueError, match=r"`w` must have 4 dimensions .* got shape \(2, 2\)"
        ):
            conv_transpose2d(np.zeros((1, 3, 3)), np.zeros((2, 2)))

    def test_channel_mismatch(self):
        with pytest.raises(
            ValueError, match=r"channel mismatch: `w` has C_out=2 .* `g` has 3"
        ):
            conv_transpose1d(np.zeros((3, 4)), np.zeros((2, 1, 2)))

    def test_output_padding_too_large(self):
        with pytest.raises(
            ValueError, match=r"`output_padding` must be smaller than `stride`"
        ):
            conv_transpose1d(np.zeros(4), np.zeros(2), stride=2, output_padding=2)

    def test_output_padding_negative(self):
        with pytest.raises(ValueError, match=r"`output_padding` must be >= 0"):
            conv_transpose1d(np.zeros(4), np.zeros(2), output_padding=-1)

    def test_output_padding_type(self):
        with pytest.raises(TypeError, match=r"`output_padding` must contain ints"):
            conv_transpose1d(np.zeros(4), np.zeros(2), output_padding=0.5)

    def test_padding_too_large(self):
        with pytest.raises(ValueError, match=r"`padding` \(2, 2\) too large"):
            conv_transpose1d(np.zeros(2), np.zeros(2), padding=2)

    def test_stride(self):
        with pytest.raises(ValueError, match=r"`stride` must be >= 1"):
            conv_transpose1d(np.zeros(2), np.zeros(2), stride=0)

    def test_dtype(self):
        with pytest.raises(TypeError, match=r"`g` must hold real numbers .* bool"):
            conv_transpose1d(np.zeros(2, bool), np.zeros(2))

    def test_bias_shape(self):
        with pytest.raises(ValueError, match=r"`bias` must have shape \(1,\)"):
            conv_transpose1d(np.zeros((2, 3)), np.zeros((2, 1, 2)), bias=[1, 2])


def test_a_crop_that_reaches_into_the_other_sides_padding():
    """Input 1, padding (2, 0), stride 3: found by the ci hypothesis profile."""
    w = np.array([5])
    m = conv_matrix(w, 1, padding=((2, 0),), stride=3)
    g = np.array([7])
    xt = conv_transpose1d(g, w, padding=((2, 0),), stride=3, output_padding=2)
    np.testing.assert_array_equal(xt, m.T @ g)

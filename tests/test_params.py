"""Tests for option normalisation and `output_shape`."""

import numpy as np
import pytest

from convmat import output_shape


class TestOutputShape:
    @pytest.mark.parametrize(
        ("args", "kwargs", "expected"),
        [
            ((4, 2), {}, (3,)),
            (((4,), (2,)), {}, (3,)),
            ((10, 3), {"padding": 1}, (10,)),
            ((10, 3), {"padding": (0, 2)}, (10,)),
            ((10, 3), {"stride": 2}, (4,)),
            ((10, 3), {"dilation": 2}, (6,)),
            ((10, 3), {"padding": "valid"}, (8,)),
            ((10, 3), {"padding": "full"}, (12,)),
            ((10, 4), {"padding": "same"}, (10,)),
            ((10, 3), {"padding": "same", "dilation": 3}, (10,)),
            (((224, 224), 3), {"padding": 1}, (224, 224)),
            (((5, 7), (3, 2)), {"stride": (2, 1)}, (2, 6)),
            (((5, 7), 3), {"padding": (1, 0)}, (5, 5)),
            (((5, 7), 3), {"padding": ((1, 0), (0, 2))}, (4, 7)),
            (((5, 7), 3), {"padding": "same"}, (5, 7)),
            ((np.int64(4), np.int32(2)), {}, (3,)),
        ],
    )
    def test_values(self, args, kwargs, expected):
        assert output_shape(*args, **kwargs) == expected

    def test_formula(self):
        # Dumoulin & Visin: floor((n + p - d(k - 1) - 1) / s) + 1
        for n in range(1, 12):
            for k in range(1, 5):
                for p in range(3):
                    for s in range(1, 4):
                        for d in range(1, 3):
                            span = d * (k - 1) + 1
                            if n + 2 * p < span:
                                continue
                            expected = (n + 2 * p - d * (k - 1) - 1) // s + 1
                            got = output_shape(n, k, padding=p, stride=s, dilation=d)
                            assert got == (expected,)


class TestOutputShapeErrors:
    def test_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"kernel larger than the padded input"):
            output_shape(3, 5)

    def test_dilated_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"dilated kernel size 5"):
            output_shape(4, 3, dilation=2)

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_less_than_one(self, name):
        with pytest.raises(ValueError, match=rf"`{name}` must be >= 1, got 0"):
            output_shape(5, 2, **{name: 0})

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_not_int(self, name):
        with pytest.raises(TypeError, match=rf"`{name}` must contain ints, got 1.5"):
            output_shape(5, 2, **{name: 1.5})

    def test_bool_stride(self):
        with pytest.raises(TypeError, match=r"`stride` must contain ints"):
            output_shape(5, 2, stride=True)

    def test_wrong_length(self):
        with pytest.raises(
            ValueError, match=r"`stride` must be an int or a tuple of 2"
        ):
            output_shape((5, 5), 2, stride=(1, 1, 1))

    def test_unknown_padding_string(self):
        with pytest.raises(ValueError, match=r"`padding` must be .* got 'half'"):
            output_shape(5, 2, padding="half")

    def test_negative_padding(self):
        with pytest.raises(ValueError, match=r"`padding` must be non-negative, got -1"):
            output_shape(5, 2, padding=-1)

    def test_negative_padding_pair(self):
        with pytest.raises(ValueError, match=r"`padding` must be non-negative"):
            output_shape((5, 5), 2, padding=((0, 1), (-1, 0)))

    def test_same_with_stride(self):
        with pytest.raises(ValueError, match=r"`padding='same'` requires `stride=1`"):
            output_shape(5, 2, padding="same", stride=2)

    def test_padding_wrong_length(self):
        with pytest.raises(ValueError, match=r"one entry per spatial axis"):
            output_shape((5, 5), 2, padding=(1, 1, 1))

    def test_padding_wrong_type(self):
        with pytest.raises(TypeError, match=r"`padding` must be an int"):
            output_shape(5, 2, padding=1.0)

    def test_bad_input_shape(self):
        with pytest.raises(TypeError, match=r"`input_shape` must be an int or a tuple"):
            output_shape(5.0, 2)

    def test_empty_input(self):
        with pytest.raises(ValueError, match=r"`input_shape` must contain sizes >= 1"):
            output_shape(0, 1)

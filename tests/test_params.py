"""Tests for option normalisation and `output_shape`."""

import numpy as np
import pytest

from convmat import output_shape


class TestOutputShape:
    @pytest.mark.parametrize(
        ("args", "kwargs", "expected"),
        [
            ((2, 4), {}, (3,)),
            (((2,), (4,)), {}, (3,)),
            ((3, 10), {"padding": 1}, (10,)),
            ((3, 10), {"padding": ((0, 2),)}, (10,)),
            ((3, 10), {"stride": 2}, (4,)),
            ((3, 10), {"dilation": 2}, (6,)),
            ((3, 10), {"padding": "valid"}, (8,)),
            ((3, 10), {"padding": "full"}, (12,)),
            ((4, 10), {"padding": "same"}, (10,)),
            ((3, 10), {"padding": "same", "dilation": 3}, (10,)),
            (((3, 3), (224, 224)), {"padding": 1}, (224, 224)),
            (((3, 2), (5, 7)), {"stride": (2, 1)}, (2, 6)),
            (((3, 3), (5, 7)), {"padding": (1, 0)}, (5, 5)),
            (((3, 3), (5, 7)), {"padding": ((1, 0), (0, 2))}, (4, 7)),
            (((3, 3), (5, 7)), {"padding": "same"}, (5, 7)),
            ((np.int32(2), np.int64(4)), {}, (3,)),
            ((np.zeros((8, 3, 3)), np.zeros((3, 10))), {}, (8, 8)),
            (((8, 3, 3), (5, 3, 10)), {"padding": 1}, (5, 8, 10)),
            (((8, 1, 3, 3), (5, 4, 6, 6)), {"groups": 4}, (5, 8, 4, 4)),
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
                            got = output_shape(k, n, padding=p, stride=s, dilation=d)
                            assert got == (expected,)


class TestOutputShapeErrors:
    def test_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"kernel larger than the padded input"):
            output_shape(5, 3)

    def test_dilated_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"dilated kernel size 5"):
            output_shape(3, 4, dilation=2)

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_less_than_one(self, name):
        with pytest.raises(ValueError, match=rf"`{name}` must be >= 1, got 0"):
            output_shape(2, 5, **{name: 0})

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    def test_not_int(self, name):
        with pytest.raises(TypeError, match=rf"`{name}` must contain ints, got 1.5"):
            output_shape(2, 5, **{name: 1.5})

    def test_bool_stride(self):
        with pytest.raises(TypeError, match=r"`stride` must contain ints"):
            output_shape(2, 5, stride=True)

    def test_wrong_length(self):
        with pytest.raises(
            ValueError, match=r"`stride` must be an int or a tuple of 2"
        ):
            output_shape((2, 2), (5, 5), stride=(1, 1, 1))

    def test_unknown_padding_string(self):
        with pytest.raises(ValueError, match=r"`padding` must be .* got 'half'"):
            output_shape(2, 5, padding="half")

    def test_negative_padding(self):
        with pytest.raises(ValueError, match=r"`padding` must be non-negative, got -1"):
            output_shape(2, 5, padding=-1)

    def test_negative_padding_pair(self):
        with pytest.raises(ValueError, match=r"`padding` must be non-negative"):
            output_shape((2, 2), (5, 5), padding=((0, 1), (-1, 0)))

    def test_same_with_stride(self):
        with pytest.raises(ValueError, match=r"`padding='same'` requires `stride=1`"):
            output_shape(2, 5, padding="same", stride=2)

    def test_padding_wrong_length(self):
        with pytest.raises(ValueError, match=r"one entry per spatial axis"):
            output_shape((2, 2), (5, 5), padding=(1, 1, 1))

    def test_padding_wrong_type(self):
        with pytest.raises(TypeError, match=r"`padding` must be an int"):
            output_shape(2, 5, padding=1.0)

    def test_bad_input_shape(self):
        with pytest.raises(
            TypeError, match=r"`input_shape` must be an array, an int or a tuple"
        ):
            output_shape(2, 5.0)

    def test_empty_input(self):
        with pytest.raises(ValueError, match=r"`input_shape` must contain sizes >= 1"):
            output_shape(1, 0)


class TestOneRule:
    """The argument rule of `convmat._params`, one test per clause."""

    def test_one_axis_padding_pair_is_refused_with_a_hint(self):
        with pytest.raises(ValueError, match=r"write \(\(0, 1\),\)"):
            output_shape(2, 5, padding=(0, 1))

    def test_an_int_shape_is_one_axis(self):
        assert output_shape(2, 5) == output_shape((2,), (5,)) == (4,)
        with pytest.raises(ValueError, match=r"`input_shape` must have 2 .* got shape"):
            output_shape((2, 2), 5)

    def test_an_int_option_applies_to_every_axis(self):
        assert output_shape((2, 2), (5, 5), stride=2) == (2, 2)

    def test_arrays_stand_for_their_shapes(self):
        w, x = np.ones((4, 2, 3)), np.ones((2, 9))
        assert output_shape(w, x) == output_shape(w.shape, x.shape) == (4, 7)

    def test_groups_must_divide(self):
        with pytest.raises(ValueError, match="`groups`=2 must divide"):
            output_shape((3, 1, 2), (2, 5), groups=2)
        with pytest.raises(ValueError, match=r"channel mismatch.*groups=2"):
            output_shape((4, 1, 2), (3, 5), groups=2)

    def test_groups_need_channels(self):
        with pytest.raises(ValueError, match="`groups`=2 needs channels"):
            output_shape(2, 5, groups=2)

    def test_numpy_integers_everywhere(self):
        two = np.int64(2)
        assert output_shape((two,), (np.int8(5),), stride=two, padding=two) == (4,)

"""Tests of the tiny classifiers of the invariance chapter and its experiment."""

import numpy as np
import pytest

import convmat
from convmat.experiment import (
    DenseClassifier,
    LocalClassifier,
    SharedClassifier,
    _dense_gradients,
    _shared_gradients,
    _window_gradients,
    place,
    train_dense,
    train_local,
    train_shared,
)


def _coded(n: int, h: int, w: int) -> np.ndarray:
    """Images whose values encode (image, row, column): 100 i + 10 r + c + 1."""
    i, r, c = np.indices((n, h, w))
    return 100 * i + 10 * r + c + 1


def _bars(canvas: int, offsets: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal (class 0) and vertical (class 1) 3-pixel bars at `offsets`."""
    horizontal = np.zeros((3, 3))
    horizontal[1] = 1
    shapes = np.stack([horizontal, horizontal.T])
    x = np.concatenate([place(shapes, pos, (canvas, canvas)) for pos in offsets])
    return x, np.tile([0, 1], len(offsets))


class TestPlace:
    def test_values_land_at_their_offsets(self):
        imgs = _coded(3, 2, 3)
        offsets = [(0, 0), (1, 2), (3, 4)]
        out = place(imgs, offsets, (5, 7))
        assert out.shape == (3, 5, 7)
        assert out.dtype == np.float64
        for i, (r, c) in enumerate(offsets):
            np.testing.assert_array_equal(out[i, r : r + 2, c : c + 3], imgs[i])
            out[i, r : r + 2, c : c + 3] = 0
        assert not out.any()  # nothing anywhere else

    def test_one_pair_for_every_image(self):
        imgs = _coded(2, 2, 2)
        np.testing.assert_array_equal(
            place(imgs, (1, 1), (4, 4)), place(imgs, [(1, 1), (1, 1)], (4, 4))
        )

    def test_equals_a_zero_shift(self):
        imgs = _coded(1, 2, 2)
        corner = place(imgs, (0, 0), (5, 6))
        np.testing.assert_array_equal(
            place(imgs, (2, 3), (5, 6)), convmat.shift(corner, (2, 3), mode="zeros")
        )

    @pytest.mark.parametrize("offset", [(-1, 0), (0, -1), (4, 0), (0, 5)])
    def test_object_outside_the_canvas(self, offset):
        with pytest.raises(ValueError, match="`offsets` must keep each 2 x 2 image"):
            place(np.ones((1, 2, 2)), offset, (5, 6))

    def test_wrong_offset_shape(self):
        with pytest.raises(
            ValueError, match=r"`offsets` must have shape \(2,\) or \(2, 2\)"
        ):
            place(np.ones((2, 2, 2)), [(0, 0)] * 3, (4, 4))

    def test_float_offsets(self):
        with pytest.raises(TypeError, match="`offsets` must hold integers"):
            place(np.ones((1, 2, 2)), (0.5, 1), (4, 4))

    def test_images_must_be_a_stack(self):
        with pytest.raises(ValueError, match=r"`images` must have shape \(n, h, w\)"):
            place(np.ones((2, 2)), (0, 0), (4, 4))

    def test_boolean_images(self):
        with pytest.raises(TypeError, match="`images` must hold integers or floats"):
            place(np.ones((1, 2, 2), dtype=bool), (0, 0), (4, 4))

    def test_canvas_size(self):
        with pytest.raises(ValueError, match="`canvas_shape` must be >= 1"):
            place(np.ones((1, 1, 1)), (0, 0), (0, 4))


def _numerical_gradient(loss, params, i, eps=1e-6):
    """Central differences of `loss(params)` with respect to `params[i]`."""
    grad = np.zeros_like(params[i])
    for idx in np.ndindex(params[i].shape):
        old = params[i][idx]
        params[i][idx] = old + eps
        up = loss(params)
        params[i][idx] = old - eps
        down = loss(params)
        params[i][idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


class TestGradients:
    def test_dense_matches_finite_differences(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(5, 3, 4))
        y = np.array([0, 1, 2, 1, 0])
        params = [rng.normal(size=(3, 12)), rng.normal(size=3)]
        _, grads = _dense_gradients(params, x, y)
        for i, grad in enumerate(grads):
            numeric = _numerical_gradient(
                lambda p: _dense_gradients(p, x, y)[0], params, i
            )
            np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)

    def test_shared_matches_finite_differences(self):
        rng = np.random.default_rng(1)
        x = rng.normal(size=(4, 6, 5))
        y = np.array([0, 1, 2, 1])
        # every filter ends positive at its maximum, so the ReLU is smooth there
        params = [
            rng.normal(size=(3, 4)),
            np.full(3, 5.0),
            rng.normal(size=(3, 3)),
            rng.normal(size=3),
        ]
        _, grads = _shared_gradients(params, x, y)
        for i, grad in enumerate(grads):
            numeric = _numerical_gradient(
                lambda p: _shared_gradients(p, x, y)[0], params, i
            )
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)

    @pytest.mark.parametrize(
        ("shared", "pooling"),
        [(True, "flatten"), (False, "max"), (False, "flatten")],
    )
    def test_every_rung_matches_finite_differences(self, shared, pooling):
        rng = np.random.default_rng(2)
        x = rng.normal(size=(4, 5, 6))
        y = np.array([0, 1, 2, 1])
        channels, positions = 2, 4 * 5  # 2 x 2 filters on 5 x 6 images
        per_window = () if shared else (positions,)
        n_features = channels if pooling == "max" else channels * positions
        params = [
            rng.normal(size=(channels, *per_window, 4)),
            np.full((channels, *per_window), 5.0),  # ReLU smooth at the maxima
            rng.normal(size=(3, n_features)),
            rng.normal(size=3),
        ]
        _, grads = _window_gradients(params, x, y, pooling=pooling)
        for i, grad in enumerate(grads):
            numeric = _numerical_gradient(
                lambda p: _window_gradients(p, x, y, pooling=pooling)[0], params, i
            )
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


class TestDenseClassifier:
    def test_never_lit_pixels_keep_zero_weights(self):
        x, y = _bars(7, [(0, 0), (1, 1)])
        model = train_dense(x, y, n_classes=2, epochs=20, learning_rate=0.05)
        never_lit = (x == 0).all(axis=0).ravel()
        assert never_lit.any()
        assert not model.weight[:, never_lit].any()
        assert model.weight[:, ~never_lit].any()

    def test_fails_where_it_never_looked(self):
        x, y = _bars(8, [(0, 0)])
        model = train_dense(x, y, n_classes=2, epochs=30, learning_rate=0.1)
        assert model.accuracy(x, y) == 1.0
        far, _ = _bars(8, [(5, 5)])  # no pixel in common with training
        logits = model.logits(far)
        np.testing.assert_array_equal(logits, np.broadcast_to(model.bias, (2, 2)))

    def test_parameter_count(self):
        model = train_dense(np.zeros((2, 4, 6)), [0, 1], n_classes=3, epochs=1)
        assert model.n_params == convmat.dense_layer_params(24, 3) == 75
        assert model.weight.shape == (3, 24)

    def test_deterministic(self):
        x, y = _bars(6, [(0, 0), (2, 1), (1, 3)])
        a = train_dense(x, y, n_classes=2, epochs=3, batch_size=2, seed=4)
        b = train_dense(x, y, n_classes=2, epochs=3, batch_size=2, seed=4)
        np.testing.assert_array_equal(a.weight, b.weight)

    def test_wrong_image_shape(self):
        model = train_dense(np.zeros((2, 3, 3)), [0, 1], n_classes=2, epochs=1)
        with pytest.raises(ValueError, match=r"`x` must hold images of shape \(3, 3\)"):
            model.predict(np.zeros((1, 4, 4)))

    @pytest.mark.parametrize(
        ("labels", "error", "match"),
        [
            ([0, 2], ValueError, r"`labels` must lie in \[0, 2\)"),
            ([0, -1], ValueError, r"`labels` must lie in \[0, 2\)"),
            ([0], ValueError, r"`labels` must have shape \(2,\)"),
            ([0.0, 1.0], TypeError, "`labels` must hold integers"),
        ],
    )
    def test_bad_labels(self, labels, error, match):
        with pytest.raises(error, match=match):
            train_dense(np.zeros((2, 3, 3)), labels, n_classes=2)

    @pytest.mark.parametrize(
        ("option", "error"),
        [({"epochs": 0}, ValueError), ({"batch_size": 1.5}, TypeError)],
    )
    def test_bad_options(self, option, error):
        with pytest.raises(error, match=f"`{next(iter(option))}` must be"):
            train_dense(np.zeros((2, 3, 3)), [0, 1], n_classes=2, **option)


def _hand_made() -> SharedClassifier:
    """Two integer 2 x 2 filters, so that all arithmetic is exact."""
    filters = np.array([[[1, 2], [0, -1]], [[0, 1], [1, 0]]], dtype=float)
    return SharedClassifier(
        filters=filters,
        filter_bias=np.array([-1.0, 0.0]),
        weight=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
        bias=np.zeros(3),
    )


class TestSharedClassifier:
    def test_feature_maps_are_convmat_conv2d(self):
        model = _hand_made()
        x = _coded(3, 5, 4).astype(float) % 7
        maps = model.feature_maps(x)
        assert maps.shape == (3, 2, 4, 3)
        for i in range(3):
            expected = convmat.conv2d(
                x[i][None], model.filters[:, None], model.filter_bias
            )
            np.testing.assert_array_equal(maps[i], np.maximum(expected, 0))

    def test_features_are_global_max_pooling(self):
        model = _hand_made()
        x = _coded(2, 4, 6).astype(float) % 5
        np.testing.assert_array_equal(
            model.features(x), convmat.global_max_pool(model.feature_maps(x))
        )

    def test_same_features_wherever_the_object_is(self):
        # 1 pixel of margin (filter size - 1) to every border: exact invariance
        model = _hand_made()
        obj = _coded(1, 3, 3) % 4
        positions = [(1, 1), (1, 4), (4, 2), (3, 3)]
        x = np.concatenate([place(obj, pos, (8, 8)) for pos in positions])
        features = model.features(x)
        np.testing.assert_array_equal(features, np.broadcast_to(features[0], (4, 2)))

    def test_border_changes_the_features(self):
        # at the edge the windows that would overlap the object from outside
        # the canvas are missing (no padding)
        model = _hand_made()
        obj = np.array([[[0, 0], [0, 3]]])
        inside, edge = place(obj, (2, 2), (5, 5)), place(obj, (3, 3), (5, 5))
        assert not np.array_equal(model.features(inside), model.features(edge))

    def test_parameter_count(self):
        model = _hand_made()
        assert model.n_params == convmat.conv_layer_params((2, 1, 2, 2)) + 9 == 19

    def test_generalises_to_unseen_positions(self):
        x, y = _bars(10, [(1, 1), (2, 1)])
        test, y_test = _bars(10, [(5, 5), (6, 2), (3, 6)])
        shared = train_shared(
            x, y, n_classes=2, channels=2, kernel_size=3, epochs=40, learning_rate=0.1
        )
        dense = train_dense(x, y, n_classes=2, epochs=40, learning_rate=0.1)
        assert shared.accuracy(x, y) == dense.accuracy(x, y) == 1.0
        assert shared.accuracy(test, y_test) == 1.0
        assert dense.accuracy(test, y_test) == 0.5  # one class for everything

    def test_deterministic_and_seeded(self):
        x, y = _bars(6, [(0, 0), (2, 1), (1, 3)])
        a, b, c = (
            train_shared(x, y, n_classes=2, channels=2, kernel_size=3, epochs=2, seed=s)
            for s in (7, 7, 8)
        )
        np.testing.assert_array_equal(a.filters, b.filters)
        np.testing.assert_array_equal(a.weight, b.weight)
        assert not np.array_equal(a.filters, c.filters)

    def test_kernel_larger_than_images(self):
        with pytest.raises(
            ValueError, match="`kernel_size` 5 is larger than the images"
        ):
            train_shared(np.zeros((2, 4, 4)), [0, 1], n_classes=2, kernel_size=5)

    def test_images_smaller_than_filters(self):
        with pytest.raises(ValueError, match=r"`x` images \(1, 3\) are smaller"):
            _hand_made().predict(np.zeros((1, 1, 3)))

    def test_bad_channels(self):
        with pytest.raises(ValueError, match="`channels` must be >= 1"):
            train_shared(np.zeros((2, 4, 4)), [0, 1], n_classes=2, channels=0)


class TestFlattenedSharedClassifier:
    def test_features_are_the_flattened_feature_maps(self):
        model = _hand_made()
        model.pooling = "flatten"
        x = _coded(2, 4, 5).astype(float) % 5
        np.testing.assert_array_equal(
            model.features(x), model.feature_maps(x).reshape(2, -1)
        )

    def test_parameter_count(self):
        x, y = _bars(6, [(0, 0), (2, 2)])
        model = train_shared(
            x, y, n_classes=2, channels=3, kernel_size=3, pooling="flatten", epochs=1
        )
        assert model.weight.shape == (2, 3 * 4 * 4)
        assert model.n_params == 3 * 9 + 3 + 2 * 48 + 2 == 128

    def test_bad_pooling(self):
        with pytest.raises(ValueError, match="`pooling` must be 'max' or 'flatten'"):
            train_shared(np.zeros((2, 4, 4)), [0, 1], n_classes=2, pooling="mean")


class TestLocalClassifier:
    def test_each_window_has_its_own_filter(self):
        rng = np.random.default_rng(3)
        filters = rng.integers(-2, 3, size=(2, 3, 2, 2, 2)).astype(float)
        model = LocalClassifier(
            filters,
            rng.integers(-1, 2, size=(2, 3, 2)).astype(float),
            np.eye(2),
            np.zeros(2),
        )
        x = _coded(2, 4, 3).astype(float) % 7
        maps = model.feature_maps(x)
        for i, c, r, q in np.ndindex(maps.shape):
            window = x[i, r : r + 2, q : q + 2]
            expected = (window * filters[c, r, q]).sum() + model.filter_bias[c, r, q]
            assert maps[i, c, r, q] == max(expected, 0.0)

    def test_equals_shared_when_every_window_holds_the_same_filter(self):
        shared = _hand_made()
        copies = np.broadcast_to(shared.filters[:, None, None], (2, 3, 2, 2, 2))
        bias = np.broadcast_to(shared.filter_bias[:, None, None], (2, 3, 2))
        local = LocalClassifier(copies.copy(), bias.copy(), shared.weight, shared.bias)
        x = _coded(3, 4, 3).astype(float) % 5
        np.testing.assert_array_equal(local.logits(x), shared.logits(x))

    def test_parameter_count(self):
        x, y = _bars(6, [(0, 0), (2, 2)])
        model = train_local(x, y, n_classes=2, channels=3, kernel_size=3, epochs=1)
        assert model.filters.shape == (3, 4, 4, 3, 3)
        assert model.n_params == 3 * 16 * (9 + 1) + 2 * 3 + 2 == 488

    def test_fails_where_it_never_looked(self):
        x, y = _bars(10, [(1, 1), (2, 1)])
        test, y_test = _bars(10, [(5, 5), (6, 2), (3, 6)])
        model = train_local(
            x, y, n_classes=2, channels=2, kernel_size=3, epochs=40, learning_rate=0.1
        )
        assert model.accuracy(x, y) == 1.0
        assert model.accuracy(test, y_test) < 1.0

    def test_images_of_the_training_size_only(self):
        model = train_local(
            np.zeros((2, 5, 5)), [0, 1], n_classes=2, kernel_size=3, epochs=1
        )
        with pytest.raises(ValueError, match=r"`x` must hold images of shape \(5, 5\)"):
            model.predict(np.zeros((1, 6, 5)))


def test_dense_classifier_is_exported_type():
    model = train_dense(np.zeros((2, 2, 2)), [0, 1], n_classes=2, epochs=1)
    assert isinstance(model, DenseClassifier)

"""Tiny classifiers, in plain numpy, for the experiment chapter.

A *fully connected* classifier (one fully connected layer, softmax; the library
names it "dense", as in ``DenseClassifier`` and ``train_dense``) has a separate
weight for every pixel; a *shared* classifier slides the same few filters over
every position (a convolution), keeps each filter's strongest response (global
max pooling) and classifies those. Trained on objects seen at a few positions
only, the first cannot recognise them elsewhere; the second can. Between the two
lie the rungs of an ablation ladder: a *locally connected* classifier (the same
windows as the convolution, but unshared weights in each) and a shared
classifier *without* pooling (its feature maps flattened into a fully connected
layer), so that locality, sharing and pooling can be measured one at a time.
:func:`place` puts small images on a larger canvas at chosen positions to make
such a data set.

Everything is seeded and deterministic: the same arguments give the same
weights, bit for bit, on the same machine.
"""

from __future__ import annotations

__all__ = [
    "DenseClassifier",
    "LocalClassifier",
    "SharedClassifier",
    "place",
    "train_dense",
    "train_local",
    "train_shared",
]

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._costs import conv_layer_params, dense_layer_params
from ._direct import conv2d
from ._params import check_int
from ._windows import windows

Pooling = Literal["max", "flatten"]


def _images(x: npt.ArrayLike, name: str = "x") -> np.ndarray:
    """`x` as a float64 stack of images ``(n, h, w)``."""
    x = np.asarray(x)
    if x.dtype.kind not in "iuf":
        msg = f"`{name}` must hold integers or floats, got dtype {x.dtype}"
        raise TypeError(msg)
    if x.ndim != 3:
        msg = f"`{name}` must have shape (n, h, w), got shape {x.shape}"
        raise ValueError(msg)
    return x.astype(np.float64, copy=False)


def _labels(labels: npt.ArrayLike, n: int, n_classes: int) -> np.ndarray:
    """`labels` as int64 class numbers in ``[0, n_classes)``, one per image."""
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        msg = f"`labels` must hold integers, got dtype {y.dtype}"
        raise TypeError(msg)
    if y.shape != (n,):
        msg = f"`labels` must have shape ({n},), one per image, got shape {y.shape}"
        raise ValueError(msg)
    if n and (y.min() < 0 or y.max() >= n_classes):
        msg = f"`labels` must lie in [0, {n_classes}), got {y.min()}..{y.max()}"
        raise ValueError(msg)
    return y.astype(np.int64)


def place(
    images: npt.ArrayLike,
    offsets: Sequence[int] | npt.ArrayLike,
    canvas_shape: tuple[int, int],
) -> np.ndarray:
    """Put small images on a larger, zero canvas at given positions.

    Parameters
    ----------
    images : (n, h, w) array_like
        The objects (for example 8 x 8 digits); integers or floats.
    offsets : (2,) or (n, 2) array_like of int
        Row and column of each object's top-left corner on the canvas; one
        pair is used for every image.
    canvas_shape : (int, int)
        Height and width ``(H, W)`` of the canvas.

    Returns
    -------
    (n, H, W) ndarray
        float64; zero everywhere except where an object was placed:
        ``out[i, r:r+h, c:c+w] = images[i]`` with ``(r, c) = offsets[i]``.

    Raises
    ------
    TypeError
        If `images` is not integer or floating, or `offsets` is not integer.
    ValueError
        If the shapes do not fit, or an object would stick out of the canvas.

    See Also
    --------
    convmat.shift : move an image that is already on a canvas.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat.experiment import place
    >>> place(np.ones((1, 1, 2)), (1, 0), (2, 3))
    array([[[0., 0., 0.],
            [1., 1., 0.]]])
    >>> place([[[1]], [[2]]], [(0, 0), (1, 2)], (2, 3))[1]
    array([[0., 0., 0.],
           [0., 0., 2.]])
    """
    imgs = _images(images, "images")
    n, h, w = imgs.shape
    height, width = (check_int(s, "canvas_shape") for s in canvas_shape)
    pos = np.asarray(offsets)
    if pos.dtype.kind not in "iu":
        msg = f"`offsets` must hold integers, got dtype {pos.dtype}"
        raise TypeError(msg)
    if pos.shape == (2,):
        pos = np.broadcast_to(pos, (n, 2))
    if pos.shape != (n, 2):
        msg = f"`offsets` must have shape (2,) or ({n}, 2), got shape {pos.shape}"
        raise ValueError(msg)
    if n and (
        pos.min() < 0 or pos[:, 0].max() + h > height or pos[:, 1].max() + w > width
    ):
        msg = (
            f"`offsets` must keep each {h} x {w} image inside the "
            f"{height} x {width} canvas"
        )
        raise ValueError(msg)
    out = np.zeros((n, height, width))
    rows = pos[:, 0, None, None] + np.arange(h)[:, None]  # (n, h, 1)
    cols = pos[:, 1, None, None] + np.arange(w)  # (n, 1, w)
    out[np.arange(n)[:, None, None], rows, cols] = imgs
    return out


def _cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(`logits`) and its gradient wrt the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    loss = -float(log_p[rows, y].mean())
    g = np.exp(log_p)
    g[rows, y] -= 1.0
    return loss, g / len(y)


def _dense_gradients(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """Loss and gradients of the fully connected classifier ``[weight, bias]``."""
    weight, bias = params
    f = x.reshape(len(x), -1)
    loss, g = _cross_entropy(f @ weight.T + bias, y)
    return loss, [g.T @ f, g.sum(axis=0)]


def _windows(x: np.ndarray, k: int) -> np.ndarray:
    """im2col of every image of a stack, ``(n, k*k, positions)``.

    The package's one window primitive (the one `im2col` and the direct
    convolution use), with the images as a batch of one channel each.
    """
    return windows(x[:, None], (k, k), (1, 1), (1, 1))


def _responses(filters: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """First-layer responses ``(n, C, positions)`` of the windows `cols`.

    `filters` is ``(C, k*k)`` when shared (one GEMM per image) or
    ``(C, positions, k*k)`` when every window has its own weights.
    """
    if filters.ndim == 2:  # shared: the same filter at every position
        return np.asarray(filters @ cols)
    # locally connected: one small product per position
    z = filters.transpose(1, 0, 2) @ cols.transpose(2, 1, 0)  # (P, C, n)
    return np.asarray(z.transpose(2, 1, 0))


def _window_gradients(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray, *, pooling: Pooling
) -> tuple[float, list[np.ndarray]]:
    """Loss and gradients of ``[filters, filter_bias, weight, bias]`` on a batch.

    The first layer is shared (``filters`` ``(C, k*k)``, ``filter_bias``
    ``(C,)``) or locally connected (``(C, P, k*k)`` and ``(C, P)``, one
    filter per window); then ReLU, then global max pooling or flattening,
    then a fully connected layer. One function for every rung of the ladder, so that
    the rungs differ only where their definitions do.
    """
    filters, filter_bias, weight, bias = params
    shared = filters.ndim == 2
    kk = filters.shape[-1]
    b = len(x)
    cols = _windows(x, round(kk**0.5))  # (b, k*k, P)
    z = _responses(filters, cols) + (
        filter_bias[:, None] if shared else filter_bias
    )  # (b, C, P)
    if pooling == "max":  # ReLU is monotone: max of ReLU at max of z
        where = z.argmax(axis=2)[..., None]  # (b, C, 1)
        peak = np.take_along_axis(z, where, axis=2)[..., 0]
        h = np.maximum(peak, 0.0)  # (b, C)
    else:
        h = np.maximum(z, 0.0).reshape(b, -1)  # (b, C*P)
    loss, g = _cross_entropy(h @ weight.T + bias, y)
    dh = (g @ weight) * (h > 0)
    if pooling == "max":  # the gradient reaches each maximum only
        dz = np.zeros_like(z)
        np.put_along_axis(dz, where, dh[..., None], axis=2)
    else:
        dz = dh.reshape(z.shape)
    if shared:  # the sum over every position: the shared copies' gradients
        d_filters = (dz @ cols.transpose(0, 2, 1)).sum(axis=0)  # (C, k*k)
        d_bias = dz.sum(axis=(0, 2))
    else:
        d_filters = (dz.transpose(2, 1, 0) @ cols.transpose(2, 0, 1)).transpose(
            1, 0, 2
        )  # (C, P, k*k)
        d_bias = dz.sum(axis=0)
    return loss, [d_filters, d_bias, g.T @ h, g.sum(axis=0)]


def _shared_gradients(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """Loss and gradients of the shared classifier with global max pooling."""
    return _window_gradients(params, x, y, pooling="max")


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Run the small matrix products of training on one BLAS thread.

    Each step multiplies small matrices; several BLAS threads then spend
    their time waiting for each other (badly so on a busy machine). Uses
    threadpoolctl when it is installed (it comes with scikit-learn).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[Any] = threadpool_limits(
        limits=1, user_api="blas"
    )
    return limits


def _adam(
    params: list[np.ndarray],
    gradients: Callable[
        [list[np.ndarray], np.ndarray, np.ndarray], tuple[float, list[np.ndarray]]
    ],
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> None:
    """Minibatch Adam (Kingma & Ba's defaults), updating `params` in place."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0
    with _one_blas_thread():
        for _ in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                batch = order[start : start + batch_size]
                t += 1
                _, grads = gradients(params, x[batch], y[batch])
                for i, g in enumerate(grads):  # in place: params[i] is the caller's
                    m[i] = beta1 * m[i] + (1 - beta1) * g
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g
                    m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
                    params[i] -= learning_rate * m_hat / (np.sqrt(v_hat) + eps)


@dataclass
class DenseClassifier:
    """One fully connected layer and a softmax: a weight for every pixel.

    Attributes
    ----------
    weight : (n_classes, H * W) ndarray
        One weight per class and pixel.
    bias : (n_classes,) ndarray
        One bias per class.
    image_shape : (int, int)
        The ``(H, W)`` of the images it was trained on.
    """

    weight: np.ndarray
    bias: np.ndarray
    image_shape: tuple[int, int]

    @property
    def n_params(self) -> int:
        """Number of parameters, ``H*W*n_classes + n_classes``."""
        n_classes, n_features = self.weight.shape
        return dense_layer_params(n_features, n_classes)

    def logits(self, x: npt.ArrayLike) -> np.ndarray:
        """Class scores ``(n, n_classes)`` of the images `x` ``(n, H, W)``."""
        x = _images(x)
        if x.shape[1:] != self.image_shape:
            msg = f"`x` must hold images of shape {self.image_shape}, got {x.shape[1:]}"
            raise ValueError(msg)
        return np.asarray(x.reshape(len(x), -1) @ self.weight.T + self.bias)

    def predict(self, x: npt.ArrayLike) -> np.ndarray:
        """Most likely class of each image, shape ``(n,)``."""
        return np.asarray(self.logits(x).argmax(axis=1))

    def accuracy(self, x: npt.ArrayLike, labels: npt.ArrayLike) -> float:
        """Fraction of the images `x` whose predicted class equals `labels`."""
        return float(np.mean(self.predict(x) == np.asarray(labels)))


@dataclass
class _WindowClassifier:
    """What every windowed classifier shares: filters on windows, then a head.

    Subclasses say how the filters are laid out (shared or one per window)
    and count their parameters.
    """

    filters: np.ndarray
    filter_bias: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    pooling: Pooling = "max"

    _CHUNK = 256  # images per im2col matrix when classifying many

    def _layout(self) -> tuple[np.ndarray, np.ndarray]:
        """Filters ``(C, k*k)`` or ``(C, P, k*k)`` and their bias, as trained."""
        raise NotImplementedError

    def _checked(self, x: npt.ArrayLike) -> np.ndarray:
        """`x` as a float stack of images at least as large as the filters."""
        x = _images(x)
        kh, kw = self.filters.shape[-2:]
        if x.shape[1] < kh or x.shape[2] < kw:
            msg = f"`x` images {x.shape[1:]} are smaller than the filters ({kh}, {kw})"
            raise ValueError(msg)
        return x

    def _maps(self, x: np.ndarray) -> np.ndarray:
        """Pre-activations ``(n, C, h_out, w_out)``, from the package's im2col."""
        filters, filter_bias = self._layout()
        k = self.filters.shape[-1]
        h_out, w_out = x.shape[1] - k + 1, x.shape[2] - k + 1
        z = np.empty((len(x), len(filters), h_out * w_out))
        for start in range(0, len(x), self._CHUNK):
            cols = _windows(x[start : start + self._CHUNK], k)
            z[start : start + self._CHUNK] = _responses(filters, cols) + filter_bias
        return z.reshape(len(x), len(filters), h_out, w_out)

    def feature_maps(self, x: npt.ArrayLike) -> np.ndarray:
        """ReLU of the first layer's responses, ``(n, C, H - k + 1, W - k + 1)``."""
        return np.asarray(np.maximum(self._maps(self._checked(x)), 0.0))

    def features(self, x: npt.ArrayLike) -> np.ndarray:
        """The fully connected head's input: ``(n, C)`` pooled, ``(n, C*P)`` flat."""
        z = self._maps(self._checked(x))
        if self.pooling == "max":
            return np.asarray(np.maximum(z.max(axis=(2, 3)), 0.0))
        return np.asarray(np.maximum(z, 0.0).reshape(len(z), -1))

    def logits(self, x: npt.ArrayLike) -> np.ndarray:
        """Class scores ``(n, n_classes)`` of the images `x` ``(n, H, W)``."""
        return np.asarray(self.features(x) @ self.weight.T + self.bias)

    def predict(self, x: npt.ArrayLike) -> np.ndarray:
        """Most likely class of each image, shape ``(n,)``."""
        return np.asarray(self.logits(x).argmax(axis=1))

    def accuracy(self, x: npt.ArrayLike, labels: npt.ArrayLike) -> float:
        """Fraction of the images `x` whose predicted class equals `labels`."""
        return float(np.mean(self.predict(x) == np.asarray(labels)))


@dataclass
class SharedClassifier(_WindowClassifier):
    """Convolution, ReLU, global max pooling (or flattening), fully connected layer.

    The first layer is a convolution (cross-correlation, no padding, stride
    1) with `filters`: the same weights at every position. Global max pooling
    keeps each filter's strongest response, wherever it is, so the classifier
    sees *what* was found, not *where*. With ``pooling="flatten"`` the fully connected
    layer sees every response at its position instead.

    Attributes
    ----------
    filters : (C, k, k) ndarray
        The shared filters.
    filter_bias : (C,) ndarray
        One bias per filter.
    weight : (n_classes, C) or (n_classes, C * P) ndarray
        Fully connected layer from the pooled (or the ``P`` flattened) responses to the
        classes.
    bias : (n_classes,) ndarray
        One bias per class.
    pooling : {"max", "flatten"}
        Global max pooling, or none (the feature maps flattened).
    """

    def _layout(self) -> tuple[np.ndarray, np.ndarray]:
        return self.filters.reshape(len(self.filters), -1), self.filter_bias[:, None]

    @property
    def n_params(self) -> int:
        """Parameters of the convolution plus those of the fully connected layer."""
        channels, kh, kw = self.filters.shape
        n_classes, n_features = self.weight.shape
        return conv_layer_params((channels, 1, kh, kw)) + dense_layer_params(
            n_features, n_classes
        )

    def feature_maps(self, x: npt.ArrayLike) -> np.ndarray:
        """ReLU of the convolution of every image with every filter.

        Returns ``(n, C, H - k + 1, W - k + 1)``; image ``i`` and filter ``c``
        give ``max(conv2d(x[i], filters[c]) + filter_bias[c], 0)``.
        """
        z = conv2d(self._checked(x)[:, None], self.filters[:, None], self.filter_bias)
        return np.asarray(np.maximum(z, 0.0))  # (n, C, h_out, w_out)


@dataclass
class LocalClassifier(_WindowClassifier):
    """Locally connected: the windows of a convolution, each with its own filter.

    Every output position ``(r, c)`` of channel ``C`` has its own ``k x k``
    filter and bias (a "convolution without sharing", or *unshared
    convolution*): the same locality as a convolution, none of its sharing.
    Then ReLU, global max pooling (or flattening) and a fully connected layer, as in
    :class:`SharedClassifier`.

    Attributes
    ----------
    filters : (C, h_out, w_out, k, k) ndarray
        One filter per channel and output position.
    filter_bias : (C, h_out, w_out) ndarray
        One bias per channel and output position.
    weight : (n_classes, C) or (n_classes, C * h_out * w_out) ndarray
        Fully connected layer from the pooled (or flattened) responses to the classes.
    bias : (n_classes,) ndarray
        One bias per class.
    pooling : {"max", "flatten"}
        Global max pooling, or none.
    """

    def _layout(self) -> tuple[np.ndarray, np.ndarray]:
        channels, h_out, w_out, k, _ = self.filters.shape
        positions = h_out * w_out
        return (
            self.filters.reshape(channels, positions, k * k),
            self.filter_bias.reshape(channels, positions),
        )

    def _checked(self, x: npt.ArrayLike) -> np.ndarray:
        x = _images(x)
        _, h_out, w_out, k, _ = self.filters.shape
        expected = (h_out + k - 1, w_out + k - 1)
        if x.shape[1:] != expected:
            msg = f"`x` must hold images of shape {expected}, got {x.shape[1:]}"
            raise ValueError(msg)
        return x

    @property
    def n_params(self) -> int:
        """Every window's filter and bias, plus the fully connected layer."""
        n_classes, n_features = self.weight.shape
        return (
            self.filters.size
            + self.filter_bias.size
            + dense_layer_params(n_features, n_classes)
        )


def train_dense(
    x: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_classes: int = 10,
    epochs: int = 10,
    batch_size: int = 64,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> DenseClassifier:
    """Train a fully connected softmax classifier with Adam.

    Parameters
    ----------
    x : (n, H, W) array_like
        Training images.
    labels : (n,) array_like of int
        Their classes, in ``[0, n_classes)``.
    n_classes : int, optional
        Number of classes.
    epochs, batch_size : int, optional
        Passes over the data and images per step.
    learning_rate : float, optional
        Adam's step size.
    seed : int, optional
        Seeds the order of the minibatches (weights start at zero).

    Returns
    -------
    DenseClassifier
        Trained on the mean cross-entropy.

    Raises
    ------
    TypeError, ValueError
        If `x`, `labels` or a size is invalid.

    See Also
    --------
    train_shared : the weight-shared classifier.

    Notes
    -----
    The weights start at zero. A pixel that is zero in every training image
    never receives a gradient, so its weights *stay* zero: the classifier
    has learnt nothing about that place.

    Examples
    --------
    Two classes, a dot on the left or on the right:

    >>> import numpy as np
    >>> from convmat.experiment import place, train_dense
    >>> x = place(np.ones((2, 1, 1)), [(0, 0), (0, 2)], (1, 3))
    >>> model = train_dense(x, [0, 1], n_classes=2, epochs=20, learning_rate=0.1)
    >>> model.predict(x).tolist(), model.n_params
    ([0, 1], 8)
    >>> model.weight[:, 1].tolist()    # the middle pixel was never lit
    [0.0, 0.0]
    """
    x = _images(x)
    n_classes = check_int(n_classes, "n_classes")
    y = _labels(labels, len(x), n_classes)
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    weight = np.zeros((n_classes, x.shape[1] * x.shape[2]))
    bias = np.zeros(n_classes)

    _adam(
        [weight, bias],
        _dense_gradients,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        rng=np.random.default_rng(seed),
    )
    return DenseClassifier(weight, bias, (x.shape[1], x.shape[2]))


def _check_pooling(pooling: object) -> Pooling:
    if pooling not in ("max", "flatten"):
        msg = f"`pooling` must be 'max' or 'flatten', got {pooling!r}"
        raise ValueError(msg)
    return pooling


def _train_windowed(
    x: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    shared: bool,
    pooling: object,
    n_classes: int,
    channels: int,
    kernel_size: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
) -> tuple[list[np.ndarray], Pooling, tuple[int, int, int]]:
    """Check, initialise (seeded) and train; ``(params, pooling, (k, h, w))``."""
    x = _images(x)
    n_classes = check_int(n_classes, "n_classes")
    y = _labels(labels, len(x), n_classes)
    channels = check_int(channels, "channels")
    k = check_int(kernel_size, "kernel_size")
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    pooling = _check_pooling(pooling)
    if k > min(x.shape[1], x.shape[2]):
        msg = f"`kernel_size` {k} is larger than the images {x.shape[1:]}"
        raise ValueError(msg)
    h_out, w_out = x.shape[1] - k + 1, x.shape[2] - k + 1
    per_window = () if shared else (h_out * w_out,)
    rng = np.random.default_rng(seed)
    filters = rng.normal(0.0, 1.0 / k, (channels, *per_window, k * k))
    filter_bias = np.zeros((channels, *per_window))
    n_features = channels if pooling == "max" else channels * h_out * w_out
    weight = rng.normal(0.0, 1.0 / np.sqrt(n_features), (n_classes, n_features))
    bias = np.zeros(n_classes)
    params = [filters, filter_bias, weight, bias]

    def gradients(
        p: list[np.ndarray], xb: np.ndarray, yb: np.ndarray
    ) -> tuple[float, list[np.ndarray]]:
        return _window_gradients(p, xb, yb, pooling=pooling)

    _adam(
        params,
        gradients,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        rng=rng,
    )
    return params, pooling, (k, h_out, w_out)


def train_shared(
    x: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_classes: int = 10,
    channels: int = 8,
    kernel_size: int = 5,
    pooling: Pooling = "max",
    epochs: int = 10,
    batch_size: int = 64,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> SharedClassifier:
    """Train a weight-shared classifier (convolution + global max pooling).

    Parameters
    ----------
    x : (n, H, W) array_like
        Training images.
    labels : (n,) array_like of int
        Their classes, in ``[0, n_classes)``.
    n_classes : int, optional
        Number of classes.
    channels : int, optional
        Number of shared filters ``C``.
    kernel_size : int, optional
        Filters are ``kernel_size x kernel_size``.
    pooling : {"max", "flatten"}, optional
        ``"max"``: global max pooling of each feature map; ``"flatten"``: no
        pooling, the fully connected layer sees every response at its position.
    epochs, batch_size : int, optional
        Passes over the data and images per step.
    learning_rate : float, optional
        Adam's step size.
    seed : int, optional
        Seeds the initial weights and the order of the minibatches.

    Returns
    -------
    SharedClassifier
        Trained on the mean cross-entropy.

    Raises
    ------
    TypeError, ValueError
        If `x`, `labels`, `pooling` or a size is invalid.

    See Also
    --------
    train_dense : the fully connected classifier.
    train_local : the same windows without sharing.

    Notes
    -----
    The convolution is valid (no padding) with stride 1. Backpropagation
    through global max pooling sends each filter's gradient only to the
    position of its maximum. The gradient of a shared filter is the sum of
    the gradients its copies receive at every position.

    Examples
    --------
    A horizontal or a vertical bar, seen at one place only, then shown
    further down and to the right, where training never put them:

    >>> import numpy as np
    >>> from convmat.experiment import place, train_dense, train_shared
    >>> bars = np.array([[[1, 1], [0, 0]], [[1, 0], [1, 0]]])
    >>> seen, unseen = place(bars, (1, 1), (6, 6)), place(bars, (3, 3), (6, 6))
    >>> shared = train_shared(seen, [0, 1], n_classes=2, channels=2,
    ...                       kernel_size=2, epochs=50, learning_rate=0.1)
    >>> dense = train_dense(seen, [0, 1], n_classes=2, epochs=50,
    ...                     learning_rate=0.1)
    >>> shared.predict(unseen).tolist(), dense.predict(unseen).tolist()
    ([0, 1], [0, 0])
    >>> shared.n_params, dense.n_params
    (16, 74)
    """
    params, pooling, (k, _, _) = _train_windowed(
        x,
        labels,
        shared=True,
        pooling=pooling,
        n_classes=n_classes,
        channels=channels,
        kernel_size=kernel_size,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
    )
    filters, filter_bias, weight, bias = params
    return SharedClassifier(
        filters.reshape(len(filters), k, k), filter_bias, weight, bias, pooling
    )


def train_local(
    x: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_classes: int = 10,
    channels: int = 8,
    kernel_size: int = 5,
    pooling: Pooling = "max",
    epochs: int = 10,
    batch_size: int = 64,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> LocalClassifier:
    """Train a locally connected classifier: a convolution's windows, unshared.

    Parameters and training are those of :func:`train_shared`; the only
    difference is that each window of the valid ``k x k`` sliding window has
    its own filter and bias, so what is learnt at one position is not used
    at any other.

    Parameters
    ----------
    x : (n, H, W) array_like
        Training images.
    labels : (n,) array_like of int
        Their classes, in ``[0, n_classes)``.
    n_classes, channels, kernel_size : int, optional
        As in :func:`train_shared`.
    pooling : {"max", "flatten"}, optional
        As in :func:`train_shared`.
    epochs, batch_size : int, optional
        Passes over the data and images per step.
    learning_rate : float, optional
        Adam's step size.
    seed : int, optional
        Seeds the initial weights and the order of the minibatches.

    Returns
    -------
    LocalClassifier
        Trained on the mean cross-entropy; it classifies images of the
        training size ``(H, W)`` only.

    Raises
    ------
    TypeError, ValueError
        If `x`, `labels`, `pooling` or a size is invalid.

    See Also
    --------
    train_shared : the same windows with one shared filter per channel.

    Notes
    -----
    A locally connected layer has ``H_out * W_out`` times the parameters of
    the convolution with the same windows; Goodfellow, Bengio and Courville
    (2016, section 9.5) call it *unshared convolution*.

    Examples
    --------
    The bars of :func:`train_shared`'s example: the windows that never saw
    a bar in training keep their random filters, so the same bars further
    down and to the right are misread.

    >>> import numpy as np
    >>> from convmat.experiment import place, train_local
    >>> bars = np.array([[[1, 1], [0, 0]], [[1, 0], [1, 0]]])
    >>> seen, unseen = place(bars, (1, 1), (6, 6)), place(bars, (3, 3), (6, 6))
    >>> local = train_local(seen, [0, 1], n_classes=2, channels=2,
    ...                     kernel_size=2, epochs=50, learning_rate=0.1)
    >>> local.predict(seen).tolist(), local.predict(unseen).tolist()
    ([0, 1], [1, 1])
    >>> local.n_params
    256
    >>> local.filters.shape
    (2, 5, 5, 2, 2)
    """
    params, pooling, (k, h_out, w_out) = _train_windowed(
        x,
        labels,
        shared=False,
        pooling=pooling,
        n_classes=n_classes,
        channels=channels,
        kernel_size=kernel_size,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
    )
    filters, filter_bias, weight, bias = params
    channels = len(filters)
    return LocalClassifier(
        filters.reshape(channels, h_out, w_out, k, k),
        filter_bias.reshape(channels, h_out, w_out),
        weight,
        bias,
        pooling,
    )

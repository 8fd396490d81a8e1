"""Quiet the kernels myst-nb starts.

Why: ipykernel 7 prints "Kernel is running over TCP without encryption" on
every kernel start, burying real messages in the build log.  Encryption
"auto" (where zmq has CURVE) is its own remedy; switching the transport to
ipc instead hung the kernel.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def encrypt_kernel_transport() -> None:
    try:
        import zmq
        from jupyter_client.manager import KernelManager
    except ImportError:  # pragma: no cover - both come with myst-nb
        return
    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is not None and hasattr(zmq, "has") and zmq.has("curve"):
        trait.default_value = "auto"


def setup(app: Sphinx) -> None:
    encrypt_kernel_transport()

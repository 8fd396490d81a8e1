"""Run the pages again when the package they call changes.

Why: myst-nb's execution cache keys on a page's cell sources only, so after an
edit to ``src/convmat`` a rebuild would take every output from the cache and
still call the book "checked".  Each state of the package gets its own cache
folder, ``<cache>/convmat-<hash of src/convmat>``: a changed package means a
changed ``nb_execution_cache_path``, so Sphinx reads every page again
("config changed") and myst-nb finds no run of it, and runs it.  Caches of
other states of the package are removed, so the folder does not grow.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

PREFIX = "convmat-"


def package_hash(package: Path) -> str:
    """SHA-256 over the package's files: their paths and their bytes."""
    digest = hashlib.sha256()
    files = sorted(
        p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def key_cache_on_package(app: Sphinx, config: Config) -> None:
    package = Path(app.confdir) / config.booksite_package
    if not package.is_dir():
        msg = f"booksite_package: {package} is not a folder"
        raise ValueError(msg)
    base = config.nb_execution_cache_path or str(
        Path(app.outdir).parent / ".jupyter_cache"
    )
    base_path = Path(base)
    if base_path.name.startswith(PREFIX):  # already keyed (a -D of a keyed path)
        base_path = base_path.parent
    keyed = base_path / f"{PREFIX}{package_hash(package)}"
    if base_path.is_dir():
        for old in base_path.glob(f"{PREFIX}*"):
            if old != keyed and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(keyed)


def setup(app: Sphinx) -> None:
    # The package whose code the pages run, relative to the configuration folder.
    app.add_config_value("booksite_package", "src/convmat", "env", str)
    # After myst-nb has registered its options, before the environment compares
    # the configuration with the last build's.
    app.connect("config-inited", key_cache_on_package, priority=900)

"""Run nox from a private environment: the only prerequisite is Python >= 3.11.

Usage (from anywhere; the arguments are nox's own)::

    python3 tools/bootstrap.py -s docs
    python3 tools/bootstrap.py -s tests
    python3 tools/bootstrap.py -l

The first run creates ``.nox/.bootstrap`` (a virtual environment of the Python
that runs this script) and installs nox and uv into it from
``requirements/bootstrap.txt`` (exact versions, checked by hash).  Where the
Python lacks ``ensurepip`` (Debian and Ubuntu without ``python3-venv``), pip
itself is fetched from PyPI, pinned and checked by hash, to do that install.  Later runs
reuse it, and make it anew when that file or the Python changes.  Nothing is
installed into the Python itself, so a system Python that refuses pip (PEP 668:
Debian, Ubuntu, Homebrew) works as it is.  The sessions then run on this same
Python; no interpreter is downloaded.

Standard library only, by design: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import os
import re
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements" / "bootstrap.txt"
ENV = ROOT / ".nox" / ".bootstrap"
STAMP = ENV / "bootstrap.sha256"
MINIMUM = (3, 11)
# pip for a Python without ensurepip: (version, SHA-256 of its wheel on PyPI).
PIP = ("26.3", "f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13")


def fail(message: str) -> None:
    print(f"bootstrap: {message}", file=sys.stderr)
    raise SystemExit(1)


def wanted_stamp() -> str:
    """What the environment was made from: the pins and the exact Python."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    digest.update(os.path.realpath(sys.executable).encode())
    return digest.hexdigest()


def env_python() -> Path:
    return ENV / "bin" / "python"


def pip_wheel() -> Path:
    """pip's wheel from PyPI (its simple index), checked against the pinned hash."""
    version, sha256 = PIP
    index = "https://pypi.org/simple/pip/"
    name = f"pip-{version}-py3-none-any.whl"
    print(f"bootstrap: this Python has no ensurepip; fetching {name}", flush=True)
    try:
        with urllib.request.urlopen(index, timeout=120) as response:
            page = response.read().decode("utf-8")
        found = re.search(rf'href="([^"]*/{re.escape(name)})#sha256={sha256}"', page)
        if found is None:
            fail(f"{name} with the pinned hash is not on {index}")
        url = urljoin(index, html.unescape(found.group(1)))
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
    except OSError as error:
        fail(f"could not fetch {name} from PyPI ({error})")
    if hashlib.sha256(data).hexdigest() != sha256:
        fail(f"{name} from PyPI does not match its pinned hash")
    wheel = ENV / name
    wheel.write_bytes(data)
    return wheel


def make_env(stamp: str) -> None:
    print(f"bootstrap: making {ENV.relative_to(ROOT)} with nox and uv", flush=True)
    has_ensurepip = importlib.util.find_spec("ensurepip") is not None
    if os.environ.get("CONVMAT_BOOTSTRAP_WITHOUT_ENSUREPIP"):  # to test that path
        has_ensurepip = False
    try:
        venv.EnvBuilder(with_pip=has_ensurepip, clear=True).create(ENV)
    except (OSError, subprocess.CalledProcessError) as error:
        fail(f"could not create a virtual environment ({error})")
    pip = ["-m", "pip"] if has_ensurepip else [str(pip_wheel() / "pip")]
    install = [
        str(env_python()),
        *pip,
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--require-hashes",
        "--only-binary",
        ":all:",
        "-r",
        str(REQUIREMENTS),
    ]
    if subprocess.run(install, check=False).returncode != 0:
        fail(f"installing {REQUIREMENTS.relative_to(ROOT)} failed (see above)")
    STAMP.write_text(stamp + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    if sys.version_info < MINIMUM:
        fail(
            f"this project needs Python {'.'.join(map(str, MINIMUM))} or newer; "
            f"{sys.executable} is {sys.version.split()[0]}"
        )
    stamp = wanted_stamp()
    current = STAMP.read_text(encoding="utf-8").strip() if STAMP.is_file() else ""
    if current != stamp or not env_python().exists():
        make_env(stamp)
    # Sessions run on this Python (see noxfile.py); never fetch another one.
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    os.chdir(ROOT)
    python = str(env_python())
    sys.stdout.flush()
    os.execv(python, [python, "-m", "nox", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])

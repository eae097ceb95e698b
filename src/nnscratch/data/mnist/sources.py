"""Where MNIST is looked for, where it can be downloaded from, and the download itself.

Local files
-----------
:func:`locate` turns a path (a file or a folder) into what to read: the book's pickle,
the four IDX files or an ``.npz`` cache. :func:`find_in_folder` looks for the pickle or
the IDX files in one folder. The order in which folders are searched is
:func:`nnscratch.data.mnist.load_mnist`'s business.

Downloads
---------
:class:`MNISTSources` lists the URLs (the book's file first, then three IDX mirrors) and
the SHA-256 every file must have. :func:`download_mnist` streams a file into a temporary
file with :func:`nnscratch.files.atomic_write`, checks its SHA-256, and only then renames
it onto its final name, so a dropped connection, a wrong byte or Ctrl-C never leaves a
half file under the real name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from ...engine.checks import number
from ...files import atomic_write
from ...progress import progress_bar
from .base import MNISTDownloadError

__all__ = [
    "BOOK_LAYOUT",
    "CACHE_NAME",
    "DEFAULT_SOURCES",
    "ENV_VAR",
    "IDX_FILES",
    "IDX_SHA256",
    "PICKLE_NAME",
    "PICKLE_SHA256",
    "DownloadBar",
    "Found",
    "MNISTSources",
    "ProgressArg",
    "default_cache_dir",
    "digest_of",
    "download_mnist",
    "ensure_file",
    "find_in_folder",
    "idx_file",
    "locate",
    "progress_factory",
    "sha256_of",
    "tried",
]


#: Environment variable naming a file or folder to load MNIST from.
ENV_VAR = "NNSCRATCH_DATA"

#: File names used in a data folder and in the cache directory.
PICKLE_NAME = "mnist.pkl.gz"
CACHE_NAME = "mnist.npz"

#: Where the book's programs find the file, relative to the current folder: its
#: ``src/`` programs read ``../data/mnist.pkl.gz``; a copy next to a script is found too.
BOOK_LAYOUT = (Path("..") / "data" / PICKLE_NAME, Path(PICKLE_NAME))

#: The four IDX files, as published by LeCun, Cortes and Burges.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: SHA-256 of Nielsen's ``data/mnist.pkl.gz`` (17,051,982 bytes).
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

#: SHA-256 of the IDX files (the values TensorFlow Datasets and torchvision check).
IDX_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


@dataclass(frozen=True)
class MNISTSources:
    """Where :func:`download_mnist` looks, and the checksums the files must have.

    Parameters
    ----------
    pickle_urls : sequence of str
        Full URLs of the book's ``mnist.pkl.gz``, tried in order.
    pickle_sha256 : str
        Expected SHA-256 (hex) of the pickle.
    idx_mirrors : sequence of str
        Base URLs (ending in ``/``) holding the four IDX files, tried in order per file.
    idx_sha256 : mapping of str to str
        Expected SHA-256 (hex) of each IDX file, by file name.
    max_bytes : int, default 64 MiB
        A download larger than this is abandoned (the largest real file is 17 MB), so a
        broken or hostile server cannot fill the disk.

    Examples
    --------
    Point the loader at your own mirror (the tests use a server on 127.0.0.1):

    >>> mirror = MNISTSources(pickle_urls=("https://example.org/mnist.pkl.gz",))
    >>> mirror.idx_mirrors == DEFAULT_SOURCES.idx_mirrors
    True
    """

    pickle_urls: Sequence[str] = (
        "https://github.com/mnielsen/neural-networks-and-deep-learning/raw/master/data/mnist.pkl.gz",
    )
    pickle_sha256: str = PICKLE_SHA256
    idx_mirrors: Sequence[str] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    idx_sha256: Mapping[str, str] = field(default_factory=lambda: dict(IDX_SHA256))
    max_bytes: int = 64 * 2**20


#: The canonical public locations.
DEFAULT_SOURCES = MNISTSources()


# ---------------------------------------------------------------------------------------
# Cache directory
# ---------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """The per-user cache folder for nnscratch, following each platform's convention.

    * Linux and other Unix: ``$XDG_CACHE_HOME/nnscratch``, else ``~/.cache/nnscratch``;
    * macOS: ``~/Library/Caches/nnscratch``;
    * Windows: ``%LOCALAPPDATA%\\nnscratch\\Cache``.

    The folder is not created here; it is created when something is written to it.

    >>> default_cache_dir().name in {"nnscratch", "Cache"}
    True
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "nnscratch" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "nnscratch"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "nnscratch"


# ---------------------------------------------------------------------------------------
# Finding local files
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """MNIST found on disk: ``kind`` is ``"pickle"``, ``"idx"`` or ``"npz"``; ``files`` are
    the one pickle or cache file, or the four IDX files in the order of :data:`IDX_FILES`."""

    kind: str
    files: tuple[Path, ...]

    def paths(self) -> dict[str, Path]:
        """The IDX files by role (``"train_images"`` ...)."""
        return dict(zip(IDX_FILES, self.files))


def idx_file(folder: Path, name: str) -> Path | None:
    """The IDX file ``name`` in ``folder``, gzipped or not (``name`` without its
    ``.gz``), or ``None``."""
    for candidate in (folder / name, folder / name.removesuffix(".gz")):
        if candidate.exists():
            return candidate
    return None


def _idx_in(folder: Path) -> Found | None:
    files = [idx_file(folder, name) for name in IDX_FILES.values()]
    return None if None in files else Found("idx", tuple(files))  # type: ignore[arg-type]


def find_in_folder(folder: Path) -> Found | None:
    """The book's pickle in ``folder``, else its four IDX files, else ``None``.

    Anything of the right name counts (a FIFO too): reading it then says what is wrong,
    instead of the folder seeming empty.
    """
    if (folder / PICKLE_NAME).exists():
        return Found("pickle", (folder / PICKLE_NAME,))
    return _idx_in(folder)


def locate(source: Path, origin: str) -> Found:
    """What to read for a path given by the user (``origin`` names it in messages, e.g.
    ``"path x"`` or ``"NNSCRATCH_DATA=x"``).

    Raises
    ------
    FileNotFoundError
        Nothing usable is there.
    ValueError
        ``source`` is a single IDX file (the four belong together).
    """
    if source.is_dir():
        found = find_in_folder(source)
        if found is None and (source / CACHE_NAME).is_file():
            found = Found("npz", (source / CACHE_NAME,))
        if found is None:
            raise FileNotFoundError(
                f"{origin} is a folder without MNIST in it: expected {PICKLE_NAME}, "
                f"{CACHE_NAME}, or the four files {', '.join(IDX_FILES.values())}"
            )
        return found
    if source.exists():
        if source.suffix == ".npz":
            return Found("npz", (source,))
        if source.name.removesuffix(".gz").endswith("-ubyte"):
            raise ValueError(
                f"{origin} is one IDX file; give the folder holding all four: "
                f"{', '.join(IDX_FILES.values())}"
            )
        return Found("pickle", (source,))
    raise FileNotFoundError(
        f"{origin} does not exist; give the book's {PICKLE_NAME}, a {CACHE_NAME} "
        f"cache, or a folder holding either or the four IDX files"
    )


# ---------------------------------------------------------------------------------------
# Downloading
# ---------------------------------------------------------------------------------------


class DownloadBar(Protocol):
    """What a progress factory returns: ``update(n_bytes)`` and ``close()`` (tqdm fits)."""

    def update(self, n: int) -> Any: ...

    def close(self) -> Any: ...


ProgressFactory = Callable[..., DownloadBar]
ProgressArg = bool | None | ProgressFactory


def _byte_bar(*, total: int | None, desc: str) -> DownloadBar:
    # The one progress bar of nnscratch, counting bytes (kB, MB), gone when done.
    return progress_bar(total, desc, unit="B", unit_scale=True, leave=False)


def progress_factory(progress: ProgressArg) -> ProgressFactory | None:
    """What a ``progress=`` argument asks for: the byte bar, nothing, or your own."""
    if progress is True:
        return _byte_bar
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise TypeError(
        f"progress must be True, False or a callable progress(total=, desc=), got {progress!r}"
    )


class _BadDownload(Exception):
    """One URL did not deliver the file; the message says why (one phrase)."""


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of a file, read in 1 MiB pieces."""
    return digest_of(path, "sha256")


def digest_of(path: Path, algorithm: str) -> str:
    """The ``hashlib`` digest ``algorithm`` (``"sha256"``, ``"md5"``) of a file, in hex,
    read in 1 MiB pieces."""
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_NETWORK_ERRORS = (OSError, http.client.HTTPException, ValueError)


def _fetch(
    url: str,
    dest: Path,
    sha256: str,
    factory: ProgressFactory | None,
    timeout: float,
    max_bytes: int,
    algorithm: str = "sha256",
) -> None:
    """Download ``url`` to ``dest``: temp file, checksum (SHA-256, or ``algorithm``'s)
    check, then atomic rename."""
    request = urllib.request.Request(url, headers={"User-Agent": "nnscratch"})

    def write(out: IO[bytes]) -> None:
        # Network failures become _BadDownload here, so that atomic_write reports only
        # what goes wrong with the file itself (a full disk) as an OSError.
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except _NETWORK_ERRORS as exc:
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()  # it holds the open response
            raise _BadDownload(_reason(exc)) from exc
        with response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise _BadDownload(f"the server offers {total} bytes, more than {max_bytes}")
            bar = factory(total=total, desc=dest.name) if factory is not None else None
            h = hashlib.new(algorithm)
            received = 0
            try:
                while True:
                    try:
                        chunk = response.read(1 << 16)
                    except _NETWORK_ERRORS as exc:
                        raise _BadDownload(_reason(exc)) from exc
                    if not chunk:
                        break
                    out.write(chunk)
                    h.update(chunk)
                    received += len(chunk)
                    if received > max_bytes:
                        raise _BadDownload(f"more than {max_bytes} bytes; abandoned")
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        if total is not None and received != total:
            raise _BadDownload(f"connection closed after {received} of {total} bytes")
        digest = h.hexdigest()
        if digest != sha256.lower():
            what = "SHA-256" if algorithm == "sha256" else algorithm.upper()
            raise _BadDownload(f"{what} mismatch: expected {sha256}, got {digest}")

    atomic_write(dest, write)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def ensure_file(
    urls: Sequence[str],
    dest: Path,
    digest: str,
    factory: ProgressFactory | None,
    timeout: float,
    max_bytes: int,
    attempts: list[tuple[str, str]],
    algorithm: str = "sha256",
) -> bool:
    """True when ``dest`` is intact: already there with its ``digest`` (nothing fetched),
    or fetched from the first of ``urls`` that delivers it so; False (with every URL and
    why it failed in ``attempts``) when none does."""
    if dest.is_file() and digest_of(dest, algorithm) == digest.lower():
        return True
    for url in urls:
        try:
            _fetch(url, dest, digest, factory, timeout, max_bytes, algorithm)
        except (_BadDownload, OSError) as exc:
            # _BadDownload: the network or the server failed (an HTTP error, a refused
            # connection, a timeout, a cut-off response, a URL urllib cannot handle, a
            # wrong checksum); OSError: the file could not be written.
            attempts.append((url, _reason(exc)))
            continue
        return True
    return False


def tried(attempts: Sequence[tuple[str, str]]) -> str:
    """``"url (why); url (why)"``: the URLs tried, for a one-line error a command line
    can show as it is."""
    return "; ".join(f"{url} ({why})" for url, why in attempts) or "no sources given"


def download_mnist(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    sources: MNISTSources | None = None,
    progress: ProgressArg = True,
    timeout: float = 30.0,
) -> Path:
    """Download MNIST into ``cache_dir``, verifying every file's SHA-256.

    Nielsen's ``mnist.pkl.gz`` is tried first (one file, the book's exact data); if no URL
    delivers it intact, the four IDX files are fetched, each from the first mirror that
    works. A file is renamed onto its final name only after its checksum matches; a file
    already in ``cache_dir`` with the right checksum is not fetched again.

    Parameters
    ----------
    cache_dir : path-like, optional
        Destination folder; default :func:`default_cache_dir`.
    sources : MNISTSources, optional
        URLs and checksums; default :data:`DEFAULT_SOURCES`.
    progress : bool or callable, default True
        ``True`` shows :func:`nnscratch.progress.progress_bar` on stderr (a live bar on a
        terminal, plain lines in a log); ``False`` shows nothing; a callable is called as
        ``progress(total=n_bytes_or_None, desc=file_name)`` and must return an object with
        ``update(n)`` and ``close()`` (``tqdm.tqdm`` itself works).
    timeout : float, default 30.0
        Seconds to wait for a connection or for data before giving up on a URL.

    Returns
    -------
    pathlib.Path
        The downloaded pickle, or the folder holding the four IDX files.

    Raises
    ------
    MNISTDownloadError
        Nothing could be downloaded; the message (one line) lists each URL and why it
        failed, and says where to put the file by hand. ``.attempts`` holds the same list.
    """
    sources = DEFAULT_SOURCES if sources is None else sources
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    factory = progress_factory(progress)
    timeout = number("timeout", timeout, low=0, low_open=True)
    folder.mkdir(parents=True, exist_ok=True)
    attempts: list[tuple[str, str]] = []

    pickle_path = folder / PICKLE_NAME
    if ensure_file(  # already here and intact, or downloaded
        sources.pickle_urls,
        pickle_path,
        sources.pickle_sha256,
        factory,
        timeout,
        sources.max_bytes,
        attempts,
    ):
        return pickle_path

    missing = False
    for name in IDX_FILES.values():
        dest = folder / name
        expected = sources.idx_sha256.get(name)
        if expected is None:
            raise ValueError(f"sources.idx_sha256 has no checksum for {name}")
        urls = [base.rstrip("/") + "/" + name for base in sources.idx_mirrors]
        if not ensure_file(urls, dest, expected, factory, timeout, sources.max_bytes, attempts):
            missing = True
            break
    if not missing:
        return folder

    raise MNISTDownloadError(
        f"could not download MNIST: tried {tried(attempts)}. "
        f"To use MNIST offline, download {PICKLE_NAME} (from "
        f"{DEFAULT_SOURCES.pickle_urls[0]}) on a connected machine, then either put it in "
        f"{folder} or set the environment variable {ENV_VAR} to its path (a folder with the "
        f"four IDX files {', '.join(IDX_FILES.values())} works too).",
        attempts,
    )

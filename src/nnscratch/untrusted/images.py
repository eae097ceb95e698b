"""Images: the pixel count an image declares, checked before anything is decoded."""

from __future__ import annotations

import io
import os
import re
import warnings
from typing import Any

from .base import UntrustedFileError, limit, named
from .streams import read_bytes

__all__ = ["check_image_pixels", "open_image"]


def open_image(path: str | os.PathLike[str], *, what: str, max_pixels: int, max_bytes: int) -> Any:
    """Open an image with Pillow *without decoding it*, refusing more than ``max_pixels``.

    ``Image.open`` reads only the header, so the size is known before any pixel is
    decoded. The file is read into memory first (at most ``max_bytes``, through
    :func:`open_regular`), so the image holds no open file.

    Returns
    -------
    PIL.Image.Image
        Not yet decoded: ``.size`` and ``.mode`` are known; ``.convert()`` or
        ``.load()`` decodes.

    Raises
    ------
    UntrustedFileError
        Not a regular file, over ``max_bytes``, not an image Pillow reads, or more than
        ``max_pixels`` pixels (also beyond Pillow's own bomb limit: a one-line error
        instead of ``DecompressionBombError``).
    """
    from PIL import Image, UnidentifiedImageError

    max_pixels = limit("max_pixels", max_pixels)
    name = named(what, path)
    data = read_bytes(path, what=what, max_bytes=max_bytes)
    accepted = f"at most {max_pixels:,} pixels"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        count = f"{int(found.group(1)):,} pixels" if found else "more pixels than Pillow allows"
        raise UntrustedFileError(name, f"declares {count}", accepted) from None
    except UnidentifiedImageError:  # its message names an in-memory buffer, not the file
        raise UntrustedFileError(
            name, "is not an image Pillow can read", "expected PNG, JPEG, GIF, BMP ..."
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UntrustedFileError(
            name, f"is not an image Pillow can read ({exc})", "expected PNG, JPEG, GIF, BMP ..."
        ) from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise UntrustedFileError(name, f"is {width}x{height} = {width * height:,} pixels", accepted)
    return image


def check_image_pixels(
    path: str | os.PathLike[str], *, max_pixels: int, what: str = "image", max_bytes: int = 2**26
) -> tuple[int, int]:
    """The ``(width, height)`` an image declares, refusing more than ``max_pixels``.

    Reads only the header (see :func:`open_image`); nothing is decoded.
    """
    image = open_image(path, what=what, max_pixels=max_pixels, max_bytes=max_bytes)
    try:
        return image.size
    finally:
        image.close()

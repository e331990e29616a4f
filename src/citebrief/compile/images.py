"""Local images a brief shows: inside the project, real raster images, of a sane size.

An image path is the easiest way to pull a file into a published output (``![x](/proc/self/environ)``
would be embedded whole as a ``data:`` URI), so each one is confined to the project folder (symlinks
resolved), checked to be a PNG, JPEG, GIF or WebP by its first bytes, and its pixel size read from its
header before any renderer decodes it. The HTML and DOCX get it as a ``data:`` URI; the PDF gets a copy
in the private build folder that typst alone may read.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from citebrief.errors import CitebriefError
from citebrief.project import OutsideProject, confine

MAX_PIXELS = 10_000 * 10_000
MAX_BYTES = 32 * 1024 * 1024
MIME = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


@dataclass(frozen=True)
class Image:
    path: Path          # resolved, inside the project
    kind: str           # png, jpeg, gif, webp
    digest: str         # sha256 of the bytes (the cache records it)

    @property
    def build_name(self) -> str:
        """Its name in the build folder: content-addressed, so nothing of the source path leaks."""
        return f"img-{self.digest[:16]}.{self.kind}"

    def data_uri(self) -> str:
        return f"data:{MIME[self.kind]};base64,{base64.b64encode(self.path.read_bytes()).decode()}"


def local_image(url: str, brief_dir: Path, root: Path, shown: str) -> Image:
    """Check one local image named in the brief (relative to it); problems are one-line errors."""
    try:
        path = confine(unquote(url), root, "image", shown, relative_to=brief_dir)
    except OutsideProject as exc:
        raise CitebriefError(exc.message, shown, exit_code=1) from None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CitebriefError(f"image not found: {url}", shown, exit_code=1) from None
    except OSError as exc:
        raise CitebriefError(f"cannot read image {url}: {exc.strerror or exc}", shown, exit_code=1) from None
    if len(data) > MAX_BYTES:
        raise CitebriefError(f"image {url} is larger than {MAX_BYTES // (1024 * 1024)} MB", shown, exit_code=1)
    kind, size = sniff(data)
    if kind is None:
        raise CitebriefError(f"{url} is not a PNG, JPEG, GIF or WebP image", shown, exit_code=1)
    if size is None or size[0] * size[1] > MAX_PIXELS or 0 in size:
        raise CitebriefError(f"image {url} has an unreadable or too large pixel size", shown, exit_code=1)
    return Image(path, kind, hashlib.sha256(data).hexdigest())


def copy_into(images: list[Image], build: Path) -> None:
    for image in images:
        shutil.copyfile(image.path, build / image.build_name)


def sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """(kind, (width, height)) from an image's header, without decoding it."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png", struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return "gif", struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp", _webp_size(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", _jpeg_size(data)
    return None, None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):   # start of frame
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None

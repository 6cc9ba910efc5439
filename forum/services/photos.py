"""Consultation photos: checked by content, decoded and re-encoded (EXIF and GPS gone),
encrypted, stored under random names outside static/.

Decoding is the expensive part (a 40-megapixel file of 100 KB costs about a second of CPU), so
every file of a request first passes checks that read only its bytes and its header: size,
markup, format, dimensions, frames and, for a JPEG, the number of scans. One file failing them
refuses the whole request before anything is decoded."""
from __future__ import annotations

import io
import re
import secrets
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from forum import crypto
from forum.errors import Invalid
from forum.i18n import _, fnumber

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Phone cameras often write MPO (a JPEG with extra frames): Pillow's JPEG opener names it so.
ALIASES = {"MPO": "JPEG"}
MAX_PHOTOS = 5
# Each scan of a progressive JPEG is a pass over the whole image: encoders write about ten, a
# crafted file thousands. Counted in the first image only (a thumbnail sits in an APP segment).
MAX_JPEG_SCANS = 24
MAX_JPEG_SEGMENTS = 1000  # a real file has a few dozen; walking more would cost CPU itself
# Markup anywhere in the file (a polyglot may hide it after the image data). The tag must be
# followed by a space, ">" or "/", so random bytes in compressed image data rarely match.
_MARKUP = re.compile(rb"<(?:html|script|svg|\?php|!doctype|iframe|body)[\s>/]", re.IGNORECASE)
# The next JPEG marker: 0xFF then a code other than a stuffed 0x00 (in a scan's data), a restart
# marker (0xD0-0xD7) or fill (0xFF).
_NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


@dataclass
class PhotoUpload:
    """A photo a member posts publicly (in a question or a review): the file and its description."""
    raw: bytes
    filename: str
    alt: str
    alt_field: str = ""  # the form field its description came from (errors are shown there)


@dataclass
class CleanPhoto:
    data: bytes
    content_type: str


def _refuse(message: str):
    raise Invalid(message, fields=dict(photos=[message]))


def clean_photos(files: Sequence[tuple[bytes, str]]) -> list[CleanPhoto]:
    """Every photo re-encoded without metadata, or Invalid for the whole lot. All the files pass
    the cheap checks (bytes and header) before any is decoded."""
    for raw, filename in files:
        check_photo(raw, filename)
    return [_decode(raw, filename) for raw, filename in files]


def clean_photo(raw: bytes, filename: str = "", *, max_side: int | None = None) -> CleanPhoto:
    """The photo re-encoded without metadata, or Invalid with a clear reason. The name and the
    declared type are ignored: only the content counts. With `max_side`, it is scaled down to fit
    (a profile photo need not be 12 megapixels)."""
    check_photo(raw, filename)
    return _decode(raw, filename, max_side=max_side)


def check_photo(raw: bytes, filename: str = "") -> str:
    """Refuse (Invalid) what is too large, markup, not a JPEG, PNG or WebP, over the pixel cap,
    animated, or a JPEG of too many scans, from the bytes and the header only; returns the format."""
    name = filename or _("A photo")
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if len(raw) > limit:
        _refuse(_("%(name)s is larger than %(size)d MB.", name=name, size=limit // (1024 * 1024)))
    if _MARKUP.search(raw):
        _refuse(_("%(name)s contains web page code, so it was refused.", name=name))
    with _opened(raw, name) as image:  # reads the header; nothing is decoded
        fmt = ALIASES.get(image.format, image.format)
        if fmt not in FORMATS:
            _refuse(_("%(name)s is not a JPEG, PNG or WebP image.", name=name))
        if image.width * image.height > _max_pixels():
            _refuse(_too_many_pixels(name))
        if image.format != "MPO" and getattr(image, "n_frames", 1) != 1:  # MPO: only the first is read
            _refuse(_("%(name)s is animated; send a still photo.", name=name))
    if fmt == "JPEG" and jpeg_scans(raw) > MAX_JPEG_SCANS:
        _refuse(_("%(name)s is a JPEG saved in too many passes; save it again as a standard JPEG.", name=name))
    return fmt


def jpeg_scans(raw: bytes) -> int:
    """The scans (SOS segments) of a JPEG's first image, walking its segments as a decoder does
    (skipping stray bytes); past MAX_JPEG_SEGMENTS segments the count stops, already too high."""
    scans, segments, pos = 0, 0, 2
    while segments < MAX_JPEG_SEGMENTS and (found := _NEXT_MARKER.search(raw, pos)) is not None:
        segments += 1
        pos = found.start() + 1
        marker = raw[pos]
        if marker == 0xD9:  # the end of the first image: frames after it (MPO) are never decoded
            return scans
        if marker in (0x01, 0xD8):  # no length field
            pos += 1
            continue
        pos += 1 + int.from_bytes(raw[pos + 1:pos + 3], "big")
        scans += marker == 0xDA  # then the search skips the scan's data to the next marker
    return scans if segments < MAX_JPEG_SEGMENTS else MAX_JPEG_SCANS + 1


def _max_pixels() -> int:
    return current_app.config["PHOTO_MAX_PIXELS"]


def _too_many_pixels(name: str) -> str:
    return _("%(name)s has too many pixels (at most %(megapixels)s megapixels).", name=name,
             megapixels=fnumber(_max_pixels() / 1_000_000))


@contextmanager
def _opened(raw: bytes, name: str) -> Iterator[Image.Image]:
    """The image with only its header read. Pillow's own limit is set to ours, so a
    decompression bomb fails as it is opened; any failure becomes a clear refusal."""
    Image.MAX_IMAGE_PIXELS = _max_pixels()
    try:
        with warnings.catch_warnings():
            # Pillow warns past its limit (and raises past twice it): either way, refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=list(FORMATS)) as image:
                yield image
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(_too_many_pixels(name))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        _refuse(_("%(name)s is not a readable JPEG, PNG or WebP image.", name=name))


def _decode(raw: bytes, filename: str, *, max_side: int | None = None) -> CleanPhoto:
    """Decode a checked photo and write a new file: no EXIF, GPS, comments or trailing data."""
    with _opened(raw, filename or _("A photo")) as image:
        fmt = ALIASES.get(image.format, image.format)
        image.load()
        upright = ImageOps.exif_transpose(image)  # keep the orientation the EXIF tag gave it
        keep_alpha = fmt in ("PNG", "WEBP") and upright.mode in ("RGBA", "LA", "P")
        pixels = upright.convert("RGBA" if keep_alpha else "RGB")
    if max_side:
        pixels.thumbnail((max_side, max_side))
    pixels.info = {}  # Pillow would carry some metadata over (a JPEG comment, for one)
    out = io.BytesIO()
    save = {"JPEG": {"quality": 88}, "PNG": {"optimize": True}, "WEBP": {"quality": 88}}[fmt]
    pixels.save(out, format=fmt, **save)
    return CleanPhoto(out.getvalue(), FORMATS[fmt])


def photo_dir() -> Path:
    path = Path(current_app.config["PHOTO_DIR"] or Path(current_app.instance_path) / "photos")
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(photo: CleanPhoto) -> str:
    """Encrypt and write the photo; returns its random stored name."""
    name = secrets.token_hex(24)
    (photo_dir() / name).write_bytes(crypto.encrypt_bytes(photo.data))
    return name


def read(stored_name: str) -> bytes:
    return crypto.decrypt_bytes((photo_dir() / stored_name).read_bytes())


def remove(stored_name: str) -> None:
    (photo_dir() / stored_name).unlink(missing_ok=True)


@contextmanager
def removed_on_failure(written: list[str] | None = None) -> Iterator[list[str]]:
    """For a block that stores photo files and commits: yields the list to put the stored names
    in; when the block raises, the session is rolled back and those files removed (nothing partial
    is kept), and the error goes on."""
    from forum.extensions import db  # the photo helpers above need no database

    written = [] if written is None else written
    try:
        yield written
    except Exception:
        db.session.rollback()
        for name in written:
            remove(name)
        raise

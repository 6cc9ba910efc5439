"""Consultation photos: checked by content, decoded and re-encoded (EXIF and GPS gone),
encrypted, stored under random names outside static/."""
from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from forum import crypto
from forum.errors import Invalid

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Phone cameras often write MPO (a JPEG with extra frames): Pillow's JPEG opener names it so.
ALIASES = {"MPO": "JPEG"}
MAX_PHOTOS = 5
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
# Markup anywhere in the file (a polyglot may hide it after the image data). The tag must be
# followed by a space, ">" or "/", so random bytes in compressed image data rarely match.
_MARKUP = re.compile(rb"<(?:html|script|svg|\?php|!doctype|iframe|body)[\s>/]", re.IGNORECASE)


@dataclass
class CleanPhoto:
    data: bytes
    content_type: str


def _refuse(message: str):
    raise Invalid(message, fields={"photos": [message]})


def clean_photo(raw: bytes, filename: str = "") -> CleanPhoto:
    """The photo re-encoded without metadata, or Invalid with a clear reason. The name and the
    declared type are ignored: only the content counts."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if len(raw) > limit:
        _refuse(f"{filename or 'A photo'} is larger than {limit // (1024 * 1024)} MB.")
    if _MARKUP.search(raw):
        _refuse(f"{filename or 'A photo'} contains web page code, so it was refused.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit raises) about huge images when opening:
            # either way the image is refused as too large, never decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=list(FORMATS)) as image:
                fmt = ALIASES.get(image.format, image.format)
                if fmt not in FORMATS:
                    _refuse(f"{filename or 'A photo'} is not a JPEG, PNG or WebP image.")
                if image.width * image.height > MAX_PIXELS:
                    _refuse(f"{filename or 'A photo'} has too many pixels.")
                image.load()
                upright = ImageOps.exif_transpose(image)  # keep the orientation the EXIF tag gave it
                pixels = upright.convert("RGBA" if fmt in ("PNG", "WEBP") and upright.mode in ("RGBA", "LA", "P")
                                         else "RGB")
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(f"{filename or 'A photo'} has too many pixels.")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        _refuse(f"{filename or 'A photo'} is not a readable JPEG, PNG or WebP image.")
    pixels.info = {}  # Pillow would carry some metadata over (a JPEG comment, for one)
    out = io.BytesIO()
    save = {"JPEG": {"quality": 88}, "PNG": {"optimize": True}, "WEBP": {"quality": 88}}[fmt]
    pixels.save(out, format=fmt, **save)  # a new file: no EXIF, GPS, comments or trailing data
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

"""Consultation photos: judged by content (never by name), decoded and re-encoded with Pillow
(EXIF and GPS gone), refused with a clear message when they are markup, polyglots, too large
or decompression bombs, stored encrypted under random names in PHOTO_DIR."""
from __future__ import annotations

import functools
import io
import os

import pytest
from PIL import Image

from forum.errors import Invalid
from forum.services import photos
from tests.services.test_consultations import image_bytes, jpeg_with_exif

HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


@functools.cache
def bomb_png(width: int = 10_000, height: int = 10_000) -> bytes:
    """One colour, so it compresses to a few kilobytes but would decode to 100 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def refusal(raw: bytes, filename: str = "upload") -> str:
    with pytest.raises(Invalid) as refused:
        photos.clean_photo(raw, filename)
    assert list(refused.value.fields) == ["photos"]
    [message] = refused.value.fields["photos"]
    assert message == refused.value.message
    return message



# ---- accepted, re-encoded, stripped ----

@pytest.mark.parametrize(("fmt", "content_type"),
                         [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_jpeg_png_and_webp_are_accepted_and_re_encoded(fmt, content_type):
    raw = image_bytes(fmt, size=(64, 48))
    clean = photos.clean_photo(raw, "photo")
    assert clean.content_type == content_type and clean.data != raw
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == fmt and image.size == (64, 48)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_removed(fmt):
    exif = Image.open(io.BytesIO(jpeg_with_exif())).getexif()
    assert exif.get_ifd(0x8825)  # the input really carries a GPS position
    raw = image_bytes(fmt, exif=exif.tobytes())
    assert b"Quixotryl" in raw
    clean = photos.clean_photo(raw, "gps.jpg")
    assert b"Quixotryl" not in clean.data and b"Examplecam" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert dict(image.getexif()) == {} and not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info


def test_a_jpeg_comment_and_trailing_bytes_are_dropped():
    raw = image_bytes("JPEG", comment=b"Taken at 12 Acacia Avenue") + b"trailing secret"
    clean = photos.clean_photo(raw, "a.jpg")
    assert b"Acacia" not in clean.data and b"trailing secret" not in clean.data


def test_the_exif_orientation_is_applied_before_it_is_removed():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    clean = photos.clean_photo(image_bytes("JPEG", size=(40, 30), exif=exif.tobytes()), "phone.jpg")
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (30, 40) and dict(image.getexif()) == {}


def test_a_phone_camera_mpo_file_is_taken_as_a_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "MPO", save_all=True,
                                           append_images=[Image.new("RGB", (20, 20), "blue")])
    clean = photos.clean_photo(buffer.getvalue(), "IMG_0001.JPG")
    with Image.open(io.BytesIO(clean.data)) as image:
        assert clean.content_type == "image/jpeg" and image.format == "JPEG"


def test_a_transparent_png_keeps_its_transparency():
    clean = photos.clean_photo(image_bytes("PNG", color=(10, 20, 30, 0)), "t.png")
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_the_name_does_not_decide_the_type():
    clean = photos.clean_photo(image_bytes("PNG"), "holiday.jpg")
    assert clean.content_type == "image/png"


# ---- refused with a clear message ----

def test_an_html_file_renamed_png_is_refused():
    assert refusal(HTML, "cute-cat.png") == "cute-cat.png contains web page code, so it was refused."


def test_an_svg_is_refused():
    assert "web page code" in refusal(SVG, "logo.png")


@pytest.mark.parametrize("padding", [0, 1_100_000], ids=["right-after", "after-a-megabyte"])
def test_a_polyglot_jpeg_with_a_script_is_refused(padding):
    polyglot = image_bytes("JPEG") + b"\0" * padding + b"<script>alert(1)</script>"
    with Image.open(io.BytesIO(polyglot)) as image:
        image.load()  # really a valid JPEG to an image decoder
    assert refusal(polyglot, "poly.jpg") == "poly.jpg contains web page code, so it was refused."


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(app):
    limit = app.config["PHOTO_MAX_BYTES"]
    assert limit == 4 * 1024 * 1024
    big = image_bytes("JPEG") + os.urandom(limit)
    assert refusal(big, "huge.jpg") == "huge.jpg is larger than 4 MB."


@pytest.mark.parametrize("size", [(10_000, 10_000), (8_000, 6_000)], ids=["pillow-limit", "own-limit"])
def test_a_decompression_bomb_is_refused_without_decoding_it(app, size):
    bomb = bomb_png(*size)
    assert len(bomb) < 100_000  # small on disk ...
    assert size[0] * size[1] > app.config["PHOTO_MAX_PIXELS"]  # ... huge in memory
    assert refusal(bomb, "bomb.png") == "bomb.png has too many pixels (at most 24 megapixels)."


@pytest.mark.parametrize(("raw", "name"), [
    (b"", "empty.jpg"),
    (b"just some text, no image", "notes.jpg"),
    (image_bytes("GIF"), "anim.gif"),
    (image_bytes("BMP"), "old.bmp"),
    (image_bytes("TIFF"), "scan.tiff"),
    (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "doc.png"),
    (image_bytes("JPEG")[:200], "truncated.jpg"),
], ids=["empty", "text", "gif", "bmp", "tiff", "pdf", "truncated"])
def test_anything_but_a_readable_jpeg_png_or_webp_is_refused(raw, name):
    assert refusal(raw, name) == f"{name} is not a readable JPEG, PNG or WebP image."


def test_a_refusal_without_a_file_name_still_reads_well():
    assert refusal(HTML, "") == "A photo contains web page code, so it was refused."


# ---- storage ----

def test_photos_are_stored_encrypted_under_random_names_in_the_photo_dir(app, tmp_path):
    clean = photos.clean_photo(image_bytes("PNG"), "me.png")
    first, second = photos.store(clean), photos.store(clean)
    assert first != second and len(first) == 48 and "me" not in first
    stored = tmp_path / "photos" / first
    assert stored.is_file() and not stored.read_bytes().startswith(b"\x89PNG")
    assert photos.read(first) == clean.data
    assert "static" not in str(photos.photo_dir())
    photos.remove(first)
    assert not stored.exists()
    photos.remove(first)  # removing twice is harmless


def test_without_a_photo_dir_photos_go_to_the_instance_folder_not_static(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PHOTO_DIR", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))  # not the repository's
    assert photos.photo_dir() == tmp_path / "instance" / "photos"

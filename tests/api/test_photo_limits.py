"""Attaching photos through the API (#12, finding 1): one file over the limits refuses the whole
request (422, nothing stored) before any file is decoded, and requests carrying photos are rate
limited per account (429), refused ones included."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum.extensions import db
from tests.api.helpers import error_of
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import image_bytes, make_request
from tests.services.test_photo_limits import blank_png, plain_jpeg

API = "/api/v1/consultations"


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos"), "RATELIMIT_PHOTOS": "3 per hour"}


@pytest.fixture
def doctor(app):
    return make_doctor()


def upload(client, path, files, headers):
    """Multipart built in memory (the test client would spool a large body to a temporary file
    that it never closes)."""
    fields = MultiDict([("photos", FileStorage(io.BytesIO(raw), filename=name)) for raw, name in files])
    boundary, body = encode_multipart(fields)
    return client.post(path, headers=headers, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored_files(app) -> list:
    folder = Path(app.config["PHOTO_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


def test_one_bad_photo_among_good_ones_refuses_the_whole_request(app, client, bearer, doctor):
    requester = make_user()
    consultation = make_request(requester, doctor)
    files = [(image_bytes(), "good.jpg"), (plain_jpeg(8000, 5000), "huge.jpg"), (image_bytes("PNG"), "good.png")]
    response = upload(client, f"{API}/{consultation.id}/photos", files, bearer(requester))
    assert error_of(response, 422)["fields"] == {"photos": ["huge.jpg has too many pixels (at most 24 megapixels)."]}
    db.session.expire_all()
    assert consultation.photos == [] and stored_files(app) == []


def test_refused_uploads_count_against_the_photo_limit_per_account(client, bearer, doctor):
    requester, other = make_user(), make_user()
    mine, theirs = make_request(requester, doctor), make_request(other, doctor)
    headers = bearer(requester)
    bomb = [(blank_png(20_000, 20_000, color_type=0, bit_depth=1), "bomb.png")]
    statuses = [upload(client, f"{API}/{mine.id}/photos", bomb, headers).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    assert error_of(upload(client, f"{API}/{mine.id}/photos", [(image_bytes(), "ok.jpg")], headers), 429)
    accepted = upload(client, f"{API}/{theirs.id}/photos", [(image_bytes(), "ok.jpg")], bearer(other))
    assert accepted.status_code == 201 and len(accepted.get_json()["photos"]) == 1

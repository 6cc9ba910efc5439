"""Web helpers: cookie access (read, copy, replay, decode) and a second independent browser."""
from __future__ import annotations

import base64
import json
import zlib

import pytest

class Cookies:
    """The cookies a browser holds, as a user with devtools would see and copy them."""

    SESSION = "__Host-session"
    REMEMBER = "__Host-remember"

    def __init__(self, app, client):
        self.app, self.client = app, client

    def get(self, name: str = SESSION) -> str | None:
        cookie = self.client.get_cookie(name)
        return cookie.value if cookie else None

    def set(self, name: str, value: str) -> None:
        self.client.set_cookie(name, value)

    def delete(self, name: str) -> None:
        self.client.delete_cookie(name)

    def session(self, value: str | None = None) -> dict:
        """The session cookie's content, read (and signature-checked) as Flask reads it."""
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        return serializer.loads(value or self.get(self.SESSION))

    def readable_payload(self, value: str | None = None) -> dict:
        """What anyone holding the cookie can read without the key: signed is not encrypted."""
        value = value or self.get(self.SESSION)
        compressed = value.startswith(".")
        payload = value.lstrip(".").split(".")[0]
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return json.loads(zlib.decompress(raw) if compressed else raw)


@pytest.fixture
def cookies(app, client):
    return Cookies(app, client)


@pytest.fixture
def new_browser(app, browser):
    """Another person on another device: `other = new_browser()`."""
    return lambda: type(browser)(app.test_client())


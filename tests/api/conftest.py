"""API fixtures: bearer-token headers for a user."""
from __future__ import annotations

import pytest

from tests.factories import mint_token


@pytest.fixture
def bearer(app):
    """`bearer(user)` -> request headers carrying a fresh API token of `user`."""
    def headers_for(user) -> dict:
        return {"Authorization": f"Bearer {mint_token(user)}"}
    return headers_for


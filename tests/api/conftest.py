"""API fixtures: bearer-token headers for a user."""
from __future__ import annotations

import pytest

from forum.services import accounts


@pytest.fixture
def bearer(app):
    """`bearer(user)` -> request headers carrying a fresh API token of `user`."""
    def headers_for(user) -> dict:
        _token, raw = accounts.issue_token(user, name="tests")
        return {"Authorization": f"Bearer {raw}"}
    return headers_for


"""Service tests run inside the app fixture's application context (no HTTP)."""
import pytest


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every service test gets the app, its database and an open application context."""
    return app

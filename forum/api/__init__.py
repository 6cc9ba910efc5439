"""/api/v1: flask-smorest Api with our error format, bearer-token and session auth."""
from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_smorest import Api, Blueprint
from werkzeug.routing import UnicodeConverter

from forum.api import accounts as accounts_api
from forum.api import consultations as consultations_api
from forum.api import doctors as doctors_api
from forum.api import following as following_api
from forum.api import members as members_api
from forum.api import moderation as mod_api
from forum.api import notifications as notes_api
from forum.api import questions as questions_api
from forum.api import reference as reference_api
from forum.api import reviews as reviews_api
from forum.api import revisions as revisions_api
from forum.api.auth import api_guard
from forum.api.idempotency import document as document_idempotency
from forum.api.idempotency import init_idempotency
from forum.api.openapi import ErrorResponsesPlugin, path_segment_schema, register_error_components
from forum.extensions import csrf
from forum.schemas.common import ErrorSchema

BLUEPRINTS = (accounts_api, doctors_api, mod_api, notes_api, reference_api, questions_api, consultations_api,
              reviews_api, following_api, revisions_api, members_api)


class ForumApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error handler: forum.errors answers every
    error, in JSON under /api/ and in HTML elsewhere (and keeps the Allow header on 405). The
    OpenAPI document describes that error shape, not flask-smorest's own."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        return None


def register_api(app: Flask) -> None:
    # webargs ignores unknown query parameters unless told otherwise; our Args schemas say RAISE
    # and the OpenAPI document says additionalProperties: false, so let the schema decide (422).
    parser = Blueprint.ARGUMENTS_PARSER
    parser.DEFAULT_UNKNOWN_BY_LOCATION = {**type(parser).DEFAULT_UNKNOWN_BY_LOCATION,
                                          "query": None, "querystring": None}
    api = ForumApi(app, spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})
    app.extensions["forum_api"] = api
    register_error_components(api.spec)
    api.register_converter(UnicodeConverter, path_segment_schema)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie",
                                                          "name": app.config["SESSION_COOKIE_NAME"]})
    for module in BLUEPRINTS:
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    app.before_request(api_guard)
    init_idempotency(app)  # after api_guard: keys are kept per authenticated user
    document_idempotency(api.spec)
    app.add_url_rule("/api/v1/docs", "api_docs", _docs)


def _docs():
    """Browsable API documentation rendered on the server from the OpenAPI document (no CDN JS)."""
    return render_template("api/docs.html", spec=current_app.extensions["forum_api"].spec.to_dict())

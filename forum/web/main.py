"""Home page, health check and robots.txt."""
from flask import Blueprint, Response, jsonify, render_template

from forum.services import site

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", **site.home_page())


@bp.get("/healthz")
def healthz():
    ok = site.database_ok()
    return jsonify(status="ok" if ok else "unavailable", database=ok), 200 if ok else 503


@bp.get("/robots.txt")
def robots():
    body = "User-agent: *\nDisallow: /account\nDisallow: /consultations\nDisallow: /mod\nDisallow: /api/\n"
    return Response(body, mimetype="text/plain")

"""Home page, health check and robots.txt."""
from flask import Blueprint, Response, jsonify, render_template

from forum.services import site

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", **site.home_page())


@bp.get("/healthz")
def healthz():
    """Alive: the process answers. Never touches the database (a restart would not help)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database and Redis answer. A load balancer drains on 503."""
    checks = site.readiness()
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "unavailable", **checks), 200 if ready else 503


@bp.get("/robots.txt")
def robots():
    body = ("User-agent: *\nDisallow: /account\nDisallow: /consultations\nDisallow: /mod\nDisallow: /api/\n"
            "Disallow: /unsubscribe\n")
    return Response(body, mimetype="text/plain")

"""Site search, Atom feeds and the doctor's dashboard page."""
import re

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from forum import clock
from forum.errors import NotFound
from forum.i18n import LOCALES, NAMES
from forum.schemas.qa import SearchArgs
from forum.services import doctors, questions, reference, search
from forum.web.forms import load_args

bp = Blueprint("search", __name__)
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@bp.get("/search")
def index():
    args = load_args(SearchArgs(partial=("q",)))
    results = search.search(args.pop("q"), **args) if args.get("q", "").strip() else None
    return render_template("search/index.html", results=results, args=request.args, topics=reference.list_topics(),
                           languages=[(code, NAMES[code]) for code in LOCALES],
                           start=search.starting_points() if not results or not results.hits else None)


@bp.get("/feeds/questions.atom", defaults={"topic": None})
@bp.get("/feeds/topics/<topic>.atom")
def feed(topic):
    if topic is not None and not SLUG_PATTERN.fullmatch(topic):  # e.g. a NUL byte, which PostgreSQL refuses
        raise NotFound()
    subject = reference.get_topic(topic) if topic else None
    recent = questions.feed_questions(topic)
    updated = max((q.last_activity_at for q in recent), default=clock.now())
    xml = render_template("search/feed.atom.xml", questions=recent, topic=subject, updated=updated)
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/doctor/dashboard")
@login_required
def dashboard():
    return render_template("doctors/dashboard.html", **doctors.dashboard(current_user))

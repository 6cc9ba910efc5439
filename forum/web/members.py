"""Public member profiles: display name, member since, public questions, helpful votes."""
from flask import Blueprint, redirect, render_template, url_for

from forum.schemas.common import CursorArgs
from forum.services import members
from forum.web.forms import load_args
from forum.web.language_links import kept_language

bp = Blueprint("members", __name__)


@bp.get("/members/<int:member_id>", defaults={"slug": ""})
@bp.get("/members/<int:member_id>/<slug>")
def show(member_id, slug):
    args = load_args(CursorArgs())
    member = members.get_member(member_id)
    if slug != member.slug:  # slugs are cosmetic: the wrong one redirects to the canonical URL
        more = {"cursor": args["cursor"]} if args["cursor"] else {}
        return redirect(url_for("members.show", member_id=member_id, slug=member.slug, **more, **kept_language()), 301)
    page = members.member_questions(member_id, cursor=args["cursor"], limit=args["limit"])
    return render_template("members/show.html", member=member, page=page)

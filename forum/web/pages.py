"""Trust pages (About, How we verify doctors, Privacy...) and the contact form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from forum import ratelimits
from forum.models import CONTACT_TOPIC_LABELS
from forum.schemas.pages import ContactIn
from forum.services import contact as contact_service
from forum.services import pages
from forum.web.forms import load_form

bp = Blueprint("pages", __name__)
TOPIC_CHOICES = [(topic.value, label) for topic, label in CONTACT_TOPIC_LABELS.items()]
SENT = "Thank you. Your message reached our moderators; we reply by e-mail, usually within a few working days."


def show(slug):
    return render_template("pages/show.html", page=pages.get_page(slug))


for _slug in pages.TRUST_PAGES:
    if _slug != "contact":
        bp.add_url_rule(f"/{_slug}", "show", show, methods=["GET"], defaults={"slug": _slug})


def _contact_page(form, errors, status=200):
    return render_template("pages/contact.html", page=pages.get_page("contact"), form=form, errors=errors,
                           topics=TOPIC_CHOICES), status


@bp.get("/contact")
def contact():
    return _contact_page({}, {})


@bp.post("/contact")
@ratelimits.contact
def send_contact():
    data, errors = load_form(ContactIn())
    if errors:
        return _contact_page(request.form, errors, 422)
    contact_service.send_message(**data)
    flash(SENT, "success")
    return redirect(url_for("pages.contact"), 303)

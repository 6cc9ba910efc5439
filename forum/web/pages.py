"""Trust pages (About, How we verify doctors, Privacy...) and the contact form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from forum import ratelimits
from forum.i18n import _l
from forum.models import ContactTopic
from forum.schemas.pages import ContactIn
from forum.services import contact as contact_service
from forum.services import pages
from forum.web.forms import load_form

bp = Blueprint("pages", __name__)
# The contact form's topics in the reader's language (models.CONTACT_TOPIC_LABELS holds the English).
TOPIC_LABELS = {
    ContactTopic.GENERAL: _l("General question"),
    ContactTopic.PROBLEM: _l("Report a problem"),
    ContactTopic.PRESS: _l("Press"),
    ContactTopic.PRIVACY: _l("Privacy request"),
}
SENT = _l("Thank you. Your message reached our moderators; we reply by e-mail, usually within a few working days.")


def show(slug):
    return render_template("pages/show.html", page=pages.get_page(slug))


for _slug in pages.TRUST_PAGES:
    if _slug != "contact":
        bp.add_url_rule(f"/{_slug}", "show", show, methods=["GET"], defaults={"slug": _slug})


def _contact_page(form, errors, status=200):
    return render_template("pages/contact.html", page=pages.get_page("contact"), form=form, errors=errors,
                           topics=[(topic.value, str(label)) for topic, label in TOPIC_LABELS.items()]), status


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
    flash(str(SENT), "success")
    return redirect(url_for("pages.contact"), 303)
